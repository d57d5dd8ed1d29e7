from . import admin_calls, admin_evaluations  # noqa: F401  (each registers its models)
