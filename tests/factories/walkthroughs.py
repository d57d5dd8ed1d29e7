"""Process walk-throughs (audits.walkthroughs): a world with owners and published standards in
both departments, the month's draw and started walk-throughs, through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from audits.standards.models import Kind, Standard
from audits.walkthroughs.models import Walkthrough
from audits.walkthroughs.services import walkthrough_start, walkthroughs_draw_month
from org.models import Role, User
from tests.factories.audits import make_standard
from tests.factories.org import OrgWorld, UserFactory

MONTH = datetime.date(2026, 11, 1)
PDF = b"%PDF-1.4\n% walk-through document\n"


@dataclass
class WalkWorld:
    world: OrgWorld
    users: dict[str, User]
    standards_a: list[Standard] = field(default_factory=list)
    standards_b: list[Standard] = field(default_factory=list)


def walk_world(world: OrgWorld, *, processes_a: int = 3, systems_b: int = 1) -> WalkWorld:
    """Department A: `processes_a` published processes owned by owner_a (a supervisor of A);
    department B: `systems_b` published systems owned by owner_b; auditors of A and of B
    beside the center's auditor; a specification in A (never drawn)."""
    users = world.users
    users.setdefault(
        "owner_a",
        UserFactory(
            username="owner_a", role=Role.SUPERVISOR, department=world.dep_a, email="a@example.com"
        ),
    )
    users.setdefault(
        "owner_b",
        UserFactory(
            username="owner_b", role=Role.SUPERVISOR, department=world.dep_b, email="b@example.com"
        ),
    )
    users.setdefault(
        "auditor_a", UserFactory(username="auditor_a", role=Role.AUDITOR, department=world.dep_a)
    )
    users.setdefault(
        "auditor_b", UserFactory(username="auditor_b", role=Role.AUDITOR, department=world.dep_b)
    )
    titles = ["宽带故障报修处理流程", "套餐变更受理流程", "发票开具流程", "国际漫游开通流程"]
    standards_a = [
        make_standard(
            department=world.dep_a,
            code=f"LC-A{i + 1:02d}",
            title=titles[i % len(titles)],
            owner=users["owner_a"],
            monitor=users["auditor_a"],
        )
        for i in range(processes_a)
    ]
    standards_b = [
        make_standard(
            department=world.dep_b,
            kind=Kind.SYSTEM,
            code=f"ZD-B{i + 1:02d}",
            title="客户信息保密制度",
            body="第一条 客户信息仅用于办理业务。",
            owner=users["owner_b"],
            monitor=users["auditor_b"],
        )
        for i in range(systems_b)
    ]
    make_standard(
        department=world.dep_a, kind=Kind.SPECIFICATION, code="GF-A01", title="余额查询口径"
    )
    return WalkWorld(world=world, users=users, standards_a=standards_a, standards_b=standards_b)


def drawn(walk: WalkWorld, month: datetime.date = MONTH) -> list[Walkthrough]:
    walkthroughs_draw_month(month=month)
    return list(Walkthrough.objects.filter(month=month).order_by("department__code", "slot"))


def started(walk: WalkWorld, month: datetime.date = MONTH, *, department=None) -> Walkthrough:
    """The first walk-through of department A (or `department`) of the month, started by the
    center's auditor."""
    drawn(walk, month)
    walkthrough = Walkthrough.objects.filter(
        month=month, department=department or walk.world.dep_a
    ).order_by("slot")[0]
    return walkthrough_start(walkthrough=walkthrough, by=walk.users["auditor"])


def past_deadline(walkthrough: Walkthrough, minutes: int = 1) -> Walkthrough:
    """Moves the walk-through's deadline into the past (the clock moved on)."""
    from django.utils import timezone

    Walkthrough.objects.filter(pk=walkthrough.pk).update(
        documents_due_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    walkthrough.refresh_from_db()
    return walkthrough


def drilled(walkthrough: Walkthrough, by: User, result: str = "done") -> Walkthrough:
    """Every step of the walk-through drilled with the same result (a note where one is due)."""
    from audits.walkthroughs.services import walkthrough_drill_record

    walkthrough_drill_record(
        walkthrough=walkthrough,
        by=by,
        results=[
            {"step": s.pk, "result": result, "note": "" if result == "done" else "缺少记录"}
            for s in walkthrough.steps.all()
        ],
    )
    return walkthrough


def pdf(name: str = "受理登记表.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
