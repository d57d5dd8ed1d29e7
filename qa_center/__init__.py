"""QA Center: service-quality management for a telephone hotline."""

from .celery import app as celery_app

__all__ = ("celery_app",)
