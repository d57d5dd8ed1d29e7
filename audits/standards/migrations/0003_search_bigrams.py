"""The search text normalized as the call search's (NFKC, case-folded, letters and digits,
terms apart) and, on PostgreSQL, indexed by character bigrams with scoring.calls' IMMUTABLE
qa_text_bigrams (calls 0003): two-character Chinese words (漫游, 发票) have no trigram, so the
trigram index of 0002 could not narrow them; it is dropped."""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS standards_search_bigrams ON standards_standard "
    "USING gin (qa_text_bigrams(search_text))"
)


def refill(apps, schema_editor):
    from scoring.calls.search import normalize

    Standard = apps.get_model("standards", "Standard")
    for standard in Standard.objects.select_related("owner", "monitor", "published_version"):
        shown = standard.published_version or standard.versions.order_by("-number").first()
        terms = [standard.code, standard.title]
        if shown is not None:
            terms += [shown.body, shown.question, shown.answer]
        for person in (standard.owner, standard.monitor):
            if person is not None:
                from org.names import pinyin_initials

                name = person.full_name or person.username
                terms += [name, pinyin_initials(name), person.username]
        text = " ".join(n for n in (normalize(t) for t in terms if t) if n)
        Standard.objects.filter(pk=standard.pk).update(search_text=text)


def forwards(apps, schema_editor):
    refill(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS standards_search_trgm")
        schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS standards_search_bigrams")


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0002_search_index_and_immutable_versions"),
        ("calls", "0003_call_search_text"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
