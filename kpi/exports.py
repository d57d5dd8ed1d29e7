"""Downloads of the KPI tree and the department appraisal: Excel (openpyxl, text that could run
as a formula neutralised) and PDF (WeasyPrint with the system's CJK fonts, fetching nothing but
our static files — the same fetcher as the bulletins)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from qa_center.exports import render_pdf, safe_cell


def tree_filename(page) -> str:
    return f"kpi-tree-{page.node.key.replace(':', '-')}-{page.period}"


def _band(band: str | None) -> str:
    return {"green": _("Green"), "amber": _("Amber"), "red": _("Red")}.get(band or "", "")


def tree_xlsx(page) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("KPI tree")[:31]
    bold = Font(bold=True)
    sheet.append([safe_cell(f"{_('KPI tree')} · {page.node.label} · {page.period}")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    header = [_("Unit"), _("Level")]
    for ind in page.indicators:
        header += [
            f"{ind.code} {ind.name}",
            _("Numerator"),
            _("Denominator"),
            _("Target"),
            _("Band"),
        ]
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in [page.own, *page.children]:
        line = [safe_cell(row.node.label), str(row.node.level)]
        for cell in row.cells:
            line += [
                cell.value,
                cell.numerator,
                cell.denominator,
                float(cell.target.value) if cell.target is not None else None,
                _band(cell.band),
            ]
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def appraisal_xlsx(page, rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Department appraisal")[:31]
    bold = Font(bold=True)
    sheet.append([safe_cell(f"{_('Department appraisal')} · {page.period}")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(
        [_("Department"), _("Indicator"), _("Weight"), _("Value"), _("Target"), _("Score")]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for item in rows:
        result = item["composite"]
        for component in result.components:
            sheet.append(
                [
                    safe_cell(item["row"].node.label),
                    safe_cell(f"{component.code} {component.label}"),
                    component.weight,
                    component.value,
                    component.target,
                    None if component.score is None else round(component.score, 1),
                ]
            )
        sheet.append(
            [
                safe_cell(item["row"].node.label),
                _("Composite"),
                result.coverage,
                None,
                None,
                None if result.score is None else round(result.score, 1),
            ]
        )
        for error in result.errors:
            sheet.append([safe_cell(item["row"].node.label), safe_cell(error)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tree_pdf(page) -> bytes:
    return render_pdf("kpi/print_tree.html", {"page": page})


def appraisal_pdf(page, rows: list[dict]) -> bytes:
    return render_pdf("kpi/print_appraisal.html", {"page": page, "rows": rows})
