"""A period close's values in one PostgreSQL statement (kpi.services.values_compute_many).

The measurements of the period are read once, grouped at the finest grain (indicator × agent ×
team of the day × department of the day: as many groups as the agent-level GROUP BY), and every
level is rolled up from those groups: the center, each department (of the day), each team (of
the day) and each agent. The sums are of numeric figures, so a sum of group sums is the sum of
the measurements to the last digit: Σ numerators and Σ denominators, exactly as a GROUP BY per
level would give them, without reading the measurements four times.

In the same statement the values are written: INSERT … ON CONFLICT DO UPDATE of every unit's
row, the update only where a figure or the unit's scope changed (a recomputation of unchanged
data writes nothing), and the rows of units that no longer have data deleted. Nothing but the
computed values crosses the wire (they go back to the caller for the shortfalls). Two closes at
once stay one set of rows: the second waits on the first's new rows, then finds them equal.

Semantics kept from the level-by-level roll-up (kpi.selectors.rollup_many): a team's and an
agent's department is the team's department; an agent who changed team inside the period (in
the figures of any indicator) has, for every indicator, the team of their last day with data in
the period (any of the agent-grain indicators being closed; two teams on that day: the lower
id, where the level-by-level roll-up took whichever came first).
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from kpi.models import Indicator
from qa_center import periods
from qa_center.levels import Level

DEPTH = {Level.CENTER: 0, Level.DEPARTMENT: 1, Level.TEAM: 2, Level.AGENT: 3}

# The finest groups, in a temporary table: a read (CREATE TABLE AS) may use parallel workers, as
# the bare GROUP BY does, where a statement that writes never does.
_FINE = """
CREATE TEMPORARY TABLE kpi_close_fine ON COMMIT DROP AS
SELECT indicator_id, agent_id, team_id, department_id,
       sum(numerator) AS n, sum(denominator) AS d, max(day) AS last_day
FROM kpi_measurement
WHERE indicator_id = ANY(%(all)s::bigint[]) AND day >= %(start)s AND day <= %(end)s
GROUP BY indicator_id, agent_id, team_id, department_id
"""

_CLOSE = """
WITH fine AS (
    SELECT * FROM kpi_close_fine
), by_agent AS (
    SELECT indicator_id, agent_id, sum(n) AS n, sum(d) AS d, min(team_id) AS team_id,
           min(coalesce(team_id, 0)) <> max(coalesce(team_id, 0)) AS moved
    FROM fine
    WHERE agent_id IS NOT NULL AND indicator_id = ANY(%(agent)s::bigint[])
    GROUP BY indicator_id, agent_id
), last_team AS (
    SELECT DISTINCT ON (agent_id) agent_id, team_id
    FROM fine
    WHERE agent_id IN (SELECT agent_id FROM by_agent WHERE moved)
      AND indicator_id = ANY(%(agent)s::bigint[])
    ORDER BY agent_id, last_day DESC, team_id
), agents AS (
    SELECT a.indicator_id, a.agent_id, a.n, a.d,
           CASE WHEN l.agent_id IS NULL THEN a.team_id ELSE l.team_id END AS team_id
    FROM by_agent a LEFT JOIN last_team l ON l.agent_id = a.agent_id
), rolled AS (
    SELECT indicator_id, 'center'::varchar AS level, 0 AS unit_id, sum(n) AS n, sum(d) AS d,
           NULL::bigint AS department_id, NULL::bigint AS team_id, NULL::bigint AS agent_id
    FROM fine
    GROUP BY indicator_id
    UNION ALL
    SELECT indicator_id, 'department', department_id, sum(n), sum(d), department_id, NULL, NULL
    FROM fine
    WHERE department_id IS NOT NULL AND indicator_id = ANY(%(department)s::bigint[])
    GROUP BY indicator_id, department_id
    UNION ALL
    SELECT f.indicator_id, 'team', f.team_id, sum(f.n), sum(f.d), min(t.department_id),
           f.team_id, NULL
    FROM fine f LEFT JOIN org_team t ON t.id = f.team_id
    WHERE f.team_id IS NOT NULL AND f.indicator_id = ANY(%(team)s::bigint[])
    GROUP BY f.indicator_id, f.team_id
    UNION ALL
    SELECT a.indicator_id, 'agent', a.agent_id, a.n, a.d, t.department_id, a.team_id, a.agent_id
    FROM agents a LEFT JOIN org_team t ON t.id = a.team_id
), valued AS MATERIALIZED (
    SELECT r.*,
           CASE WHEN r.indicator_id = ANY(%(additive)s::bigint[]) THEN r.n::float8
                WHEN r.d IS NULL OR r.d = 0 THEN NULL
                ELSE r.n::float8 / r.d::float8 END AS value
    FROM rolled r
), written AS (
    INSERT INTO kpi_kpivalue (indicator_id, level, unit_id, numerator, denominator,
                              department_id, team_id, agent_id, value, period_kind,
                              period_start, computed_at)
    SELECT indicator_id, level, unit_id, n, d, department_id, team_id, agent_id, value,
           %(kind)s, %(first)s, %(now)s
    FROM valued v
    WHERE NOT EXISTS (
        SELECT 1 FROM kpi_kpivalue k
        WHERE k.indicator_id = v.indicator_id AND k.level = v.level AND k.unit_id = v.unit_id
          AND k.period_kind = %(kind)s AND k.period_start = %(first)s
          AND (k.numerator, k.denominator, k.department_id, k.team_id, k.agent_id)
              IS NOT DISTINCT FROM (v.n, v.d, v.department_id, v.team_id, v.agent_id))
    ORDER BY indicator_id, level, unit_id
    ON CONFLICT (indicator_id, level, unit_id, period_kind, period_start) DO UPDATE SET
        numerator = excluded.numerator, denominator = excluded.denominator,
        department_id = excluded.department_id, team_id = excluded.team_id,
        agent_id = excluded.agent_id, value = excluded.value, computed_at = excluded.computed_at
    WHERE (kpi_kpivalue.numerator, kpi_kpivalue.denominator, kpi_kpivalue.department_id,
           kpi_kpivalue.team_id, kpi_kpivalue.agent_id)
          IS DISTINCT FROM (excluded.numerator, excluded.denominator, excluded.department_id,
                            excluded.team_id, excluded.agent_id)
), gone AS (
    DELETE FROM kpi_kpivalue v
    WHERE v.indicator_id = ANY(%(all)s::bigint[]) AND v.period_kind = %(kind)s
      AND v.period_start = %(first)s
      AND (v.indicator_id, v.level, v.unit_id) IN (
          SELECT indicator_id, level, unit_id FROM kpi_kpivalue
          WHERE indicator_id = ANY(%(all)s::bigint[]) AND period_kind = %(kind)s
            AND period_start = %(first)s
          EXCEPT
          SELECT indicator_id, level, unit_id FROM valued)
)
SELECT indicator_id, level, unit_id, n, d, department_id, team_id, agent_id, value FROM valued
"""


def values_write(
    indicators: list[Indicator], period: periods.Period, now: datetime.datetime
) -> list[tuple]:
    """Compute and store every unit's value of each indicator over `period` (PostgreSQL only);
    returns the values as tuples (indicator_id, level, unit_id, numerator, denominator,
    department_id, team_id, agent_id, value)."""
    if not indicators:
        return []

    def upto(level: str) -> list[int]:
        return [i.pk for i in indicators if DEPTH[level] <= DEPTH[i.grain]]

    params = {
        "all": [i.pk for i in indicators],
        "department": upto(Level.DEPARTMENT),
        "team": upto(Level.TEAM),
        "agent": upto(Level.AGENT),
        "additive": [i.pk for i in indicators if i.measure == Indicator.Measure.ADDITIVE],
        "start": period.first_day,
        "end": period.last_day,
        "kind": period.kind,
        "first": period.first_day,
        "now": now,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # No JIT compilation for the close's two statements: their estimated cost (tens of
        # millions of rows in the table) passes jit_optimize_above_cost, and compiling took
        # 2.7 s of the 3.7 s of the aggregate at 22 million rows, for a plan that runs once.
        # The setting is put back as it was for the rest of the caller's transaction.
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        jit = cursor.fetchone()[0]
        cursor.execute(_FINE, params)
        cursor.execute(_CLOSE, params)
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE kpi_close_fine")
        cursor.execute("SELECT set_config('jit', %s, true)", [jit])
    return rows
