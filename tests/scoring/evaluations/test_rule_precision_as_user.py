"""The issue's check, as a supervisor does it: score calls on the scoring page, override a
rule's automatic result on a few of them with "The rule is wrong here", follow the item's link
to the rule's page and see its precision fall, the rule flagged and the calls filed as examples
(one click each to the call); the administrator's rule library page flags it too."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from scoring.evaluations.models import Evaluation
from tests.factories import RuleLibraryFactory, make_call, make_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    return make_scorecard()  # greet → GREET, hold → HOLD, tone (scale), leak (critical)


def _score_on_the_page(client, world, *, greet: str, reason: str = "", kind: str = "") -> str:
    """A supervisor opens a new call (its check failed GREET), scores it on the scoring page
    and submits; returns the scoring page's HTML as it was before submitting."""
    call = make_call(world.agents["a1"][0], score=60, outcomes={"GREET": "fail", "HOLD": "pass"})
    started = client.post(reverse("evaluations:evaluate_call", args=[call.pk]))
    assert started.status_code == 302
    page = client.get(started.url).content.decode()
    evaluation = Evaluation.objects.get(call=call)
    form = {
        "version": str(evaluation.version),
        "comment": "",
        "action": "submit",
        "answer-greet": greet,
        "answer-hold": "1",
        "answer-tone": "4",
        "answer-leak": "1",
    }
    if reason:
        form.update({"reason-greet": reason, "reason_kind-greet": kind})
    submitted = client.post(started.url, form)
    assert submitted.status_code == 302, submitted.content.decode()[:2000]
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED
    return page


def _rule_link(page: str) -> str:
    found = re.search(r'href="([^"]+)" data-testid="rule-link-greet"', page)
    assert found, "the scoring page links the item to its rule's page"
    return found.group(1)


def test_a_supervisor_overrides_a_rule_and_sees_its_precision_fall_on_the_rule_page(
    client, world, card
):
    library = RuleLibraryFactory()
    client.force_login(world.users["supervisor"])
    page = ""
    for _ in range(5):  # the rule was right: the supervisor keeps its failure
        page = _score_on_the_page(client, world, greet="0")
    rule_url = _rule_link(page)
    assert rule_url == reverse("rules:rule_detail", args=[library.pk, "GREET"])
    before = client.get(rule_url).content.decode()
    assert 'data-testid="rule-precision">100%' in before
    assert 'data-testid="rule-flagged"' not in before
    assert 'data-testid="rule-examples"' not in before

    wrong = []
    for _ in range(3):  # the rule was wrong on these: overridden, with that reason
        _score_on_the_page(
            client, world, greet="1", reason="客户已问候，识别有误", kind="rule_wrong"
        )
        wrong.append(Evaluation.objects.latest("pk").call)
    after = client.get(rule_url).content.decode()
    assert 'data-testid="rule-precision">62.5%' in after  # 5 of its 8 failures confirmed
    assert 'data-testid="rule-verdicts">8<' in after
    assert 'data-testid="rule-flagged"' in after  # below 80 % with 8 failures
    assert 'data-testid="override-reasons"' in after
    examples = after.split('data-testid="rule-examples"', 1)[1].split("</table>", 1)[0]
    for call in wrong:  # each filed as an example, one click away
        assert reverse("calls:call_detail", args=[call.pk]) in examples
        assert "客户已问候，识别有误" in examples
    assert client.get(reverse("calls:call_detail", args=[wrong[0].pk])).status_code == 200
    # The supervisor reads the rule's page but does not manage the library.
    assert f'href="{reverse("rules:library_detail", args=[library.pk])}"' not in after

    client.force_login(world.users["admin"])
    library_page = client.get(reverse("rules:library_detail", args=[library.pk])).content.decode()
    assert 'data-testid="flagged-count"' in library_page
    assert 'data-testid="flagged"' in library_page


def test_a_team_lead_may_not_read_a_rule_page(client, world):
    library = RuleLibraryFactory()
    client.force_login(world.users["teamlead"])
    assert client.get(reverse("rules:rule_detail", args=[library.pk, "GREET"])).status_code == 403
