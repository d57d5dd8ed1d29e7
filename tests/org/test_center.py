"""QA Center serves one hotline: one center, which every user without a department, every
center bulletin and the weekly jobs mean without naming it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from org.models import Center

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_center(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Center.objects.create(name="第二中心", code="second")
    assert list(Center.objects.all()) == [world.center]


def test_validation_says_why_before_the_database_does(world):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        Center(name="第二中心", code="second").full_clean()
    assert any("already a center" in m for m in caught.value.messages)


def test_the_one_center_can_be_edited(world):
    world.center.name = "新名称"
    world.center.full_clean()
    world.center.save()
    assert Center.objects.get().name == "新名称"
