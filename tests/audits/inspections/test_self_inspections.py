"""Full self-inspections: the checklist is the department's published standards; results per
item; a nonconformity opens its corrective action; completion needs every result; the schedule
opens one per period; every read and write scoped to the department."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from audits.actions.models import CorrectiveAction
from audits.inspections import services
from audits.inspections.models import ChecklistItem, SelfInspection, SelfInspectionSchedule
from audits.standards.models import Kind
from tests.factories.actions import dep_a_people
from tests.factories.audits import make_standard

pytestmark = pytest.mark.django_db
MONTH = datetime.date(2026, 12, 1)


@pytest.fixture
def dep_a(world):
    people = dep_a_people(world)
    owner = people["owner_a"]
    make_standard(department=world.dep_a, kind=Kind.SYSTEM, title="服务质量管理制度", code="SYS-1")
    make_standard(department=world.dep_a, title="投诉处理流程", code="PRO-1", owner=owner)
    make_standard(department=world.dep_a, title="草稿流程", code="PRO-9", publish=False)
    make_standard(department=world.dep_b, title="乙部流程", code="PRO-B")
    return people


def _open(world, people, by=None):
    return services.self_inspection_open(
        by=by or people["auditor_a"],
        department=world.dep_a,
        period_start=MONTH,
        inspector=people["auditor_a"],
        due_on=MONTH + datetime.timedelta(days=14),
    )


def test_the_checklist_is_the_departments_published_standards(world, dep_a):
    inspection = _open(world, dep_a)
    assert [i.text for i in inspection.items.order_by("position")] == [
        "SYS-1 服务质量管理制度",
        "PRO-1 投诉处理流程",
    ]
    assert all(i.standard_version_id for i in inspection.items.all())


def test_another_departments_auditor_may_not_open_or_record(world, dep_a):
    with pytest.raises(PermissionDenied):
        _open(world, dep_a, by=dep_a["auditor_b"])
    assert not SelfInspection.objects.exists()
    inspection = _open(world, dep_a)
    item = inspection.items.first()
    with pytest.raises(PermissionDenied):
        services.checklist_item_record(item=item, by=dep_a["auditor_b"], result="conforms")
    item.refresh_from_db()
    assert item.result == ""


def test_one_self_inspection_per_department_and_period(world, dep_a):
    _open(world, dep_a)
    with pytest.raises(ValidationError):
        _open(world, dep_a)
    assert SelfInspection.objects.count() == 1


def test_a_nonconformity_opens_a_corrective_action_for_the_standards_owner(world, dep_a):
    inspection = _open(world, dep_a)
    item = inspection.items.get(standard__code="PRO-1")
    with pytest.raises(ValidationError):
        services.checklist_item_record(item=item, by=dep_a["auditor_a"], result="major")
    assert not CorrectiveAction.objects.exists()
    recorded = services.checklist_item_record(
        item=item, by=dep_a["auditor_a"], result="major", note="回访记录缺失"
    )
    action = recorded.action
    assert (action.source, action.owner, action.department, action.description) == (
        "nonconformity",
        dep_a["owner_a"],
        world.dep_a,
        "回访记录缺失",
    )
    # Recording it again keeps the one action.
    services.checklist_item_record(item=item, by=dep_a["auditor_a"], result="minor", note="x")
    assert CorrectiveAction.objects.count() == 1
    other = inspection.items.get(standard__code="SYS-1")
    assert (
        services.checklist_item_record(
            item=other, by=dep_a["auditor_a"], result="observation", note="建议"
        ).action
        is None
    )


def test_completion_needs_every_result(world, dep_a):
    inspection = _open(world, dep_a)
    first, second = inspection.items.order_by("position")
    services.checklist_item_record(item=first, by=dep_a["auditor_a"], result="conforms")
    with pytest.raises(ValidationError) as exc:
        services.self_inspection_complete(inspection=inspection, by=dep_a["auditor_a"])
    assert "2" in exc.value.messages[0]
    services.checklist_item_record(item=second, by=dep_a["auditor_a"], result="not_applicable")
    done = services.self_inspection_complete(inspection=inspection, by=dep_a["auditor_a"])
    assert done.status == "completed" and done.completed_at
    with pytest.raises(ValidationError):
        services.checklist_item_record(item=first, by=dep_a["auditor_a"], result="minor", note="x")


def test_the_schedule_opens_each_period_once(world, dep_a):
    SelfInspectionSchedule.objects.create(
        department=world.dep_a, inspector=dep_a["auditor_a"], frequency="quarterly"
    )
    # Department B has a schedule too but nothing... it has PRO-B published: opened as well.
    SelfInspectionSchedule.objects.create(department=world.dep_b, inspector=dep_a["auditor_b"])
    opened = services.self_inspections_schedule(today=datetime.date(2026, 11, 20))
    assert {(i.department, i.period_start) for i in opened} == {
        (world.dep_a, datetime.date(2026, 10, 1)),
        (world.dep_b, datetime.date(2026, 11, 1)),
    }
    assert services.self_inspections_schedule(today=datetime.date(2026, 11, 21)) == []
    assert SelfInspection.objects.count() == 2


def test_pages_are_scoped_and_record_through_the_services(client, world, dep_a):
    inspection = _open(world, dep_a)
    url = reverse("inspections:self_detail", args=[inspection.pk])
    client.force_login(dep_a["auditor_b"])
    assert client.get(url).status_code == 404
    assert inspection.title not in client.get(reverse("inspections:overview")).content.decode()
    item = inspection.items.first()
    record = reverse("inspections:item_record", args=[inspection.pk, item.pk])
    assert client.post(record, {"result": "conforms"}).status_code == 404
    client.force_login(world.users["agent"])
    assert client.get(url).status_code == 403
    client.force_login(dep_a["auditor_a"])
    assert client.get(url).status_code == 200
    client.post(record, {"result": "minor", "note": "记录不全"})
    item.refresh_from_db()
    assert item.result == "minor" and item.action_id


def test_api_scope_and_recording(world, dep_a):
    inspection = _open(world, dep_a)
    api = APIClient()
    api.force_authenticate(dep_a["auditor_b"])
    assert api.get("/api/v1/inspections/").json()["results"] == []
    assert api.get(f"/api/v1/inspections/{inspection.pk}/").status_code == 404
    item = inspection.items.first()
    body = {"item": item.pk, "result": "conforms"}
    assert api.post(f"/api/v1/inspections/{inspection.pk}/record/", body).status_code == 404
    create = {
        "department": world.dep_a.pk,
        "inspector": dep_a["auditor_b"].pk,
        "period_start": "2027-01-01",
        "due_on": "2027-01-15",
    }
    assert api.post("/api/v1/inspections/", create).status_code == 400  # not in B's scope
    api.force_authenticate(world.users["agent"])
    assert api.get("/api/v1/inspections/").status_code == 403
    api.force_authenticate(dep_a["auditor_a"])
    rows = api.get("/api/v1/inspections/").json()["results"]
    assert [r["id"] for r in rows] == [inspection.pk] and rows[0]["kind"] == "self"
    response = api.post(
        f"/api/v1/inspections/{inspection.pk}/record/",
        {"item": item.pk, "result": "major", "note": "缺失"},
    )
    assert response.status_code == 200
    recorded = next(i for i in response.json()["items"] if i["id"] == item.pk)
    assert recorded["result"] == "major" and recorded["action"]
    assert api.post(f"/api/v1/inspections/{inspection.pk}/complete/").status_code == 400
    assert ChecklistItem.objects.filter(result="").count() == 1


def test_the_actions_page_links_back_to_the_checklist_item(client, world, dep_a):
    inspection = _open(world, dep_a)
    item = inspection.items.get(standard__code="PRO-1")
    action = services.checklist_item_record(
        item=item, by=dep_a["auditor_a"], result="minor", note="记录不全"
    ).action
    client.force_login(dep_a["owner_a"])
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    assert reverse("inspections:self_detail", args=[inspection.pk]) in page
    assert "PRO-1 投诉处理流程" in page
