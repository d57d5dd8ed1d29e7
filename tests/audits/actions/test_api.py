"""/api/v1/corrective-actions/: every read and write scoped (an auditor or manager of one
department never sees or touches another's; owners see their own), the verification loop."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from audits.actions.models import CorrectiveAction
from tests.factories.actions import dep_a_people, make_action

pytestmark = pytest.mark.django_db
URL = "/api/v1/corrective-actions/"


@pytest.fixture
def api():
    return APIClient()


def ids(response) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


def test_the_list_holds_only_what_the_user_may_open(world, api):
    people = dep_a_people(world)
    a = make_action(world)
    b = make_action(
        world, by=people["auditor_b"], department=world.dep_b, owner=people["auditor_b"]
    )
    api.force_authenticate(people["auditor_a"])
    assert ids(api.get(URL)) == {a.pk}
    assert api.get(f"{URL}{b.pk}/").status_code == 404
    api.force_authenticate(people["auditor_b"])
    assert ids(api.get(URL)) == {b.pk}
    assert api.get(f"{URL}{a.pk}/").status_code == 404
    api.force_authenticate(world.users["admin"])
    assert ids(api.get(URL)) == {a.pk, b.pk}
    api.force_authenticate(world.users["agent"])
    assert ids(api.get(URL)) == set()


def test_filters_are_validated(world, api):
    make_action(world)
    api.force_authenticate(world.users["admin"])
    response = api.get(URL, {"status": "bogus"})
    assert response.status_code == 400 and "status" in response.json()
    assert ids(api.get(URL, {"status": "open"})) != set()
    assert ids(api.get(URL, {"status": "verified"})) == set()


def test_create_is_scoped(world, api):
    people = dep_a_people(world)
    body = {
        "title": "话术培训",
        "owner": people["owner_a"].pk,
        "due_on": "2026-12-31",
        "source": "other",
        "department": world.dep_b.pk,
    }
    api.force_authenticate(people["auditor_a"])
    response = api.post(URL, body, format="json")
    # Department B is outside auditor A's scope: like an id that does not exist.
    assert response.status_code == 400 and "department" in response.json()
    api.force_authenticate(world.users["agent"])
    assert api.post(URL, {**body, "department": world.dep_a.pk}, format="json").status_code == 403
    assert not CorrectiveAction.objects.exists()
    api.force_authenticate(people["auditor_a"])
    response = api.post(URL, {**body, "department": world.dep_a.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "open"
    assert response.json()["events"][0]["kind"] == "created"


def test_the_verification_loop_through_the_api(world, api):
    people = dep_a_people(world)
    action = make_action(world)
    step = f"{URL}{action.pk}/"
    api.force_authenticate(people["owner_a"])
    assert api.post(step + "complete/", {}, format="json").json()["status"] == "done"
    # The owner does not verify their own action.
    assert api.post(step + "verify/", {"effective": True}, format="json").status_code == 403
    api.force_authenticate(people["auditor_b"])
    assert api.post(step + "verify/", {"effective": True}, format="json").status_code == 404
    api.force_authenticate(people["auditor_a"])
    response = api.post(step + "verify/", {"effective": False, "note": ""}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    response = api.post(step + "verify/", {"effective": False, "note": "仍有问题"}, format="json")
    assert response.json()["status"] == "open"
    api.force_authenticate(people["owner_a"])
    api.post(step + "follow-up/", {"note": "复训"}, format="json")
    api.post(step + "complete/", {}, format="json")
    api.force_authenticate(people["auditor_a"])
    body = api.post(step + "verify/", {"effective": True}, format="json").json()
    assert body["status"] == "verified" and body["closed_at"]
    assert [v["effective"] for v in body["verifications"]] == [False, True]
    assert [f["note"] for f in body["follow_ups"]] == ["复训"]
    # Closed: no more steps.
    assert api.post(step + "cancel/", {"note": "x"}, format="json").status_code == 400


def test_out_of_scope_steps_are_404_and_change_nothing(world, api):
    people = dep_a_people(world)
    action = make_action(world)
    api.force_authenticate(world.users["dept_manager"])  # department B's manager
    for step in ("follow-up", "complete", "cancel"):
        assert (
            api.post(f"{URL}{action.pk}/{step}/", {"note": "x"}, format="json").status_code == 404
        )
    action.refresh_from_db()
    assert action.status == "open" and not action.follow_ups.exists()
    assert people  # the people exist; only B's manager tried


def test_owners_see_their_own_action_wherever_it_is(world, api):
    people = dep_a_people(world)
    action = make_action(
        world, by=people["auditor_b"], department=world.dep_b, owner=people["owner_a"]
    )
    api.force_authenticate(people["owner_a"])
    assert ids(api.get(URL, {"mine": "yes"})) == {action.pk}
    assert api.get(f"{URL}{action.pk}/").status_code == 200
