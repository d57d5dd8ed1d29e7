"""QA Center: service-quality management for a telephone hotline."""

from qa_center.celery import app as celery_app

__all__ = ("celery_app",)
