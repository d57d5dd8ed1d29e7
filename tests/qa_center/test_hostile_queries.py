"""No query parameter makes a 500: every list page and API endpoint, each of its parameters,
each hostile value (qa_center.filters validates them all).

ENDPOINTS is the table: a path ({plan}, {session}: the test data's rows) and the
parameters it reads. Each parameter gets each value of HOSTILE (written as they go in the
URL, so %00 is a NUL and %ED%A0%80 a lone surrogate's UTF-8), once alone and once repeated
(`a=1&a=2`); as an administrator (who sees everything) and as an agent. Then the particular
answers: the API says 400 and names the parameter, the pages ignore it with a message.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from scoring.calibration.services import calibration_create
from scoring.sampling.services import sampling_plan_save
from tests.factories import (
    REVIEW_SCORECARD,
    CallCheckFactory,
    CallFactory,
    make_evaluation,
    make_scorecard,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    "NaN",
    "inf",
    "-Infinity",
    "1e999999",
    "-1",
    "0",
    "1" + "0" * 30,
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-W60",
    "0000-W01",
    "2026-13",
    "",
    "x" * 10000,
    "%00",
    "%2500",
    "%ED%A0%80",
    "%FF%FE",
    "1%00",
]

CALL_PARAMS = ["date_from", "date_to", "team", "agent", "score_min", "score_max", "critical"]
CALL_PARAMS += ["evaluated", "rule", "rule_failed", "q", "said", "sort", "page"]
EVALUATION_PARAMS = ["team", "agent", "evaluator", "status", "from", "to", "score_min"]
EVALUATION_PARAMS += ["score_max", "critical", "page"]

ENDPOINTS = [
    # pages
    ("/", ["page"]),
    ("/scoring/calls/", CALL_PARAMS),
    ("/scoring/calls/export.csv", CALL_PARAMS),
    ("/scoring/imports/", ["page"]),
    ("/scoring/evaluations/", EVALUATION_PARAMS),
    ("/scoring/my/evaluations/", ["page"]),
    ("/scoring/disputes/", ["status"]),
    ("/scoring/queue/", ["week", "who", "agent", "team", "plan", "due", "score_min"]),
    ("/scoring/queue/", ["score_max", "critical", "q", "said", "sort", "page"]),
    ("/scoring/sampling/", ["week"]),
    ("/scoring/sampling/{plan}/", ["week"]),
    ("/scoring/calibration/", ["page"]),
    ("/scoring/calibration/new/", ["call", "q", "said"]),
    ("/bulletins/", ["kind", "level", "page"]),
    ("/bulletins/compare/", ["a", "b"]),
    ("/org/", ["page"]),
    ("/org/agents/", ["q", "team", "page"]),
    ("/notifications/", ["page"]),
    ("/health", ["format"]),
    ("/scoring/rules/", ["page"]),
    ("/scoring/scorecards/", ["page"]),
    # the API
    ("/api/v1/", ["format"]),
    ("/api/v1/me/", ["format"]),
    ("/api/v1/calls/", CALL_PARAMS),
    ("/api/v1/evaluations/", EVALUATION_PARAMS),
    ("/api/v1/scorecards/", ["page"]),
    ("/api/v1/agents/", ["q", "team", "is_active", "page"]),
    ("/api/v1/teams/", ["department", "page"]),
    ("/api/v1/departments/", ["page"]),
    ("/api/v1/imports/", ["page"]),
    ("/api/v1/rule-libraries/", ["page"]),
    ("/api/v1/rule-trials/", ["page"]),
    ("/api/v1/sampling-plans/", ["page"]),
    ("/api/v1/assignments/", ["all", "page"]),
    ("/api/v1/disputes/", ["status", "page"]),
    ("/api/v1/calibrations/", ["page"]),
    ("/api/v1/calibrations/{session}/results/", ["page"]),
    ("/api/v1/bulletins/", ["kind", "level", "period_start", "status", "page"]),
    ("/api/v1/improvement-targets/", ["status", "level", "metric", "page"]),
    # corrective actions and inspections
    ("/audits/actions/", ["status", "source", "mine", "overdue"]),
    ("/audits/inspections/", ["week"]),
    ("/api/v1/corrective-actions/", ["status", "source", "mine", "overdue", "page"]),
    ("/api/v1/inspections/", ["page"]),
    ("/api/v1/inspections/sampling/", ["week"]),
    ("/api/v1/third-party-evaluations/", ["page"]),
    # standards, walk-throughs, the layers and the monthly audit report
    ("/audits/standards/", ["kind", "status", "department", "working_group", "q", "page"]),
    ("/audits/standards/reading/", ["page"]),
    ("/audits/standards/abolitions/", ["status"]),
    ("/api/v1/abolition-requests/", ["page"]),
    ("/audits/my-standards/", []),
    ("/audits/walkthroughs/", ["month"]),
    ("/audits/layers/", ["page"]),
    ("/audits/reports/monthly/", ["month", "department", "format"]),
    ("/api/v1/standards/", ["kind", "department", "status", "q", "page"]),
    ("/api/v1/walkthroughs/", ["month", "department", "status", "page"]),
    # KPI
    ("/kpi/", ["page"]),
    ("/kpi/targets/", ["indicator", "level", "status", "page"]),
    ("/kpi/shortfalls/", ["indicator", "kind", "period_kind", "page"]),
    ("/kpi/tree/", ["period", "node"]),
    ("/kpi/tree/excel/", ["period", "node"]),
    ("/kpi/tree/pdf/", ["period", "node"]),
    ("/kpi/appraisal/", ["period", "node"]),
    ("/kpi/appraisal/excel/", ["period", "node"]),
    ("/kpi/appraisal/pdf/", ["period", "node"]),
    ("/kpi/scorecards/", ["period", "node"]),
    ("/kpi/linkage/", ["department", "a", "b", "period"]),
    ("/kpi/cycles/", ["indicator", "node", "period"]),
    ("/api/v1/indicators/", ["source", "period", "measure", "is_active", "page"]),
    ("/api/v1/targets/", ["indicator__code", "level", "status", "page"]),
    ("/api/v1/measurements/", ["indicator__code", "level", "day", "page"]),
    ("/api/v1/kpi-values/", ["indicator", "unit", "period"]),
    ("/api/v1/shortfalls/", ["indicator__code", "level", "kind", "period_kind", "period_start"]),
]


# Argument-free paths that are not lists: forms, sign-in, the API's documentation.
NOT_LISTS = {
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/",
    "/accounts/password/done/",
    "/api/docs/",
    "/api/redoc/",
    "/api/schema/",
    "/api/v1/rule-libraries/validate/",
    "/scoring/imports/new/",
    "/scoring/rules/import/",
    "/scoring/sampling/new/",
    "/audits/actions/new/",
    "/audits/inspections/self/new/",
    "/audits/inspections/third-party/new/",
    "/audits/standards/new/",
    "/audits/walkthroughs/draw/",
    "/api/v1/walkthroughs/draw/",
    "/kpi/measurements/import/",
    "/kpi/targets/center/",
    "/scoring/queue/reassign/",
}


def test_every_page_and_endpoint_is_in_the_table():
    from tests.qa_center.test_role_matrix import _argument_free_paths

    paths = {p.replace("^", "") for p in _argument_free_paths()}
    listed = {path for path, _ in ENDPOINTS if "{" not in path}
    assert paths - NOT_LISTS - listed == set()


@pytest.fixture
def data(world):
    card = make_scorecard(REVIEW_SCORECARD)
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call)
    evaluation = make_evaluation(call=call, card=card, evaluator=world.users["supervisor"])
    plan = sampling_plan_save(
        actor=world.users["admin"],
        supervisors=[world.users["supervisor"]],
        name="一部周抽检",
        scorecard=card,
        department=world.dep_a,
        calls_per_agent=1,
    )
    session = calibration_create(
        created_by=world.users["admin"],
        call=call,
        scorecard=card,
        title="校准",
        participants=[world.users["admin"], world.users["supervisor"]],
    )
    return {"card": card, "call": call, "evaluation": evaluation, "plan": plan, "session": session}


def _queries(params: list[str]) -> list[str]:
    queries = [f"{p}={v}" for p in params for v in HOSTILE]
    queries += [f"{p}=1&{p}=2" for p in params]
    queries.append("&".join(f"{p}=NaN" for p in params))  # all at once
    return queries


@pytest.mark.parametrize("role", ["admin", "agent"])
@pytest.mark.parametrize(
    ("path", "params"),
    ENDPOINTS,
    ids=[path for path, _ in ENDPOINTS],
)
def test_no_query_parameter_makes_a_500(client, world, data, role, path, params):
    client.force_login(world.users[role])
    url = path.format(plan=data["plan"].pk, session=data["session"].pk)
    failures = []
    for query in _queries(params):
        response = client.get(f"{url}?{query}")
        if response.status_code >= 500:
            failures.append((query[:60], response.status_code))
    assert failures == []


HOSTILE_IDS = ["abc", "-1", "1.5", "1e3", "%00", "%ED%A0%80", "1" + "0" * 30]
DETAIL_PATHS = [
    "/api/v1/calibrations/{}/results/",
    "/api/v1/calibrations/{}/",
    "/api/v1/evaluations/{}/",
    "/api/v1/calls/{}/",
    "/api/v1/scorecards/{}/",
    "/api/v1/disputes/{}/",
    "/api/v1/sampling-plans/{}/",
    "/api/v1/assignments/{}/",
    "/api/v1/rule-libraries/{}/",
    "/api/v1/imports/{}/",
    "/api/v1/agents/{}/",
    "/api/v1/teams/{}/",
    "/api/v1/bulletins/{}/",
]


@pytest.mark.parametrize("template", DETAIL_PATHS)
def test_an_id_in_an_api_path_that_is_not_a_number_is_a_404(client, world, template):
    client.force_login(world.users["admin"])
    answers = {i: client.get(template.format(i)).status_code for i in HOSTILE_IDS}
    assert set(answers.values()) == {404}, answers


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("score_min=NaN", "score_min"),
        ("score_max=1e999999", "score_max"),
        ("score_min=-1", "score_min"),
        ("to=9999-12-31", "to"),
        ("from=0001-01-01", "from"),
        ("from=2026-02-30", "from"),
        ("team=abc", "team"),
        ("agent=" + "1" + "0" * 30, "agent"),
        ("status=nope", "status"),
        ("critical=maybe", "critical"),
        ("team=1&team=2", "team"),
    ],
)
def test_the_evaluations_api_answers_400_naming_the_parameter(world, query, parameter):
    api = APIClient()
    api.force_authenticate(world.users["admin"])
    response = api.get(f"/api/v1/evaluations/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_the_calls_api_answers_400_for_a_date_out_of_range(world):
    api = APIClient()
    api.force_authenticate(world.users["admin"])
    response = api.get("/api/v1/calls/?date_to=9999-12-31")
    assert response.status_code == 400 and "date_to" in response.json()


def test_pages_ignore_a_bad_filter_and_say_so(client, world, data):
    client.force_login(world.users["admin"])
    response = client.get("/scoring/evaluations/?score_min=NaN&to=9999-12-31")
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("score_min" in m for m in shown) and any("“to”" in m for m in shown)
    # The valid filters still apply.
    response = client.get(f"/scoring/evaluations/?to=9999-12-31&team={world.team_b1.pk}")
    assert list(response.context["page"]) == []

    response = client.get("/scoring/calls/?date_to=9999-12-31")
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]
    assert [c.pk for c in response.context["page"]] == [data["call"].pk]
    response = client.get(f"/scoring/calls/?date_to=9999-12-31&team={world.team_b1.pk}")
    assert list(response.context["page"]) == []  # the valid filter still applies

    response = client.get(f"/scoring/sampling/{data['plan'].pk}/?week=0001-01-01")
    assert response.status_code == 200
    assert any("week" in str(m) for m in response.context["messages"])


def test_an_export_with_a_bad_filter_exports_nothing(client, world, data):
    """Dropping the bad filter and exporting everything would give more than was asked for."""
    client.force_login(world.users["admin"])
    response = client.get("/scoring/calls/export.csv?date_to=9999-12-31")
    assert response.status_code == 302
    assert response["Location"].startswith("/scoring/calls/?")
