"""Demo inspections (after the org, standards and sampling demos): a monthly self-inspection
schedule for the first department and last month's full self-inspection recorded with two
nonconformities (each with its corrective action: one completed and verified effective, one
sent back open by a verification that found it not effective) and an observation; a
third-party evaluation (mystery calls) imported from a CSV file through the same import as
the page. Idempotent: nothing is added when the self-inspection of that month exists."""

from __future__ import annotations

import datetime

from django.utils import timezone

NOTES = {
    "major": "抽查10份工单，3份缺少客户回访记录，未按流程第3步闭环。",
    "minor": "部分话务员仍使用旧版话术，宣贯记录缺少签字。",
    "observation": "建议在知识库中增加宽带故障自助排查指引。",
}
ITEMS = ("开场白规范", "业务解答准确性", "情绪安抚", "结束语规范", "一次解决率")


def seed(*, stdout=None, rng=None) -> None:
    from audits.actions.services import action_complete, action_verify
    from audits.inspections.models import SelfInspection, SelfInspectionSchedule
    from audits.inspections.services import (
        checklist_item_record,
        self_inspection_complete,
        self_inspection_open,
        third_party_import,
    )
    from audits.standards.models import Kind, Standard, Status
    from org.models import Department, Team, User

    auditor = User.objects.filter(username="auditor").first()
    department = Department.objects.order_by("code").first()
    if auditor is None or department is None:
        return
    today = timezone.localdate()
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    SelfInspectionSchedule.objects.get_or_create(
        department=department, defaults={"inspector": auditor, "frequency": "monthly"}
    )
    if SelfInspection.objects.filter(department=department, period_start=month).exists():
        return
    if not Standard.objects.filter(department=department, status=Status.PUBLISHED).exists():
        _standards(department, auditor, Kind)
    inspection = self_inspection_open(
        by=auditor,
        department=department,
        period_start=month,
        inspector=auditor,
        due_on=month + datetime.timedelta(days=14),
    )
    # Every item of the checklist gets its result (the checklist is all the department's
    # published standards: the standards demo publishes 160 of them), three of them findings.
    items = list(inspection.items.order_by("position"))
    grades = ["major", "minor", "observation"] + ["conforms"] * (len(items) - 3)
    actions = []
    for item, grade in zip(items, grades, strict=False):
        recorded = checklist_item_record(
            item=item, by=auditor, result=grade, note=NOTES.get(grade, "")
        )
        if recorded.action_id:
            actions.append(recorded.action)
    if len(items) == len(grades):
        self_inspection_complete(inspection=inspection, by=auditor)
    if actions:
        first = actions[0]
        action_complete(action=first, by=first.owner, note="已补齐回访记录并在班前会通报。")
        action_verify(
            action=first,
            by=_verifier(first, auditor),
            effective=True,
            note="复查10份工单，回访记录齐全。",
        )
    if len(actions) > 1:
        second = actions[1]
        action_complete(action=second, by=second.owner, note="已重新宣贯新版话术。")
        action_verify(
            action=second,
            by=_verifier(second, auditor),
            effective=False,
            note="复听20通录音，仍有4通使用旧版话术，需继续整改。",
        )
    rows = ["部门,班组,项目,得分,样本数,备注"]
    for dep in Department.objects.order_by("code"):
        for team in Team.objects.filter(department=dep).order_by("code")[:2]:
            for index, item in enumerate(ITEMS):
                score = 76 + (index * 7 + len(rows)) % 24 if rng is None else rng.randint(76, 99)
                rows.append(f"{dep.code},{team.code},{item},{score},20,")
    third_party_import(
        by=auditor,
        data=("\n".join(rows) + "\n").encode(),
        filename=f"神秘来电测评-{month:%Y-%m}.csv",
        evaluator="华信调研（第三方）",
        method="mystery_call",
        month=month,
    )
    if stdout:
        stdout.write(
            f"inspections: a self-inspection of {department.name} with {len(actions)} "
            f"nonconformities, a third-party import of {len(rows) - 1} results"
        )


def _verifier(action, auditor):
    """The auditor checks the action, unless it is theirs: then the administrator does."""
    from org.models import User

    if action.owner_id != auditor.pk:
        return auditor
    return User.objects.filter(username="admin").first() or auditor


def _standards(department, by, Kind) -> None:  # noqa: N803
    """Two published standards, when the standards demo has not given the department any."""
    from audits.standards.services import standard_create, version_publish

    for code, kind, title in (
        ("DEMO-SYS-01", Kind.SYSTEM, "服务质量管理制度"),
        ("DEMO-PRO-01", Kind.PROCESS, "投诉受理与回访流程"),
        ("DEMO-PRO-02", Kind.PROCESS, "宽带故障报修处理流程"),
    ):
        standard = standard_create(
            by=by,
            code=code,
            kind=kind,
            title=title,
            department=department,
            owner=by,
            monitor=by,
            working_group=None,
            body=title,
            question="",
            answer="",
            steps=[{"title": "受理登记", "required_documents": ["受理登记表"]}]
            if kind == Kind.PROCESS
            else (),
            rule_codes=(),
        )
        version_publish(version=standard.versions.get(), by=by, reason="首次发布")
