"""The scoring API: one router, filled by api/calls.py and api/evaluations.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
extra_urls: list = []

from . import calls, evaluations, review  # noqa: E402, F401  (they register on the router)
