"""Reads for evaluations: scoped lists with filters, the scoring page's data in a fixed number
of queries, and the history made readable."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from qa_center import filters
from qa_center.periods import DAY, period_of
from qa_center.permissions import visible_evaluations, visible_evaluators
from scoring.calls.models import CallCheck
from scoring.calls.results import check_results
from scoring.calls.transcript import results_by_code, transcript_turns
from scoring.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationEvent,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)


def evaluations_visible(user) -> QuerySet[Evaluation]:
    """Evaluations the user may see. Calibration evaluations are blind: while their session is
    open only their own evaluator sees them."""
    return visible_evaluations(user, Evaluation.objects.all())


def evaluation_for_page(user, pk: int) -> QuerySet[Evaluation]:
    # Only what the scoring page shows: not the check's rule library, whose definition (every
    # rule of the library, as JSON) would be read and decoded on each page view for nothing.
    return (
        evaluations_visible(user)
        .filter(pk=pk)
        .select_related(
            "call",
            "call__agent",
            "call__team",
            "call__auto_check",
            "scorecard",
            "evaluator",
        )
    )


# --- The scoring page -----------------------------------------------------------------------


@dataclass
class ItemRow:
    item: ScorecardItem
    answer: Answer
    result: dict[str, Any] | None  # the linked engine rule's result, with evidence

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def is_automatic(self) -> bool:
        return self.answer.auto_value is not None or self.answer.auto_na

    @property
    def auto_attr(self) -> str:
        if self.answer.auto_na:
            return "na"
        return "" if self.answer.auto_value is None else str(self.answer.auto_value)

    @property
    def value_attr(self) -> str:
        if self.answer.is_na:
            return "na"
        return "" if self.answer.value is None else str(self.answer.value)

    @property
    def is_override(self) -> bool:
        return self.is_automatic and self.value_attr != self.auto_attr

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.item.scale_min, self.item.scale_max + 1))

    @property
    def has_evidence(self) -> bool:
        return bool(self.result and self.result.get("evidence"))

    @property
    def display_value(self) -> str:
        return format_answer(self.item, self.answer.state)


@dataclass
class SectionRows:
    section: ScorecardSection
    rows: list[ItemRow] = field(default_factory=list)


def format_answer(item: ScorecardItem | None, state: Any) -> str:
    """An answer as people read it: Yes / No / N/A / 3 of 1–5 / —."""
    if isinstance(state, dict):
        return next(iter(state.values()), "") or "—"
    if state == "na":
        return _("N/A")
    if state is None or state == "":
        return "—"
    if item is None:
        return str(state)
    if item is not None and item.kind == ScorecardItem.Kind.SCALE:
        return f"{state} / {item.scale_min}–{item.scale_max}"
    return _("Yes") if int(state) else _("No")


def evaluation_sections(evaluation: Evaluation) -> list[SectionRows]:
    """The scorecard by section with this evaluation's answers: two queries."""
    check = _check(evaluation)
    results = results_by_code(check_results(check))
    sections = {
        s.pk: SectionRows(s)
        for s in ScorecardSection.objects.filter(scorecard=evaluation.scorecard_id)
    }
    answers = Answer.objects.filter(evaluation=evaluation).select_related("item")
    for answer in answers:
        item = answer.item
        item.scorecard = evaluation.scorecard  # avoid a query per item for its scorecard
        sections[item.section_id].rows.append(
            ItemRow(item, answer, results.get(item.rule_code) if item.rule_code else None)
        )
    return [s for s in sections.values() if s.rows]


def _check(evaluation: Evaluation) -> CallCheck | None:
    try:
        return evaluation.call.auto_check
    except CallCheck.DoesNotExist:
        return None


def call_transcript(call) -> list:
    try:
        check = call.auto_check
    except CallCheck.DoesNotExist:
        check = None
    return transcript_turns(call.turns, check_results(check))


@dataclass
class HistoryEntry:
    event: EvaluationEvent
    label: str
    lines: list[dict[str, str]]


def evaluation_history(
    evaluation: Evaluation, items: dict[str, ScorecardItem] | None = None
) -> list[HistoryEntry]:
    """Who did what when and why, with item titles and readable values: one query (two when
    `items` is not given)."""
    if items is None:
        items = {i.code: i for i in ScorecardItem.objects.filter(scorecard=evaluation.scorecard_id)}
    entries = []
    for event in EvaluationEvent.objects.filter(evaluation=evaluation).select_related("actor"):
        lines = []
        for change in event.changes or []:
            if not isinstance(change, dict):
                continue
            code = change.get("item")
            item = items.get(code) if code else None
            if code:
                what = item.title if item else code
                if change.get("field") == "auto":
                    old, new = "", format_answer(item, change.get("new"))
                    what = _("%(item)s (automatic)") % {"item": what}
                else:
                    old = format_answer(item, change.get("old"))
                    new = format_answer(item, change.get("new"))
            elif change.get("field") == "status":
                what = _("Status")
                old, new = (_status_label(change.get(k)) for k in ("old", "new"))
            else:
                what = {"comment": _("Comment"), "score": _("Score")}.get(
                    change.get("field", ""), change.get("field", "")
                )
                old, new = (_plain(change.get(k)) for k in ("old", "new"))
            lines.append(
                {
                    "what": what,
                    "old": old,
                    "new": new,
                    "reason": change.get("reason", ""),
                    "note": change.get("note", ""),
                }
            )
        entries.append(HistoryEntry(event, action_label(event.action), lines))
    return entries


def _plain(value: Any) -> str:
    """A changed value as text; a zero stays 0 (only a missing value is a dash)."""
    return "—" if value is None or value == "" else str(value)


def _status_label(status: Any) -> str:
    try:
        return str(Evaluation.Status(status).label)
    except ValueError:
        return str(status or "—")


def action_label(action: str) -> str:
    labels = {
        "started": _("Started"),
        "saved": _("Saved draft"),
        "submitted": _("Submitted"),
        "acknowledged": _("Acknowledged by the agent"),
        "rescored": _("Rescored"),
    }
    return labels.get(action, action.replace("_", " ").capitalize())


def items_by_code(sections: list[SectionRows]) -> dict[str, ScorecardItem]:
    return {row.item.code: row.item for s in sections for row in s.rows}


# --- Lists ----------------------------------------------------------------------------------


@dataclass
class EvaluationFilters:
    team: int | None = None
    agent: int | None = None
    evaluator: int | None = None
    status: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    critical: bool | None = None

    @classmethod
    def spec(cls) -> dict:
        """The list's query parameters and their parsers (qa_center.filters)."""
        score = filters.decimal(min_value=0, max_value=100)
        return {
            "team": filters.id_,
            "agent": filters.id_,
            "evaluator": filters.id_,
            "status": filters.choice(Evaluation.Status.values),
            "from": filters.day,
            "to": filters.day,
            "score_min": score,
            "score_max": score,
            "critical": filters.yes_no,
        }

    @classmethod
    def from_parsed(cls, parsed: filters.Parsed) -> EvaluationFilters:
        v = parsed.values
        return cls(
            team=v.get("team"),
            agent=v.get("agent"),
            evaluator=v.get("evaluator"),
            status=v.get("status"),
            date_from=v.get("from"),
            date_to=v.get("to"),
            score_min=v.get("score_min"),
            score_max=v.get("score_max"),
            critical=v.get("critical"),
        )

    @classmethod
    def from_query(cls, params) -> EvaluationFilters:
        """Lenient: refused parameters are left out (pages use parse_for_page to say so, the
        API parse_for_api to answer 400)."""
        return cls.from_parsed(filters.parse_query(params, cls.spec()))


def evaluation_list(user, filters: EvaluationFilters | None = None) -> QuerySet[Evaluation]:
    """Scoped evaluations (calibration practice left out) with the list's related rows."""
    qs = evaluations_visible(user).filter(is_calibration=False)
    f = filters or EvaluationFilters()
    if f.team:
        qs = qs.filter(call__team_id=f.team)
    if f.agent:
        qs = qs.filter(call__agent_id=f.agent)
    if f.evaluator:
        qs = qs.filter(evaluator_id=f.evaluator)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.date_from:
        qs = qs.filter(call__started_at__gte=period_of(DAY, f.date_from).start)
    if f.date_to:
        qs = qs.filter(call__started_at__lt=period_of(DAY, f.date_to).end)
    if f.score_min is not None:
        qs = qs.filter(score__gte=f.score_min)
    if f.score_max is not None:
        qs = qs.filter(score__lte=f.score_max)
    if f.critical is not None:
        qs = qs.filter(critical_failed=f.critical)
    return qs.select_related(
        "call", "call__agent", "call__team", "scorecard", "evaluator"
    ).order_by("-call__started_at", "-pk")


def evaluator_choices(user) -> QuerySet:
    """The evaluator filter of the evaluation list: exactly the people who evaluated calls in
    the user's scope (calibration practice left out, like the list)."""
    return visible_evaluators(user, Evaluation.objects.filter(is_calibration=False))


def my_evaluations(user) -> QuerySet[Evaluation]:
    """The agent's evaluations that have been submitted (drafts are the supervisor's), newest
    first, with answers, items and the calls' automatic checks prefetched."""
    if not user.agent_id:
        return Evaluation.objects.none()
    return (
        Evaluation.objects.filter(
            call__agent_id=user.agent_id,
            is_calibration=False,
            submitted_at__isnull=False,
        )
        .exclude(status=Evaluation.Status.DRAFT)
        .select_related("call", "call__team", "call__auto_check", "scorecard", "evaluator")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("item", "item__section").order_by(
                    "item__section__order", "item__order", "item_id"
                ),
            ),
            "disputes",  # the dispute buttons read them
        )
        .order_by("-submitted_at", "-pk")
    )


def scorecards_visible() -> QuerySet[Scorecard]:
    return Scorecard.objects.all()
