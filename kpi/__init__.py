"""SMART indicators, cascading targets, measurements and exact roll-ups, period closes, shortfalls, indicator linkage."""
