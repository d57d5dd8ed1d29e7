"""Reads for calibration: sessions in scope, a closed session's comparison, and who scores
consistently harsher or more leniently than the reference."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from org.models import User
from qa_center.permissions import visible_calibration_sessions
from scoring.calibration.agreement import (
    INTERVAL,
    NOMINAL,
    fleiss_kappa,
    krippendorff_alpha,
    median,
    spread,
    subject_agreement,
)
from scoring.calibration.models import CalibrationEntry, CalibrationSession
from scoring.calibration.services import SCORED
from scoring.evaluations.models import NA, Answer, Evaluation, ScorecardItem

HARSH = "harsh"
LENIENT = "lenient"


def sessions_for(user: User) -> QuerySet[CalibrationSession]:
    """Sessions in the user's scope, and every session they take part in (the permission
    module's rule, which also tells who a session's notification may reach)."""
    return (
        visible_calibration_sessions(user, CalibrationSession.objects.all())
        .select_related("call__agent", "call__team", "scorecard", "created_by")
        .annotate(
            participant_count=Count("participants", distinct=True),
            submitted_count=Count(
                "evaluations", filter=Q(evaluations__status__in=SCORED), distinct=True
            ),
        )
        .order_by("status", "-created_at")
    )


def participant_status(session: CalibrationSession) -> list[dict]:
    """Who has submitted — never what they answered (the session is blind while open)."""
    submitted = dict(session.evaluations.values_list("evaluator_id", "status"))
    rows = []
    for user in session.participants.order_by("username"):
        status = submitted.get(user.pk)
        rows.append(
            {
                "user": user,
                "started": status is not None,
                "submitted": status in SCORED,
            }
        )
    return rows


def _label(item: ScorecardItem, answer: Answer | None):
    if answer is None:
        return None
    state = answer.state
    if state is None or state == NA:
        return state
    if item.kind == ScorecardItem.Kind.YES_NO:
        return "yes" if state else "no"
    return state


@dataclass
class SessionResults:
    """The comparison shown once a session is closed."""

    evaluations: list[Evaluation]
    rows: list[dict]
    fleiss_kappa: float | None
    alpha_nominal: float | None
    alpha_interval: float | None
    spread: dict
    reference: Decimal | None
    distances: list[dict] = field(default_factory=list)


def session_results(session: CalibrationSession) -> SessionResults:
    evaluations = list(
        session.evaluations.filter(status__in=SCORED)
        .select_related("evaluator")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("item")))
        .order_by("evaluator__username")
    )
    items = list(session.scorecard.items.select_related("section"))
    by_eval = [{a.item_id: a for a in e.answers.all()} for e in evaluations]
    rows = []
    fleiss_ratings = []
    nominal_units = []
    interval_units = []
    for item in items:
        labels = [_label(item, answers.get(item.pk)) for answers in by_eval]
        present = [v for v in labels if v is not None]
        agreement = subject_agreement(present)
        modal = max(set(present), key=present.count) if present else None
        rows.append(
            {
                "item": item,
                "cells": [{"value": v, "differs": v != modal} for v in labels],
                "agreement": agreement,
            }
        )
        if len(present) == len(labels) and len(labels) >= 2:
            fleiss_ratings.append([str(v) for v in labels])
        if item.kind == ScorecardItem.Kind.YES_NO:
            nominal_units.append(labels)
        else:
            interval_units.append([v if isinstance(v, int) else None for v in labels])
    try:
        kappa = fleiss_kappa(fleiss_ratings) if fleiss_ratings else None
    except ValueError:
        kappa = None
    scores = [float(e.score) for e in evaluations if e.score is not None]
    reference = session.reference_score
    if reference is None and scores:
        reference = Decimal(str(median(scores))).quantize(Decimal("0.01"))
    distances = [
        {
            "evaluator": e.evaluator,
            "score": e.score,
            "distance": None if e.score is None or reference is None else e.score - reference,
        }
        for e in evaluations
    ]
    return SessionResults(
        evaluations=evaluations,
        rows=rows,
        fleiss_kappa=kappa,
        alpha_nominal=krippendorff_alpha(nominal_units, NOMINAL) if nominal_units else None,
        alpha_interval=krippendorff_alpha(interval_units, INTERVAL) if interval_units else None,
        spread=spread(scores),
        reference=reference,
        distances=distances,
    )


@dataclass
class Bias:
    """A supervisor's deviations from the reference over recent closed sessions."""

    user: User
    deviations: list[float] = field(default_factory=list)
    threshold: float = 5.0
    min_sessions: int = 3

    @property
    def sessions(self) -> int:
        return len(self.deviations)

    @property
    def mean(self) -> float | None:
        return sum(self.deviations) / len(self.deviations) if self.deviations else None

    @property
    def harsh_count(self) -> int:
        return sum(1 for d in self.deviations if d <= -self.threshold)

    @property
    def lenient_count(self) -> int:
        return sum(1 for d in self.deviations if d >= self.threshold)

    @property
    def flag(self) -> str | None:
        mean = self.mean
        if mean is None:
            return None
        if mean <= -self.threshold and self.harsh_count >= self.min_sessions:
            return HARSH
        if mean >= self.threshold and self.lenient_count >= self.min_sessions:
            return LENIENT
        return None


def calibration_bias(
    user: User, *, last: int = 10, threshold: float = 5.0, min_sessions: int = 3
) -> list[Bias]:
    """Over the last `last` closed sessions the user can see: each participant's signed
    distance from the session's reference score. Flagged harsh (lenient) when the mean is at
    least `threshold` points below (above) and at least `min_sessions` sessions are that far
    off on the same side."""
    sessions = list(
        sessions_for(user)
        .filter(status=CalibrationSession.Status.CLOSED, reference_score__isnull=False)
        .order_by("-closed_at", "-pk")[:last]
    )
    references = {s.pk: float(s.reference_score) for s in sessions}
    per_user: dict[int, Bias] = {}
    users: dict[int, User] = {}
    entries = (
        CalibrationEntry.objects.filter(
            session_id__in=references,
            evaluation__status__in=SCORED,
            evaluation__score__isnull=False,
        )
        .select_related("evaluation__evaluator")
        .order_by("session_id")
    )
    deviations: dict[int, list[float]] = defaultdict(list)
    for entry in entries:
        evaluation = entry.evaluation
        users[evaluation.evaluator_id] = evaluation.evaluator
        deviations[evaluation.evaluator_id].append(
            float(evaluation.score) - references[entry.session_id]
        )
    for user_id, values in deviations.items():
        per_user[user_id] = Bias(
            user=users[user_id], deviations=values, threshold=threshold, min_sessions=min_sessions
        )
    return sorted(per_user.values(), key=lambda b: (b.flag is None, -abs(b.mean or 0)))
