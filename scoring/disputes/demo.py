"""Demo disputes by the demo agent over the eight weeks (after the evaluations demo): most on
supervisor2's evaluations, so the demo reviewer `supervisor` may decide them, decided with each
kind of decision, a few still open — one on supervisor's own evaluation, which another reviewer
must decide. Idempotent: the demo agent's disputes are kept."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from scoring.calls.models import Call
from scoring.disputes.models import Dispute
from scoring.evaluations.demo import demo_score, review_context, write
from scoring.evaluations.models import Evaluation, ScorecardItem


def _disputes(*, stdout, rng, scorecard, users) -> None:
    from scoring.disputes.services import dispute_decide, dispute_open

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
        evaluation = demo_score(call, scorecard, evaluator, rng, harsh=True)
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
    write(stdout, f"disputes: {Dispute.objects.count()}")


@transaction.atomic
def seed(*, stdout=None, rng: random.Random | None = None) -> None:
    context = review_context(stdout, "disputes")
    if context is not None:
        _disputes(stdout=stdout, rng=rng or random.Random(4), **context)
