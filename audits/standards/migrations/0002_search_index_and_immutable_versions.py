"""PostgreSQL only: a trigram GIN index on Standard.search_text, so `search_text ILIKE '%…%'`
(Chinese has no word boundaries for a full-text parser; trigrams of the characters work) is
an index scan; and a trigger that refuses an UPDATE of a version's content once it is out of
draft/review, even one that bypasses StandardVersion.save (a queryset update, raw SQL).
SQLite keeps a plain LIKE and the save-level refusal."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS standards_search_trgm ON standards_standard "
    "USING gin (search_text gin_trgm_ops)",
    """
    CREATE OR REPLACE FUNCTION standards_version_immutable() RETURNS trigger AS $$
    BEGIN
        IF OLD.status NOT IN ('draft', 'in_review') AND (
            NEW.title IS DISTINCT FROM OLD.title OR NEW.body IS DISTINCT FROM OLD.body
            OR NEW.question IS DISTINCT FROM OLD.question
            OR NEW.answer IS DISTINCT FROM OLD.answer
            OR NEW.number IS DISTINCT FROM OLD.number
            OR NEW.standard_id IS DISTINCT FROM OLD.standard_id
            OR NEW.status IN ('draft', 'in_review')
        ) THEN
            RAISE EXCEPTION 'standard version % is %: its content cannot change', OLD.id, OLD.status
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS standards_version_immutable ON standards_standardversion",
    "CREATE TRIGGER standards_version_immutable BEFORE UPDATE ON standards_standardversion "
    "FOR EACH ROW EXECUTE FUNCTION standards_version_immutable()",
]

DROP = [
    "DROP TRIGGER IF EXISTS standards_version_immutable ON standards_standardversion",
    "DROP FUNCTION IF EXISTS standards_version_immutable()",
    "DROP INDEX IF EXISTS standards_search_trgm",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in CREATE:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in DROP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
