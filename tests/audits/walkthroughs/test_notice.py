"""The month's walk-through results in the monthly red-header notice (data, page and PDF)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audits.walkthroughs import services
from bulletins.models import Bulletin
from bulletins.services import bulletin_generate_month
from tests.factories.walkthroughs import MONTH, drilled, past_deadline, started

pytestmark = pytest.mark.django_db


def test_the_notice_shows_the_months_walkthroughs(walk, client):
    walkthrough = past_deadline(started(walk))
    auditor = walk.users["auditor"]
    drilled(walkthrough, auditor)
    services.finding_record(
        walkthrough=walkthrough, by=auditor, grade="good_practice", description="台账清晰"
    )
    services.walkthrough_conclude(walkthrough=walkthrough, by=auditor, verdict="keep")
    bulletin_generate_month(month=MONTH, notify_readers=False)
    notice = Bulletin.objects.get(kind="monthly", period_start=MONTH)
    results = notice.data["walkthroughs"]
    assert len(results["walkthroughs"]) == 3
    concluded = next(r for r in results["walkthroughs"] if r["code"] == walkthrough.standard.code)
    assert (
        concluded["verdict"] == "keep" and concluded["score"] == 60.0
    )  # documents 0 + drill 30 + findings 30
    assert concluded["findings"] == [
        {"grade": "good_practice", "label": "Good practice", "count": 1}
    ]
    assert results["departments"] == [{"department": walk.world.dep_a.name, "score": 60.0}]
    client.force_login(walk.users["manager"])
    html = client.get(f"/bulletins/{notice.pk}/").content.decode()
    assert 'data-testid="notice-walkthroughs"' in html
    assert walkthrough.standard.code in html
    assert html.count('data-testid="notice-finding"') == 1


def test_a_month_without_walkthroughs_adds_nothing(walk, client):
    bulletin_generate_month(month=MONTH - datetime.timedelta(days=40), notify_readers=False)
    notice = Bulletin.objects.get(kind="monthly")
    assert notice.data["walkthroughs"] == {"walkthroughs": [], "departments": []}
    client.force_login(walk.users["manager"])
    assert (
        'data-testid="notice-walkthroughs"'
        not in client.get(f"/bulletins/{notice.pk}/").content.decode()
    )
    assert timezone.now()  # the page renders
