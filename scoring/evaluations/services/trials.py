"""A draft rule library tested on history before it goes live.

`trial_start` stores a RuleTrial (a draft version and a period of stored calls) and enqueues
`trial_run` after the commit (Celery: scoring.evaluations.tasks.trial_run). The run scores
every call of the period with the draft, in chunks, counting progress on the row, and compares
each call with its current check and with the supervisors' verdicts on it:

- outcomes changed per rule (pass → fail, fail → na, …) with a few example calls;
- calls newly zeroed (a critical failure the current check does not have) or un-zeroed, and
  how many the draft would leave "to confirm" (weak critical evidence);
- for each changed rule, precision and recall of the current check and of the draft against the
  supervisors' verdicts on those calls (an evaluation item linked to the rule answered "fail"
  or not; a decision on a weak critical failure).

All-or-nothing: `results` is written once, when every call was scored; any error fails the
trial with its reason and no partial results. Safe to run twice: a conditional UPDATE decides
which run takes a pending trial.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from qa_center.periods import DAY, period_of
from scoring.calls.models import Call, CallCheck, CriticalReview
from scoring.calls.services.checks import weak_critical_codes
from scoring.evaluations.models import Answer, RuleTrial, ScorecardItem
from scoring.rules.models import RuleLibrary
from scoring.rules.services import LibraryInvalidError, engine_library, library_check

logger = logging.getLogger(__name__)

CHUNK = 500
EXAMPLES = 5
#: A trial covers at most this many days of calls (a quarter and a bit).
MAX_DAYS = 120


def _period_calls(date_from: datetime.date, date_to: datetime.date):
    return Call.objects.filter(
        started_at__gte=period_of(DAY, date_from).start,
        started_at__lt=period_of(DAY, date_to).end,
    )


def trial_start(
    *, library: RuleLibrary, by, date_from: datetime.date, date_to: datetime.date
) -> RuleTrial:
    """A new trial of the draft `library` on the calls of the period, run in the background
    after the commit. ValidationError naming the field for a library that is not a valid
    draft or a bad period."""
    if library.status != RuleLibrary.Status.DRAFT:
        raise ValidationError({"library": _("Only a draft version can be tried on history.")})
    try:
        library_check(library.definition)
    except LibraryInvalidError as exc:
        raise ValidationError({"library": str(exc)}) from None
    if date_from > date_to:
        raise ValidationError({"date_to": _("The period ends before it starts.")})
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise ValidationError(
            {"date_to": _("A trial covers at most %(days)s days.") % {"days": MAX_DAYS}}
        )
    with transaction.atomic():
        trial = RuleTrial(
            library=library,
            date_from=date_from,
            date_to=date_to,
            created_by=by,
            total=_period_calls(date_from, date_to).count(),
        )
        trial.full_clean()
        trial.save()
        from scoring.evaluations import tasks

        pk = trial.pk
        transaction.on_commit(lambda: tasks.trial_run.delay(pk))
    return trial


# --- The supervisors' verdicts on the period's calls ---------------------------------------


def _supervisor_fail() -> Case:
    scale = ScorecardItem.Kind.SCALE
    fail = Q(is_na=False) & (
        Q(item__kind=scale, value=F("item__scale_min")) | (~Q(item__kind=scale) & Q(value=0))
    )
    return Case(When(fail, then=Value(True)), default=Value(False), output_field=BooleanField())


def _verdicts(date_from: datetime.date, date_to: datetime.date) -> dict[tuple[int, str], bool]:
    """{(call pk, rule code): the supervisor failed it} for the period's calls: submitted
    evaluation items linked to a rule, then decisions on weak critical failures."""
    start, end = period_of(DAY, date_from).start, period_of(DAY, date_to).end
    rows = (
        Answer.objects.filter(
            evaluation__is_calibration=False,
            evaluation__submitted_at__isnull=False,
            evaluation__call__started_at__gte=start,
            evaluation__call__started_at__lt=end,
        )
        .exclude(item__rule_code="")
        .annotate(failed=_supervisor_fail())
        .values_list("evaluation__call_id", "item__rule_code", "failed")
    )
    verdicts: dict[tuple[int, str], bool] = {}
    for call_pk, code, failed in rows.iterator(5000):
        verdicts[(call_pk, code)] = verdicts.get((call_pk, code), False) or bool(failed)
    reviews = CriticalReview.objects.filter(
        call__started_at__gte=start, call__started_at__lt=end
    ).values_list("call_id", "codes", "decision")
    for call_pk, codes, decision in reviews:
        for code in codes or []:
            verdicts.setdefault((call_pk, code), decision == CriticalReview.Decision.CONFIRMED)
    return verdicts


def _precision_recall(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    """(rule failed, supervisor failed) pairs -> precision and recall in percent."""
    tp = sum(1 for rule, sup in pairs if rule and sup)
    fp = sum(1 for rule, sup in pairs if rule and not sup)
    fn = sum(1 for rule, sup in pairs if sup and not rule)
    return {
        "verdicts": len(pairs),
        "precision": round(100 * tp / (tp + fp), 1) if tp + fp else None,
        "recall": round(100 * tp / (tp + fn), 1) if tp + fn else None,
    }


# --- The run ---------------------------------------------------------------------------------


def trial_run(*, trial_id: int) -> RuleTrial | None:
    """Run a pending trial (see the module docstring). Returns it, or None when another run
    took it (or it is finished)."""
    taken = RuleTrial.objects.filter(pk=trial_id, status=RuleTrial.Status.PENDING).update(
        status=RuleTrial.Status.RUNNING, processed=0
    )
    if taken != 1:
        return None
    trial = RuleTrial.objects.select_related("library").get(pk=trial_id)
    try:
        results = _compare(trial)
    except Exception as exc:  # noqa: BLE001 - a failed job must say so, whatever failed
        logger.exception("rule trial %s failed", trial_id)
        RuleTrial.objects.filter(pk=trial_id).update(
            status=RuleTrial.Status.FAILED,
            error=_("The trial failed: %(error)s") % {"error": str(exc) or type(exc).__name__},
            results={},
            finished_at=timezone.now(),
        )
    else:
        RuleTrial.objects.filter(pk=trial_id).update(
            status=RuleTrial.Status.DONE,
            results=results,
            processed=results["calls"],
            finished_at=timezone.now(),
        )
    trial.refresh_from_db()
    return trial


def _example(pk: int, call_id: str, **extra: Any) -> dict[str, Any]:
    return {"pk": pk, "call_id": call_id, **extra}


def _compare(trial: RuleTrial) -> dict[str, Any]:
    library = trial.library
    compiled = engine_library(library)
    codes = [rule.code for rule in compiled.rules]
    critical = [bool(rule.critical) for rule in compiled.rules]
    titles = {
        r.get("code"): r.get("title", "")
        for r in library.definition.get("rules", [])
        if isinstance(r, dict)
    }
    verdicts = _verdicts(trial.date_from, trial.date_to)
    verdict_calls = {pk for pk, _code in verdicts}

    changed: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pairs_old: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    pairs_new: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    zeroed: list[dict[str, Any]] = []
    unzeroed: list[dict[str, Any]] = []
    counts = Counter()
    score_sum = {"before": Decimal(0), "after": Decimal(0)}
    scored = {"before": 0, "after": 0}

    calls = _period_calls(trial.date_from, trial.date_to).order_by("pk")
    ids = list(calls.values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = Call.objects.filter(pk__in=chunk).values_list("pk", "call_id", "turns")
        current = {
            c.call_id: c
            for c in CallCheck.objects.filter(call_id__in=chunk).only(
                "call_id", "score", "critical_failed", "outcomes"
            )
        }
        for pk, call_id, turns in rows:
            result = compiled.check_line(orjson.dumps({"call_id": call_id, "turns": turns}))
            new = dict(zip(codes, result.outcomes, strict=True))
            check = current.get(pk)
            old = check.outcomes if check else {}
            counts["calls"] += 1
            if check is None:
                counts["not_checked_before"] += 1
            old_critical = bool(check and check.critical_failed)
            if result.critical_failed and not old_critical:
                counts["zeroed"] += 1
                if len(zeroed) < 20:
                    zeroed.append(_example(pk, call_id))
            elif old_critical and not result.critical_failed:
                counts["unzeroed"] += 1
                if len(unzeroed) < 20:
                    unzeroed.append(_example(pk, call_id))
            if weak_critical_codes(codes, critical, result):
                counts["to_confirm"] += 1
            if check is not None and check.score is not None:
                score_sum["before"] += check.score
                scored["before"] += 1
            if result.score != "null":
                score_sum["after"] += Decimal(result.score)
                scored["after"] += 1
            call_changed = False
            for code in set(new) | set(old):
                before, after = old.get(code, "na"), new.get(code, "na")
                if before != after:
                    call_changed = True
                    changed[code][(before, after)] += 1
                    if len(examples[code]) < EXAMPLES:
                        examples[code].append(_example(pk, call_id, old=before, new=after))
            counts["changed_calls"] += call_changed
            if pk in verdict_calls:
                for code in set(new) | set(old):
                    truth = verdicts.get((pk, code))
                    if truth is None:
                        continue
                    pairs_old[code].append((old.get(code) == "fail", truth))
                    pairs_new[code].append((new.get(code) == "fail", truth))
        done += len(chunk)
        RuleTrial.objects.filter(pk=trial.pk).update(processed=done)

    rules = [
        {
            "code": code,
            "title": titles.get(code, ""),
            "in_draft": code in titles,
            "changed": sum(transitions.values()),
            "transitions": [
                {"old": before, "new": after, "calls": n}
                for (before, after), n in transitions.most_common()
            ],
            "examples": examples[code],
            "before": _precision_recall(pairs_old[code]),
            "after": _precision_recall(pairs_new[code]),
        }
        for code, transitions in changed.items()
    ]
    rules.sort(key=lambda r: (-r["changed"], r["code"]))

    def mean(key: str) -> str | None:
        if not scored[key]:
            return None
        return str((score_sum[key] / scored[key]).quantize(Decimal("0.01")))

    return {
        "calls": counts["calls"],
        "not_checked_before": counts["not_checked_before"],
        "changed_calls": counts["changed_calls"],
        "rules": rules,
        "zeroed": {"count": counts["zeroed"], "examples": zeroed},
        "unzeroed": {"count": counts["unzeroed"], "examples": unzeroed},
        "to_confirm": counts["to_confirm"],
        "mean_before": mean("before"),
        "mean_after": mean("after"),
        "verdict_calls": len(verdict_calls),
    }


def trials_of(library: RuleLibrary):
    return RuleTrial.objects.filter(library=library).select_related("created_by")
