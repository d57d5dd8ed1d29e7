"""Pure analytics of KPI series: pandas DataFrames in, dataclasses out; no Django models.

A *series frame* has the columns period_start (date), numerator, denominator and value
(value = numerator / denominator for rates, sum / count for means, the count for additive
indicators). kpi.selectors.unit_series reads such frames from the stored measurements; these
modules never touch the database, so they are tested without one (tests/kpi/analytics/).

- seasonal.py: remove the weekly (day-of-week) cycle of a daily series.
- spc.py: control charts (Laney p′ for rates, XmR for means) read by the Western Electric rules.
- linkage.py: correlation matrix of indicators; lagged cross-correlation of a pair.
- smart.py: the SMART report of an indicator or a target, criterion by criterion.
- appraisal.py: weighted composites (department appraisal, agent and team-lead scorecards).
"""
