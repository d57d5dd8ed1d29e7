"""The demo: three months of walk-throughs after the standards demo, with findings, actions and
one revision; a second run changes nothing."""

from __future__ import annotations

import random

import pytest

from audits.walkthroughs.models import Finding, Walkthrough

pytestmark = pytest.mark.django_db


def test_three_months_with_findings_actions_and_one_revision(settings, tmp_path):
    from audits.standards import demo as standards_demo
    from audits.walkthroughs import demo
    from org import demo as org_demo

    settings.MEDIA_ROOT = str(tmp_path / "media")
    org_demo.seed(rng=random.Random(1))
    standards_demo.seed(rng=random.Random(2))
    demo.seed(rng=random.Random(3))
    months = set(Walkthrough.objects.values_list("month", flat=True))
    assert len(months) == 3
    concluded = Walkthrough.objects.filter(status="concluded")
    assert concluded.count() >= 4
    assert concluded.filter(verdict="revise", revision__isnull=False).count() == 1
    # One abolition proposed, awaiting approval: the standard is still in force.
    (abolished,) = concluded.filter(verdict="abolish")
    assert abolished.abolition.status == "pending"
    assert abolished.standard.status == "published"
    assert Finding.objects.filter(grade__in=["major", "minor"], action__isnull=False).exists()
    assert Walkthrough.objects.filter(status="started").count() == 1
    assert all(w.score is not None for w in concluded)
    before = Walkthrough.objects.count()
    demo.seed(rng=random.Random(3))
    assert Walkthrough.objects.count() == before
