from django.db import migrations, models

# Evaluation history is append-only. The model refuses save/delete of an existing row and the
# admin gives no change/delete permission; on PostgreSQL the database itself refuses too, so
# neither raw SQL nor a bulk QuerySet.update()/delete() can rewrite history.
TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION scoring_evaluationevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'scoring_evaluationevent is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS scoring_evaluationevent_append_only ON scoring_evaluationevent;
CREATE TRIGGER scoring_evaluationevent_append_only
    BEFORE UPDATE OR DELETE ON scoring_evaluationevent
    FOR EACH ROW EXECUTE FUNCTION scoring_evaluationevent_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS scoring_evaluationevent_append_only ON scoring_evaluationevent;
DROP FUNCTION IF EXISTS scoring_evaluationevent_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluationevent",
            name="version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
