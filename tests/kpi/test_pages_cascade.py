"""What the browser walk through the cascade (tests/kpi/test_browser.py) found, each fixed and
pinned here: the cascade comes into force with its parent, the date boxes are filled in
Chinese, the targets read as people read them (生效, 80.00%, their bands)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from kpi.models import Target
from kpi.services import target_activate_proposals, target_cascade
from tests.factories.kpi import indicator, target

pytestmark = pytest.mark.django_db


def _center_draft(world, ind, value="0.8"):
    center = target(ind, value, status="draft", justification="年度考核要求")
    target_cascade(by=world.users["manager"], target=center)
    return center


def test_activating_the_center_with_its_proposals_puts_the_cascade_in_force(client, world):
    sl = indicator("sl")
    center = _center_draft(world, sl)
    assert Target.objects.filter(proposed=True, status="draft").count() == 2 + 3 + 7
    client.force_login(world.users["manager"])
    page = client.get(f"/kpi/targets/{center.pk}/").content.decode()
    assert 'name="proposals"' in page and "同时启用其下各级尚未自行设定的建议目标" in page
    answer = client.post(
        f"/kpi/targets/{center.pk}/activate/",
        {"justification": "年度考核要求", "proposals": "on"},
        follow=True,
    )
    assert "目标已生效，其下 12 个建议目标随之生效。" in answer.content.decode()
    assert set(Target.objects.values_list("status", flat=True)) == {"active"}
    team = Target.objects.get(level="team", unit_id=world.team_a1.pk)
    assert not team.proposed and "随中心的目标一并启用" in team.justification
    assert "年度考核要求" in team.justification


def test_without_the_box_the_proposals_stay_drafts(client, world):
    sl = indicator("sl")
    center = _center_draft(world, sl)
    client.force_login(world.users["manager"])
    client.post(f"/kpi/targets/{center.pk}/activate/", {"justification": "年度考核要求"})
    center.refresh_from_db()
    assert center.status == "active"
    assert not Target.objects.filter(level="team", status="active").exists()


def test_a_tightened_team_keeps_its_own_draft_and_old_targets_retire(world):
    sl = indicator("sl")
    center = _center_draft(world, sl)
    tightened = Target.objects.get(level="team", unit_id=world.team_a1.pk)
    tightened.value, tightened.proposed = Decimal("0.85"), False
    tightened.save()
    old = target(sl, "0.7", level="team", unit=world.team_a2)  # active, same start
    center.status = "active"
    center.save()
    count = target_activate_proposals(by=world.users["manager"], target=center)
    assert count == 2 + 2 + 4  # departments, a2 and b1, their agents; not a1 nor its agents
    tightened.refresh_from_db()
    old.refresh_from_db()
    assert tightened.status == "draft" and old.status == "retired"
    a1_agents = Target.objects.filter(level="agent", team=world.team_a1)
    assert set(a1_agents.values_list("status", flat=True)) == {"draft"}
    a2 = Target.objects.get(level="team", unit_id=world.team_a2.pk, status="active")
    assert a2.value == Decimal("0.8")


def test_a_team_lead_cannot_activate_the_center_cascade(world):
    from django.core.exceptions import PermissionDenied

    sl = indicator("sl")
    center = _center_draft(world, sl)
    center.status = "active"
    center.save()
    with pytest.raises(PermissionDenied):
        target_activate_proposals(by=world.users["teamlead"], target=center)


def test_the_center_target_form_is_filled_in_chinese(client, world):
    indicator("sl")
    client.force_login(world.users["manager"])
    page = client.get("/kpi/targets/").content.decode()
    year = timezone.localdate().year
    # ISO, the only value a browser's date box takes ("2026/01/01" left it blank).
    assert f'value="{year}-01-01"' in page and f'value="{year}-12-31"' in page


def test_targets_read_as_people_read_them(client, world):
    sl = indicator("sl")
    aht = indicator("aht", measure="mean", direction="lower")
    mine = target(sl, "0.8", level="team", unit=world.team_a1)
    slow = target(aht, "300", amber_within="0.1")
    client.force_login(world.users["teamlead"])
    listing = client.get("/kpi/targets/").content.decode()
    assert "KPI 目标" in listing and "提升目标" not in listing  # not the bulletin's targets
    assert "80.00%" in listing and "0.8000" not in listing
    assert "生效" in listing and "在职" not in listing  # a target in force, not a person
    on_indicator = client.get("/kpi/indicators/sl/").content.decode()
    assert "80.00%" in on_indicator and "0.8000" not in on_indicator
    page = client.get(f"/kpi/targets/{mine.pk}/").content.decode()
    assert "区间" in page and "≥ 80.00%" in page and "≥ 76.00%" in page and "&lt; 76.00%" in page
    lower = client.get(f"/kpi/targets/{slow.pk}/").content.decode()
    assert "≤ 300.00 s" in lower and "≤ 330.00 s" in lower and "&gt; 330.00 s" in lower
    client.cookies["django_language"] = "en"
    english = client.get(f"/kpi/targets/{mine.pk}/").content.decode()
    assert "Bands" in english and "Active" in english and "Green" in english


def test_targets_list_center_first_then_down(client, world):
    sl = indicator("sl")
    _center_draft(world, sl)
    client.force_login(world.users["teamlead"])
    listing = client.get("/kpi/targets/").content.decode()
    order = [listing.index(f'data-unit="{key}"') for key in ("center", "department:dep-a")]
    order.append(listing.index('data-unit="team:a1"'))
    order.append(listing.index('data-unit="agent:'))
    assert order == sorted(order)


def test_a_new_agents_proposal_can_be_put_in_force_under_an_active_target(client, world):
    from tests.factories import AgentFactory

    sl = indicator("sl")
    center = _center_draft(world, sl)
    client.force_login(world.users["manager"])
    client.post(f"/kpi/targets/{center.pk}/activate/", {"proposals": "on"})
    assert Target.objects.filter(status="active").count() == 1 + 2 + 3 + 7
    page = client.get(f"/kpi/targets/{center.pk}/").content.decode()
    assert 'data-testid="activate"' not in page  # nothing left to activate
    newcomer = AgentFactory(team=world.team_a1, name="孙丽")
    client.post(f"/kpi/targets/{center.pk}/cascade/")
    page = client.get(f"/kpi/targets/{center.pk}/").content.decode()
    assert "该目标已生效" in page and 'name="proposals"' in page
    client.post(f"/kpi/targets/{center.pk}/activate/", {"proposals": "on"})
    assert Target.objects.get(level="agent", unit_id=newcomer.pk).status == "active"


def test_tightening_a_target_in_force_keeps_it_in_force_until_the_draft_is_activated(client, world):
    sl = indicator("sl")
    center = _center_draft(world, sl)
    client.force_login(world.users["manager"])
    client.post(f"/kpi/targets/{center.pk}/activate/", {"proposals": "on"})
    team = Target.objects.get(level="team", unit_id=world.team_a1.pk, status="active")
    dep = team.parent
    client.force_login(world.users["teamlead"])
    answer = client.post(f"/kpi/targets/{team.pk}/tighten/", {"value": "85"}, follow=True)
    assert "现行目标继续有效" in answer.content.decode()
    team.refresh_from_db()
    assert team.status == "active" and team.value == Decimal("0.8")  # still in force
    client.post(f"/kpi/targets/{team.pk}/tighten/", {"value": "86"})  # the same draft again
    draft = Target.objects.get(level="team", unit_id=world.team_a1.pk, status="draft")
    assert draft.value == Decimal("0.86") and draft.parent == dep
    count = Target.objects.count()
    assert target_cascade(by=world.users["manager"], target=center) == []  # nothing doubled
    client.post(f"/kpi/targets/{draft.pk}/activate/", {"justification": "班组自定更高目标"})
    team.refresh_from_db()
    draft.refresh_from_db()
    assert (team.status, draft.status) == ("retired", "active")
    # Its agents now hang under the team's target in force.
    assert set(
        Target.objects.filter(level="agent", team=world.team_a1).values_list("parent", flat=True)
    ) == {draft.pk}
    assert target_cascade(by=world.users["manager"], target=center) == []
    assert Target.objects.count() == count


def test_the_team_leads_tree_leads_from_a_red_band_to_the_shortfalls(client, world):
    from tests.factories.kpi import record

    sl = indicator("sl")
    agents = world.agents["a1"]
    record(sl, [("agent", a.employee_no, "2026-03-02", 70, 100) for a in agents])
    target(sl, "0.8", level="team", unit=world.team_a1)
    client.force_login(world.users["teamlead"])
    page = client.get("/kpi/tree/", {"period": "2026-03"}).content.decode()
    assert 'data-testid="to-shortfalls" href="/kpi/shortfalls/?indicator=sl"' in page
    # Its agents in the order of their employee numbers.
    found = [page.index(f'data-node="agent:{a.pk}"') for a in agents]
    by_number = sorted(agents, key=lambda a: a.employee_no)
    assert [page.index(f'data-node="agent:{a.pk}"') for a in by_number] == sorted(found)
