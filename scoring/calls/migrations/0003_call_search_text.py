"""Phrase search over transcripts: Call.search_text (the normalized transcript), filled for the
existing calls, and on PostgreSQL the bigram GIN index the search uses (scoring.calls.search)."""

from django.db import migrations, models

from scoring.calls import search


def fill_search_text(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    batch = []
    for call in Call.objects.only("pk", "turns").iterator(chunk_size=2000):
        call.search_text = search.search_text_of(call.turns)
        batch.append(call)
        if len(batch) >= 2000:
            Call.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Call.objects.bulk_update(batch, ["search_text"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(search.PG_FUNCTION, params=None)
        schema_editor.execute(search.PG_INDEX, params=None)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(search.PG_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0002_critical_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="call",
            name="search_text",
            field=models.TextField(
                blank=True, db_default="", default="", verbose_name="transcript for search"
            ),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
