"""Scorecards, scoring a call, the evaluation list and agents' own results."""

from django.urls import path

from . import views, views_scorecards, views_trials

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
    path("rules/<int:pk>/trials/", views_trials.trial_create, name="trial_create"),
    path("trials/<int:pk>/", views_trials.trial_detail, name="trial_detail"),
    path("trials/<int:pk>/progress/", views_trials.trial_progress, name="trial_progress"),
    path("scorecards/", views.scorecard_list, name="scorecard_list"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:pk>/edit/", views_scorecards.scorecard_edit, name="scorecard_edit"),
    path("scorecards/<int:pk>/publish/", views.scorecard_publish, name="scorecard_publish"),
    path(
        "scorecards/<int:pk>/new-version/",
        views.scorecard_new_version,
        name="scorecard_new_version",
    ),
]
