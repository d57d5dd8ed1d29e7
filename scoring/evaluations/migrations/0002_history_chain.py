"""A tamper-evident history: each event gets its sequence, the evaluation's state after it and
a hash chained to the event before (scoring.evaluations.chain); TRUNCATE of the events is
refused on PostgreSQL like UPDATE and DELETE already are.

The events already there are chained in the order they were written (by id). Their state
after each event was not kept, so only the last event of each evaluation gets one: the
evaluation as it stands now, which from here on is what verify_history holds it to.
"""

import django.utils.timezone
from django.db import migrations, models

from scoring.evaluations.chain import evaluation_state, event_hash

TABLE = "evaluations_evaluationevent"

TRUNCATE_SQL = f"""
DROP TRIGGER IF EXISTS evaluations_evaluationevent_no_truncate ON {TABLE};
CREATE TRIGGER evaluations_evaluationevent_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION evaluations_evaluationevent_append_only();
"""

DROP_TRUNCATE_SQL = f"DROP TRIGGER IF EXISTS evaluations_evaluationevent_no_truncate ON {TABLE};"


def chain_existing(apps, schema_editor):
    Evaluation = apps.get_model("evaluations", "Evaluation")
    Answer = apps.get_model("evaluations", "Answer")
    EvaluationEvent = apps.get_model("evaluations", "EvaluationEvent")
    db = schema_editor.connection.alias
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # The append-only trigger refuses UPDATE; this migration is the one writer allowed to
        # fill the new columns, in its own transaction, and switches it back on below.
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER evaluations_evaluationevent_append_only")
    evaluation_ids = (
        EvaluationEvent.objects.using(db).values_list("evaluation_id", flat=True).distinct()
    )
    for evaluation_id in sorted(set(evaluation_ids)):
        evaluation = Evaluation.objects.using(db).get(pk=evaluation_id)
        events = list(EvaluationEvent.objects.using(db).filter(evaluation_id=evaluation_id).order_by("pk"))
        previous = ""
        for sequence, event in enumerate(events, start=1):
            event.sequence = sequence
            event.prev_hash = previous
            event.state = None
            if sequence == len(events):
                answers = Answer.objects.using(db).filter(evaluation_id=evaluation_id).select_related("item")
                event.state = evaluation_state(evaluation, answers)
            event.hash = event_hash(event)
            EvaluationEvent.objects.using(db).filter(pk=event.pk).update(
                sequence=event.sequence, prev_hash=event.prev_hash, state=event.state, hash=event.hash
            )
            previous = event.hash
    if postgres:
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER evaluations_evaluationevent_append_only")


def add_truncate_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_SQL)


def drop_truncate_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRUNCATE_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="evaluationevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="evaluationevent",
            name="sequence",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="evaluationevent",
            name="state",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="evaluationevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="evaluationevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="evaluationevent",
            name="sequence",
            field=models.PositiveIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="evaluationevent",
            constraint=models.UniqueConstraint(
                fields=("evaluation", "sequence"), name="one_event_per_sequence"
            ),
        ),
        migrations.RunPython(add_truncate_trigger, drop_truncate_trigger),
    ]
