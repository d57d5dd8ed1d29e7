"""The KPI tree: values, targets and bands down the cascade, scope, drill-down, query count,
downloads; the department appraisal and the scorecards."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kpi.models import AppraisalWeight, Measurement
from qa_center.levels import Level
from tests.factories import build_world
from tests.factories.kpi_analytics import (
    MONTH,
    agent_row,
    fill_month,
    make_indicators,
    target,
    weights,
)
from tests.factories.org import AgentFactory

pytestmark = pytest.mark.django_db
TREE = reverse("kpi:tree")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"  # the assertions read the English strings
    return client


@pytest.fixture
def kpis(world):
    indicators = make_indicators()

    def sl(agent, day):  # team a1 answers 90 of 100 in time, everyone else 80
        return 90 if agent.team_id == world.team_a1.pk else 80

    fill_month(world, indicators, sl=sl)
    target(indicators["SL"], level=Level.CENTER, value="0.85")
    target(indicators["SL"], level=Level.TEAM, unit=world.team_a1, value="0.85")
    target(indicators["SL"], level=Level.TEAM, unit=world.team_a2, value="0.85")
    target(indicators["AHT"], level=Level.CENTER, value="280")
    return indicators


def get(client, user, **params):
    client.force_login(user)
    return client.get(TREE, {"period": "2026-03", **params})


def test_center_shows_exact_rollups_targets_and_bands(client, world, kpis):
    html = get(client, world.users["manager"]).content.decode()
    # 3 agents at 90 %, 4 at 80 %: (3·90 + 4·80) / 700 = 84.29 %, amber against 85 %.
    assert "84.29%" in html
    assert "85.00%" in html
    assert 'data-code="SL"' in html and "badge warn" in html
    # AHT 300 s against 280 s, lower is better: red (beyond 5 %).
    assert "300.00 s" in html and "badge bad" in html
    # The departments below, each a link to drill down.
    assert f'data-node="department:{world.dep_a.pk}"' in html
    assert f'data-node="department:{world.dep_b.pk}"' in html
    # Department A: (3·90 + 2·80) / 500 = 86.00 %.
    assert "86.00%" in html


def test_drill_down_to_team_shows_its_agents_and_green_band(client, world, kpis):
    response = get(client, world.users["manager"], node=f"team:{world.team_a1.pk}")
    html = response.content.decode()
    assert "90.00%" in html and "badge ok" in html
    for agent in world.agents["a1"]:
        assert f'data-node="agent:{agent.pk}"' in html
    assert world.agents["b1"][0].name not in html
    assert html.count('data-testid="crumb"') == 2  # center › department


def test_team_lead_sees_their_team_department_and_center_not_another_team(client, world, kpis):
    lead = world.users["teamlead"]  # team a1
    assert get(client, lead).status_code == 200
    dep = get(client, lead, node=f"department:{world.dep_a.pk}").content.decode()
    assert f'data-node="team:{world.team_a1.pk}"' in dep
    assert f'data-node="team:{world.team_a2.pk}"' not in dep
    center = get(client, lead, node="center").content.decode()
    assert f'data-node="department:{world.dep_b.pk}"' not in center
    assert get(client, lead, node=f"team:{world.team_a2.pk}").status_code == 404
    assert get(client, lead, node=f"department:{world.dep_b.pk}").status_code == 404
    assert get(client, lead, node=f"agent:{world.agents['a2'][0].pk}").status_code == 404
    assert get(client, lead, node=f"agent:{world.agents['a1'][0].pk}").status_code == 200


def test_the_tree_opens_at_the_users_own_unit(client, world, kpis):
    """A team lead lands on their team (their share of the targets, their band), the
    breadcrumbs leading up to the department and the center; a department's manager on the
    department; a center manager on the center."""
    client.cookies["django_language"] = "zh-hans"
    lead = get(client, world.users["teamlead"]).content.decode()
    assert "KPI 树 · 一班" in lead and lead.count('data-testid="crumb"') == 2
    assert f'data-node="agent:{world.agents["a1"][0].pk}"' in lead
    assert "KPI 树 · 客服二部" in get(client, world.users["dept_manager"]).content.decode()
    assert "KPI 树 · 中心" in get(client, world.users["manager"]).content.decode()
    client.force_login(world.users["teamlead"])
    card = client.get(reverse("kpi:scorecard"), {"period": "2026-03"}).content.decode()
    assert "张伟" in card  # the team's scorecards at once, not "pick a team"


def test_an_agent_sees_only_their_own_node(client, world, kpis):
    agent = world.users["agent"]
    own = get(client, agent)
    assert own.status_code == 200 and world.agents["a1"][0].name in own.content.decode()
    assert get(client, agent, node="center").status_code == 404
    assert get(client, agent, node=f"agent:{world.agents['a1'][1].pk}").status_code == 404


def test_department_manager_does_not_see_the_other_department(client, world, kpis):
    manager = world.users["dept_manager"]  # department B
    assert get(client, manager, node=f"department:{world.dep_a.pk}").status_code == 404
    assert get(client, manager, node=f"team:{world.team_b1.pk}").status_code == 200


@pytest.mark.parametrize("node", ["center", "department:x", "team:", "team:99999999", "x:1"])
def test_bad_parameters_never_500(client, world, kpis, node):
    response = get(client, world.users["admin"], node=node, period="2026-13")
    assert response.status_code in (200, 404)


def test_query_count_is_constant_in_the_number_of_agents(client, world, kpis):
    client.force_login(world.users["manager"])
    url = f"{TREE}?period=2026-03&node=team:{world.team_a1.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    extra = [AgentFactory(team=world.team_a1) for _ in range(15)]
    Measurement.objects.bulk_create(
        [agent_row(kpis["SL"], a, MONTH, 80, 100) for a in extra]
        + [agent_row(kpis["FCR"], a, MONTH, 70, 100) for a in extra]
    )
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert html.count('data-testid="child-row"') == 18
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_trend_sparkline_and_cycle_links(client, world, kpis):
    fill_month(world, kpis, month=datetime.date(2026, 2, 1), sl=lambda agent, day: 60)
    html = get(client, world.users["manager"]).content.decode()
    assert html.count('<svg class="kpi-spark"') == 3  # SL, FCR, AHT have two months
    assert "<polyline" in html and "Service level, last 12 months" in html
    assert f"{reverse('kpi:cycles')}?indicator=SL" in html


def test_excel_and_pdf_of_the_tree(client, world, kpis):
    client.force_login(world.users["manager"])
    response = client.get(reverse("kpi:tree_xlsx"), {"period": "2026-03"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    sl = header.index("SL Service level")
    center = rows[3]
    assert center[sl] == pytest.approx(590 / 700)
    assert center[sl + 1] == 590 * 28 and center[sl + 2] == 700 * 28
    assert center[sl + 4] == "Amber"
    pdf = client.get(reverse("kpi:tree_pdf"), {"period": "2026-03"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(world.users["teamlead"])
    other = client.get(reverse("kpi:tree_xlsx"), {"node": f"team:{world.team_a2.pk}"})
    assert other.status_code == 404


def test_department_appraisal_weighs_to_100_and_includes_the_walkthrough(
    client, world, kpis, monkeypatch
):
    from kpi import tree

    monkeypatch.setattr(
        tree, "walkthrough_score", lambda dep, month: 95.0 if dep == world.dep_a.pk else None
    )
    weights(kpis, AppraisalWeight.Scheme.DEPARTMENT, {"SL": 50, "AHT": 30, "WT": 20})
    target(kpis["SL"], level=Level.DEPARTMENT, unit=world.dep_a, value="0.86")
    target(kpis["AHT"], level=Level.DEPARTMENT, unit=world.dep_a, value="300")
    client.force_login(world.users["manager"])
    html = client.get(reverse("kpi:appraisal"), {"period": "2026-03"}).content.decode()
    # Dep A: SL 86 % vs 86 % → 100; AHT 300 vs 300 → 100; walk-through 95 vs 90 → 105.6.
    # (50·100 + 30·100 + 20·105.56) / 100 = 101.1
    assert "101.1" in html
    assert world.dep_b.name in html
    pdf = client.get(reverse("kpi:appraisal_pdf"), {"period": "2026-03"})
    assert pdf.content.startswith(b"%PDF")
    book = client.get(reverse("kpi:appraisal_xlsx"), {"period": "2026-03"})
    rows = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    assert any(r[1] == "Composite" and r[5] == 101.1 for r in rows)


def test_weights_not_summing_to_100_are_reported(client, world, kpis):
    weights(kpis, AppraisalWeight.Scheme.DEPARTMENT, {"SL": 50, "AHT": 30})
    client.force_login(world.users["manager"])
    html = client.get(reverse("kpi:appraisal"), {"period": "2026-03"}).content.decode()
    assert "The weights sum to 80, not 100." in html
    assert 'data-testid="composite-score"' not in html


def test_scorecards_of_a_team_and_of_an_agent(client, world, kpis):
    weights(kpis, AppraisalWeight.Scheme.AGENT, {"SL": 60, "FCR": 40})
    weights(kpis, AppraisalWeight.Scheme.TEAM_LEAD, {"SL": 100})
    for agent in world.agents["a1"]:
        target(kpis["SL"], level=Level.AGENT, unit=agent, value="0.9")
        target(kpis["FCR"], level=Level.AGENT, unit=agent, value="0.8")
    client.force_login(world.users["teamlead"])
    url = reverse("kpi:scorecard")
    html = client.get(url, {"node": f"team:{world.team_a1.pk}", "period": "2026-03"}).content
    html = html.decode()
    # Team lead: SL 90 % vs 85 % → 105.9. Agent: (60·100 + 40·87.5) / 100 = 95.0, amber.
    assert "105.9" in html and "95.0" in html and "badge warn" in html
    assert html.count('data-testid="composite"') == 1 + 3
    client.force_login(world.users["agent"])
    own = client.get(url, {"period": "2026-03"}).content.decode()
    assert own.count('data-testid="composite"') == 1 and "95.0" in own
    assert client.get(url, {"node": f"team:{world.team_a1.pk}"}).status_code == 404


def test_trend_reads_closed_months_from_the_stored_values(world, kpis):
    from kpi import tree
    from kpi.models import KpiValue
    from qa_center import periods

    feb = datetime.date(2026, 2, 1)
    fill_month(world, kpis, month=feb, sl=lambda agent, day: 60)
    KpiValue.objects.create(
        indicator=kpis["SL"],
        level=Level.CENTER,
        unit_id=0,
        period_kind="month",
        period_start=feb,
        numerator=1,
        denominator=2,
        value=0.5,
    )
    node = tree.Node(Level.CENTER, 0)
    months = tree.months_before(periods.period_of("month", MONTH), 2)
    series = tree._trend([kpis["SL"], kpis["FCR"]], node, months=months, last=MONTH.replace(day=31))
    assert series[kpis["SL"].pk] == {feb: 0.5, MONTH: pytest.approx(590 / 700)}
    # February is closed: FCR's figures of February are not read from the measurements.
    assert feb not in series[kpis["FCR"].pk] and series[kpis["FCR"].pk][MONTH] == 0.7
