"""Writes of inspections: self-inspections opened (by hand or by the schedule), their items
recorded, a nonconformity's corrective action, completion; third-party imports.

Rules kept here:
- every write checks the writer's scope (qa_center.permissions.may_run_inspections): a
  department's auditors and managers run its self-inspections and import its third-party
  results; the center's, every department's;
- the schedule opens one self-inspection per department and period (a database constraint),
  however often or concurrently it runs;
- a minor or major nonconformity creates its corrective action in the same transaction
  (source nonconformity, owned by the standard's owner, else the inspector; due in 14 days for
  a major, 30 for a minor) — the item without its action is never stored;
- a self-inspection is completed only when every item has a result;
- a third-party file is imported whole or not at all: a refused file or any bad row stores
  nothing, and every problem is reported with the file, the line and the field.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.actions.models import CorrectiveAction
from audits.actions.services import action_create
from audits.inspections import importers
from audits.inspections.importers import RowProblem, ThirdPartyFileRefusedError
from audits.inspections.models import (
    ChecklistItem,
    Frequency,
    SelfInspection,
    SelfInspectionSchedule,
    ThirdPartyEvaluation,
    ThirdPartyResult,
)
from audits.standards.models import Kind
from audits.standards.selectors import published_standards
from org.models import Department, Team, User
from qa_center.permissions import has_capability, may_run_inspections, scope_queryset

ACTION_DAYS = {ChecklistItem.Result.MAJOR: 14, ChecklistItem.Result.MINOR: 30}


def self_inspection_open(
    *,
    by: User | None,
    department: Department,
    period_start: datetime.date,
    inspector: User,
    due_on: datetime.date,
    title: str = "",
) -> SelfInspection:
    """Open the department's self-inspection of a period, its checklist one item per published
    standard of the department (systems, processes and specifications) as in force now.
    Refused for a second one of the same period, and for a department without a published
    standard (there is nothing to inspect)."""
    if by is not None and not may_run_inspections(by, department=department):
        raise PermissionDenied(_("You may run inspections only for departments in your scope."))
    # Systems first, then processes, then specifications; by code within each kind.
    order = {Kind.SYSTEM: 0, Kind.PROCESS: 1, Kind.SPECIFICATION: 2}
    standards = sorted(
        published_standards(
            department=department, kinds=(Kind.SYSTEM, Kind.PROCESS, Kind.SPECIFICATION)
        ),
        key=lambda standard: (order[standard.kind], standard.code),
    )
    if not standards:
        raise ValidationError(
            _("%(department)s has no published standard to inspect.")
            % {"department": department.name}
        )
    inspection = SelfInspection(
        department=department,
        period_start=period_start,
        inspector=inspector,
        due_on=due_on,
        title=title
        or _("Full self-inspection %(department)s %(period)s")
        % {"department": department.name, "period": period_start.strftime("%Y-%m")},
        created_by=by,
    )
    try:
        with transaction.atomic():
            inspection.full_clean(validate_constraints=False)
            inspection.save()
            ChecklistItem.objects.bulk_create(
                [
                    ChecklistItem(
                        inspection=inspection,
                        position=position,
                        standard=standard,
                        standard_version=standard.published_version,
                        text=f"{standard.code} {standard.title}"[:300],
                    )
                    for position, standard in enumerate(standards, start=1)
                ]
            )
    except IntegrityError:
        raise ValidationError(
            _("%(department)s already has a self-inspection for %(period)s.")
            % {"department": department.name, "period": period_start.strftime("%Y-%m")}
        ) from None
    return inspection


def _period_start(frequency: str, day: datetime.date) -> datetime.date:
    if frequency == Frequency.QUARTERLY:
        return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def self_inspections_schedule(*, today: datetime.date | None = None) -> list[SelfInspection]:
    """Open the current period's self-inspection for every active schedule that has none yet
    (a department without a published standard is skipped). Safe to run twice or at once."""
    today = today or timezone.localdate()
    opened = []
    for schedule in SelfInspectionSchedule.objects.filter(is_active=True).select_related(
        "department", "inspector"
    ):
        start = _period_start(schedule.frequency, today)
        if SelfInspection.objects.filter(
            department=schedule.department, period_start=start
        ).exists():
            continue
        try:
            opened.append(
                self_inspection_open(
                    by=None,
                    department=schedule.department,
                    period_start=start,
                    inspector=schedule.inspector,
                    due_on=start + datetime.timedelta(days=schedule.days_to_complete),
                )
            )
        except ValidationError:
            continue  # opened meanwhile, or nothing published to inspect
    return opened


def checklist_item_record(
    *, item: ChecklistItem, by: User, result: str, note: str = ""
) -> ChecklistItem:
    """Record what was found for one item of an open self-inspection. A minor or major
    nonconformity needs a note (what is wrong) and gets its corrective action, once (recording
    the item again keeps the action)."""
    note = (note or "").strip()
    if result not in ChecklistItem.Result.values:
        raise ValidationError({"result": _("Choose a result.")})
    if result in ChecklistItem.NONCONFORMITIES and not note:
        raise ValidationError({"note": _("Say what does not conform.")})
    with transaction.atomic():
        locked = (
            ChecklistItem.objects.select_for_update(of=("self",))
            .select_related("inspection__department", "standard__owner", "action")
            .get(pk=item.pk)
        )
        inspection = locked.inspection
        if not may_run_inspections(by, department=inspection.department_id):
            raise PermissionDenied(_("You may run inspections only for departments in your scope."))
        if inspection.status != SelfInspection.Status.OPEN:
            raise ValidationError(_("This self-inspection is completed."))
        locked.result = result
        locked.note = note
        locked.recorded_by = by
        locked.recorded_at = timezone.now()
        if result in ChecklistItem.NONCONFORMITIES and locked.action_id is None:
            owner = locked.standard.owner
            if owner is None or not owner.is_active:
                owner = inspection.inspector
            locked.action = action_create(
                by=by,
                title=(
                    _("%(grade)s: %(item)s")
                    % {"grade": ChecklistItem.Result(result).label, "item": locked.text}
                )[:200],
                owner=owner,
                due_on=timezone.localdate() + datetime.timedelta(days=ACTION_DAYS[result]),
                source=CorrectiveAction.Source.NONCONFORMITY,
                department=inspection.department,
                description=note,
            )
        locked.full_clean()
        locked.save()
    return locked


def self_inspection_complete(*, inspection: SelfInspection, by: User) -> SelfInspection:
    """Complete a self-inspection: every item has a result (else refused, naming the items)."""
    with transaction.atomic():
        locked = SelfInspection.objects.select_for_update().get(pk=inspection.pk)
        if not may_run_inspections(by, department=locked.department_id):
            raise PermissionDenied(_("You may run inspections only for departments in your scope."))
        if locked.status != SelfInspection.Status.OPEN:
            raise ValidationError(_("This self-inspection is completed."))
        missing = list(
            locked.items.filter(result="").order_by("position").values_list("position", flat=True)
        )
        if missing:
            raise ValidationError(
                _("Record a result for every item first: items %(items)s have none.")
                % {"items": ", ".join(str(p) for p in missing)}
            )
        locked.status = SelfInspection.Status.COMPLETED
        locked.completed_at = timezone.now()
        locked.save(update_fields=["status", "completed_at"])
    return locked


# --- third-party evaluations -------------------------------------------------------------------


def third_party_import(
    *,
    by: User,
    data: bytes,
    filename: str,
    evaluator: str,
    method: str,
    month: datetime.date,
) -> ThirdPartyEvaluation:
    """Import an outside evaluator's results: every row or none. ThirdPartyFileRefusedError holds
    the file's refusal (as the call import refuses it) or every row's problems; rows for a
    department outside the importer's scope are problems too."""
    if not has_inspections_capability(by):
        raise PermissionDenied(_("You may not import third-party results."))
    problems: list[RowProblem] = []
    evaluator = (evaluator or "").strip()
    if not evaluator:
        problems.append(RowProblem(None, "evaluator", _("Name the evaluator.")))
    if method not in ThirdPartyEvaluation.Method.values:
        problems.append(RowProblem(None, "method", _("Choose mystery calls or survey.")))
    rows = importers.read_rows(data, filename=filename)
    departments_in_scope = [
        d for d in Department.objects.all() if may_run_inspections(by, department=d.pk)
    ]
    by_key: dict[str, Department] = {}
    for department in departments_in_scope:
        by_key[department.code] = department
        by_key[department.name] = department
    teams: dict[tuple[int, str], Team] = {}
    for team in scope_queryset(by, Team.objects.all()).filter(department__in=departments_in_scope):
        teams[(team.department_id, team.code)] = team
        teams[(team.department_id, team.name)] = team
    good, row_problems = importers.check_rows(rows, departments=by_key, teams=teams)
    problems.extend(row_problems)
    if problems:
        raise ThirdPartyFileRefusedError(problems)
    with transaction.atomic():
        evaluation = ThirdPartyEvaluation.objects.create(
            evaluator=evaluator[:100],
            method=method,
            period_start=month.replace(day=1),
            filename=filename[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            imported_by=by,
        )
        ThirdPartyResult.objects.bulk_create(
            [
                ThirdPartyResult(
                    evaluation=evaluation,
                    line=row["line"],
                    department=row["department"],
                    team=row["team"],
                    item=row["item"],
                    score=row["score"],
                    samples=row["samples"],
                    comment=row["comment"],
                )
                for row in good
            ]
        )
    return evaluation


def has_inspections_capability(user: User) -> bool:
    """Auditors, managers and administrators run inspections (of their scope's departments)."""
    return has_capability(user, "audit") or has_capability(user, "issue_bulletins")
