"""/api/v1/standards/ (filters, scope, lifecycle refusals), the attachment download's
permission check, and the standard page's query count, which must not grow with its steps,
documents, versions, attachments and rule links."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.standards.models import Kind
from audits.standards.services import attachment_add, standard_revise
from tests.factories.audits import make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_list_filters_and_scopes(client, world, process, process_b):
    spec = make_standard(
        department=world.dep_a, kind=Kind.SPECIFICATION, code="GF-YE-01", title="查询话费余额"
    )
    client.force_login(world.users["admin"])
    url = "/api/v1/standards/"
    codes = lambda answer: {row["code"] for row in answer.json()["results"]}  # noqa: E731
    assert codes(client.get(url)) == {"LC-001", "LC-B01", "GF-YE-01"}
    assert codes(client.get(url, {"kind": "specification"})) == {"GF-YE-01"}
    assert codes(client.get(url, {"department": world.dep_b.pk})) == {"LC-B01"}
    assert codes(client.get(url, {"status": "published", "q": "余额"})) == {"GF-YE-01"}
    assert client.get(url, {"kind": "nonsense"}).status_code == 400
    assert client.get(url, {"department": "abc"}).status_code == 400
    client.force_login(world.users["dept_manager"])
    assert codes(client.get(url)) == {"LC-B01"}
    assert client.get(f"{url}{process.pk}/").status_code == 404
    detail = client.get(f"{url}{process_b.pk}/").json()
    assert detail["in_force"]["steps"][0]["required_documents"] == [
        "受理登记表",
        "客户身份核验记录",
    ]
    assert spec.pk


def test_publishing_without_owner_is_a_400_and_changes_nothing(client, world):
    client.force_login(world.users["admin"])
    created = client.post(
        "/api/v1/standards/",
        {"code": "ZD-API", "kind": "system", "title": "制度", "department": world.dep_a.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = client.post(f"/api/v1/standards/{pk}/publish/", {}, content_type="application/json")
    assert refused.status_code == 400
    assert "owner" in refused.json() and "monitor" in refused.json()
    assert client.get(f"/api/v1/standards/{pk}/").json()["status"] == "draft"


def test_an_agent_cannot_create_and_sees_only_rolled_out_standards(client, world, process):
    client.force_login(world.users["agent"])
    assert client.get("/api/v1/standards/").json()["results"] == []
    answer = client.post(
        "/api/v1/standards/",
        {"code": "X", "kind": "system", "title": "t", "department": world.dep_a.pk},
        content_type="application/json",
    )
    assert answer.status_code in (400, 403)


def test_attachments_are_served_only_to_those_who_may_open_the_standard(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    draft = make_standard(department=world.dep_a, publish=False, owner=world.users["supervisor"])
    attachment = attachment_add(
        version=draft.versions.get(), by=world.users["admin"], name="表.pdf", data=b"%PDF-1.4 x"
    )
    url = reverse("standards:attachment", args=[attachment.pk])
    client.force_login(world.users["supervisor"])  # the owner
    answer = client.get(url)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"%PDF-1.4 x"
    assert answer["Content-Disposition"].startswith("attachment")
    client.force_login(world.users["dept_manager"])  # another department
    assert client.get(url).status_code == 404
    client.force_login(world.users["agent"])  # a draft is not rolled out
    assert client.get(url).status_code == 404


def _grow(world, standard, n):
    admin = world.users["admin"]
    draft = standard_revise(standard=standard, by=admin, reason="扩充")
    from audits.standards.services import version_publish, version_update

    version_update(
        version=draft,
        by=admin,
        steps=[
            {"title": f"步骤{i}", "required_documents": [f"单据{i}a", f"单据{i}b"]}
            for i in range(n)
        ],
    )
    for i in range(n):
        attachment_add(version=draft, by=admin, name=f"附件{i}.txt", data=f"内容{i}".encode())
    version_publish(version=draft, by=admin, reason="发布")


def test_the_standard_page_keeps_its_query_count(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    small = make_standard(department=world.dep_a, code="Q-1")
    big = make_standard(department=world.dep_a, code="Q-2")
    _grow(world, small, 1)
    _grow(world, big, 15)
    client.force_login(world.users["auditor"])
    counts = []
    for standard in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("standards:detail", args=[standard.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 30, counts


def test_the_admin_shows_standards_read_only(client, world, process):
    client.force_login(world.users["admin"])
    page = client.get(f"/admin/standards/standard/{process.pk}/change/")
    assert page.status_code == 200 and "LC-001" in page.text
    assert client.get("/admin/standards/standard/add/").status_code == 403
