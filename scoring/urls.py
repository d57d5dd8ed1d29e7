"""Scoring pages. Calls, imports and rule libraries in urls_calls; scorecards, evaluations,
sampling, disputes and calibration in urls_evaluations."""

from django.urls import include, path

app_name = "scoring"

urlpatterns = [
    path("", include("scoring.urls_calls")),
    path("", include("scoring.urls_evaluations")),
    path("", include("scoring.urls_review")),
]
