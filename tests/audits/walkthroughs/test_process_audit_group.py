"""The auditor of the walk-through is the 制度流程建设项目组 (domain brief §3): its members start
and run the walk-throughs of their scope whatever their role, beside the auditors; a
non-member who is not an auditor cannot. The capability is the permission module's
(`audit_walkthroughs`, read from `User.is_process_auditor`, which only the membership services
write)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audits.walkthroughs import services
from audits.walkthroughs.models import Walkthrough
from org.models import Role, User, WorkingGroup
from org.services import (
    process_audit_group,
    working_group_member_add,
    working_group_member_remove,
)
from qa_center.navigation import nav_for
from qa_center.permissions import has_capability, may_run_walkthrough
from tests.factories.org import UserFactory
from tests.factories.walkthroughs import MONTH, drawn

pytestmark = pytest.mark.django_db


def _first_of_a(walk) -> Walkthrough:
    drawn(walk)
    return Walkthrough.objects.filter(month=MONTH, department=walk.world.dep_a).order_by("slot")[0]


def test_the_group_exists_in_every_install():
    group = WorkingGroup.objects.get(code=WorkingGroup.PROCESS_AUDIT)
    assert group.name == "制度流程建设项目组"


def test_a_member_who_is_not_an_auditor_starts_a_walkthrough(walk):
    walkthrough = _first_of_a(walk)
    member = UserFactory(username="member", role=Role.SUPERVISOR, department=walk.world.dep_a)
    working_group_member_add(group=process_audit_group(), user=member)
    member = User.objects.get(pk=member.pk)  # a fresh login reads the flag
    assert member.role == Role.SUPERVISOR and not has_capability(member, "audit")
    assert has_capability(member, "audit_walkthroughs")
    started = services.walkthrough_start(walkthrough=walkthrough, by=member)
    assert started.status == Walkthrough.Status.STARTED and started.started_by == member
    # They see the walk-throughs in the navigation.
    labels = [str(item["label"]) for item in nav_for(member, "/")]
    assert "Walk-throughs" in labels or "流程制度穿越" in labels


def test_a_non_member_who_is_not_an_auditor_cannot(walk):
    walkthrough = _first_of_a(walk)
    outsider = UserFactory(username="outsider", role=Role.SUPERVISOR, department=walk.world.dep_a)
    assert not has_capability(outsider, "audit_walkthroughs")
    assert not may_run_walkthrough(outsider, walkthrough)
    with pytest.raises(PermissionDenied):
        services.walkthrough_start(walkthrough=walkthrough, by=outsider)
    walkthrough.refresh_from_db()
    assert walkthrough.status == Walkthrough.Status.DRAWN


def test_a_member_stays_within_their_scope_and_never_audits_their_own_process(walk):
    walkthrough = _first_of_a(walk)
    of_b = UserFactory(username="member_b", role=Role.SUPERVISOR, department=walk.world.dep_b)
    working_group_member_add(group=process_audit_group(), user=of_b)
    with pytest.raises(PermissionDenied):  # another department's walk-through
        services.walkthrough_start(walkthrough=walkthrough, by=User.objects.get(pk=of_b.pk))
    owner = walk.users["owner_a"]
    working_group_member_add(group=process_audit_group(), user=owner)
    with pytest.raises(PermissionDenied):  # the standard's owner
        services.walkthrough_start(walkthrough=walkthrough, by=User.objects.get(pk=owner.pk))


def test_leaving_the_group_takes_the_capability_away(walk):
    member = UserFactory(username="leaver", role=Role.SUPERVISOR, department=walk.world.dep_a)
    group = process_audit_group()
    working_group_member_add(group=group, user=member)
    working_group_member_remove(group=group, user=member)
    member = User.objects.get(pk=member.pk)
    assert not member.is_process_auditor
    assert not has_capability(member, "audit_walkthroughs")


def test_the_start_button_works_for_a_member_and_is_refused_to_a_non_member(client, walk):
    walkthrough = _first_of_a(walk)
    outsider = UserFactory(username="outsider", role=Role.SUPERVISOR, department=walk.world.dep_a)
    client.force_login(outsider)
    assert client.post(reverse("walkthroughs:start", args=[walkthrough.pk])).status_code in (
        403,
        404,
    )
    member = UserFactory(username="member", role=Role.SUPERVISOR, department=walk.world.dep_a)
    working_group_member_add(group=process_audit_group(), user=member)
    client.force_login(member)
    page = client.get(reverse("walkthroughs:detail", args=[walkthrough.pk]))
    assert page.status_code == 200 and page.context["may_start"]
    response = client.post(reverse("walkthroughs:start", args=[walkthrough.pk]))
    assert response.status_code == 302
    walkthrough.refresh_from_db()
    assert walkthrough.status == Walkthrough.Status.STARTED
    assert walkthrough.started_by_id == member.pk
