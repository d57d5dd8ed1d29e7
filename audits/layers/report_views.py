"""The monthly audit report's page and downloads: /audits/reports/monthly/?month=YYYY-MM
[&department=id][&format=pdf|xlsx]."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from org.models import Department
from qa_center import filters, periods
from qa_center.filters import parse_for_page
from qa_center.levels import Level
from qa_center.permissions import scope_queryset, user_scope

from . import reports

SPEC = {
    "month": filters.month,
    "department": filters.id_,
    "format": filters.choice(["pdf", "xlsx"]),
}


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    if not reports.may_read_audit_reports(request.user):
        raise PermissionDenied
    parsed = parse_for_page(request, SPEC)
    month = parsed.get("month") or periods.previous(periods.current(periods.MONTH)).first_day
    scope = reports.report_scope_for(request.user, parsed.get("department"))
    report = reports.monthly_audit_report(scope=scope, month=month)
    name = (
        f"audit-report-{report['month']}-{scope.department.code if scope.department else 'center'}"
    )
    if parsed.get("format") == "xlsx":
        response = HttpResponse(
            reports.report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if parsed.get("format") == "pdf":
        response = HttpResponse(reports.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    departments = scope_queryset(request.user, Department.objects.order_by("code"))
    return render(
        request,
        "layers/report.html",
        {
            "report": report,
            "departments": departments,
            "center_allowed": user_scope(request.user).level == Level.CENTER,
            "query_month": report["month"],
            "query_department": report["department_id"] or "",
        },
    )
