"""The import page: a template file in each format that imports as it is (once its employee
numbers exist), a refused file's bar is red and never a full green one, clear labels."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from scoring.calls.models import Call, ImportJob
from scoring.calls.services.imports import import_file
from tests.factories import AgentFactory, call_dict, jsonl

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_each_template_downloads_and_imports(world, client, fmt):
    AgentFactory(employee_no="A1001", team=world.team_a1)
    AgentFactory(employee_no="A1002", team=world.team_a1)
    client.force_login(world.users["supervisor"])
    html = client.get(reverse("calls:import")).content.decode()
    url = reverse("calls:import_template", args=[fmt])
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    assert f"calls-template.{fmt}" in response["Content-Disposition"]
    job = import_file(
        user=world.users["supervisor"], filename=f"calls-template.{fmt}", content=response.content
    )
    assert job.status == ImportJob.Status.DONE, job.errors
    assert set(Call.objects.values_list("call_id", flat=True)) == {"C-0001", "C-0002"}


def test_unknown_template_format_is_404(world, client):
    client.force_login(world.users["supervisor"])
    assert client.get(reverse("calls:import_template", args=["pdf"])).status_code == 404


def test_refused_file_shows_a_red_bar_not_a_full_green_one(world, client):
    job = import_file(
        user=world.users["supervisor"],
        filename="calls.jsonl",
        content=jsonl(call_dict("C-1", "NOBODY")),
    )
    assert job.status == ImportJob.Status.FAILED
    client.force_login(world.users["supervisor"])
    html = client.get(reverse("calls:import_detail", args=[job.pk])).content.decode()
    assert 'data-testid="refused-bar"' in html
    assert "sc-progress done" not in html and "sc-progress refused" in html


def test_labels_say_what_they_mean(world, client):
    client.force_login(world.users["supervisor"])
    with translation.override("zh-hans"):
        html = client.get(reverse("calls:import"), HTTP_ACCEPT_LANGUAGE="zh-hans").content
    html = html.decode()
    assert "全部导入" not in html.split("<main")[-1].split("先检查整个文件")[0]
    assert "导入记录" in html
