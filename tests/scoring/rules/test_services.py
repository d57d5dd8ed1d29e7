"""Rule libraries: validation naming rule and field, versions never edited, try, activation
with one active version and rescoring of a period."""

from __future__ import annotations

import copy
import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from scoring.calls.models import Call, CallCheck
from scoring.rules.models import RuleLibrary
from scoring.rules.services import (
    LibraryInvalidError,
    library_activate,
    library_create,
    library_try,
    parse_dialogue,
)
from tests.factories import HOTLINE, CallFactory, active_hotline

pytestmark = pytest.mark.django_db


def hotline() -> dict:
    return json.loads(HOTLINE.read_text(encoding="utf-8"))


def test_validation_names_rule_and_field(world):
    data = hotline()
    data["rules"][1]["kind"] = "nonsense"
    data["rules"][2]["code"] = data["rules"][0]["code"]
    with pytest.raises(LibraryInvalidError) as exc:
        library_create(definition=data)
    errors = [p for p in exc.value.problems if p["level"] == "error"]
    assert {(p["index"], p["field"]) for p in errors} >= {(1, "kind"), (2, "code")}
    assert RuleLibrary.objects.count() == 0


def test_edits_are_new_versions_and_one_is_active(world):
    first = active_hotline()
    changed = copy.deepcopy(first.definition)
    changed["rules"][0]["phrases"].append("你好")
    second = library_create(definition=changed, user=world.users["admin"])
    assert (second.version, second.status) == (first.version + 1, "draft")
    first.refresh_from_db()
    assert first.definition != changed  # the saved version did not change
    library_activate(library=second)
    first.refresh_from_db()
    assert first.status == "retired"
    assert RuleLibrary.objects.filter(status="active").get() == second


def test_activation_rescores_the_period(world, django_capture_on_commit_callbacks):
    first = active_hotline()
    agent = world.agents["a1"][0]
    old = CallFactory(
        agent=agent, started_at=datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC)
    )
    recent = CallFactory(
        agent=agent, started_at=datetime.datetime(2026, 3, 5, 10, tzinfo=datetime.UTC)
    )
    from scoring.calls.services.checks import call_checks_run, library_activate_and_rescore

    call_checks_run(call_ids=[old.pk, recent.pk])
    assert CallCheck.objects.filter(library=first).count() == 2
    changed = copy.deepcopy(first.definition)
    changed["rules"] = changed["rules"][:3]
    second = library_create(definition=changed)
    with django_capture_on_commit_callbacks(execute=True):
        second = library_activate_and_rescore(
            library=second,
            rescore_from=datetime.date(2026, 3, 1),
            rescore_to=datetime.date(2026, 3, 31),
        )
    assert second.rescore_total == 1
    assert Call.objects.get(pk=recent.pk).auto_check.library == second
    assert len(Call.objects.get(pk=recent.pk).auto_check.outcomes) == 3
    assert Call.objects.get(pk=old.pk).auto_check.library == first


def test_try_on_a_pasted_dialogue():
    turns = parse_dialogue("客服：您好，很高兴为您服务\n客户：我想查话费\nA: 请稍等\n继续")
    assert [t["speaker"] for t in turns] == ["agent", "customer", "agent"]
    assert turns[2]["text"] == "请稍等继续"
    outcome = library_try(definition=hotline(), dialogue="客服：您好，很高兴为您服务\n客户：查话费")
    greeting = next(r for r in outcome["results"] if r["code"] == "GREETING")
    assert greeting["outcome"] == "pass"
    marked = [s for s in outcome["turns"][0]["segments"] if s["codes"]]
    assert marked[0]["text"] == "您好"
    with pytest.raises(LibraryInvalidError):
        parse_dialogue("没有说话人")


def test_pages(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.users["supervisor"])
    assert client.get(reverse("rules:library_list")).status_code == 403
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("rules:library_import"), {"text": HOTLINE.read_text(encoding="utf-8")}
    )
    library = RuleLibrary.objects.get()
    assert response.url == reverse("rules:library_detail", args=[library.pk])
    assert client.get(response.url).status_code == 200
    bad = hotline()
    bad["rules"][0]["phrases"] = [""]
    response = client.post(reverse("rules:library_import"), {"text": json.dumps(bad)})
    assert response.status_code == 200 and response.context["problems"]
    response = client.post(
        reverse("rules:library_edit", args=[library.pk]),
        {"definition": json.dumps(bad), "action": "validate"},
        HTTP_HX_REQUEST="true",
    )
    assert b"GREETING" in response.content and b"phrases" in response.content
    response = client.post(
        reverse("rules:library_try", args=[library.pk]), {"dialogue": "客服：您好"}
    )
    assert b"<mark" in response.content
    export = client.get(reverse("rules:library_export", args=[library.pk]))
    assert json.loads(export.content) == library.definition
    url = reverse("calls:library_activate", args=[library.pk])
    asked = client.post(url, {})  # activation for the whole center is confirmed first
    assert b'data-testid="activate-confirm"' in asked.content
    library.refresh_from_db()
    assert library.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirmed": "1"})
    library.refresh_from_db()
    assert library.status == "active"


def test_load_command_is_idempotent(world):
    call_command("load_rule_library", str(HOTLINE), "--activate")
    call_command("load_rule_library", str(HOTLINE), "--activate")
    assert RuleLibrary.objects.get().status == "active"
