"""The draw run twice (and four times) at once: PostgreSQL, real threads, real transactions.
One seed, the same two per department, no duplicates."""

from __future__ import annotations

import pytest

from audits.walkthroughs.models import DepartmentDraw, Walkthrough, WalkthroughDraw
from audits.walkthroughs.services import walkthrough_start, walkthroughs_draw_month
from tests.concurrency import in_threads
from tests.factories.walkthroughs import MONTH, walk_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_draws_at_once_give_one_draw_and_no_duplicates(world):
    walk_world(world)
    assert in_threads(lambda: walkthroughs_draw_month(month=MONTH)) == []
    assert WalkthroughDraw.objects.count() == 1
    assert DepartmentDraw.objects.count() == 2
    assert Walkthrough.objects.count() == 3
    picked = list(
        Walkthrough.objects.order_by("department__code", "slot").values_list(
            "standard_id", flat=True
        )
    )
    # Running it again (after the race) gives the same.
    walkthroughs_draw_month(month=MONTH)
    assert (
        list(
            Walkthrough.objects.order_by("department__code", "slot").values_list(
                "standard_id", flat=True
            )
        )
        == picked
    )


def test_two_starts_at_once_start_it_once(world):
    from django.core.exceptions import ValidationError

    walk = walk_world(world)
    walkthroughs_draw_month(month=MONTH)
    walkthrough = Walkthrough.objects.filter(department=world.dep_a).first()
    refused: list[Exception] = []

    def start():
        try:
            walkthrough_start(walkthrough=walkthrough, by=walk.users["auditor"])
        except ValidationError as exc:
            refused.append(exc)

    assert in_threads(start) == []
    assert len(refused) == 3
    from qa_center.models import Notification

    assert Notification.objects.filter(user=walk.users["owner_a"]).count() == 1
