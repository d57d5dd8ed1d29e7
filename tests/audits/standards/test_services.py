"""The standards library's rules, through its services: the lifecycle and its log, immutable
published versions, revisions as new versions, refusals that change nothing, attachments,
rollout scope and reminders."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from audits.standards.models import Kind, ProcessStep, Standard, StandardVersion, Status
from audits.standards.services import (
    attachment_add,
    rollout_create,
    rollout_remind,
    standard_abolish,
    standard_create,
    standard_revise,
    version_publish,
    version_submit,
    version_update,
)
from qa_center.models import Notification
from tests.factories.audits import make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_every_move_is_logged_with_who_and_why(world, process):
    admin = world.users["admin"]
    v2 = standard_revise(standard=process, by=admin, reason="穿越发现第2步缺单据")
    version_submit(version=v2, by=world.users["supervisor"], reason="已补充")
    version_publish(version=v2, by=admin, reason="评审通过")
    process.refresh_from_db()
    moves = [
        (t.version.number, t.source, t.target, t.by.username, t.reason)
        for t in process.transitions.all()
    ]
    assert [m[:4] for m in moves[-4:]] == [
        (2, "", "draft", "admin"),
        (2, "draft", "in_review", "supervisor"),
        (1, "published", "superseded", "admin"),
        (2, "in_review", "published", "admin"),
    ]
    assert [m[4] for m in moves[-4:]][:2] == ["穿越发现第2步缺单据", "已补充"]
    assert "2" in moves[-2][4] and moves[-1][4] == "评审通过"
    assert process.current_published == v2
    assert process.versions.get(number=1).status == Status.SUPERSEDED


def test_a_published_version_cannot_change(world, process):
    version = process.current_published
    version.title = "改过的标题"
    with pytest.raises(ValidationError):
        version.save()
    version.refresh_from_db()
    assert version.title == "宽带故障报修处理流程"
    step = version.steps.first()
    step.title = "改"
    with pytest.raises(ValidationError):
        step.save()
    with pytest.raises(ValidationError):
        ProcessStep.objects.create(version=version, position=9, title="新增")
    with pytest.raises(ValidationError):
        version_update(version=version, by=world.users["admin"], title="x")


@pytest.mark.postgres
def test_the_database_refuses_an_update_that_bypasses_save(world, process):
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.filter(pk=process.current_published.pk).update(body="绕过")
    assert connection.vendor == "postgresql"


def test_a_revision_is_a_new_version_linked_to_its_finding(world, process):
    finding = world.users["auditor"]  # any row stands for the finding (a generic link)
    draft = standard_revise(
        standard=process, by=world.users["admin"], reason="修订", finding=finding
    )
    assert draft.number == 2 and draft.status == Status.DRAFT
    assert draft.origin == finding
    assert [s.title for s in draft.steps.all()] == [
        s.title for s in process.current_published.steps.all()
    ]
    assert process.current_published.number == 1  # still in force until published
    again = standard_revise(standard=process, by=world.users["admin"], reason="再次")
    assert again == draft  # one version being written at a time
    owner_notes = Notification.objects.filter(user=world.users["supervisor"])
    assert owner_notes.filter(title__contains="LC-001").exists()


def test_publishing_is_refused_without_owner_or_monitor_and_nothing_changes(world):
    draft = make_standard(department=world.dep_a, publish=False, owner=world.users["supervisor"])
    with pytest.raises(ValidationError) as refused:
        version_publish(version=draft.versions.get(), by=world.users["admin"])
    assert "monitor" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.current_published is None
    assert draft.transitions.count() == 1


def test_a_process_needs_steps_and_a_specification_its_answer(world):
    admin = world.users["admin"]
    for kind, field in ((Kind.PROCESS, "steps"), (Kind.SPECIFICATION, "answer")):
        standard = standard_create(
            by=admin,
            code=f"X-{kind}",
            kind=kind,
            title="t",
            department=world.dep_a,
            owner=admin,
            monitor=admin,
        )
        with pytest.raises(ValidationError) as refused:
            version_publish(version=standard.versions.get(), by=admin)
        assert field in refused.value.message_dict


def test_an_auditor_of_one_department_manages_only_its_standards(world, process_b):
    world.users["auditor"].department = world.dep_a
    world.users["auditor"].save()
    with pytest.raises(PermissionDenied):
        standard_revise(standard=process_b, by=world.users["auditor"], reason="x")
    with pytest.raises(PermissionDenied):
        standard_create(
            by=world.users["auditor"],
            code="B-1",
            kind=Kind.SYSTEM,
            title="t",
            department=world.dep_b,
        )
    assert not Standard.objects.filter(code="B-1").exists()


def test_abolishing_withdraws_every_version(world, process):
    standard_revise(standard=process, by=world.users["admin"], reason="x")
    standard_abolish(standard=process, by=world.users["admin"], reason="业务下线")
    process.refresh_from_db()
    assert process.status == Status.ABOLISHED and process.current_published is None
    assert set(process.versions.values_list("status", flat=True)) == {Status.ABOLISHED}
    with pytest.raises(ValidationError):
        standard_revise(standard=process, by=world.users["admin"], reason="y")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.exe", b"MZ\x90\x00", "not accepted"),
        ("fake.pdf", b"MZ\x90\x00", "not a real"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", b"%PDF-" + b"0" * 2048, "limit"),
    ],
)
def test_bad_attachments_are_refused(world, settings, name, data, message):
    settings.QA_STANDARD_ATTACHMENT_MAX_BYTES = 1024
    draft = make_standard(department=world.dep_a, publish=False)
    with pytest.raises(ValidationError) as refused:
        attachment_add(version=draft.versions.get(), by=world.users["admin"], name=name, data=data)
    assert message in str(refused.value)
    assert not draft.versions.get().attachments.exists()


def test_an_attachment_is_stored_under_its_sha256(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    draft = make_standard(department=world.dep_a, publish=False)
    data = b"%PDF-1.4 test"
    attachment = attachment_add(
        version=draft.versions.get(), by=world.users["admin"], name="../../受理单.pdf", data=data
    )
    import hashlib

    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.name == "受理单.pdf"
    assert attachment.file.read() == data


def test_rollout_tells_the_teams_agents_and_reminds_those_who_have_not_read(world, process):
    from audits.standards.services import acknowledgement_record

    admin = world.users["admin"]
    rollout = rollout_create(version=process.current_published, by=admin, teams=[world.team_a1])[0]
    assert Notification.objects.filter(user=world.users["agent"]).count() == 1
    acknowledgement_record(standard=process, user=world.users["agent"])
    told = rollout_remind(rollout=rollout, by=admin)
    assert told == [world.users["other_agent"]]


def test_a_rollout_outside_ones_scope_is_refused(world, process):
    world.users["auditor"].department = world.dep_a
    world.users["auditor"].save()
    with pytest.raises(ValidationError):
        rollout_create(
            version=process.current_published, by=world.users["auditor"], teams=[world.team_b1]
        )


def test_an_agent_of_another_team_cannot_acknowledge(world, process):
    from audits.standards.services import acknowledgement_record
    from tests.factories import UserFactory

    rollout_create(
        version=process.current_published, by=world.users["admin"], teams=[world.team_a2]
    )
    with pytest.raises(ValidationError):
        acknowledgement_record(standard=process, user=world.users["agent"])
    other = UserFactory(username="a2", role="agent", agent=world.agents["a2"][0])
    acknowledgement_record(standard=process, user=other)


def test_search_by_code_text_and_owner(world, process, process_b):
    from audits.standards.selectors import standards_for

    admin = world.users["admin"]
    assert list(standards_for(admin, q="lc-b01")) == [process_b]
    assert list(standards_for(admin, q="携号")) == [process_b]
    assert set(standards_for(admin, kind=Kind.PROCESS)) == {process, process_b}
    assert list(standards_for(admin, department_id=world.dep_a.pk)) == [process]
