"""Each rule's precision, measured: every evaluation item linked to a rule is a verdict on it
(kept or overridden, with a kind of reason); per rule over a period: agreement, precision of its
failures, recall, verdicts, override reasons; rules below the threshold flagged on the rule
library page, the rule page and the center's weekly bulletin; "the rule is wrong here" files
the call as an example on the rule."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from scoring.evaluations.models import Answer, OverrideKind
from scoring.evaluations.services.evaluations import evaluation_start, evaluation_submit
from scoring.evaluations.verdicts import flagged_rules, rule_quality
from tests.factories import RuleLibraryFactory, make_call, make_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    return make_scorecard()  # greet → GREET, hold → HOLD, tone, leak (critical)


@pytest.fixture
def library():
    return RuleLibraryFactory()


def _score(world, card, *, greet: int, hold: int, kind: str = "", auto: dict | None = None):
    """A supervisor's submitted evaluation of a new call whose check says GREET fail, HOLD pass
    (or `auto`); `greet`/`hold` are the supervisor's answers."""
    outcomes = auto or {"GREET": "fail", "HOLD": "pass", "THANKS": "pass"}
    call = make_call(world.agents["a1"][0], score=60, outcomes=outcomes)
    supervisor = world.users["supervisor"]
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=supervisor)
    answers = {
        "greet": {"value": greet, "reason": "人工复核", "reason_kind": kind},
        "hold": {"value": hold, "reason": "人工复核", "reason_kind": kind},
        "tone": {"value": 4},
        "leak": {"value": 1},
    }
    return evaluation_submit(
        evaluation=evaluation,
        actor=supervisor,
        answers=answers,
        expected_version=evaluation.version,
    )


def test_verdicts_measure_agreement_precision_and_recall(world, card, library):
    for _ in range(3):
        _score(world, card, greet=0, hold=1)  # GREET fail kept, HOLD pass kept
    for _ in range(2):
        _score(world, card, greet=1, hold=0, kind=OverrideKind.RULE_WRONG)  # both overridden
    quality = rule_quality()
    greet, hold = quality["GREET"], quality["HOLD"]
    assert (greet.verdicts, greet.kept, greet.failures, greet.true_failures) == (5, 3, 5, 3)
    assert greet.precision == 60.0 and greet.agreement == 60.0 and greet.recall == 100.0
    assert greet.reasons[OverrideKind.RULE_WRONG] == 2
    # HOLD never failed; the supervisor failed it twice: both missed.
    assert (hold.failures, hold.missed, hold.precision, hold.recall) == (0, 2, None, 0.0)
    assert greet.flagged and hold.flagged  # below 80 % with 5 verdicts
    assert [q.code for q in flagged_rules()] == ["GREET", "HOLD"]


def test_the_period_limits_the_verdicts(world, card, library):
    evaluation = _score(world, card, greet=1, hold=1, kind=OverrideKind.CONTEXT)
    day = timezone.localdate(evaluation.submitted_at)
    assert rule_quality(date_from=day, date_to=day)["GREET"].verdicts == 1
    later = day.replace(year=day.year + 1)
    assert rule_quality(date_from=later, date_to=later) == {}


def test_an_override_without_a_kind_counts_as_other_and_a_bad_kind_is_refused(world, card, library):
    _score(world, card, greet=1, hold=1)
    answer = Answer.objects.get(item__code="greet")
    assert answer.override_kind == OverrideKind.OTHER
    assert Answer.objects.get(item__code="hold").override_kind == ""  # kept: no override
    with pytest.raises(ValidationError):
        _score(world, card, greet=1, hold=1, kind="because")


def test_rule_quality_is_two_queries_whatever_the_number_of_verdicts(
    world, card, library, django_assert_num_queries
):
    for _ in range(4):
        _score(world, card, greet=1, hold=1, kind=OverrideKind.TRANSCRIPT)
    with django_assert_num_queries(2):
        rule_quality()


def test_a_supervisor_overrides_a_rule_and_sees_its_precision_fall(client, world, card, library):
    for _ in range(5):
        _score(world, card, greet=0, hold=1)
    client.force_login(world.users["admin"])
    url = reverse("rules:rule_detail", args=[library.pk, "GREET"])
    page = client.get(url).content.decode()
    assert 'data-testid="rule-precision">100%' in page and "rule-flagged" not in page
    for _ in range(3):
        _score(world, card, greet=1, hold=1, kind=OverrideKind.RULE_WRONG)
    page = client.get(url).content.decode()
    assert 'data-testid="rule-precision">62.5%' in page  # 5 of 8 failures confirmed
    assert 'data-testid="rule-flagged"' in page
    assert 'data-testid="rule-examples"' in page  # the 3 calls filed as examples
    assert page.count(reverse("calls:call_detail", args=[0])[:-2]) >= 3
    library_page = client.get(reverse("rules:library_detail", args=[library.pk])).content
    assert b'data-testid="flagged-count"' in library_page
    assert b'data-testid="flagged"' in library_page


def test_rule_pages_need_manage_rules_or_scoring_and_an_existing_rule(client, world, library):
    client.force_login(world.users["teamlead"])
    assert client.get(reverse("rules:rule_detail", args=[library.pk, "GREET"])).status_code == 403
    client.force_login(world.users["supervisor"])  # reads it: the verdicts are theirs
    assert client.get(reverse("rules:rule_detail", args=[library.pk, "GREET"])).status_code == 200
    client.force_login(world.users["admin"])
    assert client.get(reverse("rules:rule_detail", args=[library.pk, "NOPE"])).status_code == 404
    bad = client.get(reverse("rules:rule_detail", args=[library.pk, "GREET"]), {"date_from": "x"})
    assert bad.status_code == 200  # a bad date is ignored with a message


def test_the_api_gives_each_rules_quality(api, world, card, library):
    _score(world, card, greet=1, hold=1, kind=OverrideKind.RULE_WRONG)
    api.force_authenticate(world.users["admin"])
    answer = api.get(f"/api/v1/rule-libraries/{library.pk}/quality/")
    assert answer.status_code == 200
    greet = {row["code"]: row for row in answer.json()}["GREET"]
    assert greet["precision"] == 0.0 and greet["reasons"] == {"rule_wrong": 1}
    assert (
        api.get(f"/api/v1/rule-libraries/{library.pk}/quality/?date_to=9999-12-31").status_code
        == 400
    )
    api.force_authenticate(world.users["supervisor"])
    assert api.get(f"/api/v1/rule-libraries/{library.pk}/quality/").status_code == 403


def test_the_center_weekly_bulletin_flags_low_precision_rules(world, card, library):
    library.status = "active"
    library.save()
    for _ in range(5):
        _score(world, card, greet=1, hold=1, kind=OverrideKind.RULE_WRONG)
    template = Template("{% load rule_quality %}{% flagged_rules_box bulletin %}")
    today = timezone.localdate()
    center = SimpleNamespace(level="center", period_end=today)
    html = template.render(Context({"bulletin": center}))
    assert 'data-testid="bulletin-flagged-rules"' in html and "开头问候语" in html
    team = SimpleNamespace(level="team", period_end=today)
    assert "bulletin-flagged-rules" not in template.render(Context({"bulletin": team}))
