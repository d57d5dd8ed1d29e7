"""The Django admin of the audit apps in Chinese: every field it shows has a translated label
(no "Created by", "Drilled at" or "Uploaded by" in the zh admin), as the admin's change page of
a walk-through document shows."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

APPS = ["actions", "inspections", "standards", "walkthroughs", "kpi"]
ALLOWED = {"ID", "SHA-256"}


@pytest.mark.parametrize("label", APPS)
def test_every_field_of_the_app_has_a_chinese_label(label):
    english = []
    with translation.override("zh-hans"):
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if field.auto_created and not field.concrete:
                    continue
                name = str(getattr(field, "verbose_name", "") or "")
                if re.search(r"[A-Za-z]{2,}", name) and name not in ALLOWED:
                    english.append(f"{model.__name__}.{field.name}: {name}")
    assert english == []


def test_the_admin_shows_a_walkthrough_document_in_chinese(client, world, settings, tmp_path):
    from tests.factories.walkthroughs import pdf, started, walk_world

    settings.MEDIA_ROOT = str(tmp_path / "media")
    from audits.walkthroughs.services import walkthrough_document_upload

    walk = walk_world(world)
    walkthrough = started(walk)
    document = walkthrough_document_upload(
        walkthrough=walkthrough,
        step=walkthrough.steps.first(),
        by=walk.users["owner_a"],
        file=pdf(),
    )
    client.force_login(world.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    html = client.get(
        reverse("admin:walkthroughs_walkthroughdocument_change", args=[document.pk])
    ).content.decode()
    assert "上传人" in html and "内容类型" in html
    assert "Uploaded by" not in html and "Content type" not in html
