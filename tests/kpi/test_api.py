"""The KPI API: measurements posted as a list (all or nothing, replaced when posted again), an
API key that can post measurements and nothing else, kpi-values answering the ratio of sums
with the target and band, and every list scoped by role."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from kpi.models import Measurement, Target
from kpi.services import period_close
from tests.factories.kpi import indicator, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def sl(world):
    return indicator("sl")


@pytest.fixture
def key(db):
    _obj, raw = APIKey.objects.create_key(name="telephony")
    return raw


def _rows(world):
    a1, a2, a3 = world.agents["a1"]
    b = world.agents["a2"][0]
    return [
        {
            "indicator": "sl",
            "agent": a1.employee_no,
            "date": "2026-03-02",
            "numerator": 7,
            "denominator": 9,
        },
        {
            "indicator": "sl",
            "agent": a2.employee_no,
            "date": "2026-03-02",
            "numerator": 991,
            "denominator": 1000,
        },
        {
            "indicator": "sl",
            "agent": a3.employee_no,
            "date": "2026-03-17",
            "numerator": 1,
            "denominator": 3,
        },
        {
            "indicator": "sl",
            "agent": b.employee_no,
            "date": "2026-03-30",
            "numerator": 13,
            "denominator": 17,
        },
    ]


def test_posted_measurements_give_ratio_of_sums_for_team_department_and_month(api, world, sl, key):
    answer = api.post(
        "/api/v1/measurements/", _rows(world), format="json", HTTP_AUTHORIZATION=f"Api-Key {key}"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json() == {"recorded": 4}
    api.force_authenticate(world.users["manager"])
    team = api.get(
        "/api/v1/kpi-values/", {"indicator": "sl", "unit": "team:a1", "period": "2026-03"}
    ).json()
    assert team["value"] == (7 + 991 + 1) / (9 + 1000 + 3)
    assert (float(team["numerator"]), float(team["denominator"])) == (999, 1012)
    dep = api.get(
        "/api/v1/kpi-values/", {"indicator": "sl", "unit": "department:dep-a", "period": "2026-03"}
    ).json()
    assert dep["value"] == (7 + 991 + 1 + 13) / (9 + 1000 + 3 + 17)
    week = api.get(
        "/api/v1/kpi-values/", {"indicator": "sl", "unit": "center", "period": "2026-W10"}
    ).json()
    assert week["value"] == (7 + 991) / (9 + 1000)
    day = api.get(
        "/api/v1/kpi-values/", {"indicator": "sl", "unit": "team:a1", "period": "2026-03-17"}
    ).json()
    assert day["value"] == 1 / 3
    quarter = api.get(
        "/api/v1/kpi-values/", {"indicator": "sl", "unit": "center", "period": "2026-Q1"}
    ).json()
    assert quarter["value"] == 1012 / 1029


def test_kpi_values_give_the_target_and_band(api, world, sl):
    target(sl, "0.99", level="team", unit=world.team_a1)
    a1 = world.agents["a1"][0]
    api.force_authenticate(world.users["manager"])
    api.post(
        "/api/v1/measurements/",
        [
            {
                "indicator": "sl",
                "agent": a1.employee_no,
                "date": "2026-03-02",
                "numerator": 95,
                "denominator": 100,
            }
        ],
        format="json",
    )
    answer = api.get(
        "/api/v1/kpi-values/", {"indicator": "sl", "unit": "team:a1", "period": "2026-03"}
    ).json()
    assert (answer["target"], answer["band"]) == ("0.99000000", "amber")


def test_posting_again_replaces_and_a_bad_row_refuses_all(api, world, sl, key):
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    api.post("/api/v1/measurements/", _rows(world), format="json", **auth)
    rows = _rows(world)
    rows[0]["numerator"] = 8
    rows[3]["agent"] = "NOBODY"
    answer = api.post("/api/v1/measurements/", rows, format="json", **auth)
    assert answer.status_code == 400
    assert "agent" in answer.json()["3"]
    assert Measurement.objects.get(agent=world.agents["a1"][0]).numerator == 7
    rows[3]["agent"] = world.agents["a2"][0].employee_no
    assert api.post("/api/v1/measurements/", rows, format="json", **auth).status_code == 201
    assert Measurement.objects.count() == 4
    assert Measurement.objects.get(agent=world.agents["a1"][0]).numerator == 8


def test_team_and_department_rows_for_team_grain_indicators(api, world, key):
    indicator("csat", grain="team")
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    ok = api.post(
        "/api/v1/measurements/",
        [
            {
                "indicator": "csat",
                "team": "a1",
                "date": "2026-03-02",
                "numerator": 8,
                "denominator": 10,
            }
        ],
        format="json",
        **auth,
    )
    assert ok.status_code == 201
    wrong = api.post(
        "/api/v1/measurements/",
        [
            {
                "indicator": "csat",
                "agent": world.agents["a1"][0].employee_no,
                "date": "2026-03-02",
                "numerator": 8,
                "denominator": 10,
            }
        ],
        format="json",
        **auth,
    )
    assert wrong.status_code == 400 and "scope" in wrong.json()["0"]


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/v1/measurements/"),
        ("get", "/api/v1/targets/"),
        ("post", "/api/v1/targets/"),
        ("get", "/api/v1/indicators/"),
        ("get", "/api/v1/shortfalls/"),
        ("get", "/api/v1/kpi-values/?indicator=sl&unit=center&period=2026-03"),
        ("get", "/api/v1/calls/"),
        ("get", "/api/v1/evaluations/"),
        ("get", "/api/v1/bulletins/"),
    ],
)
def test_an_api_key_is_refused_everywhere_else(api, world, sl, key, method, url):
    answer = getattr(api, method)(url, HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert answer.status_code in (401, 403)


def test_a_wrong_api_key_cannot_post(api, world, sl):
    answer = api.post(
        "/api/v1/measurements/", _rows(world), format="json", HTTP_AUTHORIZATION="Api-Key nope.nope"
    )
    assert answer.status_code in (401, 403)
    assert not Measurement.objects.exists()


def test_an_agent_cannot_post_measurements(api, world, sl):
    api.force_authenticate(world.users["agent"])
    assert api.post("/api/v1/measurements/", _rows(world), format="json").status_code == 403


def test_a_team_lead_sees_their_team_department_and_center_targets_not_another_team(api, world, sl):
    center = target(sl, "0.8")
    dep_a = target(sl, "0.8", level="department", unit=world.dep_a)
    a1 = target(sl, "0.85", level="team", unit=world.team_a1)
    target(sl, "0.85", level="team", unit=world.team_a2)
    target(sl, "0.8", level="department", unit=world.dep_b)
    api.force_authenticate(world.users["teamlead"])
    seen = {t["id"] for t in api.get("/api/v1/targets/").json()["results"]}
    assert seen == {center.pk, dep_a.pk, a1.pk}
    assert (
        api.get(
            "/api/v1/kpi-values/", {"indicator": "sl", "unit": "team:a2", "period": "2026-03"}
        ).status_code
        == 404
    )
    assert (
        api.get(
            "/api/v1/kpi-values/", {"indicator": "sl", "unit": "team:a1", "period": "2026-03"}
        ).status_code
        == 200
    )
    assert (
        api.get(
            "/api/v1/kpi-values/", {"indicator": "sl", "unit": "center", "period": "2026-03"}
        ).status_code
        == 200
    )


def test_a_department_manager_sees_their_teams_not_the_other_department(api, world, sl):
    b1 = target(sl, "0.8", level="team", unit=world.team_b1)
    target(sl, "0.8", level="team", unit=world.team_a1)
    api.force_authenticate(world.users["dept_manager"])
    seen = {t["id"] for t in api.get("/api/v1/targets/").json()["results"]}
    assert seen == {b1.pk}


def test_shortfalls_are_scoped(api, world, sl):
    a1 = world.agents["a1"][0]
    b1 = world.agents["b1"][0]
    api.force_authenticate(world.users["admin"])
    api.post(
        "/api/v1/measurements/",
        [
            {
                "indicator": "sl",
                "agent": a1.employee_no,
                "date": "2026-03-02",
                "numerator": 1,
                "denominator": 10,
            },
            {
                "indicator": "sl",
                "agent": b1.employee_no,
                "date": "2026-03-02",
                "numerator": 1,
                "denominator": 10,
            },
        ],
        format="json",
    )
    target(sl, "0.8", level="team", unit=world.team_a1)
    target(sl, "0.8", level="team", unit=world.team_b1)
    period_close(kind="month", day=datetime.date(2026, 3, 1))
    api.force_authenticate(world.users["teamlead"])
    units = {s["unit"] for s in api.get("/api/v1/shortfalls/").json()["results"]}
    assert units == {"team:a1"}


@pytest.mark.parametrize(
    "params,name",
    [
        ({"unit": "center", "period": "2026-03"}, "indicator"),
        ({"indicator": "sl", "unit": "team:zz", "period": "2026-03"}, "unit"),
        ({"indicator": "sl", "unit": "bogus", "period": "2026-03"}, "unit"),
        ({"indicator": "sl", "unit": "center", "period": "2026-13"}, "period"),
        ({"indicator": "sl", "unit": "center", "period": "2026-W60"}, "period"),
        ({"indicator": "sl", "unit": "center", "period": "9999-12-31"}, "period"),
        ({"indicator": "sl", "unit": "center", "period": "2026-Q5"}, "period"),
        ({"indicator": "nope", "unit": "center", "period": "2026-03"}, "indicator"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(api, world, sl, params, name):
    api.force_authenticate(world.users["manager"])
    answer = api.get("/api/v1/kpi-values/", params)
    assert answer.status_code == 400
    assert name in answer.json()


def test_indicator_detail_has_its_smart_report(api, world, sl):
    api.force_authenticate(world.users["agent"])
    detail = api.get("/api/v1/indicators/sl/").json()
    assert [c["key"] for c in detail["smart"]["criteria"]] == [
        "specific",
        "measurable",
        "attainable",
        "relevant",
        "time_based",
    ]
    assert api.get("/api/v1/indicators/sl/smart/").status_code == 200
    assert api.post("/api/v1/indicators/", {"code": "x"}, format="json").status_code == 403


def test_the_key_command_makes_a_key_that_posts(api, world, sl, capsys):
    from django.core.management import call_command

    call_command("kpi_api_key", "telephony")
    raw = capsys.readouterr().out.strip()
    answer = api.post(
        "/api/v1/measurements/", _rows(world), format="json", HTTP_AUTHORIZATION=f"Api-Key {raw}"
    )
    assert answer.status_code == 201


def test_the_close_command(world, sl, capsys):
    from django.core.management import call_command

    record_rows = [("agent", world.agents["a1"][0].employee_no, "2026-03-02", 1, 2)]
    from tests.factories.kpi import record

    record(sl, record_rows)
    call_command("kpi_close", "--period", "month", "--date", "2026-03-15")
    assert "2026-03: 1 indicators" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("kpi_close", "--period", "month", "--date", "2026-02-30")


def test_targets_through_the_api_draft_cascade_activate(api, world, sl):
    api.force_authenticate(world.users["manager"])
    made = api.post(
        "/api/v1/targets/",
        {
            "indicator": "sl",
            "unit": "center",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "value": "0.8",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["unit_key"]) == ("draft", "center")
    cascade = api.post(f"/api/v1/targets/{body['id']}/cascade/")
    assert cascade.status_code == 201 and len(cascade.json()) == 2 + 3 + 7
    smart = api.get(f"/api/v1/targets/{body['id']}/smart/").json()
    assert smart["ok"] is False  # no history, linked to nothing
    refused = api.post(f"/api/v1/targets/{body['id']}/activate/", {}, format="json")
    assert refused.status_code == 400 and "justification" in refused.json()
    ok = api.post(
        f"/api/v1/targets/{body['id']}/activate/", {"justification": "年度考核要求"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "active"
    assert not Target.objects.filter(level="team", status="active").exists()
    again = api.post(f"/api/v1/targets/{body['id']}/activate/", {"proposals": True}, format="json")
    assert again.status_code == 200  # the justification given before stands
    assert Target.objects.filter(status="active").count() == 1 + 2 + 3 + 7
    assert api.get(f"/api/v1/targets/{body['id']}/consistency/").status_code == 200
    api.force_authenticate(world.users["teamlead"])
    other = api.post(
        "/api/v1/targets/",
        {
            "indicator": "sl",
            "unit": "team:a2",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "value": "0.9",
        },
        format="json",
    )
    assert other.status_code == 403
