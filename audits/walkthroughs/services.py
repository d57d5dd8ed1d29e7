"""Writes of the walk-through: the month's draw, the start of the one-hour window, documents,
the drill, findings and the verdict. Each checks who may do it (qa_center.permissions) and
refuses bad input with a ValidationError naming the field, changing nothing."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Department
from qa_center import periods
from qa_center.notifications import notify
from qa_center.permissions import may_draw_walkthroughs, may_run_walkthrough

from . import draw as drawing
from . import scoring
from .models import (
    DepartmentDraw,
    Finding,
    Walkthrough,
    WalkthroughDocument,
    WalkthroughDraw,
    WalkthroughStep,
)

WALKED_KINDS = ("system", "process")
RECENT_MONTHS = 2


# --- The draw -------------------------------------------------------------------------------


@dataclass
class DrawResult:
    draw: WalkthroughDraw
    created: list[Walkthrough] = field(default_factory=list)
    departments: list[DepartmentDraw] = field(default_factory=list)  # drawn by this run


def month_of(day: datetime.date) -> datetime.date:
    return periods.month_start_of(day)


def _add_months(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _draw_row(month: datetime.date, by) -> WalkthroughDraw:
    """The month's draw row, created once: two runs at once both get the same row (and so the
    same seed); the loser of the INSERT race reads the winner's."""
    try:
        with transaction.atomic():
            draw, _created = WalkthroughDraw.objects.get_or_create(
                month=month, defaults={"seed": secrets.token_hex(8), "drawn_by": by}
            )
    except IntegrityError:
        draw = WalkthroughDraw.objects.get(month=month)
    return draw


def _published_candidates(department: Department) -> list:
    """The department's published systems and processes, each with its published version."""
    from audits.standards.models import Standard

    standards = (
        Standard.objects.filter(department=department, kind__in=WALKED_KINDS)
        .select_related("owner")
        .order_by("code")
    )
    found = []
    for standard in standards:
        version = standard.current_published
        if version is not None and standard.owner_id:
            found.append((standard, version))
    return found


def nonconformities_by_standard(standard_ids: list[int], *, before: datetime.date) -> dict:
    """Past nonconformities per standard: the walk-throughs' major and minor findings and the
    self-inspections' minor and major nonconformities (audits.inspections) before `before`."""
    counts: dict[int, int] = {}
    rows = (
        Finding.objects.filter(
            walkthrough__standard_id__in=standard_ids,
            walkthrough__month__lt=before,
            grade__in=Finding.NONCONFORMITIES,
        )
        .values("walkthrough__standard_id")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["walkthrough__standard_id"]] = row["n"]
    from audits.inspections.models import ChecklistItem

    inspected = (
        ChecklistItem.objects.filter(
            standard_id__in=standard_ids,
            result__in=ChecklistItem.NONCONFORMITIES,
            recorded_at__lt=periods.local_midnight(before),
        )
        .values("standard_id")
        .annotate(n=Count("pk"))
    )
    for row in inspected:
        counts[row["standard_id"]] = counts.get(row["standard_id"], 0) + row["n"]
    return counts


def _documents_text(required) -> str:
    if isinstance(required, list | tuple):
        return "\n".join(str(d) for d in required)
    return str(required or "")


def _copy_steps(walkthrough: Walkthrough, version) -> None:
    from audits.standards.models import ProcessStep

    steps = list(ProcessStep.objects.filter(version=version).order_by("position"))[:200]
    if steps:
        rows = [
            WalkthroughStep(
                walkthrough=walkthrough,
                position=i,
                title=step.title,
                required_documents=_documents_text(step.required_documents),
            )
            for i, step in enumerate(steps, start=1)
        ]
    else:  # a system: the document as a whole is the one step
        rows = [
            WalkthroughStep(
                walkthrough=walkthrough,
                position=1,
                title=version.title,
                required_documents=_("The system document and the records showing it is applied."),
            )
        ]
    WalkthroughStep.objects.bulk_create(rows)


def _draw_department(
    draw: WalkthroughDraw, department: Department
) -> tuple[DepartmentDraw, list[Walkthrough]]:
    found = _published_candidates(department)
    by_id = {standard.pk: (standard, version) for standard, version in found}
    since = _add_months(draw.month, -RECENT_MONTHS)
    recent = set(
        Walkthrough.objects.filter(
            department=department, month__gte=since, month__lt=draw.month
        ).values_list("standard_id", flat=True)
    )
    troubles = nonconformities_by_standard(list(by_id), before=draw.month)
    candidates = [
        drawing.Candidate(
            standard_id=standard.pk,
            code=standard.code,
            nonconformities=troubles.get(standard.pk, 0),
            walked_recently=standard.pk in recent,
        )
        for standard, _version in found
    ]
    picks = drawing.choose(candidates, seed=draw.seed, department_id=department.pk)
    created = []
    for pick in picks:
        standard, version = by_id[pick.candidate.standard_id]
        walkthrough = Walkthrough.objects.create(
            month=draw.month,
            department=department,
            slot=pick.slot,
            standard=standard,
            version=version,
            owner=standard.owner,
            weight=pick.candidate.weight,
            walked_recently=pick.candidate.walked_recently,
        )
        _copy_steps(walkthrough, version)
        created.append(walkthrough)
    row, _created = DepartmentDraw.objects.update_or_create(
        draw=draw, department=department, defaults={"available": len(found), "drawn": len(picks)}
    )
    return row, created


def walkthroughs_draw_month(*, month: datetime.date, by=None) -> DrawResult:
    """Draw the month's walk-throughs: up to two published systems or processes per department.

    Idempotent and safe to run twice at once: the month's row (and its seed) is created once,
    the runs queue on its row lock, and a department drawn already is left as it is; the
    UNIQUE constraints on (month, department, standard) and (month, department, slot) hold it
    even so. A department added since, or that had nothing published to walk, gets its draw
    on the next run. `by`: who asked (a page;
    None for the monthly job and the command), who must draw for the whole center."""
    if by is not None and not may_draw_walkthroughs(by):
        raise PermissionDenied(_("Only the center's auditors draw the month's walk-throughs."))
    month = month_of(month)
    draw = _draw_row(month, by)
    result = DrawResult(draw=draw)
    with transaction.atomic():
        draw = WalkthroughDraw.objects.select_for_update().get(pk=draw.pk)
        result.draw = draw
        # A department that had nothing to walk is drawn again: its standards may be
        # published since.
        done = set(
            DepartmentDraw.objects.filter(draw=draw, drawn__gt=0).values_list(
                "department_id", flat=True
            )
        )
        for department in Department.objects.order_by("code", "pk"):
            if department.pk in done:
                continue
            row, created = _draw_department(draw, department)
            result.departments.append(row)
            result.created.extend(created)
    return result


# --- Starting: the one-hour window ------------------------------------------------------------


def _locked(walkthrough: Walkthrough) -> Walkthrough:
    return (
        Walkthrough.objects.select_for_update()
        .select_related("owner", "standard")
        .get(pk=walkthrough.pk)
    )


def _require_runner(by, walkthrough: Walkthrough) -> None:
    if not may_run_walkthrough(by, walkthrough):
        raise PermissionDenied(
            _("Only an auditor of this department who does not own the standard can do this.")
        )


def walkthrough_url(walkthrough: Walkthrough) -> str:
    return reverse("walkthroughs:detail", args=[walkthrough.pk])


def walkthrough_start(*, walkthrough: Walkthrough, by) -> Walkthrough:
    """Start the walk-through: the owner is told (in the app and by mail) and has one hour from
    that moment, stored as documents_due_at, to upload the documents of every step."""
    _require_runner(by, walkthrough)
    with transaction.atomic():
        walkthrough = _locked(walkthrough)
        if walkthrough.status != Walkthrough.Status.DRAWN:
            raise ValidationError(
                {
                    "status": _(
                        "This walk-through was started at %(when)s; it cannot be started again."
                    )
                    % {
                        "when": timezone.localtime(walkthrough.started_at).strftime(
                            "%Y-%m-%d %H:%M"
                        )
                    }
                }
            )
        now = timezone.now()
        due = now + Walkthrough.WINDOW
        notify(
            users=[walkthrough.owner],
            about=walkthrough,
            title=_("Process walk-through: %(standard)s") % {"standard": walkthrough.version.title},
            body=_(
                "The auditor has started the walk-through of %(code)s. Upload the documents of "
                "every step before %(due)s (one hour); later uploads are marked late and do not "
                "count."
            )
            % {
                "code": walkthrough.standard.code,
                "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            },
            url=walkthrough_url(walkthrough),
            email=True,
        )
        walkthrough.status = Walkthrough.Status.STARTED
        walkthrough.started_at = now
        walkthrough.started_by = by
        walkthrough.documents_due_at = due
        walkthrough.full_clean()
        walkthrough.save()
        pk = walkthrough.pk
        transaction.on_commit(lambda: _schedule_deadline_notice(pk, due))
    return walkthrough


def _schedule_deadline_notice(pk: int, due: datetime.datetime) -> None:
    # Eager Celery (development, tests) would run it now, before the deadline, when it has
    # nothing to say; the periodic sweep sends it there.
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from .tasks import deadline_notice

    deadline_notice.apply_async(args=[pk], eta=due)


def walkthrough_deadline_notice(
    *, walkthrough_id: int, now: datetime.datetime | None = None
) -> bool:
    """Tell the owner and the auditor who started it that the hour is over (once). The lock
    itself needs no task: every read compares documents_due_at with the clock."""
    now = now or timezone.now()
    updated = Walkthrough.objects.filter(
        pk=walkthrough_id, documents_due_at__lte=now, deadline_notified_at__isnull=True
    ).update(deadline_notified_at=now)
    if updated != 1:
        return False
    walkthrough = Walkthrough.objects.select_related("owner", "started_by", "standard").get(
        pk=walkthrough_id
    )
    steps = walkthrough.steps.annotate(
        on_time=Count("documents", filter=Q(documents__late=False))
    ).values_list("on_time", flat=True)
    missing = sum(1 for n in steps if n == 0)
    notify(
        users=[u for u in (walkthrough.owner, walkthrough.started_by) if u is not None],
        about=walkthrough,
        title=_("Walk-through documents closed: %(code)s") % {"code": walkthrough.standard.code},
        body=_("The hour is over; %(missing)s step(s) have no document on time.")
        % {"missing": missing},
        url=walkthrough_url(walkthrough),
    )
    return True


def walkthroughs_deadline_sweep(*, now: datetime.datetime | None = None) -> int:
    """The notices of every window that ended without one (the periodic job)."""
    now = now or timezone.now()
    due = Walkthrough.objects.filter(
        documents_due_at__lte=now, deadline_notified_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(walkthrough_deadline_notice(walkthrough_id=pk, now=now) for pk in list(due))


# --- Documents --------------------------------------------------------------------------------

# Extension → what the file must start with (None: text, UTF-8 without NUL).
_SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".txt": None,
    ".csv": None,
}
_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}
ALLOWED_EXTENSIONS = tuple(_SIGNATURES)


def max_upload_bytes() -> int:
    return settings.QA_WALKTHROUGH_MAX_UPLOAD_BYTES


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _checked_content(upload) -> tuple[bytes, str, str]:
    """The file's bytes, cleaned name and content type, or a ValidationError on `file`."""
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    limit = max_upload_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {"file": _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // 2**20}}
        )
    extension = _extension(name)
    if extension not in _SIGNATURES:
        raise ValidationError(
            {
                "file": _("Files of this type are not accepted; upload one of: %(types)s.")
                % {"types": " ".join(ALLOWED_EXTENSIONS)}
            }
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            {"file": _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // 2**20}}
        )
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    signatures = _SIGNATURES[extension]
    if signatures is None:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or "\x00" in text:
            raise ValidationError({"file": _("A text file must be UTF-8 text.")})
    elif not content.startswith(signatures):
        raise ValidationError(
            {"file": _("The file's content is not a %(ext)s file.") % {"ext": extension}}
        )
    return content, name, _CONTENT_TYPES[extension]


def walkthrough_document_upload(
    *, walkthrough: Walkthrough, step: WalkthroughStep | int, by, file
) -> WalkthroughDocument:
    """The owner uploads a document for a step. After the deadline it is kept, marked late,
    and does not count. Refused (nothing stored): not the owner, not started, concluded, a step
    of another walk-through, a file over the size limit or of a type not accepted."""
    if by.pk != walkthrough.owner_id:
        raise PermissionDenied(_("Only the owner of the standard uploads its documents."))
    step_id = step.pk if isinstance(step, WalkthroughStep) else step
    content, name, content_type = _checked_content(file)
    with transaction.atomic():
        walkthrough = _locked(walkthrough)
        if walkthrough.status == Walkthrough.Status.DRAWN:
            raise ValidationError({"file": _("The walk-through has not been started yet.")})
        if walkthrough.status == Walkthrough.Status.CONCLUDED:
            raise ValidationError({"file": _("The walk-through is concluded.")})
        try:
            step = walkthrough.steps.get(pk=step_id)
        except (WalkthroughStep.DoesNotExist, ValueError, TypeError):
            raise ValidationError({"step": _("Choose a step of this walk-through.")}) from None
        now = timezone.now()
        digest = hashlib.sha256(content).hexdigest()
        document = WalkthroughDocument(
            step=step,
            name=name,
            content_type=content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=by,
            uploaded_at=now,
            late=walkthrough.documents_locked(now),
        )
        document.file.save(digest, ContentFile(content), save=False)
        document.save()
    return document


# --- Drill, findings, verdict -----------------------------------------------------------------


def _require_open(walkthrough: Walkthrough, field_name: str) -> None:
    if walkthrough.status == Walkthrough.Status.DRAWN:
        raise ValidationError({field_name: _("Start the walk-through first.")})
    if walkthrough.status == Walkthrough.Status.CONCLUDED:
        raise ValidationError({field_name: _("The walk-through is concluded.")})


def walkthrough_drill_record(*, walkthrough: Walkthrough, by, results: list[dict]) -> int:
    """Record the drill (模拟演练) step by step: each {"step": id, "result": done | missing |
    unreasonable, "note": ""}; missing or unreasonable need a note. All or nothing."""
    _require_runner(by, walkthrough)
    choices = set(WalkthroughStep.Drill.values)
    with transaction.atomic():
        walkthrough = _locked(walkthrough)
        _require_open(walkthrough, "results")
        steps = {s.pk: s for s in walkthrough.steps.all()}
        errors: list[str] = []
        seen: set[int] = set()
        if not results:
            errors.append(_("Record the result of at least one step."))
        for row in results:
            step = steps.get(row.get("step"))
            if step is None:
                errors.append(_("Step %(step)s is not a step of this walk-through.") % row)
                continue
            if step.pk in seen:
                errors.append(_("Step %(n)s is given twice.") % {"n": step.position})
                continue
            seen.add(step.pk)
            result = row.get("result")
            note = (row.get("note") or "").strip()
            if result not in choices:
                errors.append(
                    _("Step %(n)s: choose done, missing or unreasonable.") % {"n": step.position}
                )
            elif result != WalkthroughStep.Drill.DONE and not note:
                errors.append(
                    _("Step %(n)s: say what is missing or unreasonable.") % {"n": step.position}
                )
        if errors:
            raise ValidationError({"results": errors})
        now = timezone.now()
        for row in results:
            step = steps[row["step"]]
            step.drill = row["result"]
            step.drill_note = (row.get("note") or "").strip()
            step.drilled_at = now
            step.drilled_by = by
            step.save(update_fields=["drill", "drill_note", "drilled_at", "drilled_by"])
    return len(results)


def finding_record(
    *,
    walkthrough: Walkthrough,
    by,
    grade: str,
    description: str,
    step: WalkthroughStep | int | None = None,
    action_owner=None,
    action_due_on: datetime.date | None = None,
    action_title: str = "",
) -> Finding:
    """Record a finding. A major or minor nonconformity opens its corrective action
    (audits.actions) for `action_owner` (default: the standard's owner), due `action_due_on`."""
    from audits.actions.models import CorrectiveAction
    from audits.actions.services import action_create

    _require_runner(by, walkthrough)
    description = (description or "").strip()
    errors: dict[str, str] = {}
    if grade not in Finding.Grade.values:
        errors["grade"] = _("Choose a grade.")
    if not description:
        errors["description"] = _("Describe the finding.")
    nonconformity = grade in Finding.NONCONFORMITIES
    today = timezone.localdate()
    if nonconformity:
        if action_due_on is None:
            errors["action_due_on"] = _("A nonconformity needs the due date of its action.")
        elif action_due_on < today:
            errors["action_due_on"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        walkthrough = _locked(walkthrough)
        _require_open(walkthrough, "grade")
        step_row = None
        if step is not None:
            step_id = step.pk if isinstance(step, WalkthroughStep) else step
            step_row = walkthrough.steps.filter(pk=step_id).first()
            if step_row is None:
                raise ValidationError({"step": _("Choose a step of this walk-through.")})
        action = None
        if nonconformity:
            owner = action_owner or walkthrough.owner
            action = action_create(
                by=by,
                title=(action_title or "").strip()
                or _("%(code)s walk-through: %(finding)s")
                % {"code": walkthrough.standard.code, "finding": description[:120]},
                owner=owner,
                due_on=action_due_on,
                source=CorrectiveAction.Source.FINDING,
                department=walkthrough.department,
                description=description,
            )
        finding = Finding(
            walkthrough=walkthrough,
            step=step_row,
            grade=grade,
            description=description,
            action=action,
            created_by=by,
        )
        finding.full_clean()
        finding.save()
    return finding


def walkthrough_tally(walkthrough: Walkthrough) -> scoring.Tally:
    """The counts the score is made of, in three queries."""
    steps = list(
        walkthrough.steps.annotate(
            on_time=Count("documents", filter=Q(documents__late=False))
        ).values_list("on_time", "drill")
    )
    grades = dict(
        walkthrough.findings.values("grade").annotate(n=Count("pk")).values_list("grade", "n")
    )
    return scoring.Tally(
        steps=len(steps),
        steps_on_time=sum(1 for on_time, _d in steps if on_time),
        drill=tuple(d for _o, d in steps if d),
        major=grades.get(Finding.Grade.MAJOR, 0),
        minor=grades.get(Finding.Grade.MINOR, 0),
    )


def walkthrough_conclude(
    *, walkthrough: Walkthrough, by, verdict: str, reason: str = ""
) -> Walkthrough:
    """The verdict on the walked standard: keep it, revise it (a new draft version opened for
    its owner, linked to the finding: audits.standards.services.standard_revise) or abolish it
    (audits.standards.services.abolition_request: proposed, the standard stays in force until
    the department's manager, a center manager or the lead of the 制度流程建设项目组 approves
    it). Refused, nothing changed: before the documents' hour is over, before every step's
    drill and at least one finding are recorded, without a reason for revise or abolish, a
    second time."""
    from audits.standards.services import abolition_request, standard_revise

    _require_runner(by, walkthrough)
    reason = (reason or "").strip()
    if verdict not in Walkthrough.Verdict.values:
        raise ValidationError({"verdict": _("Choose keep, revise or abolish.")})
    if verdict != Walkthrough.Verdict.KEEP and not reason:
        raise ValidationError({"reason": _("Say why the standard is revised or abolished.")})
    with transaction.atomic():
        walkthrough = _locked(walkthrough)
        _require_open(walkthrough, "verdict")
        if not walkthrough.documents_locked():
            raise ValidationError(
                {
                    "verdict": _("The owner has until %(due)s to upload documents.")
                    % {"due": timezone.localtime(walkthrough.documents_due_at).strftime("%H:%M")}
                }
            )
        if walkthrough.steps.filter(drill="").exists():
            raise ValidationError({"verdict": _("Record the drill of every step first.")})
        findings = list(walkthrough.findings.order_by("created_at", "pk"))
        if not findings:
            raise ValidationError(
                {"verdict": _("Record the findings first (a good practice counts).")}
            )
        now = timezone.now()
        if verdict == Walkthrough.Verdict.REVISE:
            finding = next((f for f in findings if f.is_nonconformity), findings[0])
            walkthrough.revision = standard_revise(
                standard=walkthrough.standard, by=by, reason=reason, finding=finding
            )
        elif verdict == Walkthrough.Verdict.ABOLISH:
            # A proposal already waiting for approval (from the library) is the one: it is not
            # proposed twice.
            walkthrough.abolition = walkthrough.standard.abolition_requests.filter(
                status="pending"
            ).first() or abolition_request(
                standard=walkthrough.standard,
                by=by,
                reason=_("Walk-through %(month)s: %(reason)s")
                % {"month": f"{walkthrough.month:%Y-%m}", "reason": reason},
            )
        walkthrough.score = scoring.score(walkthrough_tally(walkthrough)).total
        walkthrough.verdict = verdict
        walkthrough.verdict_reason = reason
        walkthrough.status = Walkthrough.Status.CONCLUDED
        walkthrough.concluded_at = now
        walkthrough.concluded_by = by
        walkthrough.full_clean()
        walkthrough.save()
        notify(
            users=[walkthrough.owner],
            about=walkthrough,
            title=_("Walk-through concluded: %(code)s — %(verdict)s")
            % {"code": walkthrough.standard.code, "verdict": walkthrough.get_verdict_display()},
            body=reason,
            url=walkthrough_url(walkthrough),
            email=True,
        )
    return walkthrough
