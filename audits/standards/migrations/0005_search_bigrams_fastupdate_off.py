"""PostgreSQL only: the search's bigram GIN index (0003) without the fast-update pending list.

With fastupdate on (PostgreSQL's default) a new or edited standard's bigrams wait in an
unsorted pending list until a VACUUM or 4 MB of them, and every search reads that whole list
besides the index: after 10,000 specifications were written (bench/standards_search.py) a
search read 399 pending pages, 27 ms, for a lookup of 0.2 ms. The library is written a few
times a day and searched all day: each write now puts its entries in the index itself, and
what is pending is moved there once. SQLite has no such index; nothing to do there."""

from django.db import migrations

INDEX = "standards_search_bigrams"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX IF EXISTS {INDEX} SET (fastupdate = off)")
    schema_editor.execute(
        f"SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = '{INDEX}'"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX IF EXISTS {INDEX} SET (fastupdate = on)")


class Migration(migrations.Migration):
    dependencies = [("standards", "0004_abolition_requests")]

    operations = [migrations.RunPython(forwards, backwards)]
