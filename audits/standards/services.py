"""Writes to the standards library. Every lifecycle move goes through here: it checks who may,
moves the version's state machine, logs the move (who, when, why) and keeps the standard in
step (status, title, version in force, search text)."""

from __future__ import annotations

import datetime
import mimetypes
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.standards.models import (
    OPEN_STATUSES,
    AbolitionRequest,
    Acknowledgement,
    Attachment,
    Kind,
    ProcessStep,
    Rollout,
    RuleLink,
    Standard,
    StandardTransition,
    StandardVersion,
    Status,
)
from org.models import Agent, Department, Role, Team, User, WorkingGroup
from org.names import pinyin_initials
from qa_center.notifications import notify
from qa_center.permissions import (
    may_approve_abolition,
    may_edit_standard,
    may_manage_standard,
    may_open,
    may_request_abolition,
    scope_queryset,
)

# --- Keeping the standard in step ------------------------------------------------------------


def _person_terms(user: User | None) -> list[str]:
    if user is None:
        return []
    name = user.display_name
    return [name, pinyin_initials(name), user.username]


def search_text_of(terms) -> str:
    """What the search reads: each term normalized as the call search does (NFKC, case-folded,
    letters and digits only: "LC-001" → "lc001"), terms apart, so the PostgreSQL bigram index
    of scoring.calls.search (qa_text_bigrams) serves it too."""
    from scoring.calls.search import normalize

    return " ".join(n for n in (normalize(t) for t in terms if t) if n)


def standard_refresh(standard: Standard) -> Standard:
    """Recomputes the standard's status, title, version in force and search text from its
    versions. Called by every service that changes one."""
    versions = list(standard.versions.order_by("-number"))
    published = next((v for v in versions if v.status == Status.PUBLISHED), None)
    if standard.status == Status.ABOLISHED:
        status = Status.ABOLISHED
    elif published is not None:
        status = Status.PUBLISHED
    elif versions:
        status = versions[-1].status if len(versions) == 1 else versions[0].status
    else:
        status = Status.DRAFT
    shown = published or (versions[0] if versions else None)
    standard.status = status
    standard.published_version = published
    if shown is not None:
        standard.title = shown.title
    terms = [standard.code, standard.title]
    if shown is not None:
        terms += [shown.body, shown.question, shown.answer]
    terms += _person_terms(standard.owner) + _person_terms(standard.monitor)
    standard.search_text = search_text_of(terms)
    standard.save(update_fields=["status", "published_version", "title", "search_text"])
    return standard


def _log(
    *, version: StandardVersion, source: str, by: User, reason: str = ""
) -> StandardTransition:
    return StandardTransition.objects.create(
        standard_id=version.standard_id,
        version=version,
        source=source,
        target=version.status,
        by=by,
        reason=reason,
    )


def _locked(version: StandardVersion) -> StandardVersion:
    return StandardVersion.objects.select_for_update().select_related("standard").get(pk=version.pk)


def _check_department(department: Department | None) -> None:
    if department is None:
        raise ValidationError({"department": _("A standard belongs to a department.")})


# --- Creating and editing --------------------------------------------------------------------


@transaction.atomic
def standard_create(
    *,
    by: User,
    code: str,
    kind: str,
    title: str,
    department: Department,
    owner: User | None = None,
    monitor: User | None = None,
    working_group: WorkingGroup | None = None,
    body: str = "",
    question: str = "",
    answer: str = "",
    steps: Sequence[dict[str, Any]] = (),
    rule_codes: Iterable[str] = (),
    reason: str = "",
) -> Standard:
    """A new standard with its first version as a draft."""
    _check_department(department)
    if not may_manage_standard(by, department_id=department.pk):
        raise PermissionDenied(_("You may not create standards for this department."))
    standard = Standard(
        code=(code or "").strip(),
        kind=kind,
        title=title,
        department=department,
        owner=owner,
        monitor=monitor,
        working_group=working_group,
    )
    standard.full_clean(exclude=["published_version"])
    standard.save()
    version = StandardVersion(
        standard=standard,
        number=1,
        title=title,
        body=body,
        question=question,
        answer=answer,
        change_note=reason,
        created_by=by,
    )
    version.full_clean()
    version.save()
    _set_steps(version, steps)
    _set_rule_codes(version, rule_codes)
    _log(version=version, source="", by=by, reason=reason or _("Created"))
    return standard_refresh(standard)


@transaction.atomic
def standard_update(
    *,
    standard: Standard,
    by: User,
    owner: User | None | Any = ...,
    monitor: User | None | Any = ...,
    working_group: WorkingGroup | None | Any = ...,
) -> Standard:
    """Changes who answers for the standard (owner, monitor) and the working group that
    carries it. These are not content: a published standard keeps its version."""
    if not may_manage_standard(by, department_id=standard.department_id):
        raise PermissionDenied(_("You may not change this standard."))
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if owner is not ...:
        standard.owner = owner
    if monitor is not ...:
        standard.monitor = monitor
    if working_group is not ...:
        standard.working_group = working_group
    standard.full_clean(exclude=["published_version"])
    standard.save(update_fields=["owner", "monitor", "working_group", "updated_at"])
    return standard_refresh(standard)


def _set_steps(version: StandardVersion, steps: Sequence[dict[str, Any]]) -> None:
    if steps and version.standard.kind != Kind.PROCESS:
        raise ValidationError({"steps": _("Only a process has steps.")})
    version.steps.all().delete()
    rows = []
    for position, step in enumerate(steps, start=1):
        title = str(step.get("title", "")).strip()
        if not title:
            raise ValidationError(
                {"steps": _("Step %(position)s has no title.") % {"position": position}}
            )
        documents = [str(d).strip() for d in step.get("required_documents", []) if str(d).strip()]
        rows.append(
            ProcessStep(
                version=version,
                position=position,
                title=title[:200],
                description=str(step.get("description", "")),
                required_documents=documents,
            )
        )
    ProcessStep.objects.bulk_create(rows)


def _known_rule_codes() -> set[str] | None:
    from scoring.rules.services import active_library

    library = active_library()
    if library is None:
        return None
    return {
        str(rule.get("code"))
        for rule in (library.definition or {}).get("rules", [])
        if isinstance(rule, dict)
    }


def _set_rule_codes(version: StandardVersion, codes: Iterable[str]) -> None:
    codes = sorted({str(c).strip() for c in codes if str(c).strip()})
    if codes:
        known = _known_rule_codes()
        if known is None:
            raise ValidationError(
                {"rule_codes": _("There is no active rule library to link rules from.")}
            )
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(
                {
                    "rule_codes": _("Not rules of the active library: %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                }
            )
    version.rule_links.all().delete()
    RuleLink.objects.bulk_create([RuleLink(version=version, rule_code=c) for c in codes])


@transaction.atomic
def version_update(
    *,
    version: StandardVersion,
    by: User,
    title: str | None = None,
    body: str | None = None,
    question: str | None = None,
    answer: str | None = None,
    steps: Sequence[dict[str, Any]] | None = None,
    rule_codes: Iterable[str] | None = None,
    change_note: str | None = None,
) -> StandardVersion:
    """Edits a version that is still being written (draft or in review)."""
    version = _locked(version)
    if not may_edit_standard(by, version.standard):
        raise PermissionDenied(_("You may not edit this standard."))
    if version.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Version %(number)s is %(status)s: revise the standard for a new version.")
            % {"number": version.number, "status": version.get_status_display()}
        )
    for name, value in (
        ("title", title),
        ("body", body),
        ("question", question),
        ("answer", answer),
        ("change_note", change_note),
    ):
        if value is not None:
            setattr(version, name, value)
    version.full_clean()
    version.save()
    if steps is not None:
        _set_steps(version, steps)
    if rule_codes is not None:
        _set_rule_codes(version, rule_codes)
    standard_refresh(version.standard)
    return version


# --- The lifecycle ---------------------------------------------------------------------------


@transaction.atomic
def version_submit(*, version: StandardVersion, by: User, reason: str = "") -> StandardVersion:
    """Draft → in review: the owner (or a manager of the library) asks for publication."""
    version = _locked(version)
    if not may_edit_standard(by, version.standard):
        raise PermissionDenied(_("You may not submit this standard."))
    if version.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted for review."))
    source = version.status
    version.submit()
    version.save(update_fields=["status"])
    _log(version=version, source=source, by=by, reason=reason)
    standard_refresh(version.standard)
    return version


@transaction.atomic
def version_send_back(*, version: StandardVersion, by: User, reason: str) -> StandardVersion:
    """In review → draft, with the reviewer's reason."""
    version = _locked(version)
    if not may_manage_standard(by, department_id=version.standard.department_id):
        raise PermissionDenied(_("You may not review this standard."))
    if version.status != Status.IN_REVIEW:
        raise ValidationError(_("Only a version in review can be sent back."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the version goes back to its author.")})
    version.send_back()
    version.save(update_fields=["status"])
    _log(version=version, source=Status.IN_REVIEW, by=by, reason=reason)
    standard_refresh(version.standard)
    return version


@transaction.atomic
def version_publish(
    *,
    version: StandardVersion,
    by: User,
    reason: str = "",
    teams: Iterable[Team] = (),
    due_on: datetime.date | None = None,
) -> StandardVersion:
    """Publishes a version (draft or in review): the version in force until now is
    superseded. Refused without a named owner and monitor, for a process without steps, for
    a specification without its answer. `teams`: roll it out to these teams at once."""
    version = _locked(version)
    standard = Standard.objects.select_for_update().get(pk=version.standard_id)
    if not may_manage_standard(by, department_id=standard.department_id):
        raise PermissionDenied(_("You may not publish this standard."))
    if standard.status == Status.ABOLISHED:
        raise ValidationError(_("This standard is abolished."))
    if version.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Version %(number)s is %(status)s and cannot be published.")
            % {"number": version.number, "status": version.get_status_display()}
        )
    missing = {}
    if standard.owner_id is None:
        missing["owner"] = _("A standard is published only with a named owner (专人负责).")
    if standard.monitor_id is None:
        missing["monitor"] = _("A standard is published only with a named monitor (专人监控).")
    if standard.kind == Kind.PROCESS and not version.steps.exists():
        missing["steps"] = _("A process is published only with its steps.")
    if standard.kind == Kind.SPECIFICATION and not version.answer.strip():
        missing["answer"] = _("An answer specification is published only with its answer.")
    if missing:
        raise ValidationError(missing)
    now = timezone.now()
    previous = standard.versions.filter(status=Status.PUBLISHED).first()
    if previous is not None:
        previous.supersede()
        previous.save(update_fields=["status"])
        _log(
            version=previous,
            source=Status.PUBLISHED,
            by=by,
            reason=_("Superseded by version %(number)s") % {"number": version.number},
        )
    source = version.status
    version.publish()
    version.published_at = now
    version.published_by = by
    version.save(update_fields=["status", "published_at", "published_by"])
    _log(version=version, source=source, by=by, reason=reason)
    standard_refresh(standard)
    teams = list(teams)
    if teams:
        rollout_create(version=version, by=by, teams=teams, due_on=due_on)
    return version


@transaction.atomic
def standard_revise(
    *, standard: Standard, by: User, reason: str, finding: Any = None
) -> StandardVersion:
    """Opens a new draft of `standard` for its owner, a copy of the version in force (steps and
    rule links included), linked to `finding` (a walk-through finding, an inspection's
    nonconformity…) when given. If a version is already being written, that one is the
    revision: it is returned, linked to the finding if it had no origin yet. The owner is
    notified."""
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if not may_manage_standard(by, department_id=standard.department_id):
        raise PermissionDenied(_("You may not revise this standard."))
    if standard.status == Status.ABOLISHED:
        raise ValidationError(_("This standard is abolished: it cannot be revised."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the standard is revised.")})
    origin_type = ContentType.objects.get_for_model(finding) if finding is not None else None
    current = standard.versions.filter(status__in=OPEN_STATUSES).first()
    if current is not None:
        if finding is not None and current.origin_id is None:
            current.origin_type, current.origin_id = origin_type, finding.pk
            current.save(update_fields=["origin_type", "origin_id"])
        _log(version=current, source=current.status, by=by, reason=reason)
        _notify_owner(standard, current, reason)
        return current
    base = standard.published_version or standard.versions.order_by("-number").first()
    number = (
        standard.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = StandardVersion(
        standard=standard,
        number=number,
        title=base.title if base else standard.title,
        body=base.body if base else "",
        question=base.question if base else "",
        answer=base.answer if base else "",
        change_note=reason,
        origin_type=origin_type,
        origin_id=finding.pk if finding is not None else None,
        created_by=by,
    )
    version.full_clean()
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        raise ValidationError(_("This standard already has a version being written.")) from None
    if base is not None:
        ProcessStep.objects.bulk_create(
            [
                ProcessStep(
                    version=version,
                    position=s.position,
                    title=s.title,
                    description=s.description,
                    required_documents=s.required_documents,
                )
                for s in base.steps.all()
            ]
        )
        RuleLink.objects.bulk_create(
            [RuleLink(version=version, rule_code=link.rule_code) for link in base.rule_links.all()]
        )
    _log(version=version, source="", by=by, reason=reason)
    standard_refresh(standard)
    _notify_owner(standard, version, reason)
    return version


def _notify_owner(standard: Standard, version: StandardVersion, reason: str) -> None:
    if standard.owner_id is None:
        return
    notify(
        users=[standard.owner],
        about=standard,
        title=_("Revise %(code)s %(title)s (version %(number)s)")
        % {"code": standard.code, "title": standard.title, "number": version.number},
        body=reason,
        url=reverse("standards:detail", args=[standard.pk]),
        email=True,
    )


def _abolish(standard: Standard, *, by: User, reason: str) -> Standard:
    """The move itself: the version in force and any version being written are abolished."""
    for version in standard.versions.filter(
        status__in=[Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED]
    ).select_for_update():
        source = version.status
        version.abolish()
        version.save(update_fields=["status"])
        _log(version=version, source=source, by=by, reason=reason)
    standard.status = Status.ABOLISHED
    standard.save(update_fields=["status"])
    return standard_refresh(standard)


@transaction.atomic
def standard_abolish(*, standard: Standard, by: User, reason: str) -> Standard:
    """Withdraws the standard (废止) at once, without a proposal: an administrator's act (a
    standard created by mistake). Everyone else proposes it (`abolition_request`) and it is
    abolished when approved (`abolition_decide`)."""
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if by.role != Role.ADMIN:
        raise PermissionDenied(
            _("A standard is abolished only after approval: propose its abolition.")
        )
    if standard.status == Status.ABOLISHED:
        raise ValidationError(_("This standard is already abolished."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the standard is abolished.")})
    return _abolish(standard, by=by, reason=reason)


# --- Abolition, after approval ---------------------------------------------------------------


def abolition_approvers(standard: Standard) -> list[User]:
    """Who may approve the abolition of `standard` (and is told of a proposal): the managers
    of its department and of the whole center, the lead of the 制度流程建设项目组. The
    permission module has the last word (`may_approve_abolition`)."""
    from django.db.models import Q

    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.MANAGER, department__isnull=True)
            | Q(role=Role.MANAGER, department_id=standard.department_id)
            | Q(
                working_group_memberships__group__code=WorkingGroup.PROCESS_AUDIT,
                working_group_memberships__is_lead=True,
            )
        )
        .distinct()
        .order_by("username")
    )


def _abolition_url(request: AbolitionRequest) -> str:
    return reverse("standards:detail", args=[request.standard_id]) + f"#abolition-{request.pk}"


@transaction.atomic
def abolition_request(*, standard: Standard, by: User, reason: str) -> AbolitionRequest:
    """Proposes to abolish `standard` (a walk-through's verdict, or one who manages the
    department's standards). Nothing is abolished yet: the standard stays in force until one
    who may approve it does (`abolition_decide`). Those approvers who may open the proposal
    are told. Refused: an abolished standard, no reason, a proposal already pending."""
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if not may_request_abolition(by, standard):
        raise PermissionDenied(_("You may not propose to abolish this standard."))
    if standard.status == Status.ABOLISHED:
        raise ValidationError(_("This standard is already abolished."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the standard is abolished.")})
    if standard.abolition_requests.filter(status=AbolitionRequest.Decision.PENDING).exists():
        raise ValidationError(_("The abolition of this standard is already proposed."))
    request = AbolitionRequest.objects.create(standard=standard, reason=reason, requested_by=by)
    approvers = [
        user for user in abolition_approvers(standard) if may_approve_abolition(user, request)
    ]
    notify(
        users=approvers,
        about=request,
        title=_("To approve: abolish %(code)s %(title)s")
        % {
            "code": standard.code,
            "title": standard.title,
        },
        body=_("Proposed by %(who)s: %(reason)s") % {"who": by.display_name, "reason": reason},
        url=_abolition_url(request),
        email=True,
    )
    return request


@transaction.atomic
def abolition_decide(
    *, request: AbolitionRequest, by: User, approve: bool, note: str = ""
) -> AbolitionRequest:
    """Approves the proposal (the standard is abolished: every version in force or being
    written, each move logged with the approver and the reasons) or rejects it (the standard
    stays as it is; a reason is required). Recorded with who, when and why; the proposer and
    the standard's owner and monitor are told (those who may open it)."""
    request = (
        AbolitionRequest.objects.select_for_update()
        .select_related("standard", "requested_by")
        .get(pk=request.pk)
    )
    if not may_approve_abolition(by, request):
        raise PermissionDenied(_("You may not decide on this abolition."))
    if not request.is_pending:
        raise ValidationError(
            _("This proposal was decided already: %(status)s.")
            % {"status": request.get_status_display()}
        )
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the standard is kept.")})
    standard = Standard.objects.select_for_update().get(pk=request.standard_id)
    if approve:
        if standard.status == Status.ABOLISHED:
            raise ValidationError(_("This standard is already abolished."))
        request.approve()
        why = _("Abolition approved by %(who)s: %(reason)s") % {
            "who": by.display_name,
            "reason": request.reason,
        }
        if note:
            why = f"{why} ({note})"
        _abolish(standard, by=by, reason=why)
    else:
        request.reject()
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    values = {"code": standard.code, "title": standard.title}
    title = (
        _("Abolition approved: %(code)s %(title)s is abolished") % values
        if approve
        else _("Abolition rejected: %(code)s %(title)s stays in force") % values
    )
    notify(
        users=[u for u in (request.requested_by, standard.owner, standard.monitor) if u],
        about=request,
        title=title,
        body=note,
        url=_abolition_url(request),
    )
    return request


# --- Attachments -----------------------------------------------------------------------------

# Forms, templates, flowcharts and scans: office documents, PDF, images, plain text. The
# extension says what the file claims to be; the first bytes must agree (a renamed executable
# is refused).
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": ("text/plain", ()),
}


def attachment_max_bytes() -> int:
    return int(getattr(settings, "QA_STANDARD_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def attachment_check(*, name: str, data: bytes) -> tuple[str, str]:
    """The file's clean name and content type, or a ValidationError naming what is wrong."""
    import os

    clean = os.path.basename((name or "").replace("\\", "/")).strip()[:200]
    if not clean:
        raise ValidationError({"file": _("The file has no name.")})
    limit = attachment_max_bytes()
    if len(data) > limit:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"name": clean, "size": len(data), "limit": limit}
            }
        )
    if not data:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": clean}})
    extension = os.path.splitext(clean)[1].lower()
    allowed = ALLOWED_TYPES.get(extension)
    if allowed is None:
        raise ValidationError(
            {
                "file": _("%(name)s: files of this type are not accepted (allowed: %(types)s).")
                % {"name": clean, "types": ", ".join(sorted(ALLOWED_TYPES))}
            }
        )
    content_type, signatures = allowed
    if signatures and not any(data.startswith(s) for s in signatures):
        raise ValidationError(
            {"file": _("%(name)s is not a real %(ext)s file.") % {"name": clean, "ext": extension}}
        )
    if extension == ".txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                {"file": _("%(name)s is not UTF-8 text.") % {"name": clean}}
            ) from None
    return clean, content_type or mimetypes.guess_type(clean)[0] or "application/octet-stream"


@transaction.atomic
def attachment_add(*, version: StandardVersion, by: User, name: str, data: bytes) -> Attachment:
    """Attaches a file to a version being written, stored under its SHA-256."""
    version = _locked(version)
    if not may_edit_standard(by, version.standard):
        raise PermissionDenied(_("You may not attach files to this standard."))
    if version.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Version %(number)s is %(status)s: its attachments cannot change.")
            % {"number": version.number, "status": version.get_status_display()}
        )
    clean, content_type = attachment_check(name=name, data=data)
    attachment = Attachment(
        version=version,
        name=clean,
        content_type=content_type,
        size=len(data),
        sha256=Attachment.digest(data),
        uploaded_by=by,
    )
    attachment.file.save(attachment.sha256, ContentFile(data), save=False)
    attachment.save()
    return attachment


# --- Rollout (宣贯) -----------------------------------------------------------------------------


def _agent_users(team_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.AGENT,
            is_active=True,
            agent__team_id__in=list(team_ids),
            agent__is_active=True,
        ).select_related("agent")
    )


@transaction.atomic
def rollout_create(
    *,
    version: StandardVersion,
    by: User,
    teams: Iterable[Team],
    due_on: datetime.date | None = None,
) -> list[Rollout]:
    """Rolls a published version out to `teams` (in the user's scope): each team's agents are
    told to read and acknowledge it. A team it was rolled out to already is left as it is."""
    version = _locked(version)
    standard = version.standard
    if not may_manage_standard(by, department_id=standard.department_id):
        raise PermissionDenied(_("You may not roll out this standard."))
    if version.status != Status.PUBLISHED:
        raise ValidationError(_("Only the version in force can be rolled out."))
    teams = list(teams)
    if not teams:
        raise ValidationError({"teams": _("Choose at least one team.")})
    in_scope = set(scope_queryset(by, Team.objects.all()).values_list("pk", flat=True))
    outside = [t.name for t in teams if t.pk not in in_scope]
    if outside:
        raise ValidationError(
            {"teams": _("Outside your scope: %(teams)s.") % {"teams": ", ".join(outside)}}
        )
    existing = set(version.rollouts.values_list("team_id", flat=True))
    created = []
    for team in teams:
        if team.pk in existing:
            continue
        rollout = Rollout(version=version, team=team, due_on=due_on, rolled_out_by=by)
        rollout.full_clean(validate_unique=False)
        rollout.save()
        created.append(rollout)
        _notify_readers(rollout, _agent_users([team.pk]), reminder=False)
    return created


def _notify_readers(rollout: Rollout, users: list[User], *, reminder: bool) -> list[User]:
    version = rollout.version
    values = {"code": version.standard.code, "title": version.title, "number": version.number}
    if reminder:
        title = _("Reminder: read and acknowledge %(code)s %(title)s (v%(number)s)") % values
    else:
        title = _("New standard to read: %(code)s %(title)s (v%(number)s)") % values
    body = _("Please read it by %(date)s.") % {"date": rollout.due_on} if rollout.due_on else ""
    return notify(
        users=users,
        about=rollout,
        title=title,
        body=body,
        url=reverse("standards:read", args=[version.standard_id]),
    )


def unread_agents(rollout: Rollout) -> list[Agent]:
    """The team's active agents who have not acknowledged the rolled-out version."""
    read = Acknowledgement.objects.filter(version_id=rollout.version_id).values("agent_id")
    return list(Agent.objects.filter(team_id=rollout.team_id, is_active=True).exclude(pk__in=read))


@transaction.atomic
def rollout_remind(*, rollout: Rollout, by: User) -> list[User]:
    """Reminds the team's agents who have not read the version yet; returns who was told."""
    rollout = (
        Rollout.objects.select_for_update().select_related("version__standard").get(pk=rollout.pk)
    )
    if not may_manage_standard(by, department_id=rollout.version.standard.department_id) and not (
        by.role == Role.TEAM_LEAD and by.team_id == rollout.team_id
    ):
        raise PermissionDenied(_("You may not send reminders for this rollout."))
    if rollout.version.status != Status.PUBLISHED:
        raise ValidationError(_("This version is no longer in force."))
    agent_ids = [a.pk for a in unread_agents(rollout)]
    users = list(
        User.objects.filter(role=Role.AGENT, is_active=True, agent_id__in=agent_ids).select_related(
            "agent"
        )
    )
    told = _notify_readers(rollout, users, reminder=True)
    rollout.reminded_at = timezone.now()
    rollout.save(update_fields=["reminded_at"])
    return told


@transaction.atomic
def acknowledgement_record(*, standard: Standard, user: User) -> Acknowledgement:
    """The agent has read the version in force, which was rolled out to their team."""
    version = standard.published_version
    if user.role != Role.AGENT or not user.agent_id:
        raise ValidationError(_("Only agents acknowledge standards."))
    if version is None or not version.rollouts.filter(team_id=user.agent.team_id).exists():
        raise ValidationError(_("This standard was not rolled out to your team."))
    acknowledgement, _created = Acknowledgement.objects.get_or_create(
        version=version, agent_id=user.agent_id
    )
    return acknowledgement


def may_open_standard(user: User, standard: Standard) -> bool:
    return may_open(user, standard)
