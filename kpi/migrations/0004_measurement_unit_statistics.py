"""Planner statistics on the measurements' unit columns (PostgreSQL only).

The period close groups the measurements by indicator, agent, team and department at once
(kpi.closes). The team and department of a row follow from its agent, but the planner, which
knows each column's distinct values only, multiplies them: on the bench's month it expected
nine times the real number of groups, so it planned a hash aggregate spilling to disk, no parallel workers and
a JIT compilation, and the close read a month more slowly than a GROUP BY by agent alone. The
extended (ndistinct) statistics let it count the combinations; ANALYZE fills them at once (and
autovacuum keeps them, as it keeps the columns' own).
"""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS kpi_measurement_units (ndistinct) "
    "ON indicator_id, agent_id, team_id, department_id FROM kpi_measurement"
)
DROP = "DROP STATISTICS IF EXISTS kpi_measurement_units"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE kpi_measurement")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0003_shortfall_action_standard"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
