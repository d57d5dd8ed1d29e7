"""The walk-through pages: the month (draw, scores, why a department has fewer), one
walk-through (countdown, upload, drill, findings, verdict) as every role and out of scope;
a constant query count as steps, documents and findings grow."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.walkthroughs import services
from audits.walkthroughs.models import Walkthrough, WalkthroughDocument, WalkthroughStep
from tests.factories.walkthroughs import MONTH, drawn, past_deadline, pdf, started

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def test_the_month_page_draws_and_says_why_a_department_has_fewer(walk, client):
    _as(client, walk.users["auditor"])
    page = client.get("/audits/walkthroughs/?month=2026-11")
    assert page.status_code == 200 and 'data-testid="draw"' in page.content.decode()
    response = client.post("/audits/walkthroughs/draw/", {"month": "2026-11"})
    assert response.status_code == 302
    html = client.get("/audits/walkthroughs/?month=2026-11").content.decode()
    assert html.count('data-testid="walkthrough-row"') == 3
    assert 'data-testid="draw-short"' in html  # department B: only one
    assert 'data-testid="score-formula"' in html
    client.post("/audits/walkthroughs/draw/", {"month": "2026-11"})
    assert Walkthrough.objects.count() == 3


def test_only_the_centers_auditors_draw(walk, client):
    for name in ("auditor_a", "owner_a", "manager", "agent"):
        _as(client, walk.users[name])
        assert client.post("/audits/walkthroughs/draw/", {"month": "2026-11"}).status_code == 403
    assert Walkthrough.objects.count() == 0


def test_a_bad_month_parameter_is_ignored_with_a_warning(walk, client):
    _as(client, walk.users["auditor"])
    response = client.get("/audits/walkthroughs/?month=2026-13")
    assert response.status_code == 200
    assert "month" in " ".join(str(m) for m in response.context["messages"])


def test_detail_as_every_role_and_out_of_scope(walk, client):
    walkthrough = drawn(walk)[0]  # department A
    expected = {
        "auditor": 200,
        "auditor_a": 200,
        "owner_a": 200,
        "manager": 200,
        "admin": 200,
        "auditor_b": 404,
        "owner_b": 404,
        "dept_manager": 404,
        "supervisor": 404,
        "teamlead": 404,
        "agent": 404,
    }
    for name, status in expected.items():
        _as(client, walk.users[name])
        assert client.get(f"/audits/walkthroughs/{walkthrough.pk}/").status_code == status, name
    client.logout()
    assert client.get(f"/audits/walkthroughs/{walkthrough.pk}/").status_code == 302


def test_start_upload_drill_finding_verdict_through_the_pages(walk, client):
    walkthrough = drawn(walk)[0]
    url = f"/audits/walkthroughs/{walkthrough.pk}/"
    _as(client, walk.users["owner_a"])
    assert client.post(f"{url}start/").status_code == 403
    _as(client, walk.users["auditor_a"])
    client.post(f"{url}start/")
    walkthrough.refresh_from_db()
    assert walkthrough.status == "started"
    _as(client, walk.users["owner_a"])
    html = client.get(url).content.decode()
    assert 'data-testid="countdown"' in html and "js/walkthroughs.js" in html
    step = walkthrough.steps.first()
    client.post(f"{url}documents/", {"step": step.pk, "file": pdf()})
    past_deadline(walkthrough)
    client.post(f"{url}documents/", {"step": step.pk, "file": pdf("补交.pdf")})
    assert list(WalkthroughDocument.objects.values_list("late", flat=True).order_by("pk")) == [
        False,
        True,
    ]
    html = client.get(url).content.decode()
    assert 'data-testid="locked"' in html and 'data-testid="late"' in html
    _as(client, walk.users["auditor_a"])
    drill = {f"drill_{s.pk}": "done" for s in walkthrough.steps.all()}
    client.post(f"{url}drill/", drill)
    assert not walkthrough.steps.filter(drill="").exists()
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    client.post(
        f"{url}findings/", {"grade": "minor", "description": "缺回访记录", "action_due_on": due}
    )
    client.post(f"{url}verdict/", {"verdict": "revise", "reason": "补充回访要求"})
    walkthrough.refresh_from_db()
    assert walkthrough.status == "concluded" and walkthrough.revision is not None
    assert 'data-testid="revision"' in client.get(url).content.decode()


def test_a_refused_verdict_shows_the_reason_and_changes_nothing(walk, client):
    walkthrough = past_deadline(started(walk))
    _as(client, walk.users["auditor"])
    response = client.post(
        f"/audits/walkthroughs/{walkthrough.pk}/verdict/", {"verdict": "keep"}, follow=True
    )
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    walkthrough.refresh_from_db()
    assert walkthrough.status == "started"


def test_out_of_scope_posts_are_404(walk, client):
    walkthrough = started(walk)
    _as(client, walk.users["auditor_b"])
    url = f"/audits/walkthroughs/{walkthrough.pk}/"
    for action, data in (
        ("start/", {}),
        ("documents/", {"step": 1, "file": pdf()}),
        ("drill/", {}),
        ("findings/", {"grade": "observation", "description": "x"}),
        ("verdict/", {"verdict": "keep"}),
    ):
        assert client.post(f"{url}{action}", data).status_code == 404, action


def _grow(walkthrough, walk, n):
    """n more steps, each with two documents, and n findings."""
    base = walkthrough.steps.count()
    steps = WalkthroughStep.objects.bulk_create(
        [
            WalkthroughStep(walkthrough=walkthrough, position=base + i + 1, title=f"步骤{i}")
            for i in range(n)
        ]
    )
    for step in steps:
        for _ in range(2):
            services.walkthrough_document_upload(
                walkthrough=walkthrough, step=step, by=walk.users["owner_a"], file=pdf()
            )
    for i in range(n):
        services.finding_record(
            walkthrough=walkthrough,
            by=walk.users["auditor"],
            grade="minor",
            description=f"发现{i}",
            step=steps[i],
            action_due_on=timezone.localdate() + datetime.timedelta(days=5),
        )


def test_the_page_keeps_a_constant_query_count(walk, client):
    walkthrough = started(walk)
    url = f"/audits/walkthroughs/{walkthrough.pk}/"

    def count(user) -> int:
        _as(client, user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _grow(walkthrough, walk, 1)
    small = {name: count(walk.users[name]) for name in ("owner_a", "auditor")}
    _grow(walkthrough, walk, 8)
    large = {name: count(walk.users[name]) for name in ("owner_a", "auditor")}
    assert large == small
    assert max(large.values()) <= 25


def test_the_month_list_keeps_a_constant_query_count(walk, client, world):
    from tests.factories.audits import make_standard

    drawn(walk)
    _as(client, walk.users["auditor"])
    with CaptureQueriesContext(connection) as before:
        client.get("/audits/walkthroughs/?month=2026-11")
    for i in range(3):
        make_standard(department=world.dep_b, code=f"LC-B{i + 5}", owner=walk.users["owner_b"])
    services.walkthroughs_draw_month(month=MONTH.replace(month=12))
    with CaptureQueriesContext(connection) as after:
        client.get("/audits/walkthroughs/?month=2026-12")
    assert len(after) == len(before)


def test_home_shows_a_running_hour_first(walk, client):
    walkthrough = started(walk)
    _as(client, walk.users["owner_a"])
    panels = client.get("/").context["panels"]
    first = panels["lists"][0]
    assert first.rows[0]["url"] == f"/audits/walkthroughs/{walkthrough.pk}/"
    assert first.rows[0]["tone"] == "bad"
    _as(client, walk.users["auditor"])
    lists = client.get("/").context["panels"]["lists"]
    assert lists[0].rows[0]["url"] == f"/audits/walkthroughs/{walkthrough.pk}/"


def test_the_admin_lists_walkthroughs_read_only(walk, client):
    drawn(walk)
    client.force_login(walk.users["admin"])
    for url in (
        "/admin/walkthroughs/walkthrough/",
        "/admin/walkthroughs/walkthroughdraw/",
        "/admin/walkthroughs/finding/",
        "/admin/walkthroughs/walkthroughdocument/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/walkthroughs/walkthrough/add/").status_code == 403


def test_the_actions_page_names_the_walkthrough_it_comes_from(walk, client):
    walkthrough = started(walk)
    finding = services.finding_record(
        walkthrough=walkthrough,
        by=walk.users["auditor"],
        grade="minor",
        description="缺回访记录",
        action_due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    client.force_login(walk.users["owner_a"])
    html = client.get(f"/audits/actions/{finding.action_id}/").content.decode()
    assert f'href="/audits/walkthroughs/{walkthrough.pk}/"' in html
