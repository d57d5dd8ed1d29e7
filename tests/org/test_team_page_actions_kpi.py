"""The team page shows the team's open corrective actions and improvement targets (panel of
audits.actions) and its KPI shortfalls (panel of kpi), registered in org.team_panels by those
apps (org imports neither); in the viewer's scope, for who sees the team's results."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audits.actions.models import CorrectiveAction, ImprovementTarget
from audits.actions.services import action_create
from kpi.models import Indicator, Shortfall

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_work(world):
    today = timezone.localdate()
    lead = world.users["teamlead"]

    def action(team, title, days):
        made = action_create(
            by=None,
            title=title,
            owner=lead,
            due_on=today + datetime.timedelta(days=7),
            source="other",
            team=team,
        )
        CorrectiveAction.objects.filter(pk=made.pk).update(
            due_on=today + datetime.timedelta(days=days)
        )
        return made

    late = action(world.team_a1, "请稍等用语复训", -3)
    targeted = action(world.team_a1, "结束语整改", 10)
    monday = today - datetime.timedelta(days=today.weekday())
    ImprovementTarget.objects.create(
        action=targeted, level="team", department=world.dep_a, team=world.team_a1,
        metric="rule", code="HOLD", label="请稍等", target_value=95, due_week=monday,
    )  # fmt: skip
    action(world.team_b1, "三班的措施", -1)
    done = action(world.team_a1, "已核实的措施", -10)
    CorrectiveAction.objects.filter(pk=done.pk).update(status="verified", closed_at=timezone.now())
    sl = Indicator.objects.create(
        code="sl", name_zh="接通率", name_en="Service level", definition_zh="定义",
        definition_en="Definition", measure="rate", source="external", unit="%", scale=100,
    )  # fmt: skip
    start = today.replace(day=1) - datetime.timedelta(days=1)
    start = start.replace(day=1)

    def shortfall(level, team, agent=None):
        return Shortfall.objects.create(
            indicator=sl, level=level, unit_id=(agent or team).pk, department=team.department,
            team=team, agent=agent, period_kind="month", period_start=start,
            kind="target_miss", numerator=70, denominator=100, value=0.7, target_value="0.8",
        )  # fmt: skip

    shortfall("team", world.team_a1)
    shortfall("agent", world.team_a1, world.agents["a1"][1])
    shortfall("team", world.team_b1)
    return {"late": late, "targeted": targeted}


def _page(client, user, team) -> str:
    client.force_login(user)
    with translation.override("en"):
        response = client.get(reverse("org:team_detail", args=[team.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_team_lead_sees_open_actions_targets_and_shortfalls(world, team_work, client):
    client.cookies["django_language"] = "en"
    html = _page(client, world.users["teamlead"], world.team_a1)
    assert "请稍等用语复训" in html and "结束语整改" in html
    assert "三班的措施" not in html and "已核实的措施" not in html
    assert reverse("actions:detail", args=[team_work["late"].pk]) in html
    assert "请稍等 ≥ 95.0%" in html  # the improvement target on its action's row
    panel = html[html.index("Corrective actions and improvement targets") :]
    assert html.index("请稍等用语复训") < html.index("结束语整改")  # overdue first
    assert "overdue" in panel[: panel.index("</section>")]
    # KPI: the team's shortfall and its agent's (王芳), not 三班's
    kpi = html[html.index("KPI shortfalls") :]
    kpi = kpi[: kpi.index("</section>")]
    assert "Service level" in kpi and "王芳" in kpi and "70.00%" in kpi
    assert kpi.count("Service level") == 2


def test_the_department_supervisor_sees_them_and_another_department_sees_nothing(
    world, team_work, client
):
    client.cookies["django_language"] = "en"
    html = _page(client, world.users["supervisor"], world.team_a1)
    assert "请稍等用语复训" in html and "KPI shortfalls" in html
    client.force_login(world.users["dept_manager"])  # 客服二部
    assert client.get(reverse("org:team_detail", args=[world.team_a1.pk])).status_code == 404
    html = _page(client, world.users["dept_manager"], world.team_b1)
    assert "三班的措施" in html and "请稍等用语复训" not in html
