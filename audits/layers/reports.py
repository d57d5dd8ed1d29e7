"""The monthly audit report (月度稽核报告), per department and for the center: the month's
process walk-throughs (verdicts, scores, findings and their actions), the self-inspections and
the corrective actions opened, closed and overdue. As data (`monthly_audit_report`), then as
Excel (openpyxl, formulas neutralized) and as a PDF (WeasyPrint with the system's CJK fonts,
the bulletins' typesetting; only our static files are fetched)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Department
from qa_center import periods
from qa_center.exports import render_pdf, safe_cell
from qa_center.levels import Level
from qa_center.permissions import has_capability, user_scope


def may_read_audit_reports(user) -> bool:
    return has_capability(user, "audit") or has_capability(user, "issue_bulletins")


@dataclass(frozen=True)
class ReportScope:
    department: Department | None  # None: the center

    @property
    def label(self) -> str:
        return self.department.name if self.department else _("The center")


def report_scope_for(user, department_id: int | None) -> ReportScope:
    """The scope of the report `user` asks for: a department in their scope, or the center
    (only for the center's people). Refused: PermissionDenied."""
    if not may_read_audit_reports(user):
        raise PermissionDenied
    scope = user_scope(user)
    if department_id is None:
        if scope.level != Level.CENTER:
            if scope.level == Level.DEPARTMENT:
                return ReportScope(Department.objects.get(pk=scope.department_id))
            raise PermissionDenied
        return ReportScope(None)
    if scope.level == Level.DEPARTMENT and department_id != scope.department_id:
        raise PermissionDenied
    if scope.level not in (Level.CENTER, Level.DEPARTMENT):
        raise PermissionDenied
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise PermissionDenied
    return ReportScope(department)


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def monthly_audit_report(*, scope: ReportScope, month: datetime.date) -> dict:
    """Everything the report shows, in a fixed number of queries."""
    from audits.actions.models import CorrectiveAction
    from audits.inspections.models import ChecklistItem, SelfInspection
    from audits.walkthroughs.models import Finding, Walkthrough

    period = periods.period_of(periods.MONTH, month)
    first = period.first_day
    in_scope = Q() if scope.department is None else Q(department=scope.department)
    walkthroughs = list(
        Walkthrough.objects.filter(in_scope, month=first)
        .select_related("department", "standard", "version", "owner")
        .annotate(
            steps_count=Count("steps", distinct=True),
            late_documents=Count(
                "steps__documents", filter=Q(steps__documents__late=True), distinct=True
            ),
            drill_missing=Count("steps", filter=Q(steps__drill="missing"), distinct=True),
            drill_unreasonable=Count("steps", filter=Q(steps__drill="unreasonable"), distinct=True),
        )
        .order_by("department__code", "slot")
    )
    findings = list(
        Finding.objects.filter(walkthrough__in=[w.pk for w in walkthroughs])
        .select_related("walkthrough__standard", "walkthrough__department", "action__owner", "step")
        .order_by("walkthrough__department__code", "walkthrough__slot", "created_at")
    )
    grades: dict[int, dict[str, int]] = {}
    for finding in findings:
        counts = grades.setdefault(finding.walkthrough_id, {})
        counts[finding.grade] = counts.get(finding.grade, 0) + 1
    rows = []
    by_department: dict[int, dict] = {}
    for w in walkthroughs:
        g = grades.get(w.pk, {})
        rows.append(
            {
                "department": w.department.name,
                "code": w.standard.code,
                "title": w.version.title,
                "owner": w.owner.display_name,
                "status": w.get_status_display(),
                "verdict": w.get_verdict_display() if w.verdict else "",
                "verdict_code": w.verdict,
                "score": w.score,
                "steps": w.steps_count,
                "late_documents": w.late_documents,
                "drill_missing": w.drill_missing,
                "drill_unreasonable": w.drill_unreasonable,
                "major": g.get("major", 0),
                "minor": g.get("minor", 0),
                "observation": g.get("observation", 0),
                "good_practice": g.get("good_practice", 0),
            }
        )
        dep = by_department.setdefault(
            w.department_id, {"department": w.department.name, "scores": [], "walked": 0}
        )
        dep["walked"] += 1
        if w.score is not None:
            dep["scores"].append(w.score)
    departments = [
        {"department": d["department"], "walked": d["walked"], "score": _mean(d["scores"])}
        for d in by_department.values()
    ]
    finding_rows = [
        {
            "department": f.walkthrough.department.name,
            "code": f.walkthrough.standard.code,
            "grade": f.get_grade_display(),
            "grade_code": f.grade,
            "step": f"{f.step.position}. {f.step.title}" if f.step else "",
            "description": f.description,
            "action_owner": f.action.owner.display_name if f.action else "",
            "action_due_on": f.action.due_on if f.action else None,
            "action_status": f.action.get_status_display() if f.action else "",
        }
        for f in findings
    ]
    inspections = SelfInspection.objects.filter(
        in_scope, period_start__gte=first, period_start__lte=period.last_day
    )
    results = dict(
        ChecklistItem.objects.filter(inspection__in=inspections)
        .exclude(result="")
        .values("result")
        .annotate(n=Count("pk"))
        .values_list("result", "n")
    )
    actions = CorrectiveAction.objects.filter(in_scope)
    today = timezone.localdate()
    action_counts = actions.aggregate(
        opened=Count("pk", filter=Q(created_at__gte=period.start, created_at__lt=period.end)),
        closed=Count("pk", filter=Q(closed_at__gte=period.start, closed_at__lt=period.end)),
        overdue=Count("pk", filter=Q(status="open", due_on__lt=today)),
    )
    return {
        "title": _("Monthly audit report %(month)s · %(scope)s")
        % {"month": f"{first:%Y-%m}", "scope": scope.label},
        "month": f"{first:%Y-%m}",
        "scope": scope.label,
        "department_id": scope.department.pk if scope.department else None,
        "generated_at": timezone.localtime(),
        "walkthroughs": rows,
        "departments": departments,
        "findings": finding_rows,
        "revised": sum(1 for r in rows if r["verdict_code"] == "revise"),
        "abolished": sum(1 for r in rows if r["verdict_code"] == "abolish"),
        "inspections": {
            "count": inspections.count(),
            "conforms": results.get("conforms", 0),
            "minor": results.get("minor", 0),
            "major": results.get("major", 0),
            "observation": results.get("observation", 0),
        },
        "actions": action_counts,
    }


# --- Excel --------------------------------------------------------------------------------


def _cell(value):
    value = safe_cell(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def report_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    sheet = book.active
    sheet.title = _("Walk-throughs")[:31]
    sheet.append([_cell(report["title"])])
    sheet["A1"].font = bold
    header = [
        _("Department"), _("Standard"), _("Title"), _("Owner"), _("Status"), _("Verdict"),
        _("Score"), _("Steps"), _("Late documents"), _("Drill missing"), _("Drill unreasonable"),
        _("Major"), _("Minor"), _("Observations"), _("Good practices"),
    ]  # fmt: skip
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = bold
    for r in report["walkthroughs"]:
        sheet.append(
            [
                _cell(r[k])
                for k in (
                    "department",
                    "code",
                    "title",
                    "owner",
                    "status",
                    "verdict",
                    "score",
                    "steps",
                    "late_documents",
                    "drill_missing",
                    "drill_unreasonable",
                    "major",
                    "minor",
                    "observation",
                    "good_practice",
                )
            ]  # fmt: skip
        )
    findings = book.create_sheet(_("Findings")[:31])
    findings.append(
        [_("Department"), _("Standard"), _("Grade"), _("Step"), _("Description"),
         _("Action owner"), _("Due on"), _("Action status")]
    )  # fmt: skip
    for r in report["findings"]:
        findings.append(
            [
                _cell(r[k])
                for k in (
                    "department",
                    "code",
                    "grade",
                    "step",
                    "description",
                    "action_owner",
                    "action_due_on",
                    "action_status",
                )
            ]  # fmt: skip
        )
    summary = book.create_sheet(_("Summary")[:31])
    for d in report["departments"]:
        summary.append([_cell(d["department"]), d["walked"], _cell(d["score"])])
    summary.append([])
    summary.append([_("Self-inspections"), report["inspections"]["count"]])
    summary.append([_("Corrective actions opened"), report["actions"]["opened"]])
    summary.append([_("Corrective actions closed"), report["actions"]["closed"]])
    summary.append([_("Corrective actions overdue"), report["actions"]["overdue"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------


def report_pdf(report: dict) -> bytes:
    return render_pdf(
        "layers/report_print.html",
        {"report": report, "issuing_unit": settings.QA_ISSUING_UNIT},
    )
