"""The three layers' pages, each standard's closed loop, and the monthly audit reports: they gather the audits apps (no models)."""
