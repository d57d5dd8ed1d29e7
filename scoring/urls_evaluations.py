"""Scorecards, evaluations, the scoring page and agents' results. Other features (sampling,
disputes, calibration) append their own `urlpatterns += [...]` below."""

from django.urls import path

from .views import call_detail, evaluations, scorecards

urlpatterns = [
    path("calls/<int:pk>/", call_detail.call_detail, name="call_detail"),
    path("calls/<int:pk>/evaluate/", evaluations.evaluate_call, name="evaluate_call"),
    path("evaluations/", evaluations.evaluation_list, name="evaluation_list"),
    path("evaluations/<int:pk>/", evaluations.evaluation_edit, name="evaluation_edit"),
    path(
        "evaluations/<int:pk>/acknowledge/",
        evaluations.evaluation_acknowledge,
        name="evaluation_acknowledge",
    ),
    path("my/evaluations/", evaluations.my_evaluations, name="my_evaluations"),
    path("scorecards/", scorecards.scorecard_list, name="scorecard_list"),
    path("scorecards/<int:pk>/", scorecards.scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:pk>/publish/", scorecards.scorecard_publish, name="scorecard_publish"),
    path(
        "scorecards/<int:pk>/new-version/",
        scorecards.scorecard_new_version,
        name="scorecard_new_version",
    ),
]
