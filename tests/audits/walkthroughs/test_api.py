"""/api/v1/walkthroughs/: the list (month filter, scope), start, documents, drill, findings and
verdict, as every role and out of scope; basic and session auth."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audits.walkthroughs.models import Finding, Walkthrough, WalkthroughDocument
from tests.factories.walkthroughs import drawn, past_deadline, pdf, started

pytestmark = pytest.mark.django_db
BASE = "/api/v1/walkthroughs/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_filters_by_month_and_scope(walk):
    drawn(walk)
    users = walk.users
    ids = lambda user, q="": {  # noqa: E731
        r["id"] for r in client_for(user).get(f"{BASE}{q}").json()["results"]
    }
    a = set(Walkthrough.objects.filter(department=walk.world.dep_a).values_list("pk", flat=True))
    b = set(Walkthrough.objects.filter(department=walk.world.dep_b).values_list("pk", flat=True))
    assert ids(users["auditor"], "?month=2026-11") == a | b
    assert ids(users["auditor"], "?month=2026-10") == set()
    assert ids(users["auditor_a"]) == a  # an auditor of A never sees B's
    assert ids(users["auditor_b"]) == b
    assert ids(users["owner_a"]) == a  # the owner: their own
    assert ids(users["manager"]) == a | b
    assert ids(users["dept_manager"]) == b
    for name in ("agent", "teamlead", "supervisor"):
        assert ids(users[name]) == set()


@pytest.mark.parametrize("month", ["2026-13", "abc", "2026-1", "9999-99", "%00"])
def test_a_bad_month_is_a_400_naming_the_parameter(walk, month):
    response = client_for(walk.users["auditor"]).get(BASE, {"month": month})
    assert response.status_code == 400
    assert "month" in response.json()


def test_basic_and_session_auth(walk):
    drawn(walk)
    client = APIClient()
    assert client.get(BASE).status_code == 403
    token = base64.b64encode(b"auditor:pw").decode()
    assert client.get(BASE, HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200
    session = APIClient()
    session.force_login(walk.users["auditor_a"])  # a session cookie, as the browser has
    assert session.get(BASE).status_code == 200


def test_draw_endpoint_is_for_the_centers_auditors_and_idempotent(walk):
    response = client_for(walk.users["auditor"]).post(
        f"{BASE}draw/", {"month": "2026-11"}, format="json"
    )
    assert response.status_code == 200 and response.json()["created"] == 3
    again = client_for(walk.users["admin"]).post(
        f"{BASE}draw/", {"month": "2026-11"}, format="json"
    )
    assert again.json()["created"] == 0 and len(again.json()["walkthroughs"]) == 3
    for name in ("auditor_a", "owner_a", "manager", "agent"):
        refused = client_for(walk.users[name]).post(
            f"{BASE}draw/", {"month": "2026-12"}, format="json"
        )
        assert refused.status_code == 403
    bad = client_for(walk.users["auditor"]).post(
        f"{BASE}draw/", {"month": "2026-13"}, format="json"
    )
    assert bad.status_code == 400 and "month" in bad.json()
    assert Walkthrough.objects.count() == 3


def test_start_answers_the_deadline_and_a_second_start_is_refused(walk):
    walkthrough = drawn(walk)[0]
    client = client_for(walk.users["auditor_a"])
    response = client.post(f"{BASE}{walkthrough.pk}/start/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "started" and body["documents_due_at"]
    due = datetime.datetime.fromisoformat(body["documents_due_at"])
    assert abs((due - timezone.now()) - datetime.timedelta(minutes=60)) < datetime.timedelta(
        minutes=1
    )
    second = client.post(f"{BASE}{walkthrough.pk}/start/")
    assert second.status_code == 400 and "status" in second.json()


def test_start_as_every_role_and_out_of_scope(walk):
    walkthroughs = drawn(walk)
    a = walkthroughs[0]
    expected = {
        "agent": 404,
        "teamlead": 404,
        "supervisor": 404,
        "owner_a": 403,  # sees it, may not start it
        "manager": 403,
        "dept_manager": 404,
        "auditor_b": 404,  # out of scope: it does not exist for them
    }
    for name, status in expected.items():
        assert client_for(walk.users[name]).post(f"{BASE}{a.pk}/start/").status_code == status, name
    assert Walkthrough.objects.get(pk=a.pk).status == "drawn"
    assert client_for(walk.users["admin"]).post(f"{BASE}{a.pk}/start/").status_code == 200


def test_documents_say_late_and_refuse_bad_files(walk, settings):
    walkthrough = started(walk)
    step = walkthrough.steps.first()
    owner = client_for(walk.users["owner_a"])
    on_time = owner.post(
        f"{BASE}{walkthrough.pk}/documents/", {"step": step.pk, "file": pdf()}, format="multipart"
    )
    assert on_time.status_code == 201 and on_time.json()["late"] is False
    assert len(on_time.json()["sha256"]) == 64
    past_deadline(walkthrough)
    late = owner.post(
        f"{BASE}{walkthrough.pk}/documents/", {"step": step.pk, "file": pdf()}, format="multipart"
    )
    assert late.status_code == 201 and late.json()["late"] is True
    from django.core.files.uploadedfile import SimpleUploadedFile

    forbidden = owner.post(
        f"{BASE}{walkthrough.pk}/documents/",
        {"step": step.pk, "file": SimpleUploadedFile("run.exe", b"MZ")},
        format="multipart",
    )
    assert forbidden.status_code == 400 and "file" in forbidden.json()
    settings.QA_WALKTHROUGH_MAX_UPLOAD_BYTES = 10
    big = owner.post(
        f"{BASE}{walkthrough.pk}/documents/", {"step": step.pk, "file": pdf()}, format="multipart"
    )
    assert big.status_code == 400 and "file" in big.json()
    assert WalkthroughDocument.objects.count() == 2
    # Not the owner: 403 in scope, 404 out of it.
    auditor = client_for(walk.users["auditor"])
    assert (
        auditor.post(
            f"{BASE}{walkthrough.pk}/documents/",
            {"step": step.pk, "file": pdf()},
            format="multipart",
        ).status_code
        == 403
    )
    assert (
        client_for(walk.users["owner_b"])
        .post(
            f"{BASE}{walkthrough.pk}/documents/",
            {"step": step.pk, "file": pdf()},
            format="multipart",
        )
        .status_code
        == 404
    )


def test_a_document_is_served_only_to_who_may_open_the_walkthrough(walk, client):
    walkthrough = started(walk)
    document = (
        client_for(walk.users["owner_a"])
        .post(
            f"{BASE}{walkthrough.pk}/documents/",
            {"step": walkthrough.steps.first().pk, "file": pdf()},
            format="multipart",
        )
        .json()
    )
    for name, status in (("owner_a", 200), ("auditor_a", 200), ("auditor_b", 404), ("agent", 404)):
        client.force_login(walk.users[name])
        response = client.get(document["url"])
        assert response.status_code == status, name
        if status == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_drill_findings_and_verdict_through_the_api(walk):
    walkthrough = started(walk)
    auditor = client_for(walk.users["auditor_a"])
    steps = list(walkthrough.steps.all())
    early = auditor.post(f"{BASE}{walkthrough.pk}/verdict/", {"verdict": "keep"}, format="json")
    assert early.status_code == 400 and "verdict" in early.json()
    drill = auditor.post(
        f"{BASE}{walkthrough.pk}/drill/",
        {
            "results": [
                {"step": steps[0].pk, "result": "done"},
                {"step": steps[1].pk, "result": "missing", "note": "无处理记录"},
                {"step": steps[2].pk, "result": "done"},
            ]
        },
        format="json",
    )
    assert drill.status_code == 200
    assert [s["drill"] for s in drill.json()["steps"]] == ["done", "missing", "done"]
    past_deadline(walkthrough)
    no_findings = auditor.post(
        f"{BASE}{walkthrough.pk}/verdict/", {"verdict": "keep"}, format="json"
    )
    assert no_findings.status_code == 400 and "verdict" in no_findings.json()
    finding = auditor.post(
        f"{BASE}{walkthrough.pk}/findings/",
        {
            "grade": "minor",
            "description": "处理记录缺失",
            "step": steps[1].pk,
            "action_due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        },
        format="json",
    )
    assert finding.status_code == 201 and finding.json()["action"]
    verdict = auditor.post(
        f"{BASE}{walkthrough.pk}/verdict/",
        {"verdict": "revise", "reason": "补充处理记录要求"},
        format="json",
    )
    assert verdict.status_code == 200
    body = verdict.json()
    assert body["status"] == "concluded" and body["revision"] and body["score"] is not None
    # The owner reads it; may not record anything.
    owner = client_for(walk.users["owner_a"])
    assert owner.get(f"{BASE}{walkthrough.pk}/").json()["verdict"] == "revise"
    assert (
        owner.post(
            f"{BASE}{walkthrough.pk}/findings/",
            {"grade": "observation", "description": "x"},
            format="json",
        ).status_code
        == 403
    )
    assert Finding.objects.count() == 1


def test_detail_out_of_scope_is_404(walk):
    walkthrough = drawn(walk)[0]
    for name in ("auditor_b", "owner_b", "agent", "dept_manager"):
        assert client_for(walk.users[name]).get(f"{BASE}{walkthrough.pk}/").status_code == 404
    for name in ("auditor", "auditor_a", "owner_a", "manager", "admin"):
        assert client_for(walk.users[name]).get(f"{BASE}{walkthrough.pk}/").status_code == 200


def test_walkthroughs_are_in_the_schema(walk):
    schema = client_for(walk.users["admin"]).get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/walkthroughs/",
        "/api/v1/walkthroughs/{id}/start/",
        "/api/v1/walkthroughs/{id}/documents/",
        "/api/v1/walkthroughs/{id}/drill/",
        "/api/v1/walkthroughs/{id}/findings/",
        "/api/v1/walkthroughs/{id}/verdict/",
    ):
        assert path in schema["paths"], path
    upload = schema["paths"]["/api/v1/walkthroughs/{id}/documents/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
