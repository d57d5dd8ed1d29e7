"""Scorecards, scoring a call, the evaluation list and agents' own results."""

from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("calls/<int:pk>/evaluate/", views.evaluate_call, name="evaluate_call"),
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/<int:pk>/", views.evaluation_edit, name="evaluation_edit"),
    path(
        "evaluations/<int:pk>/acknowledge/",
        views.evaluation_acknowledge,
        name="evaluation_acknowledge",
    ),
    path("my/evaluations/", views.my_evaluations, name="my_evaluations"),
    path("scorecards/", views.scorecard_list, name="scorecard_list"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:pk>/publish/", views.scorecard_publish, name="scorecard_publish"),
    path(
        "scorecards/<int:pk>/new-version/",
        views.scorecard_new_version,
        name="scorecard_new_version",
    ),
]
