"""The standards library (audits.standards): standards built through the services, so a
published one has its log, its version in force and its search text like the real thing."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from audits.standards.models import Kind, Standard
from audits.standards.services import standard_create, version_publish
from org.models import Department, Role, User

_codes = itertools.count(1)

DEFAULT_STEPS = (
    {"title": "受理登记", "required_documents": ["受理登记表", "客户身份核验记录"]},
    {"title": "处理与回复", "required_documents": ["处理记录"]},
    {"title": "归档", "required_documents": []},
)


def standards_admin() -> User:
    """A user who may manage every department's standards (an administrator)."""
    user = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    if user is None:
        user = User.objects.create_user(username=f"std-admin-{next(_codes)}", role=Role.ADMIN)
    return user


def make_standard(
    *,
    department: Department,
    kind: str = Kind.PROCESS,
    owner: User | None = None,
    monitor: User | None = None,
    title: str = "宽带故障报修处理流程",
    code: str | None = None,
    steps: Sequence[dict] | None = None,
    body: str = "",
    question: str = "",
    answer: str = "",
    rule_codes: Sequence[str] = (),
    publish: bool = True,
    by: User | None = None,
    working_group=None,
) -> Standard:
    """A standard of `department` (a process with three steps by default), published unless
    `publish=False`. Without an owner/monitor given, the publisher is both (publishing needs
    them)."""
    by = by or standards_admin()
    if publish:
        owner = owner or by
        monitor = monitor or by
    if kind == Kind.PROCESS and steps is None:
        steps = DEFAULT_STEPS
    if kind == Kind.SPECIFICATION and not answer:
        question = question or "如何查询话费余额？"
        answer = "您好，您可以拨打10000按1查询余额，或登录网上营业厅查询。"
    standard = standard_create(
        by=by,
        code=code or f"STD-{next(_codes):04d}",
        kind=kind,
        title=title,
        department=department,
        owner=owner,
        monitor=monitor,
        working_group=working_group,
        body=body,
        question=question,
        answer=answer,
        steps=steps or (),
        rule_codes=rule_codes,
    )
    if publish:
        version_publish(version=standard.versions.get(), by=by, reason="首次发布")
        standard.refresh_from_db()
    return standard
