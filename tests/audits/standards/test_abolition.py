"""A standard is abolished only after approval: the walk-through's verdict "abolish" (or the
library's "propose abolition") files a proposal; the department's manager, a manager of the
whole center or the lead of the 制度流程建设项目组 approves or rejects it, never its proposer;
each step recorded with who, when and why; told only to people who may open it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from audits.standards.models import AbolitionRequest, Standard
from audits.standards.services import abolition_decide, abolition_request, standard_abolish
from audits.walkthroughs import services as walk_services
from org.models import Role
from org.services import process_audit_group, working_group_member_add
from qa_center.models import Notification
from tests.factories.org import UserFactory
from tests.factories.walkthroughs import drilled, past_deadline, started, walk_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings, tmp_path, client):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.cookies["django_language"] = "en"  # the pages too (the default is Chinese)
    with translation.override("en"):
        yield


def _abolished_by_verdict(world):
    """客服一部's walk-through concluded "abolish" by the center's auditor."""
    walk = walk_world(world)
    walkthrough = past_deadline(started(walk))
    auditor = world.users["auditor"]
    drilled(walkthrough, auditor)
    walk_services.finding_record(
        walkthrough=walkthrough, by=auditor, grade="observation", description="业务已停办"
    )
    Notification.objects.all().delete()
    return walk_services.walkthrough_conclude(
        walkthrough=walkthrough, by=auditor, verdict="abolish", reason="业务已下线"
    )


def test_the_verdict_proposes_and_only_those_who_may_approve_and_open_it_are_told(world):
    concluded = _abolished_by_verdict(world)
    proposal = concluded.abolition
    standard = Standard.objects.get(pk=concluded.standard_id)
    assert standard.status == "published" and standard.published_version is not None
    assert proposal.status == "pending" and proposal.requested_by == world.users["auditor"]
    told = set(
        Notification.objects.filter(title__startswith="To approve").values_list(
            "user__username", flat=True
        )
    )
    # The center's manager; not B's manager (another department), not the proposer.
    assert told == {"manager"}
    note = Notification.objects.get(user=world.users["manager"], title__startswith="To approve")
    assert note.url == reverse("standards:detail", args=[standard.pk]) + f"#abolition-{proposal.pk}"
    assert "业务已下线" in note.body


def test_nobody_approves_their_own_proposal_nor_outside_their_department(world):
    proposal = _abolished_by_verdict(world).abolition
    for who in ("auditor", "dept_manager", "supervisor", "teamlead"):
        with pytest.raises(PermissionDenied):
            abolition_decide(request=proposal, by=world.users[who], approve=True)
    assert Standard.objects.get(pk=proposal.standard_id).status == "published"
    proposal.refresh_from_db()
    assert proposal.status == "pending" and proposal.decided_by is None


def test_approval_abolishes_records_who_when_why_and_tells_the_proposer_and_owner(world):
    proposal = _abolished_by_verdict(world).abolition
    manager = world.users["manager"]
    before = timezone.now()
    decided = abolition_decide(request=proposal, by=manager, approve=True, note="同意下线")
    assert decided.status == "approved" and decided.decided_by == manager
    assert before <= decided.decided_at <= timezone.now() and decided.decision_note == "同意下线"
    standard = Standard.objects.get(pk=proposal.standard_id)
    assert standard.status == "abolished" and standard.published_version is None
    last = standard.transitions.order_by("-at", "-pk").first()
    assert last.target == "abolished" and last.by == manager
    assert "业务已下线" in last.reason and "同意下线" in last.reason
    told = set(
        Notification.objects.filter(title__startswith="Abolition approved").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"auditor", "owner_a", "auditor_a"}  # proposer, owner, monitor
    with pytest.raises(ValidationError, match="decided already"):
        abolition_decide(request=proposal, by=manager, approve=False, note="撤回")


def test_a_rejection_needs_a_reason_and_keeps_the_standard(world):
    proposal = _abolished_by_verdict(world).abolition
    manager = world.users["manager"]
    with pytest.raises(ValidationError, match="why the standard is kept"):
        abolition_decide(request=proposal, by=manager, approve=False)
    decided = abolition_decide(request=proposal, by=manager, approve=False, note="仍在办理")
    assert decided.status == "rejected"
    assert Standard.objects.get(pk=proposal.standard_id).status == "published"
    # Rejected: it may be proposed again.
    again = abolition_request(
        standard=proposal.standard, by=world.users["auditor"], reason="再次评估后建议废止"
    )
    assert again.status == "pending"


def test_a_second_proposal_while_one_is_pending_is_refused(world):
    proposal = _abolished_by_verdict(world).abolition
    with pytest.raises(ValidationError, match="already proposed"):
        abolition_request(standard=proposal.standard, by=world.users["admin"], reason="重复")
    assert AbolitionRequest.objects.count() == 1


def test_the_lead_of_the_process_group_approves_within_their_scope(world):
    proposal = _abolished_by_verdict(world).abolition
    lead_a = UserFactory(username="lead_a", role=Role.AUDITOR, department=world.dep_a)
    lead_b = UserFactory(username="lead_b", role=Role.AUDITOR, department=world.dep_b)
    working_group_member_add(group=process_audit_group(), user=lead_b, is_lead=True)
    with pytest.raises(PermissionDenied):  # B's lead: not this department
        abolition_decide(request=proposal, by=lead_b, approve=True)
    with pytest.raises(PermissionDenied):  # an auditor of A, not the lead
        abolition_decide(request=proposal, by=lead_a, approve=True)
    working_group_member_add(group=process_audit_group(), user=lead_a, is_lead=True)
    lead_a.refresh_from_db()
    abolition_decide(request=proposal, by=lead_a, approve=True)
    assert Standard.objects.get(pk=proposal.standard_id).status == "abolished"


def test_only_an_administrator_abolishes_without_a_proposal(world):
    walk = walk_world(world)
    standard = walk.standards_a[0]
    with pytest.raises(PermissionDenied, match="only after approval"):
        standard_abolish(standard=standard, by=world.users["auditor"], reason="下线")
    standard_abolish(standard=standard, by=world.users["admin"], reason="误建")
    assert Standard.objects.get(pk=standard.pk).status == "abolished"


def test_the_pages_propose_show_and_decide(client, world):
    walk = walk_world(world)
    standard = walk.standards_a[0]
    client.force_login(world.users["auditor"])
    response = client.post(
        reverse("standards:action", args=[standard.pk, "abolish"]), {"reason": "流程已合并"}
    )
    assert response.status_code == 302
    assert Standard.objects.get(pk=standard.pk).status == "published"
    proposal = AbolitionRequest.objects.get(standard=standard)
    page = client.get(reverse("standards:detail", args=[standard.pk])).content.decode()
    assert f'id="abolition-{proposal.pk}"' in page and "流程已合并" in page
    assert 'data-testid="approve-abolition"' not in page  # the proposer
    assert "never by the one who proposed it" in page  # who may approve, said on the page
    # B's manager does not even see it.
    client.force_login(world.users["dept_manager"])
    assert client.get(reverse("standards:detail", args=[standard.pk])).status_code == 404
    decide = reverse("standards:abolition_decide", args=[proposal.pk, "approve"])
    assert client.post(decide).status_code == 404
    listing = client.get(reverse("standards:abolitions")).content.decode()
    assert standard.code not in listing
    # The center's manager lists it, opens it and approves it.
    client.force_login(world.users["manager"])
    listing = client.get(reverse("standards:abolitions")).content.decode()
    assert standard.code in listing and 'data-testid="approve-abolition"' in listing
    page = client.get(reverse("standards:detail", args=[standard.pk])).content.decode()
    assert 'data-testid="approve-abolition"' in page
    assert client.post(decide, {"reason": "同意"}).status_code == 302
    assert Standard.objects.get(pk=standard.pk).status == "abolished"
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.decided_by == world.users["manager"]


def test_the_walkthrough_page_says_the_abolition_awaits_approval(client, world):
    concluded = _abolished_by_verdict(world)
    client.force_login(world.users["auditor"])
    page = client.get(reverse("walkthroughs:detail", args=[concluded.pk])).content.decode()
    assert 'data-testid="abolition" data-status="pending"' in page
    assert "awaits approval" in page


def test_the_api_proposes_lists_and_approves(client, world):
    walk = walk_world(world)
    standard = walk.standards_a[0]
    client.force_login(world.users["auditor"])
    response = client.post(
        f"/api/v1/standards/{standard.pk}/abolish/",
        {"reason": "流程已合并"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["standard_code"] == standard.code
    assert (
        client.post(
            f"/api/v1/abolition-requests/{body['id']}/approve/", content_type="application/json"
        ).status_code
        == 403
    )  # the proposer
    client.force_login(world.users["dept_manager"])
    assert client.get(f"/api/v1/abolition-requests/{body['id']}/").status_code == 404
    client.force_login(world.users["manager"])
    listed = client.get("/api/v1/abolition-requests/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    rejected = client.post(
        f"/api/v1/abolition-requests/{body['id']}/reject/", content_type="application/json"
    )
    assert rejected.status_code == 400  # a rejection needs its reason
    approved = client.post(
        f"/api/v1/abolition-requests/{body['id']}/approve/",
        {"reason": "同意"},
        content_type="application/json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert Standard.objects.get(pk=standard.pk).status == "abolished"


def test_the_home_page_counts_the_abolitions_one_may_approve(client, world):
    _abolished_by_verdict(world)
    client.cookies["django_language"] = "en"
    client.force_login(world.users["manager"])
    home = client.get(reverse("home")).content.decode()
    assert "Abolitions to approve" in home and reverse("standards:abolitions") in home
    client.force_login(world.users["auditor"])  # the proposer
    assert "Abolitions to approve" not in client.get(reverse("home")).content.decode()


def test_a_verdict_abolish_joins_the_proposal_already_waiting(world):
    walk = walk_world(world)
    walkthrough = past_deadline(started(walk))
    waiting = abolition_request(
        standard=walkthrough.standard, by=world.users["admin"], reason="业务合并"
    )
    auditor = world.users["auditor"]
    drilled(walkthrough, auditor)
    walk_services.finding_record(
        walkthrough=walkthrough, by=auditor, grade="observation", description="业务已停办"
    )
    concluded = walk_services.walkthrough_conclude(
        walkthrough=walkthrough, by=auditor, verdict="abolish", reason="业务已下线"
    )
    assert concluded.abolition == waiting
    assert AbolitionRequest.objects.count() == 1
