"""Writes to scorecards. A published version is never changed: a change is a new draft
version, and publishing it supersedes the published one (the database allows one published
version per name: constraint one_published_scorecard)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.evaluations.models import Scorecard, ScorecardItem, ScorecardSection


def scorecard_ensure_draft(scorecard: Scorecard) -> None:
    """Refuses any change to a scorecard that is not a draft."""
    if scorecard.status != Scorecard.Status.DRAFT:
        raise ValidationError(
            _("%(scorecard)s is %(status)s and cannot be changed; make a new version.")
            % {"scorecard": scorecard, "status": scorecard.get_status_display()}
        )


def scorecard_create(*, definition: dict[str, Any], actor=None) -> Scorecard:
    """A draft scorecard from a definition:
    {"name", "description"?, "pass_mark"?, "sections": [{"title", "items": [{"code",
    "title", "guidance"?, "kind"?, "scale_min"?, "scale_max"?, "weight"?, "critical"?,
    "allow_na"?, "rule_code"?}]}]}. Its version follows the highest of that name."""
    name = (definition.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("A scorecard needs a name.")})
    with transaction.atomic():
        latest = Scorecard.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0
        scorecard = Scorecard(
            name=name,
            version=latest + 1,
            description=definition.get("description", ""),
            pass_mark=Decimal(str(definition.get("pass_mark", 80))),
            created_by=actor,
        )
        scorecard.full_clean()
        scorecard.save()
        _build(scorecard, definition)
    return scorecard


def _build(scorecard: Scorecard, definition: dict[str, Any]) -> None:
    """The sections and items of `definition` created on `scorecard` (errors name the place:
    sections[i].items[j].field)."""
    for s_index, section_def in enumerate(definition.get("sections") or []):
        section = ScorecardSection(
            scorecard=scorecard, title=section_def.get("title", ""), order=s_index
        )
        section.full_clean()
        section.save()
        for i_index, item_def in enumerate(section_def.get("items") or []):
            item = ScorecardItem(
                scorecard=scorecard,
                section=section,
                order=i_index,
                **{
                    key: item_def[key]
                    for key in (
                        "code",
                        "title",
                        "guidance",
                        "kind",
                        "scale_min",
                        "scale_max",
                        "critical",
                        "allow_na",
                        "rule_code",
                    )
                    if key in item_def
                },
            )
            if "weight" in item_def:
                item.weight = Decimal(str(item_def["weight"]))
            try:
                item.full_clean()
            except ValidationError as exc:
                raise ValidationError(
                    {
                        f"sections[{s_index}].items[{i_index}].{key}": value
                        for key, value in exc.message_dict.items()
                    }
                ) from None
            item.save()


def scorecard_update_draft(*, scorecard: Scorecard, definition: dict[str, Any], actor=None):
    """Replaces a draft's description, pass mark, sections and items with `definition` (the
    shape scorecard_create takes; the name and version stay). Refused for a version that is
    not a draft or that already has evaluations (calibration scores on a draft); all or
    nothing, errors naming sections[i].items[j].field."""
    with transaction.atomic():
        locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        scorecard_ensure_draft(locked)
        if locked.evaluations.exists():
            raise ValidationError(
                _("This draft already has evaluations; make a new version to change it.")
            )
        codes = [
            str(item.get("code", "")).strip()
            for section in definition.get("sections") or []
            for item in section.get("items") or []
        ]
        twice = sorted({c for c in codes if c and codes.count(c) > 1})
        if twice:
            raise ValidationError(
                {"code": _("Each item needs its own code: %(codes)s") % {"codes": ", ".join(twice)}}
            )
        locked.description = definition.get("description", locked.description)
        try:
            locked.pass_mark = Decimal(str(definition.get("pass_mark", locked.pass_mark)))
        except ArithmeticError:
            raise ValidationError({"pass_mark": _("The pass mark must be a number.")}) from None
        locked.full_clean()
        locked.save()
        locked.items.all().delete()
        locked.sections.all().delete()
        _build(locked, definition)
    return locked


def scorecard_publish(*, scorecard: Scorecard, actor=None) -> Scorecard:
    """Publishes a draft; the version published before it (same name) is superseded."""
    with transaction.atomic():
        # Lock every version of the name so two publishers cannot both win.
        versions = list(Scorecard.objects.select_for_update().filter(name=scorecard.name))
        locked = next(s for s in versions if s.pk == scorecard.pk)
        scorecard_ensure_draft(locked)
        if not locked.items.exists():
            raise ValidationError(_("A scorecard needs at least one item to be published."))
        for other in versions:
            if other.status == Scorecard.Status.PUBLISHED:
                other.status = Scorecard.Status.SUPERSEDED
                other.save(update_fields=["status"])
        locked.status = Scorecard.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at"])
    return locked


def scorecard_new_version(*, scorecard: Scorecard, actor=None) -> Scorecard:
    """A draft copy of `scorecard` (usually the published one) with the next version number.
    If a draft of that name exists already, it is returned instead of a second one."""
    with transaction.atomic():
        versions = list(Scorecard.objects.select_for_update().filter(name=scorecard.name))
        draft = next((s for s in versions if s.status == Scorecard.Status.DRAFT), None)
        if draft is not None:
            return draft
        copy = Scorecard.objects.create(
            name=scorecard.name,
            version=max(s.version for s in versions) + 1,
            description=scorecard.description,
            pass_mark=scorecard.pass_mark,
            created_by=actor,
        )
        sections = list(scorecard.sections.all())
        items = list(scorecard.items.all())
        for section in sections:
            new_section = ScorecardSection.objects.create(
                scorecard=copy, title=section.title, order=section.order
            )
            ScorecardItem.objects.bulk_create(
                [
                    ScorecardItem(
                        scorecard=copy,
                        section=new_section,
                        code=item.code,
                        title=item.title,
                        guidance=item.guidance,
                        kind=item.kind,
                        scale_min=item.scale_min,
                        scale_max=item.scale_max,
                        weight=item.weight,
                        critical=item.critical,
                        allow_na=item.allow_na,
                        rule_code=item.rule_code,
                        order=item.order,
                    )
                    for item in items
                    if item.section_id == section.pk
                ]
            )
    return copy


def scorecard_published(name: str) -> Scorecard | None:
    return Scorecard.objects.filter(name=name, status=Scorecard.Status.PUBLISHED).first()
