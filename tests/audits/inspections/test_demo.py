"""The inspections demo: a self-inspection with nonconformities and their actions (one
verified, one sent back open), and a third-party import; run twice, nothing is added."""

from __future__ import annotations

import random

import pytest

from audits.actions.models import CorrectiveAction
from audits.inspections import demo
from audits.inspections.models import SelfInspection, ThirdPartyEvaluation
from org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_self_inspection_and_a_third_party_import():
    org_demo.seed(rng=random.Random("org"))
    demo.seed(rng=random.Random("inspections"))
    inspection = SelfInspection.objects.get()
    assert inspection.items.filter(result__in=["minor", "major"]).count() == 2
    statuses = sorted(
        CorrectiveAction.objects.filter(source="nonconformity").values_list("status", flat=True)
    )
    assert statuses == ["open", "verified"]
    reopened = CorrectiveAction.objects.get(source="nonconformity", status="open")
    assert reopened.verifications.get().effective is False
    evaluation = ThirdPartyEvaluation.objects.get()
    assert evaluation.results.count() > 0
    demo.seed(rng=random.Random("inspections"))
    assert SelfInspection.objects.count() == 1 and ThirdPartyEvaluation.objects.count() == 1
