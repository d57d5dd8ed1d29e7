"""Calibration sessions: creating one, blind scoring, results and the reference score."""

from django.urls import path

from . import views

app_name = "calibration"

urlpatterns = [
    path("calibration/", views.calibration_list, name="calibration_list"),
    path("calibration/new/", views.calibration_create_view, name="calibration_create"),
    path("calibration/<int:pk>/", views.calibration_detail, name="calibration_detail"),
    path("calibration/<int:pk>/score/", views.calibration_score, name="calibration_score"),
    path("calibration/<int:pk>/close/", views.calibration_close_view, name="calibration_close"),
    path(
        "calibration/<int:pk>/reference/", views.calibration_reference, name="calibration_reference"
    ),
]
