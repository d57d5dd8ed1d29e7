"""The core's own pages: health and notifications (included by the root URLconf, home.urls)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("health", views.health, name="health"),
    path("notifications/", views.notifications, name="notifications"),
]
