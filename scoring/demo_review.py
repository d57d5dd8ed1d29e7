"""Demo data for sampling, disputes and calibration. Runs after the calls and evaluations demo;
idempotent: what exists (plans by name, sessions by title, the demo agent's disputes) is kept.

- a sampling plan per department (2 calls per agent per week), drawn for last week and this
  week; some of the demo supervisors' assignments scored, some open, some overdue;
- disputes by the demo agent spread over the 8 weeks: most on supervisor2's evaluations (so
  the demo reviewer `supervisor` may decide them), decided with each kind of decision, a few
  still open — one on supervisor's own evaluation, which another reviewer must decide;
- calibration sessions: several closed (supervisor2 consistently harsher than the reference,
  so the harsh/lenient panel has something to say) and one open including `supervisor`.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from org.models import Department, Role, User

from .models import (
    Assignment,
    CalibrationSession,
    Call,
    Dispute,
    Evaluation,
    SamplingPlan,
    Scorecard,
    ScorecardItem,
)

REASON = "复核录音后确认"


def _write(stdout, text: str) -> None:
    if stdout:
        stdout.write(text)


def _fill(evaluation: Evaluation, rng: random.Random, *, harsh: bool = False) -> dict:
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
        answers[item.code] = {"value": value, "na": na, "reason": REASON}
    return answers


def _score(call: Call, scorecard: Scorecard, user: User, rng: random.Random, **kwargs):
    from .services.evaluations import evaluation_start, evaluation_submit

    harsh = kwargs.pop("harsh", False)
    evaluation = evaluation_start(call=call, scorecard=scorecard, evaluator=user, **kwargs)
    if evaluation.status == Evaluation.Status.DRAFT:
        evaluation = evaluation_submit(
            evaluation=evaluation,
            actor=user,
            answers=_fill(evaluation, rng, harsh=harsh),
            expected_version=evaluation.version,
        )
    return evaluation


def _sampling(*, stdout, rng, scorecard, users) -> None:
    from .services.sampling import sampling_run, week_start_of

    this_week = week_start_of(timezone.localdate())
    last_week = this_week - datetime.timedelta(days=7)
    for department in Department.objects.order_by("code"):
        supervisors = list(
            User.objects.filter(
                role=Role.SUPERVISOR, department=department, is_active=True
            ).order_by("username")
        ) or [users["admin"]]
        plan, created = SamplingPlan.objects.get_or_create(
            name=f"{department.name}每周专项抽检",
            defaults={
                "scorecard": scorecard,
                "department": department,
                "calls_per_agent": 2,
                "assignment": SamplingPlan.Assign.ROUND_ROBIN,
                "due_days": 3,
            },
        )
        if created:
            plan.supervisors.set(supervisors)
        for week in (last_week, this_week):
            sampling_run(plan=plan, week_start=week)
    # The demo supervisors' last-week work: about half scored, a few overdue.
    for username in ("supervisor", "supervisor2"):
        user = users.get(username)
        if user is None:
            continue
        last = list(
            Assignment.objects.filter(supervisor=user, period_start=last_week)
            .select_related("call", "plan__scorecard")
            .order_by("pk")
        )
        for index, assignment in enumerate(last):
            if index % 2 == 0 and assignment.status == Assignment.Status.OPEN:
                _score(assignment.call, assignment.plan.scorecard, user, rng, assignment=assignment)
            elif index % 6 == 1 and assignment.status == Assignment.Status.OPEN:
                # Due last Sunday evening: overdue whatever day the demo runs.
                overdue = datetime.datetime.combine(
                    last_week + datetime.timedelta(days=6),
                    datetime.time(18),
                    tzinfo=timezone.get_current_timezone(),
                )
                Assignment.objects.filter(pk=assignment.pk).update(due_at=overdue)
    from .services.sampling import assignments_sync_done

    assignments_sync_done()
    _write(stdout, f"sampling: {Assignment.objects.count()} assignments")


def _disputes(*, stdout, rng, scorecard, users) -> None:
    from .services.disputes import dispute_decide, dispute_open

    agent_user = users.get("agent")
    supervisor, supervisor2 = users.get("supervisor"), users.get("supervisor2")
    if not agent_user or not supervisor or not supervisor2:
        return
    if Dispute.objects.filter(raised_by=agent_user).count() >= 8:
        return
    now = timezone.now()
    calls = list(
        Call.objects.filter(
            agent=agent_user.agent,
            started_at__gte=now - datetime.timedelta(weeks=8),
            started_at__lt=now - datetime.timedelta(days=2),
        )
        .exclude(evaluations__disputes__isnull=False)
        .order_by("started_at")
    )
    if not calls:
        return
    count = min(12, len(calls))
    picks = [calls[round(i * (len(calls) - 1) / max(count - 1, 1))] for i in range(count)]
    picks = list(dict.fromkeys(picks))
    kinds = ["upheld", "adjusted", "overturned"]
    for index, call in enumerate(picks):
        recent = index >= len(picks) - 3
        evaluator = supervisor if index == len(picks) - 1 else supervisor2
        evaluation = _score(call, scorecard, evaluator, rng, harsh=True)
        if evaluation.status not in (Evaluation.Status.SUBMITTED, Evaluation.Status.ACKNOWLEDGED):
            continue
        submitted = call.started_at + datetime.timedelta(hours=20)
        Evaluation.objects.filter(pk=evaluation.pk).update(submitted_at=submitted)
        evaluation.refresh_from_db()
        answers = list(evaluation.answers.select_related("item").order_by("item__order"))
        low = [
            a
            for a in answers
            if not a.is_na
            and a.value is not None
            and (
                (a.item.kind == ScorecardItem.Kind.YES_NO and a.value == 0)
                or (a.item.kind == ScorecardItem.Kind.SCALE and a.value < a.item.scale_max)
            )
        ] or answers[:1]
        chosen = low[:2] if index % 3 == 0 else low[:1]
        opened = submitted + datetime.timedelta(days=1, hours=3)
        dispute = dispute_open(
            evaluation=evaluation,
            user=agent_user,
            reason="我认为本次评分没有考虑到客户的实际情况，请评审小组复核录音。",
            items=[
                {"answer": a.pk, "reason": f"「{a.item.title}」我在通话中已经做到，请听录音。"}
                for a in chosen
            ],
            now=opened,
        )
        Dispute.objects.filter(pk=dispute.pk).update(opened_at=opened)
        if recent:
            continue
        decisions = {}
        for offset, item in enumerate(dispute.items.select_related("answer__item")):
            kind = kinds[(index + offset) % 3]
            answer, scorecard_item = item.answer, item.answer.item
            decision = {"decision": kind, "note": "评审小组复核录音后决定。"}
            if kind == "adjusted":
                if scorecard_item.kind == ScorecardItem.Kind.SCALE:
                    decision["value"] = min(scorecard_item.scale_max, (answer.value or 0) + 1)
                elif scorecard_item.allow_na:
                    decision["value"] = "na"
                else:
                    decision = {"decision": "overturned", "note": decision["note"]}
            decisions[item.pk] = decision
        reviewer = supervisor if evaluation.evaluator_id != supervisor.pk else users["admin"]
        dispute_decide(dispute=dispute, reviewer=reviewer, decisions=decisions)
        Dispute.objects.filter(pk=dispute.pk).update(decided_at=opened + datetime.timedelta(days=2))
    _write(stdout, f"disputes: {Dispute.objects.count()}")


def _calibration(*, stdout, rng, scorecard, users) -> None:
    from .services.calibration import calibration_close, calibration_create

    supervisor, supervisor2, admin = (users.get(k) for k in ("supervisor", "supervisor2", "admin"))
    if not supervisor or not supervisor2 or not admin:
        return
    department = supervisor.department
    calls = list(
        Call.objects.filter(team__department=department, evaluations__isnull=True)
        .order_by("-started_at")
        .distinct()[:200:20]
    )
    plans = [(f"第{n}期热线服务校准", True) for n in range(1, 6)] + [("本周热线服务校准", False)]
    for index, (title, closed) in enumerate(plans):
        if index >= len(calls) or CalibrationSession.objects.filter(title=title).exists():
            continue
        session = calibration_create(
            created_by=supervisor,
            title=title,
            call=calls[index],
            scorecard=scorecard,
            participants=[supervisor, supervisor2, admin],
        )
        if not closed:
            # Two have scored; the demo supervisor has not yet.
            for user in (supervisor2, admin):
                _score(session.call, scorecard, user, rng, calibration=session)
            continue
        for user in (supervisor, admin, supervisor2):
            # supervisor2 is consistently harsher: the panel should flag it.
            _score(
                session.call,
                scorecard,
                user,
                rng,
                calibration=session,
                harsh=user == supervisor2,
            )
        calibration_close(session=session, actor=supervisor)
        when = timezone.now() - datetime.timedelta(weeks=len(plans) - index)
        CalibrationSession.objects.filter(pk=session.pk).update(created_at=when, closed_at=when)
    _write(stdout, f"calibration sessions: {CalibrationSession.objects.count()}")


@transaction.atomic
def seed(*, stdout=None, rng: random.Random | None = None) -> None:
    rng = rng or random.Random(4)
    scorecard = Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED).order_by("pk").first()
    if scorecard is None or not Call.objects.exists():
        _write(stdout, "review demo: no published scorecard or no calls yet; skipped")
        return
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["admin", "supervisor", "supervisor2", "agent"])
    }
    if "admin" not in users:
        return
    _sampling(stdout=stdout, rng=rng, scorecard=scorecard, users=users)
    _disputes(stdout=stdout, rng=rng, scorecard=scorecard, users=users)
    _calibration(stdout=stdout, rng=rng, scorecard=scorecard, users=users)
