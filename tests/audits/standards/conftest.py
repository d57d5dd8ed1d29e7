from __future__ import annotations

import pytest

from tests.factories.audits import make_standard


@pytest.fixture
def process(world):
    """A published process of 客服一部 (dep_a) owned by the supervisor, monitored by the
    auditor."""
    return make_standard(
        department=world.dep_a,
        code="LC-001",
        title="宽带故障报修处理流程",
        owner=world.users["supervisor"],
        monitor=world.users["auditor"],
        by=world.users["admin"],
    )


@pytest.fixture
def process_b(world):
    return make_standard(
        department=world.dep_b,
        code="LC-B01",
        title="携号转网受理流程",
        owner=world.users["dept_manager"],
        monitor=world.users["dept_manager"],
        by=world.users["admin"],
    )
