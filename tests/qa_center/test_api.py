"""The API's exception handler: Django's ValidationError from a service is a 400 whose body
is its message_dict ({field: [messages]}) or, without fields, its messages ([messages])."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from scoring.evaluations.models import Scorecard
from tests.factories import make_scorecard


def _view(error: Exception):
    class Raises(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def post(self, request):
            raise error

    return Raises.as_view()


def _call(error: Exception):
    response = _view(error)(APIRequestFactory().post("/x/", {}, format="json"))
    response.render()
    return response


def test_the_handler_is_the_apis():
    assert settings.REST_FRAMEWORK["EXCEPTION_HANDLER"] == "qa_center.api.exception_handler"


def test_a_dict_is_400_with_the_message_dict():
    error = DjangoValidationError(
        {
            "team": "The team is not in the department.",
            "name": [
                "A name is needed.",
                DjangoValidationError("%(n)s is taken.", params={"n": "x"}),
            ],
            NON_FIELD_ERRORS: "Nothing works.",
        }
    )
    response = _call(error)
    assert response.status_code == 400
    assert response.data == {
        "team": ["The team is not in the department."],
        "name": ["A name is needed.", "x is taken."],
        "__all__": ["Nothing works."],
    }
    assert response.data == error.message_dict


def test_a_list_is_400_with_the_messages():
    error = DjangoValidationError(
        ["First.", DjangoValidationError("%(n)s second.", params={"n": 2})]
    )
    response = _call(error)
    assert response.status_code == 400
    assert response.data == ["First.", "2 second."]


def test_a_single_message_is_400_with_a_list_of_one():
    response = _call(DjangoValidationError("Already decided."))
    assert response.status_code == 400
    assert response.data == ["Already decided."]


def test_permission_denied_and_other_errors_stay_drfs():
    assert _call(DjangoPermissionDenied("no")).status_code == 403
    with pytest.raises(ZeroDivisionError):
        _call(ZeroDivisionError())


def test_an_endpoint_whose_service_refuses_answers_400_with_the_messages(world):
    """Publishing a published scorecard: the service's ValidationError without fields."""
    card = make_scorecard()
    assert card.status == Scorecard.Status.PUBLISHED
    api = APIClient()
    api.force_authenticate(world.users["admin"])
    response = api.post(f"/api/v1/scorecards/{card.pk}/publish/")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, list) and len(body) == 1 and card.name in body[0]


def test_an_endpoint_whose_service_refuses_a_field_answers_400_with_the_field(world):
    """A sampling plan for another department: the service's ValidationError with a field."""
    card = make_scorecard()
    api = APIClient()
    api.force_authenticate(world.users["supervisor"])
    response = api.post(
        "/api/v1/sampling-plans/",
        {
            "name": "x",
            "scorecard": card.pk,
            "department": world.dep_b.pk,
            "supervisors": [world.users["supervisor"].pk],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["department"]
    assert isinstance(body["department"], list) and len(body["department"]) == 1
