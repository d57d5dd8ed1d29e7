"""Sampling, disputes and calibration pages."""

from __future__ import annotations

from django.urls import path

from .views import calibration, disputes, sampling

urlpatterns = [
    path("queue/", sampling.queue, name="queue"),
    path("sampling/", sampling.plan_list, name="sampling_list"),
    path("sampling/new/", sampling.plan_create, name="sampling_create"),
    path("sampling/<int:pk>/", sampling.plan_progress, name="sampling_progress"),
    path("sampling/<int:pk>/edit/", sampling.plan_edit, name="sampling_edit"),
    path("sampling/<int:pk>/run/", sampling.plan_run, name="sampling_run"),
    path("disputes/", disputes.dispute_list, name="dispute_list"),
    path("disputes/<int:pk>/", disputes.dispute_detail, name="dispute_detail"),
    path("disputes/<int:pk>/withdraw/", disputes.dispute_withdraw_view, name="dispute_withdraw"),
    path(
        "evaluations/<int:evaluation_pk>/dispute/",
        disputes.dispute_create,
        name="dispute_create",
    ),
    path("calibration/", calibration.calibration_list, name="calibration_list"),
    path("calibration/new/", calibration.calibration_create_view, name="calibration_create"),
    path("calibration/<int:pk>/", calibration.calibration_detail, name="calibration_detail"),
    path("calibration/<int:pk>/score/", calibration.calibration_score, name="calibration_score"),
    path(
        "calibration/<int:pk>/close/", calibration.calibration_close_view, name="calibration_close"
    ),
    path(
        "calibration/<int:pk>/reference/",
        calibration.calibration_reference,
        name="calibration_reference",
    ),
]
