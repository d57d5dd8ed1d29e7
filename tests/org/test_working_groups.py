"""Working groups (工作组): the seven of the brief exist after migrating, one lead per group,
and the complaint-dispute review group decides who rules on disputes (User.is_reviewer
follows its membership)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from org.models import WorkingGroup, WorkingGroupMembership
from org.services import dispute_review_group, working_group_member_add, working_group_member_remove
from qa_center.permissions import has_capability

pytestmark = pytest.mark.django_db


def test_the_seven_groups_exist_after_migrating():
    names = set(WorkingGroup.objects.values_list("name", flat=True))
    assert {
        "标准口径统一小组",
        "外包项目管理小组",
        "服务质量提升小组",
        "一线质检小组",
        "电话经理质检小组",
        "全流程质检小组",
        "客户代表投诉歧义评审小组",
    } <= names


def test_reviewers_are_the_members_of_the_review_group(world):
    supervisor2 = world.users["dept_manager"]
    assert not has_capability(supervisor2, "review_disputes")
    group = dispute_review_group()
    working_group_member_add(group=group, user=supervisor2)
    supervisor2.refresh_from_db()
    assert supervisor2.is_reviewer and has_capability(supervisor2, "review_disputes")
    working_group_member_remove(group=group, user=supervisor2)
    supervisor2.refresh_from_db()
    assert not supervisor2.is_reviewer and not has_capability(supervisor2, "review_disputes")


def test_another_groups_membership_does_not_make_a_reviewer(world):
    manager = world.users["manager"]
    working_group_member_add(group=WorkingGroup.objects.get(code="wording"), user=manager)
    manager.refresh_from_db()
    assert not manager.is_reviewer


def test_a_group_has_one_lead(world):
    group = WorkingGroup.objects.get(code="frontline_qa")
    working_group_member_add(group=group, user=world.users["supervisor"], is_lead=True)
    working_group_member_add(group=group, user=world.users["auditor"], is_lead=True)
    leads = WorkingGroupMembership.objects.filter(group=group, is_lead=True)
    assert [m.user for m in leads] == [world.users["auditor"]]
    assert group.memberships.count() == 2


def test_removing_a_non_member_is_refused(world):
    with pytest.raises(ValidationError):
        working_group_member_remove(group=dispute_review_group(), user=world.users["manager"])
