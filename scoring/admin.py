from . import admin_calls, admin_evaluations, admin_review  # noqa: F401  (each registers its models)
