"""The call list: scoped, filtered, sorted, paginated with a fixed number of queries, and
exported with formulas neutralized."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.evaluations.models import Evaluation, Scorecard
from tests.factories import CallCheckFactory, CallFactory, RuleLibraryFactory

pytestmark = pytest.mark.django_db
URL = reverse("calls:call_list")


@pytest.fixture
def calls(world):
    library = RuleLibraryFactory()
    made = {}
    for key, team_key, score, outcomes, critical in [
        ("a1-good", "a1", "100.00", {"GREET": "pass"}, False),
        ("a1-bad", "a1", "40.00", {"GREET": "fail"}, True),
        ("a2", "a2", "80.00", {"GREET": "pass"}, False),
        ("b1", "b1", "90.00", {"GREET": "pass"}, False),
    ]:
        call = CallFactory(call_id=key.upper(), agent=world.agents[team_key][0])
        CallCheckFactory(
            call=call,
            library=library,
            score=Decimal(score),
            outcomes=outcomes,
            critical_failed=critical,
        )
        made[key] = call
    return made


def _ids(response) -> set[str]:
    return {call.call_id for call in response.context["page"]}


def test_scope_by_role(client, world, calls):
    client.force_login(world.users["teamlead"])
    assert _ids(client.get(URL)) == {"A1-GOOD", "A1-BAD"}
    client.force_login(world.users["supervisor"])  # dep_a
    assert _ids(client.get(URL)) == {"A1-GOOD", "A1-BAD", "A2"}
    client.force_login(world.users["dept_manager"])  # dep_b
    assert _ids(client.get(URL)) == {"B1"}
    client.force_login(world.users["admin"])
    assert len(_ids(client.get(URL))) == 4
    client.force_login(world.users["agent"])
    assert client.get(URL).status_code == 403


def test_filters(client, world, calls):
    client.force_login(world.users["admin"])
    assert _ids(client.get(URL, {"critical": "yes"})) == {"A1-BAD"}
    assert _ids(client.get(URL, {"score_min": "85"})) == {"A1-GOOD", "B1"}
    assert _ids(client.get(URL, {"score_max": "85", "team": world.team_a1.pk})) == {"A1-BAD"}
    # No active library: no rule to choose; the form says so instead of filtering.
    assert "rule" in client.get(URL, {"rule": "GREET"}).context["form"].errors
    assert _ids(client.get(URL, {"agent": world.agents["a2"][0].pk})) == {"A2"}
    calls["b1"].started_at = timezone.now() - datetime.timedelta(days=30)
    calls["b1"].save()
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert "B1" not in _ids(client.get(URL, {"date_from": since}))
    card = Scorecard.objects.create(name="卡")
    Evaluation.objects.create(
        call=calls["a2"],
        scorecard=card,
        evaluator=world.users["supervisor"],
        status=Evaluation.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    assert _ids(client.get(URL, {"evaluated": "yes"})) == {"A2"}
    assert "A2" not in _ids(client.get(URL, {"evaluated": "no"}))
    sorted_ids = [c.call_id for c in client.get(URL, {"sort": "score"}).context["page"]]
    assert sorted_ids == ["A1-BAD", "A2", "B1", "A1-GOOD"]


def test_rule_failed_filter_with_active_library(client, world, calls):
    from scoring.rules.models import RuleLibrary

    RuleLibrary.objects.filter(pk=calls["a1-bad"].auto_check.library_id).update(
        status="active",
        definition={"name": "hotline", "rules": [{"code": "GREET", "title": "问候"}]},
    )
    client.force_login(world.users["admin"])
    assert _ids(client.get(URL, {"rule": "GREET"})) == {"A1-BAD"}


def test_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    library = RuleLibraryFactory()
    for index in range(60):
        call = CallFactory(agent=world.agents["a1"][index % 3])
        CallCheckFactory(call=call, library=library)
    client.force_login(world.users["admin"])
    # session (read, save), user, notifications; library, teams, agents, count, page
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["page"]) == 50
    assert reverse("calls:call_detail", args=[response.context["page"][0].pk]) in (
        response.content.decode()
    )


def test_export_is_scoped_and_neutralized(client, world, calls):
    calls["a1-good"].call_id = "=HYPERLINK(1)"
    calls["a1-good"].save()
    client.force_login(world.users["teamlead"])
    response = client.get(reverse("calls:call_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3
    assert "'=HYPERLINK(1)" in {row[0] for row in rows}
    response = client.get(reverse("calls:call_export", args=["xlsx"]), {"critical": "yes"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["A1-BAD"]
    client.force_login(world.users["agent"])
    assert client.get(reverse("calls:call_export", args=["csv"])).status_code == 403
