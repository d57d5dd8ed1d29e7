"""The agent's results are a list first (date, score, critical, acknowledged, disputable
until), a trend of the last weeks, and one evaluation opened at a time."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.evaluations.models import Evaluation
from tests.factories import REVIEW_SCORECARD, CallFactory, make_evaluation, make_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def ten(world):
    card = make_scorecard(REVIEW_SCORECARD)
    agent = world.agents["a1"][0]
    made = []
    for i in range(10):
        call = CallFactory(agent=agent, call_id=f"MY-{i:02d}")
        answers = {"greet": 1, "verify": i % 2, "close": 1, "tone": 4}
        made.append(
            make_evaluation(
                call=call,
                card=card,
                evaluator=world.users["supervisor"],
                answers=answers,
                submitted_at=timezone.now() - timezone.timedelta(days=3 * i),
            )
        )
    return made


def test_list_first_with_one_evaluation_opened(world, ten, client):
    client.force_login(world.users["agent"])
    html = client.get(reverse("evaluations:my_evaluations")).content.decode()
    rows = re.findall(r'<tr data-evaluation="(\d+)"', html)
    assert len(rows) == 10  # every evaluation is a row of the list
    assert html.count('data-testid="my-evaluation"') == 1  # one opened, not ten
    newest = Evaluation.objects.filter(pk__in=[e.pk for e in ten]).latest("submitted_at")
    assert f'id="evaluation-{newest.pk}"' in html  # the newest still to acknowledge
    deadline = newest.dispute_deadline().isoformat()
    assert deadline in html
    # opening another one closes the first
    other = ten[5]
    html = client.get(reverse("evaluations:my_evaluations"), {"open": other.pk}).content.decode()
    assert f'id="evaluation-{other.pk}"' in html and f'id="evaluation-{newest.pk}"' not in html
    # someone else's evaluation cannot be opened
    html = client.get(reverse("evaluations:my_evaluations"), {"open": "999999"}).content
    assert b'data-testid="my-evaluation"' not in html
    assert client.get(reverse("evaluations:my_evaluations"), {"open": "x" * 50}).status_code == 200


def test_trend_of_the_last_weeks_is_an_svg_with_the_weekly_means(world, ten, client):
    client.force_login(world.users["agent"])
    html = client.get(reverse("evaluations:my_evaluations")).content.decode()
    trend = html[html.index('data-testid="my-trend"') :]
    trend = trend[: trend.index("</section>")]
    assert "<svg" in trend and "<polyline" in trend and "<script" not in trend
    assert "style=" not in trend
    means = [float(v) for v in re.findall(r'class="trend-value"[^>]*>([\d.]+)<', trend)]
    assert means and all(67.5 <= m <= 97.5 for m in means)  # REVIEW_ANSWERS ± verify


def test_page_is_short_with_ten_evaluations(world, ten, client):
    client.force_login(world.users["agent"])
    html = client.get(reverse("evaluations:my_evaluations")).content.decode()
    # one transcript on the page, not ten
    assert html.count('class="my-transcript"') == 1
