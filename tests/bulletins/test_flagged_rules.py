"""The issue's check: the center's weekly bulletin lists the rules below the precision
threshold. Supervisors override a rule on the scoring page ("the rule is wrong here"), the
weekly job writes the bulletins, and the manager reads the rule in the center's bulletin (page
and PDF), not in a team's."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from bulletins import services
from bulletins.models import Bulletin
from qa_center.periods import week_start_of
from scoring.rules.models import RuleLibrary
from tests.factories import RuleLibraryFactory, make_scorecard
from tests.scoring.evaluations.test_rule_precision_as_user import _score_on_the_page

pytestmark = pytest.mark.django_db


def test_the_center_weekly_bulletin_lists_the_rules_below_the_threshold(client, world, tmp_path):
    RuleLibraryFactory(status=RuleLibrary.Status.ACTIVE)
    make_scorecard()
    client.force_login(world.users["supervisor"])
    for _ in range(2):
        _score_on_the_page(client, world, greet="0")  # kept
    for _ in range(4):
        _score_on_the_page(client, world, greet="1", reason="已问候，规则误判", kind="rule_wrong")
    week = week_start_of(timezone.localdate())
    services.bulletins_generate_week(week_start=week, notify_readers=False)
    center = Bulletin.objects.get(kind="weekly", scope_key="center", period_start=week)
    team = Bulletin.objects.filter(kind="weekly", period_start=week, level="team").first()

    client.force_login(world.users["manager"])
    page = client.get(reverse("bulletins:detail", args=[center.pk])).content.decode()
    box = page.split('data-testid="bulletin-flagged-rules"', 1)[1].split("</section>", 1)[0]
    assert "开头问候语" in box  # GREET's title
    assert "33.3%" in box  # precision of its failures: 2 of 6
    if team is not None:
        other = client.get(reverse("bulletins:detail", args=[team.pk])).content.decode()
        assert "bulletin-flagged-rules" not in other

    if shutil.which("pdftotext"):
        pdf = client.get(reverse("bulletins:pdf", args=[center.pk]))
        assert pdf.status_code == 200
        path = tmp_path / "center.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        flagged = text.split("待复查规则", 1)[1]  # the box's heading, after the rule table
        assert "开头问候语" in flagged and "33.3%" in flagged
