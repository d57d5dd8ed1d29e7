"""Demo evaluations: the hotline scorecard published, and the demo supervisors' evaluations of
about 5% of their department's calls over the eight weeks — mostly submitted, some
acknowledged by the demo agent, some automatic results overridden with a reason, a few drafts
— each with its history, dated when it happened. Idempotent: skipped when they exist."""

from __future__ import annotations

import datetime
import json
import random
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from django.db import transaction
from django.utils import timezone

from org.models import Role, User
from scoring.calls.models import Call
from scoring.evaluations.models import Evaluation, OverrideKind, Scorecard, ScorecardItem
from scoring.evaluations.services.evaluations import (
    evaluation_acknowledge,
    evaluation_start,
    evaluation_submit,
)
from scoring.evaluations.services.scorecards import scorecard_create, scorecard_publish

HOTLINE_SCORECARD = Path(__file__).resolve().parent / "fixtures" / "hotline.json"
SHARE = 0.05
DRAFTS = 8
DEMO_PREFIX = "DEMO-"

# Why a supervisor overrides the engine, with the kind of reason (each rule's precision and the
# override reasons on the rule pages are measured from these).
OVERRIDE_REASONS = [
    ("录音中已使用该用语，转写有误", OverrideKind.TRANSCRIPT),
    ("客户未提出需要查询的诉求，此项不适用", OverrideKind.RULE_WRONG),
    ("用语出现但语气生硬，不计分", OverrideKind.CONTEXT),
    ("客户中途挂断，结束语无法完成", OverrideKind.CONTEXT),
    ("方言口音导致识别错误，人工复核确认", OverrideKind.TRANSCRIPT),
]
NOTES = ["语速偏快，注意停顿", "解释清楚，客户满意", "可以更主动地确认客户需求", "语气平淡"]
COMMENTS = [
    "整体服务规范，继续保持。",
    "问候与致谢到位，查询前请注意提示客户稍候。",
    "业务解答准确，语气可以更亲切一些。",
    "注意核实身份后再告知账户信息。",
    "",
]


@contextmanager
def _at(moment: datetime.datetime):
    """Makes `timezone.now()` (and so auto_now fields) return `moment`: the demo's history is
    dated when it would have happened, not when the demo was seeded."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def hotline_scorecard(actor=None) -> Scorecard:
    definition = json.loads(HOTLINE_SCORECARD.read_text(encoding="utf-8"))
    existing = Scorecard.objects.filter(name=definition["name"]).order_by("-version").first()
    if existing is not None:
        if existing.status == Scorecard.Status.DRAFT:
            return scorecard_publish(scorecard=existing, actor=actor)
        published = Scorecard.objects.filter(
            name=definition["name"], status=Scorecard.Status.PUBLISHED
        ).first()
        return published or existing
    card = scorecard_create(definition=definition, actor=actor)
    return scorecard_publish(scorecard=card, actor=actor)


def _answers(evaluation: Evaluation, rng: random.Random, quality: float) -> dict:
    answers = {}
    for answer in evaluation.answers.select_related("item"):
        item = answer.item
        automatic = answer.auto_value is not None or answer.auto_na
        if automatic:
            if rng.random() < 0.06 and not answer.auto_na:
                # A supervisor disagrees with the engine now and then, and says why.
                if item.kind == "scale":
                    value = (
                        item.scale_max if answer.auto_value != item.scale_max else item.scale_min
                    )
                else:
                    value = 0 if answer.auto_value else 1
                if item.critical and value == 0:
                    value = 1
                reason, kind = rng.choice(OVERRIDE_REASONS)
                answers[item.code] = {"value": value, "reason": reason, "reason_kind": kind}
            continue
        if item.kind == "scale":
            centre = item.scale_min + (item.scale_max - item.scale_min) * quality
            value = round(min(item.scale_max, max(item.scale_min + 1, rng.gauss(centre, 0.8))))
            answers[item.code] = {"value": value}
        elif item.critical:
            answers[item.code] = {"value": 0 if rng.random() < 0.01 else 1}
        elif item.allow_na and rng.random() < 0.08:
            answers[item.code] = {"na": True}
        else:
            answers[item.code] = {"value": 1 if rng.random() < quality + 0.1 else 0}
        if rng.random() < 0.05:
            answers[item.code]["note"] = rng.choice(NOTES)
    return answers


# Helpers for the demos of the apps that build on evaluations (sampling, disputes, calibration).
REVIEW_REASON = "复核录音后确认"


def demo_answers(evaluation: Evaluation, rng: random.Random, *, harsh: bool = False) -> dict:
    """Answers for every item: the automatic suggestion where there is one, else mostly yes
    (scale: mostly high). A harsh evaluator marks one more yes/no item down."""
    answers = {}
    marked_down = False
    for answer in evaluation.answers.select_related("item").order_by("item__order", "pk"):
        item = answer.item
        if answer.is_na or answer.value is not None:
            value = None if answer.is_na else answer.value
            na = answer.is_na
        elif item.kind == ScorecardItem.Kind.YES_NO:
            value, na = (1 if rng.random() < 0.85 else 0), False
        else:
            value = rng.choice(
                [item.scale_max, item.scale_max, item.scale_max - 1, item.scale_min + 1]
            )
            na = False
        if (
            harsh
            and not marked_down
            and item.kind == ScorecardItem.Kind.YES_NO
            and not item.critical
            and value == 1
        ):
            value, marked_down = 0, True
        answers[item.code] = {"value": value, "na": na, "reason": REVIEW_REASON}
    return answers


def demo_submit(evaluation: Evaluation, user: User, rng: random.Random, *, harsh: bool = False):
    """Submit a started evaluation with demo answers (a no-op for one already submitted)."""
    from scoring.evaluations.services.evaluations import evaluation_submit

    if evaluation.status != Evaluation.Status.DRAFT:
        return evaluation
    return evaluation_submit(
        evaluation=evaluation,
        actor=user,
        answers=demo_answers(evaluation, rng, harsh=harsh),
        expected_version=evaluation.version,
    )


def demo_score(call: Call, scorecard: Scorecard, user: User, rng: random.Random, *, harsh=False):
    """Score `call` as `user` with demo answers (kept if they scored it already)."""
    from scoring.evaluations.services.evaluations import evaluation_start

    evaluation = evaluation_start(call=call, scorecard=scorecard, evaluator=user)
    return demo_submit(evaluation, user, rng, harsh=harsh)


def write(stdout, text: str) -> None:
    if stdout:
        stdout.write(text)


def review_context(stdout, app: str) -> dict | None:
    """What the sampling, disputes and calibration demos build on: the published scorecard and
    the demo users; None (said on stdout) when the calls or evaluations demo has not run."""
    from org.models import User
    from scoring.calls.models import Call

    scorecard = Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED).order_by("pk").first()
    if scorecard is None or not Call.objects.exists():
        write(stdout, f"{app} demo: no published scorecard or no calls yet; skipped")
        return None
    names = ["admin", "supervisor", "supervisor2", "agent"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if "admin" not in users:
        return None
    return {"scorecard": scorecard, "users": users}


def seed(*, stdout=None, rng: random.Random | None = None) -> None:
    rng = rng or random.Random(20261103)
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    scorecard = hotline_scorecard(admin)
    supervisors = list(
        User.objects.filter(username__in=["supervisor", "supervisor2"]).order_by("username")
    )
    if not supervisors:
        return
    if Evaluation.objects.filter(
        evaluator__in=supervisors, call__call_id__startswith=DEMO_PREFIX
    ).exists():
        if stdout:
            stdout.write("  demo evaluations exist, skipped")
        return
    departments = {s.department_id for s in supervisors if s.department_id}
    calls = Call.objects.filter(call_id__startswith=DEMO_PREFIX).select_related(
        "auto_check", "agent"
    )
    if departments:
        calls = calls.filter(team__department_id__in=departments)
    # A call to confirm waits for a supervisor's decision in the queue (the sampling plans draw
    # it), not in an evaluation of the demo's past.
    calls = calls.exclude(auto_check__review="to_confirm")
    calls = list(calls.order_by("started_at"))
    if not calls:
        return
    total = Call.objects.filter(call_id__startswith=DEMO_PREFIX).count()
    wanted = min(len(calls), max(DRAFTS + 1, round(total * SHARE)))
    demo_agent = User.objects.filter(username="agent", role=Role.AGENT).first()
    chosen = rng.sample(calls, wanted)
    if demo_agent:
        # The demo agent's results page should have something to read, acknowledge, dispute.
        own = [c for c in calls if c.agent_id == demo_agent.agent_id and c not in chosen]
        chosen += rng.sample(own, min(len(own), 12))
    chosen.sort(key=lambda c: c.started_at)
    now = timezone.now()
    agent_quality: dict[int, float] = {}
    counts = {"submitted": 0, "acknowledged": 0, "drafts": 0}
    with transaction.atomic():
        for index, call in enumerate(chosen):
            supervisor = supervisors[index % len(supervisors)]
            quality = agent_quality.setdefault(
                call.agent_id, min(0.98, max(0.3, rng.gauss(0.78, 0.12)))
            )
            started = min(now, call.started_at + datetime.timedelta(hours=rng.uniform(2, 48)))
            is_draft = index >= len(chosen) - DRAFTS
            with _at(started):
                evaluation = evaluation_start(call=call, scorecard=scorecard, evaluator=supervisor)
            answers = _answers(evaluation, rng, quality)
            if is_draft:
                # A draft in progress: half the items still to do.
                from scoring.evaluations.services.evaluations import evaluation_save

                half = dict(list(answers.items())[: len(answers) // 2])
                with _at(started + datetime.timedelta(minutes=4)):
                    evaluation_save(
                        evaluation=evaluation,
                        actor=supervisor,
                        answers=half,
                        expected_version=evaluation.version,
                    )
                counts["drafts"] += 1
                continue
            submitted = min(now, started + datetime.timedelta(minutes=rng.uniform(4, 15)))
            with _at(submitted):
                evaluation = evaluation_submit(
                    evaluation=evaluation,
                    actor=supervisor,
                    answers=answers,
                    comment=rng.choice(COMMENTS),
                    expected_version=evaluation.version,
                )
            counts["submitted"] += 1
            if (
                demo_agent
                and call.agent_id == demo_agent.agent_id
                and rng.random() < 0.5
                and (now - submitted).days > 2
            ):
                with _at(submitted + datetime.timedelta(hours=rng.uniform(1, 40))):
                    evaluation_acknowledge(evaluation=evaluation, agent_user=demo_agent)
                counts["acknowledged"] += 1
    if stdout:
        stdout.write(
            f"  scorecard {scorecard}; evaluations: {counts['submitted']} submitted "
            f"({counts['acknowledged']} acknowledged), {counts['drafts']} drafts"
        )
