"""Downloads: a bulletin as Excel (formulas neutralized) and as a print-ready PDF.

The PDF is rendered by WeasyPrint with fonts installed on the system (fonts-wqy-zenhei or
fonts-noto-cjk); nothing is fetched at run time: the URL fetcher serves only our static files.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from bulletins.models import Bulletin, Kind
from qa_center.exports import render_pdf, safe_cell


def filename(bulletin: Bulletin) -> str:
    if bulletin.kind == Kind.MONTHLY:
        return f"notice-{bulletin.period_start:%Y-%m}-r{bulletin.revision}"
    return f"bulletin-{bulletin.scope_key.replace(':', '-')}-{bulletin.period_start}-r{bulletin.revision}"


def bulletin_xlsx(bulletin: Bulletin) -> bytes:
    data = bulletin.data
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    bold = Font(bold=True)

    def rows(target, header, lines):
        target.append([safe_cell(str(h)) for h in header])
        for cell in target[target.max_row]:
            cell.font = bold
        for line in lines:
            target.append([safe_cell(v) for v in line])

    sheet.append([safe_cell(bulletin.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    if bulletin.number:
        sheet.append([safe_cell(bulletin.number)])
    sheet.append([_("Period"), str(bulletin.period_start), str(bulletin.period_end)])
    sheet.append([_("Revision"), bulletin.revision, safe_cell(bulletin.reason)])
    sheet.append([])
    head = data.get("headline", {})
    rows(
        sheet,
        [_("Figure"), _("Value"), _("Change")],
        [
            [_("Calls checked automatically"), head.get("checked"), None],
            [
                _("Automatic mean score"),
                head.get("auto_mean"),
                head.get("change", {}).get("auto_mean"),
            ],
            [_("Critical failures (automatic)"), head.get("auto_critical"), None],
            [_("Calls evaluated"), head.get("evaluated"), None],
            [
                _("Evaluation mean score"),
                head.get("eval_mean"),
                head.get("change", {}).get("eval_mean"),
            ],
            [_("Pass rate (%)"), head.get("pass_rate"), head.get("change", {}).get("pass_rate")],
            [_("Disputes opened"), head.get("disputes_opened"), None],
            [_("Disputes decided"), head.get("disputes_decided"), None],
        ],
    )
    compliance = book.create_sheet(_("Compliance")[:31])
    rows(
        compliance,
        [_("Kind"), _("Code"), _("Rule or item"), _("Compliance (%)"), _("Change"), _("Checked")],
        [
            [r["kind"], r["code"], r["label"], r["compliance"], r["change"], r["n"]]
            for r in data.get("rules", []) + data.get("items", [])
        ],
    )
    if data.get("teams") or data.get("departments"):
        teams = book.create_sheet(_("Teams")[:31])
        rows(
            teams,
            [
                _("Team"),
                _("Department"),
                _("Checked"),
                _("Automatic mean"),
                _("Evaluated"),
                _("Pass rate (%)"),
                _("Below standard"),
            ],
            [
                [
                    t["label"],
                    t["department"],
                    t["checked"],
                    t["auto_mean"],
                    t["evaluated"],
                    t["pass_rate"],
                    _("yes") if t["below"] else "",
                ]
                for t in data.get("teams", [])
            ]
            + [
                [
                    d["label"],
                    "",
                    d["checked"],
                    d["auto_mean"],
                    d["evaluated"],
                    d["pass_rate"],
                    _("yes") if d.get("below") else "",
                ]
                for d in data.get("departments", [])
            ],
        )
    if data.get("agents_below"):
        agents = book.create_sheet(_("Agents below standard")[:31])
        rows(
            agents,
            [
                _("Agent"),
                _("Employee number"),
                _("Team"),
                _("Checked"),
                _("Automatic mean"),
                _("Evaluated"),
                _("Pass rate (%)"),
            ],
            [
                [
                    a["name"],
                    a["employee_no"],
                    a["team"],
                    a["checked"],
                    a["auto_mean"],
                    a["evaluated"],
                    a["pass_rate"],
                ]
                for a in data["agents_below"]
            ],
        )
    targets = data.get("targets") or data.get("targets_met", []) + data.get("targets_missed", [])
    if targets:
        sheet_t = book.create_sheet(_("Targets")[:31])
        rows(
            sheet_t,
            [_("Item"), _("Team"), _("Measure"), _("Target (%)"), _("Due week"), _("Status")],
            [
                [
                    t["label"],
                    t.get("team", ""),
                    t.get("measure", ""),
                    t["target"],
                    t.get("due_iso_week"),
                    t["status"],
                ]
                for t in targets
            ],
        )
    if bulletin.decisions:
        sheet.append([])
        sheet.append([_("Decisions"), safe_cell(bulletin.decisions)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    from bulletins.charts import weekly_charts

    return render_pdf(
        "bulletins/print.html",
        {
            "bulletin": bulletin,
            "data": bulletin.data,
            "issuing_unit": settings.QA_ISSUING_UNIT,
            "charts": weekly_charts(bulletin.data) if bulletin.kind == "weekly" else None,
        },
    )
