"""Starting the hour, documents (late ones kept but not counted), the deadline enforced by the
data, the drill, findings with their corrective actions, the verdict and the score."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits.actions.models import CorrectiveAction
from audits.standards.models import Standard, StandardVersion
from audits.walkthroughs import services
from audits.walkthroughs.models import Finding, Walkthrough, WalkthroughDocument
from audits.walkthroughs.selectors import department_walkthrough_score
from qa_center.models import Notification
from tests.factories.walkthroughs import MONTH, drawn, drilled, past_deadline, pdf, started

pytestmark = pytest.mark.django_db


def test_start_stores_the_hour_and_tells_the_owner_in_the_app_and_by_mail(
    walk, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        walkthrough = started(walk)
    assert walkthrough.status == Walkthrough.Status.STARTED
    assert before <= walkthrough.started_at <= timezone.now()
    assert walkthrough.documents_due_at == walkthrough.started_at + datetime.timedelta(minutes=60)
    note = Notification.objects.get(user=walk.users["owner_a"])
    assert walkthrough.standard.code in note.body and note.url.endswith(f"/{walkthrough.pk}/")
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    # Nobody else hears of it.
    assert Notification.objects.count() == 1


def test_a_second_start_is_refused_and_changes_nothing(walk):
    walkthrough = started(walk)
    due = walkthrough.documents_due_at
    with pytest.raises(ValidationError, match="cannot be started again"):
        services.walkthrough_start(walkthrough=walkthrough, by=walk.users["admin"])
    walkthrough.refresh_from_db()
    assert walkthrough.documents_due_at == due
    assert Notification.objects.count() == 1


def test_who_may_start(walk):
    walkthrough = drawn(walk)[0]  # department A
    for name in ("owner_a", "auditor_b", "manager", "supervisor", "agent"):
        with pytest.raises(PermissionDenied):
            services.walkthrough_start(walkthrough=walkthrough, by=walk.users[name])
    services.walkthrough_start(walkthrough=walkthrough, by=walk.users["auditor_a"])


def test_upload_on_time_counts_and_stores_the_hash(walk):
    walkthrough = started(walk)
    step = walkthrough.steps.first()
    document = services.walkthrough_document_upload(
        walkthrough=walkthrough, step=step, by=walk.users["owner_a"], file=pdf()
    )
    assert document.late is False
    import hashlib

    assert document.sha256 == hashlib.sha256(b"%PDF-1.4\n% walk-through document\n").hexdigest()
    assert document.file.read() == b"%PDF-1.4\n% walk-through document\n"
    assert services.walkthrough_tally(walkthrough).steps_on_time == 1


def test_upload_after_the_deadline_is_kept_marked_late_and_does_not_count(walk):
    walkthrough = past_deadline(started(walk))
    step = walkthrough.steps.first()
    document = services.walkthrough_document_upload(
        walkthrough=walkthrough, step=step, by=walk.users["owner_a"], file=pdf()
    )
    assert document.late is True
    assert WalkthroughDocument.objects.filter(pk=document.pk).exists()
    assert services.walkthrough_tally(walkthrough).steps_on_time == 0


def test_the_deadline_is_data_no_task_needed(walk):
    """No task ran, nothing was written at the deadline: a read after documents_due_at treats
    the walk-through as locked."""
    walkthrough = started(walk)
    assert not walkthrough.documents_locked()
    later = walkthrough.documents_due_at + datetime.timedelta(seconds=1)
    assert walkthrough.documents_locked(later)
    assert walkthrough.deadline_notified_at is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "not accepted"),
        ("scan.pdf", b"MZ\x90\x00 renamed", "not a .pdf"),
        ("notes.txt", b"\xff\xfe\x00bad", "UTF-8"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_forbidden_files_are_refused_and_nothing_is_stored(walk, name, content, message):
    walkthrough = started(walk)
    with pytest.raises(ValidationError, match=message) as refused:
        services.walkthrough_document_upload(
            walkthrough=walkthrough,
            step=walkthrough.steps.first(),
            by=walk.users["owner_a"],
            file=SimpleUploadedFile(name, content),
        )
    assert "file" in refused.value.message_dict
    assert WalkthroughDocument.objects.count() == 0


def test_a_file_over_the_limit_is_refused(walk, settings):
    settings.QA_WALKTHROUGH_MAX_UPLOAD_BYTES = 1024
    walkthrough = started(walk)
    with pytest.raises(ValidationError, match="larger than the limit"):
        services.walkthrough_document_upload(
            walkthrough=walkthrough,
            step=walkthrough.steps.first(),
            by=walk.users["owner_a"],
            file=pdf(content=b"%PDF-" + b"x" * 2000),
        )
    assert WalkthroughDocument.objects.count() == 0


def test_only_the_owner_uploads_and_only_once_started_to_a_step_of_its_own(walk):
    walkthroughs = drawn(walk)
    walkthrough = walkthroughs[0]
    with pytest.raises(ValidationError, match="not been started"):
        services.walkthrough_document_upload(
            walkthrough=walkthrough,
            step=walkthrough.steps.first(),
            by=walk.users["owner_a"],
            file=pdf(),
        )
    walkthrough = services.walkthrough_start(walkthrough=walkthrough, by=walk.users["auditor"])
    with pytest.raises(PermissionDenied):
        services.walkthrough_document_upload(
            walkthrough=walkthrough,
            step=walkthrough.steps.first(),
            by=walk.users["auditor"],
            file=pdf(),
        )
    other_step = walkthroughs[1].steps.first()
    with pytest.raises(ValidationError, match="step of this walk-through"):
        services.walkthrough_document_upload(
            walkthrough=walkthrough, step=other_step, by=walk.users["owner_a"], file=pdf()
        )
    assert WalkthroughDocument.objects.count() == 0


def test_drill_needs_a_note_when_not_done_and_is_all_or_nothing(walk):
    walkthrough = started(walk)
    steps = list(walkthrough.steps.all())
    with pytest.raises(ValidationError, match="Step 2: say what is missing"):
        services.walkthrough_drill_record(
            walkthrough=walkthrough,
            by=walk.users["auditor"],
            results=[
                {"step": steps[0].pk, "result": "done"},
                {"step": steps[1].pk, "result": "missing", "note": ""},
            ],
        )
    assert not walkthrough.steps.exclude(drill="").exists()
    services.walkthrough_drill_record(
        walkthrough=walkthrough,
        by=walk.users["auditor"],
        results=[
            {"step": steps[0].pk, "result": "done"},
            {"step": steps[1].pk, "result": "unreasonable", "note": "回复时限不合理"},
        ],
    )
    assert [s.drill for s in walkthrough.steps.all()] == ["done", "unreasonable", ""]


def test_a_nonconformity_opens_its_corrective_action(walk):
    walkthrough = started(walk)
    due = timezone.localdate() + datetime.timedelta(days=10)
    finding = services.finding_record(
        walkthrough=walkthrough,
        by=walk.users["auditor"],
        grade=Finding.Grade.MAJOR,
        description="归档环节无任何记录",
        step=walkthrough.steps.last(),
        action_due_on=due,
    )
    action = finding.action
    assert action.owner == walk.users["owner_a"]
    assert action.due_on == due
    assert action.department == walk.world.dep_a
    assert action.source == CorrectiveAction.Source.FINDING
    good = services.finding_record(
        walkthrough=walkthrough,
        by=walk.users["auditor"],
        grade="good_practice",
        description="台账清晰",
    )
    assert good.action is None


def test_a_nonconformity_without_due_date_is_refused(walk):
    walkthrough = started(walk)
    with pytest.raises(ValidationError) as refused:
        services.finding_record(
            walkthrough=walkthrough, by=walk.users["auditor"], grade="minor", description="x"
        )
    assert "action_due_on" in refused.value.message_dict
    assert Finding.objects.count() == 0 and CorrectiveAction.objects.count() == 0


def test_verdict_refusals_change_nothing(walk):
    walkthrough = started(walk)
    auditor = walk.users["auditor"]
    with pytest.raises(ValidationError, match="has until"):
        services.walkthrough_conclude(walkthrough=walkthrough, by=auditor, verdict="keep")
    past_deadline(walkthrough)
    with pytest.raises(ValidationError, match="drill of every step"):
        services.walkthrough_conclude(walkthrough=walkthrough, by=auditor, verdict="keep")
    drilled(walkthrough, auditor)
    with pytest.raises(ValidationError, match="Record the findings first"):
        services.walkthrough_conclude(walkthrough=walkthrough, by=auditor, verdict="keep")
    services.finding_record(
        walkthrough=walkthrough, by=auditor, grade="observation", description="表单版本较旧"
    )
    with pytest.raises(ValidationError) as no_reason:
        services.walkthrough_conclude(walkthrough=walkthrough, by=auditor, verdict="revise")
    assert "reason" in no_reason.value.message_dict
    walkthrough.refresh_from_db()
    assert walkthrough.status == Walkthrough.Status.STARTED and walkthrough.verdict == ""
    assert StandardVersion.objects.filter(standard=walkthrough.standard).count() == 1


def test_verdict_revise_opens_a_draft_for_the_owner_linked_to_the_finding(walk):
    walkthrough = started(walk)
    auditor = walk.users["auditor"]
    services.walkthrough_document_upload(
        walkthrough=walkthrough,
        step=walkthrough.steps.first(),
        by=walk.users["owner_a"],
        file=pdf(),
    )
    past_deadline(walkthrough)
    drilled(walkthrough, auditor)
    finding = services.finding_record(
        walkthrough=walkthrough,
        by=auditor,
        grade="minor",
        description="处理记录缺少回访时间",
        action_due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    concluded = services.walkthrough_conclude(
        walkthrough=walkthrough, by=auditor, verdict="revise", reason="补充回访时限"
    )
    draft = concluded.revision
    assert draft.status == "draft" and draft.number == 2
    assert draft.origin == finding
    assert draft.standard.owner == walk.users["owner_a"]
    # 40 × 1/3 + 30 × 3/3 + (30 − 5) = 13.3 + 30 + 25
    assert concluded.score == Decimal("68.3")
    assert department_walkthrough_score(walk.world.dep_a, MONTH) == Decimal("68.3")
    assert department_walkthrough_score(walk.world.dep_b, MONTH) is None
    with pytest.raises(ValidationError, match="concluded"):
        services.walkthrough_conclude(walkthrough=walkthrough, by=auditor, verdict="keep")


def test_verdict_abolish_proposes_the_abolition_and_the_standard_stays_until_approved(walk):
    walkthrough = past_deadline(started(walk))
    auditor = walk.users["auditor"]
    drilled(walkthrough, auditor, result="missing")
    services.finding_record(
        walkthrough=walkthrough,
        by=auditor,
        grade="major",
        description="流程已不再执行",
        action_due_on=timezone.localdate(),
    )
    concluded = services.walkthrough_conclude(
        walkthrough=walkthrough, by=auditor, verdict="abolish", reason="业务已下线"
    )
    assert concluded.score == Decimal("15.0")  # 0 + 0 + (30 − 15)
    # Only proposed: the standard is in force until a manager approves.
    assert Standard.objects.get(pk=walkthrough.standard_id).status == "published"
    assert concluded.abolition.status == "pending"
    assert concluded.abolition.requested_by == auditor
    assert "业务已下线" in concluded.abolition.reason
    from audits.standards.services import abolition_decide

    abolition_decide(request=concluded.abolition, by=walk.users["manager"], approve=True)
    assert Standard.objects.get(pk=walkthrough.standard_id).status == "abolished"


def test_the_deadline_notice_is_sent_once_after_the_hour(walk):
    walkthrough = started(walk)
    assert services.walkthroughs_deadline_sweep() == 0  # the hour is running
    past_deadline(walkthrough)
    assert services.walkthroughs_deadline_sweep() == 1
    assert services.walkthroughs_deadline_sweep() == 0
    titles = list(Notification.objects.values_list("user__username", "title"))
    assert sum(1 for _u, t in titles if walkthrough.standard.code in t and "closed" in t) == 2
