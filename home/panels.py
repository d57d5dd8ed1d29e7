"""What each role sees first: the numbers and the work waiting for them.

Each panel is a few aggregate queries over the user's scope (through the permission module);
nothing here loops over agents or teams.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qa_center.periods import WEEK, current
from qa_center.permissions import has_capability, scope_queryset


@dataclass
class Stat:
    label: str
    value: object
    url: str = ""
    tone: str = ""  # "", "ok", "warn", "bad"


@dataclass
class Worklist:
    title: str
    rows: list[dict] = field(default_factory=list)  # {"label", "url", "meta", "tone"}
    more_url: str = ""
    empty: str = ""


def home_panels(user) -> dict:
    stats: list[Stat] = []
    lists: list[Worklist] = []
    if has_capability(user, "own_results") and user.agent_id:
        _agent_panels(user, stats, lists)
    if has_capability(user, "score_calls"):
        _supervisor_panels(user, stats, lists)
    if has_capability(user, "view_results"):
        _results_panels(user, stats, lists)
    if has_capability(user, "review_disputes"):
        _review_panels(user, stats, lists)
    if has_capability(user, "read_bulletins"):
        _bulletin_panels(user, stats, lists)
    _walkthrough_panels(user, stats, lists)
    if has_capability(user, "view_org"):  # agents are never named owner or monitor
        _my_standards_panels(user, stats, lists)
    if has_capability(user, "standards"):
        _abolition_panels(user, stats, lists)
    _action_panels(user, stats, lists)
    return {"stats": stats, "lists": lists}


def _abolition_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    """Proposals to abolish a standard that the user may approve (the department's manager, a
    center manager, the lead of the 制度流程建设项目组): a standard is abolished only then."""
    from audits.standards.models import AbolitionRequest
    from qa_center.permissions import may_approve_abolition, visible_abolition_requests

    pending = visible_abolition_requests(
        user,
        AbolitionRequest.objects.filter(status=AbolitionRequest.Decision.PENDING).select_related(
            "standard"
        ),
    )
    mine = [p for p in pending[:50] if may_approve_abolition(user, p)]
    if mine:
        stats.append(
            Stat(_("Abolitions to approve"), len(mine), reverse("standards:abolitions"), "warn")
        )


def _my_standards_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    """The standards the user owns (专人负责) or monitors (专人监控) with something due on
    them, most urgent first (audits.layers.my_standards); nothing for who answers for none."""
    from audits.layers.my_standards import my_standards

    mine = my_standards(user)
    if not mine:
        return
    url = reverse("layers:my_standards")
    due = [r for r in mine if r.due]
    stats.append(Stat(_("My standards with something due"), len(due), url, "warn" if due else "ok"))
    rows = []
    for r in due[:8]:
        running = r.running
        if running is not None:
            minutes = max(int((running.documents_due_at - timezone.now()).total_seconds() // 60), 0)
            meta, tone = (
                _("walk-through: %(minutes)s min left for documents") % {"minutes": minutes},
                "bad",
            )
        elif r.walkthroughs:
            meta, tone = _("walk-through under way"), "warn"
        elif r.owner and r.open_version is not None:
            meta, tone = (
                _("version %(number)s to write") % {"number": r.open_version.number},
                "warn",
            )
        elif r.actions:
            meta, tone = (
                _("%(n)s open corrective action(s)") % {"n": len(r.actions)},
                ("bad" if r.overdue_actions else ""),
            )
        else:
            meta, tone = _("rollout: %(percent)s%% have read it") % {"percent": r.coverage}, ""
        rows.append(
            {
                "label": f"{r.standard.code} {r.standard.title}",
                "url": reverse("standards:detail", args=[r.standard.pk]),
                "meta": meta,
                "tone": tone,
            }
        )
    lists.append(Worklist(_("My standards"), rows, url, _("Nothing due on your standards.")))


def _agent_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    from scoring.disputes.models import Dispute
    from scoring.evaluations.selectors import my_evaluations

    mine = my_evaluations(user)
    figures = mine.aggregate(
        count=Count("pk"),
        mean=Avg("score"),
        unread=Count("pk", filter=Q(status="submitted")),
    )
    url = reverse("evaluations:my_evaluations")
    stats.append(Stat(_("My evaluations"), figures["count"], url))
    mean = figures["mean"]
    stats.append(Stat(_("My mean score"), f"{mean:.1f}" if mean is not None else "—", url))
    stats.append(
        Stat(_("To acknowledge"), figures["unread"], url, "warn" if figures["unread"] else "")
    )
    open_disputes = Dispute.objects.filter(raised_by=user, status=Dispute.Status.OPEN).count()
    stats.append(Stat(_("My open disputes"), open_disputes, url))
    lists.append(
        Worklist(
            _("Latest results"),
            [
                {
                    "label": f"{e.call.call_id} · {e.scorecard.name}",
                    "url": f"{url}?open={e.pk}#evaluation-{e.pk}",
                    "meta": e.score if e.score is not None else "—",
                    "tone": "bad" if e.critical_failed or e.passed is False else "ok",
                }
                for e in mine.select_related("call", "scorecard")[:5]
            ],
            url,
            _("No evaluations yet."),
        )
    )


def _supervisor_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    from scoring.calibration.models import CalibrationSession
    from scoring.evaluations.models import Evaluation
    from scoring.sampling.models import Assignment

    now = timezone.now()
    queue = Assignment.objects.filter(supervisor=user, status=Assignment.Status.OPEN)
    counts = queue.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    queue_url = reverse("sampling:queue")
    stats.append(Stat(_("Calls to score"), counts["open"], queue_url))
    stats.append(
        Stat(_("Overdue"), counts["overdue"], queue_url, "bad" if counts["overdue"] else "ok")
    )
    drafts = Evaluation.objects.filter(evaluator=user, status=Evaluation.Status.DRAFT)
    lists.append(
        Worklist(
            _("Due next"),
            [
                {
                    "label": f"{a.call.call_id} · {a.call.agent.name}",
                    "url": queue_url,
                    "meta": timezone.localtime(a.due_at).strftime("%m-%d %H:%M"),
                    "tone": "bad" if a.due_at < now else "",
                }
                for a in queue.select_related("call__agent").order_by("due_at")[:5]
            ],
            queue_url,
            _("Nothing waiting: your queue is empty."),
        )
    )
    draft_rows = [
        {
            "label": f"{e.call.call_id} · {e.call.agent.name}",
            "url": reverse("evaluations:evaluation_edit", args=[e.pk]),
            "meta": timezone.localtime(e.updated_at).strftime("%m-%d %H:%M"),
        }
        for e in drafts.select_related("call__agent").order_by("-updated_at")[:5]
    ]
    if draft_rows:
        lists.append(Worklist(_("Drafts to finish"), draft_rows))
    sessions = CalibrationSession.objects.filter(
        participants=user, status=CalibrationSession.Status.OPEN
    ).exclude(evaluations__evaluator=user, evaluations__status="submitted")
    session_rows = [
        {"label": s.title, "url": reverse("calibration:calibration_detail", args=[s.pk])}
        for s in sessions[:5]
    ]
    if session_rows:
        lists.append(Worklist(_("Calibration sessions waiting for you"), session_rows))


def _results_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    from scoring.calls.models import CallCheck, Review

    since = current(WEEK).start
    checks = scope_queryset(user, CallCheck.objects.filter(call__started_at__gte=since))
    # A provisional score (a weak critical failure still to confirm) stays out of the mean and
    # the critical count until a supervisor decides (docs/verdicts.md); it is counted apart.
    settled = ~Q(review=Review.TO_CONFIRM)
    figures = checks.aggregate(
        checked=Count("pk"),
        mean=Avg("score", filter=settled),
        critical=Count("pk", filter=Q(critical_failed=True) & settled),
        to_confirm=Count("pk", filter=~settled),
    )
    calls_url = reverse("calls:call_list")
    stats.append(Stat(_("Calls checked this week"), figures["checked"], calls_url))
    mean = figures["mean"]
    stats.append(
        Stat(_("Automatic score this week"), f"{mean:.1f}" if mean is not None else "—", calls_url)
    )
    stats.append(
        Stat(
            _("Critical failures this week"),
            figures["critical"],
            f"{calls_url}?critical=yes",
            "bad" if figures["critical"] else "ok",
        )
    )
    if figures["to_confirm"]:
        stats.append(
            Stat(_("Critical failures to confirm"), figures["to_confirm"], calls_url, "warn")
        )


def _review_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    from scoring.disputes.models import Dispute

    disputes = scope_queryset(user, Dispute.objects.filter(status=Dispute.Status.OPEN))
    url = reverse("disputes:dispute_list")
    count = disputes.count()
    stats.append(Stat(_("Disputes to rule on"), count, url, "warn" if count else "ok"))


def _bulletin_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    from bulletins.models import Bulletin
    from bulletins.selectors import bulletins_for, unread_count

    url = reverse("bulletins:list")
    unread = unread_count(user)
    stats.append(Stat(_("Unread bulletins"), unread, url, "warn" if unread else ""))
    latest = (
        bulletins_for(user)
        .filter(kind="weekly")
        .order_by("-period_start", "level", "-revision")
        .first()
    )
    rows = []
    if latest is not None:
        summary = latest.summary or {}
        rows.append(
            {
                "label": latest.title,
                "url": reverse("bulletins:detail", args=[latest.pk]),
                # No evaluation that week: no pass rate ("None%" was shown).
                "meta": _("pass rate %(rate)s%%")
                % {"rate": "—" if summary.get("pass_rate") is None else summary["pass_rate"]},
            }
        )
    if has_capability(user, "issue_bulletins"):
        for draft in bulletins_for(user).filter(kind="monthly", status=Bulletin.Status.DRAFT)[:3]:
            rows.append(
                {
                    "label": draft.title,
                    "url": reverse("bulletins:detail", args=[draft.pk]),
                    "meta": _("draft to review and issue"),
                    "tone": "warn",
                }
            )
    lists.append(Worklist(_("Bulletins"), rows, url, _("No bulletin yet.")))


def _walkthrough_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    """The process walk-throughs due: for their owners and the auditors who run them; one whose
    document hour is running comes first of all the lists."""
    from audits.walkthroughs.selectors import due_for

    due = due_for(user)
    if not due and not has_capability(user, "audit_walkthroughs"):
        return
    now = timezone.now()
    rows = []
    for walkthrough in due:
        if walkthrough.window_running(now):
            minutes = max(int((walkthrough.documents_due_at - now).total_seconds() // 60), 0)
            meta, tone = _("%(minutes)s min left for documents") % {"minutes": minutes}, "bad"
        elif walkthrough.status == walkthrough.Status.STARTED:
            meta, tone = _("drill, findings and verdict to record"), "warn"
        else:
            meta, tone = _("drawn, not started"), ""
        rows.append(
            {
                "label": f"{walkthrough.standard.code} {walkthrough.version.title}"
                f" · {walkthrough.department.name}",
                "url": reverse("walkthroughs:detail", args=[walkthrough.pk]),
                "meta": meta,
                "tone": tone,
            }
        )
    worklist = Worklist(
        _("Process walk-throughs due"),
        rows,
        reverse("walkthroughs:list"),
        _("No walk-through due."),
    )
    if due and due[0].window_running(now):
        lists.insert(0, worklist)
    else:
        lists.append(worklist)


def _action_panels(user, stats: list[Stat], lists: list[Worklist]) -> None:
    """The corrective actions waiting for the user: their own open ones (overdue first), the
    done ones of their units awaiting a verification they may record, and how many of their
    units' actions are overdue."""
    from audits.actions.models import CorrectiveAction
    from audits.actions.selectors import visible_actions
    from qa_center.permissions import ACTION_CAPABILITIES

    today = timezone.localdate()
    Status = CorrectiveAction.Status  # noqa: N806
    mine = list(
        CorrectiveAction.objects.filter(owner=user, status=Status.OPEN)
        .select_related("department", "team")
        .order_by("due_on", "pk")[:10]
    )
    manages = any(has_capability(user, cap) for cap in ACTION_CAPABILITIES)
    to_verify = []
    if manages:
        to_verify = list(
            visible_actions(user)
            .filter(status=Status.DONE)
            .exclude(owner=user)
            .select_related("owner")
            .order_by("due_on", "pk")[:10]
        )
        overdue = visible_actions(user).filter(status=Status.OPEN, due_on__lt=today).count()
        stats.append(
            Stat(
                _("Overdue corrective actions"),
                overdue,
                reverse("actions:list") + "?overdue=yes",
                "bad" if overdue else "ok",
            )
        )
    if not mine and not to_verify:
        return
    rows = [
        {
            "label": action.title,
            "url": reverse("actions:detail", args=[action.pk]),
            "meta": _("due %(date)s") % {"date": action.due_on.isoformat()},
            "tone": "bad" if action.due_on < today else "",
        }
        for action in mine
    ]
    rows += [
        {
            "label": action.title,
            "url": reverse("actions:detail", args=[action.pk]),
            "meta": _("done by %(owner)s, to verify") % {"owner": action.owner.display_name},
            "tone": "warn",
        }
        for action in to_verify
    ]
    lists.append(
        Worklist(
            _("Corrective actions"),
            rows,
            reverse("actions:list"),
            _("No corrective actions."),
        )
    )
