"""Sampling plans, their weekly draw and progress, and a supervisor's queue."""

from django.urls import path

from . import views

app_name = "sampling"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/reassign/", views.queue_reassign, name="queue_reassign"),
    path("sampling/", views.plan_list, name="sampling_list"),
    path("sampling/new/", views.plan_create, name="sampling_create"),
    path("sampling/<int:pk>/", views.plan_progress, name="sampling_progress"),
    path("sampling/<int:pk>/edit/", views.plan_edit, name="sampling_edit"),
    path("sampling/<int:pk>/run/", views.plan_run, name="sampling_run"),
]
