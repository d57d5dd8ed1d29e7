"""The scorecard editor for drafts (instead of the Django admin): description, pass mark,
sections and their items (code, title, guidance, kind, scale, weight, critical, N/A allowed,
linked engine rule), with blank rows to add more and a box to drop one. Plain form posts;
the service replaces the draft's structure all or nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from qa_center.permissions import capability_required
from scoring.evaluations.models import Scorecard, ScorecardItem
from scoring.evaluations.services.scorecards import scorecard_update_draft
from scoring.rules.models import RuleLibrary

#: Blank item rows under each section, and blank sections, offered for adding.
BLANK_ITEMS = 2
BLANK_SECTIONS = 1
ITEM_FIELDS = ("code", "title", "guidance", "kind", "scale_min", "scale_max", "weight", "rule_code")


def _definition_of(scorecard: Scorecard) -> dict[str, Any]:
    sections = []
    for section in scorecard.sections.prefetch_related("items").order_by("order", "pk"):
        sections.append(
            {
                "title": section.title,
                "items": [
                    {
                        "code": i.code,
                        "title": i.title,
                        "guidance": i.guidance,
                        "kind": i.kind,
                        "scale_min": i.scale_min,
                        "scale_max": i.scale_max,
                        "weight": i.weight,
                        "critical": i.critical,
                        "allow_na": i.allow_na,
                        "rule_code": i.rule_code,
                    }
                    for i in section.items.all()
                ],
            }
        )
    return {
        "description": scorecard.description,
        "pass_mark": scorecard.pass_mark,
        "sections": sections,
    }


def _posted(post) -> dict[str, Any]:
    """The definition the form sends: rows left blank or marked to drop are left out."""
    sections = []
    s = 0
    while f"s{s}-title" in post:
        items = []
        i = 0
        while f"s{s}-i{i}-code" in post:
            key = f"s{s}-i{i}-"
            row = {name: post.get(key + name, "").strip() for name in ITEM_FIELDS}
            if post.get(key + "drop") or not (row["code"] or row["title"]):
                i += 1
                continue
            item: dict[str, Any] = {k: row[k] for k in ("code", "title", "guidance", "rule_code")}
            item["kind"] = row["kind"] or ScorecardItem.Kind.YES_NO
            for number in ("scale_min", "scale_max", "weight"):
                if row[number] != "":
                    item[number] = row[number]
            item["critical"] = bool(post.get(key + "critical"))
            item["allow_na"] = bool(post.get(key + "allow_na"))
            items.append(item)
            i += 1
        title = post.get(f"s{s}-title", "").strip()
        if (title or items) and not post.get(f"s{s}-drop"):
            sections.append({"title": title, "items": items})
        s += 1
    return {
        "description": post.get("description", "").strip(),
        "pass_mark": post.get("pass_mark", "").strip() or "80",
        "sections": sections,
    }


def _rules() -> list[tuple[str, str]]:
    library = RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).only("definition")
    library = library.first()
    if library is None or not isinstance(library.definition, dict):
        return []
    return [
        (str(r["code"]), f"{r['code']} · {r.get('title', '')}")
        for r in library.definition.get("rules", [])
        if isinstance(r, dict) and r.get("code")
    ]


def _rows(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Sections with their items and blank rows, for the form."""
    blank = {"kind": ScorecardItem.Kind.YES_NO, "allow_na": True, "weight": 1, "blank": True}
    sections = [
        {"title": s.get("title", ""), "items": [*s.get("items", []), *[dict(blank)] * BLANK_ITEMS]}
        for s in definition.get("sections", [])
    ]
    sections += [
        {"title": "", "items": [dict(blank)] * (BLANK_ITEMS + 1), "blank": True}
    ] * BLANK_SECTIONS
    return sections


def _messages_of(exc: ValidationError, definition: dict[str, Any]) -> list[str]:
    """Errors with the place named by section and item titles, not by index."""
    out = []
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for key, texts in errors.items():
        where = key
        if key.startswith("sections["):
            try:
                s = int(key.split("[")[1].split("]")[0])
                i = int(key.split("items[")[1].split("]")[0])
                field = key.rsplit(".", 1)[1]
                section = definition["sections"][s]
                item = section["items"][i]
                where = f"{section['title'] or s + 1} / {item.get('title') or item.get('code')} ({field})"
            except (IndexError, KeyError, ValueError):
                pass
        out.extend(f"{where}: {t}" if where and where != "__all__" else t for t in texts)
    return out


@capability_required("manage_rules")
def scorecard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = get_object_or_404(Scorecard, pk=pk)
    if scorecard.status != Scorecard.Status.DRAFT:
        messages.error(request, _("Only a draft can be edited; make a new version."))
        return redirect("evaluations:scorecard_detail", pk=pk)
    definition = _definition_of(scorecard)
    errors: list[str] = []
    if request.method == "POST":
        definition = _posted(request.POST)
        try:
            scorecard_update_draft(scorecard=scorecard, definition=definition, actor=request.user)
        except ValidationError as exc:
            errors = _messages_of(exc, definition)
        else:
            messages.success(request, _("%(card)s is saved.") % {"card": scorecard})
            return redirect("evaluations:scorecard_detail", pk=pk)
    context = {
        "scorecard": scorecard,
        "definition": definition,
        "sections": _rows(definition),
        "rules": (rules := _rules()),
        "rules_codes": [code for code, _label in rules],
        "kinds": ScorecardItem.Kind.choices,
        "errors": errors,
    }
    return render(
        request, "evaluations/scorecard_edit.html", context, status=400 if errors else 200
    )
