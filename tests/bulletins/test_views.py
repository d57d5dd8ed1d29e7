"""Bulletin pages: scope, unread markers, the page's query count, compare, downloads."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bulletins import services
from bulletins.models import Bulletin, BulletinRead
from qa_center.exports import safe_cell
from tests.factories import WEEK


@pytest.fixture
def generated(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    return hand_week


def team_bulletin(world, team) -> Bulletin:
    return Bulletin.objects.get(scope_key=f"team:{team.pk}", period_start=WEEK)


def test_team_lead_reads_own_team_not_another(client, generated):
    client.force_login(generated.users["teamlead"])
    own = team_bulletin(generated, generated.team_a1)
    other = team_bulletin(generated, generated.team_b1)
    assert client.get(reverse("bulletins:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("bulletins:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("bulletins:pdf", args=[other.pk])).status_code == 404
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert own.title in listing and other.title not in listing


def test_agents_may_not_read_bulletins(client, generated):
    client.force_login(generated.users["agent"])
    own = team_bulletin(generated, generated.team_a1)
    assert client.get(reverse("bulletins:list")).status_code == 403
    assert client.get(reverse("bulletins:detail", args=[own.pk])).status_code == 403


def test_department_manager_sees_department_and_its_teams_only(client, generated):
    client.force_login(generated.users["dept_manager"])  # dep_b
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert "客服二部" in listing and "三班" in listing
    assert "一班" not in listing
    center = Bulletin.objects.get(scope_key="center", period_start=WEEK)
    assert client.get(reverse("bulletins:detail", args=[center.pk])).status_code == 404


def test_unread_marker_disappears_once_opened(client, generated):
    manager = generated.users["manager"]
    client.force_login(manager)
    listing = client.get(reverse("bulletins:list")).content.decode()
    assert listing.count('data-testid="bulletin-row"') == 6
    assert listing.count("unread-marker") == 6
    center = Bulletin.objects.get(scope_key="center", period_start=WEEK)
    client.get(reverse("bulletins:detail", args=[center.pk]))
    assert BulletinRead.objects.filter(user=manager, bulletin=center).exists()
    assert client.get(reverse("bulletins:list")).content.decode().count("unread-marker") == 5


def test_bulletin_page_query_count_is_pinned(client, generated, django_assert_max_num_queries):
    client.force_login(generated.users["manager"])
    center = Bulletin.objects.get(scope_key="center", period_start=WEEK)
    url = reverse("bulletins:detail", args=[center.pk])
    client.get(url)
    # session, user, notifications badge, bulletin, read marker, revisions, compare options,
    # the KPI shortfalls of its scope and week (one query), the rules flagged for low
    # precision (two grouped verdict queries; the rule titles only when one is flagged)
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert "请稍等" in response.content.decode()


def test_list_query_count_does_not_grow_with_bulletins(
    client, generated, django_assert_max_num_queries
):
    client.force_login(generated.users["manager"])
    # 9: the monthly notices' tab counts the drafts waiting (one query, whatever the number).
    with django_assert_max_num_queries(9):
        assert client.get(reverse("bulletins:list")).status_code == 200


def test_compare_two_weeks_side_by_side(client, generated):
    import datetime

    services.bulletins_generate_week(week_start=WEEK - datetime.timedelta(days=7))
    client.force_login(generated.users["manager"])
    client.cookies["django_language"] = "en"  # the headings below are the English "week N (date)"
    now = Bulletin.objects.get(scope_key="center", period_start=WEEK)
    before = Bulletin.objects.get(
        scope_key="center", period_start=WEEK - datetime.timedelta(days=7)
    )
    page = client.get(reverse("bulletins:compare"), {"a": now.pk, "b": before.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("(2026-02-23)") < html.index("(2026-03-02)")  # older week on the left
    assert "请稍等" in html


def test_excel_download_neutralizes_formulas(client, generated):
    from audits.actions.models import ImprovementTarget

    bulletin = team_bulletin(generated, generated.team_a1)
    services.improvement_target_create(
        actor=generated.users["teamlead"],
        bulletin=bulletin,
        metric="rule",
        code="HOLD",
        label="",
        target_value=95,
        due_week=WEEK,
        measure='=HYPERLINK("http://evil")',
    )
    assert ImprovementTarget.objects.count() == 1
    import datetime

    services.bulletins_generate_week(week_start=WEEK + datetime.timedelta(days=7))
    later = Bulletin.objects.get(
        scope_key=bulletin.scope_key, period_start=WEEK + datetime.timedelta(days=7)
    )
    client.force_login(generated.users["teamlead"])
    response = client.get(reverse("bulletins:excel", args=[later.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_safe_cell_prefixes_formula_starts(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("请稍等") == "请稍等"
    assert safe_cell(3) == 3


def test_weekly_charts_label_every_rule_and_say_how_many_weeks_have_data(client, hand_week):
    """The rule chart skipped labels (Chart.js auto-skip) and "last 12 weeks" did not say that
    only some of them had data; the charts are SVG now, on the page and in the PDF."""
    from bulletins import services
    from bulletins.models import Bulletin
    from tests.bulletins.conftest import PREV_WEEK
    from tests.factories import WEEK

    services.bulletins_generate_week(week_start=PREV_WEEK)
    services.bulletins_generate_week(week_start=WEEK)
    center = Bulletin.objects.get(kind="weekly", scope_key="center", period_start=WEEK)
    client.force_login(hand_week.users["manager"])
    page = client.get(f"/bulletins/{center.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rules_chart = page[
        page.index('id="chart-rules"') : page.index("</svg>", page.index('id="chart-rules"'))
    ]
    for row in center.data["rules"]:
        assert (
            f">{row['label']}</text>" in rules_chart
            or f"<title>{row['label']}</title>" in rules_chart
        )
    assert "Data for 2 weeks of the last 12." in page or "近 12 周中有 2 周有数据。" in page
    assert "chart-4.6.1" not in page  # no script draws the charts


def test_the_list_shows_each_bulletins_status_and_finds_the_monthly_notices(client, hand_week):
    """The status column showed the kind ('weekly') for weekly bulletins; the monthly notices
    now have their own tab, with the number of drafts waiting."""
    import datetime

    from bulletins import services
    from tests.factories import WEEK

    services.bulletins_generate_week(week_start=WEEK)
    services.bulletin_generate_month(month=datetime.date(2026, 3, 1))
    client.force_login(hand_week.users["manager"])
    page = client.get("/bulletins/").content.decode()
    assert 'data-testid="status"' in page
    assert (
        'data-testid="monthly-tab"' in page
        and "1" in page.split('data-testid="monthly-tab"')[1][:300]
    )
    monthly = client.get("/bulletins/?kind=monthly").context["page"]
    assert [b.kind for b in monthly] == ["monthly"]
