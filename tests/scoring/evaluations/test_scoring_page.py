"""The scoring page: transcript with evidence, prefilled scorecard, save/submit, stale saves
that lose nothing, the JavaScript total equal to the server's, and a pinned query count."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from scoring.calls.transcript import segment_text, transcript_turns
from scoring.evaluations.models import Evaluation, ScorecardItem
from scoring.evaluations.services.evaluations import (
    evaluation_save,
    evaluation_start,
    score_answers,
)
from tests.factories import (
    CallCheckFactory,
    CallFactory,
    make_big_scorecard,
    make_scorecard,
)

SCORING_JS = Path(__file__).resolve().parents[3] / "static" / "js" / "scoring.js"


@pytest.fixture
def setup(world):
    card = make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0], recording_url="https://rec.example/c1.mp3")
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "fail"})
    return card, call


def _url(evaluation):
    return reverse("evaluations:evaluation_edit", args=[evaluation.pk])


# --- Transcript segments --------------------------------------------------------------------


def test_overlapping_evidence_is_merged_and_text_is_kept():
    segments = segment_text(
        "您好请稍等谢谢", [(0, 2, "A", False), (1, 5, "B", True), (5, 7, "C", False)]
    )
    assert [(s.text, s.rules, s.failed) for s in segments] == [
        ("您好请稍等", ("A", "B"), True),
        ("谢谢", ("C",), False),
    ]
    assert "".join(s.text for s in segments) == "您好请稍等谢谢"


def test_bad_evidence_is_ignored():
    turns = transcript_turns(
        [{"speaker": "agent", "text": "您好", "start": 65.2}],
        [{"code": "X", "evidence": [{"turn": 0, "start": 1, "end": 99}, {"turn": "x"}, {}]}],
    )
    assert [s.text for s in turns[0].segments] == ["您", "好"]
    assert turns[0].time_label == "01:05"


# --- The page -------------------------------------------------------------------------------


def test_evaluate_call_starts_and_redirects(setup, world, client):
    card, call = setup
    client.force_login(world.users["supervisor"])
    response = client.post(reverse("evaluations:evaluate_call", args=[call.pk]))
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302 and response.url == _url(evaluation)
    again = client.post(reverse("evaluations:evaluate_call", args=[call.pk]))
    assert again.url == response.url


def test_out_of_scope_call_is_404(setup, world, client):
    card, _call = setup
    other = CallFactory(agent=world.agents["b1"][0])
    client.force_login(world.users["supervisor"])
    assert client.post(reverse("evaluations:evaluate_call", args=[other.pk])).status_code == 404
    client.force_login(world.users["teamlead"])  # no score_calls
    assert client.post(reverse("evaluations:evaluate_call", args=[_call.pk])).status_code == 403


def test_page_shows_transcript_evidence_and_prefilled_items(setup, world, client):
    card, call = setup
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=world.users["supervisor"])
    client.force_login(world.users["supervisor"])
    client.cookies["django_language"] = "en"  # asserts the English "automatic" badge
    html = client.get(_url(evaluation)).content.decode()
    assert 'class="turn turn-agent' in html and 'class="turn turn-customer' in html
    assert '<mark class="ev" data-rules="GREET" title="GREET">您好</mark>' in html
    assert 'data-start="5.50"' in html and "00:05" in html
    assert "<audio" in html and "https://rec.example/c1.mp3" in html
    assert 'name="answer-greet" value="1" checked' in html
    assert 'name="answer-hold" value="0" checked' in html
    assert 'data-auto="1"' in html and "automatic" in html
    assert 'name="version" value="1"' in html


def test_transcript_text_is_escaped(world, client):
    card = make_scorecard()
    call = CallFactory(
        agent=world.agents["a1"][0],
        turns=[{"speaker": "agent", "text": "<script>alert(1)</script>您好", "start": 0, "end": 1}],
    )
    CallCheckFactory(call=call, outcomes={"GREET": "pass"})
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=world.users["supervisor"])
    client.force_login(world.users["supervisor"])
    html = client.get(_url(evaluation)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark" in html


def _form(evaluation, **answers):
    data = {"version": str(evaluation.version), "comment": "", "action": "save"}
    for code in ("greet", "hold", "tone", "leak"):
        data[f"answer-{code}"] = ""
    data.update({"answer-greet": "1", "answer-hold": "0"})
    data.update(answers)
    return data


def test_save_and_submit_through_the_page(setup, world, client):
    card, call = setup
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=world.users["supervisor"])
    client.force_login(world.users["supervisor"])
    response = client.post(
        _url(evaluation),
        _form(
            evaluation,
            **{
                "answer-hold": "na",
                "reason-hold": "客户没有等待",
                "answer-tone": "4",
                "answer-leak": "1",
                "action": "submit",
            },
        ),
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "submitted"
    # greet 2 + tone 1.5 + leak 1 of 5 (hold N/A)
    assert evaluation.score == Decimal("90.00")
    page = client.get(_url(evaluation)).content.decode()
    assert "客户没有等待" in page  # in the history
    assert 'data-editable="0"' in page


def test_override_without_reason_keeps_the_answers(setup, world, client):
    card, call = setup
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=world.users["supervisor"])
    client.force_login(world.users["supervisor"])
    response = client.post(
        _url(evaluation), _form(evaluation, **{"answer-hold": "1", "note-tone": "语气平淡"})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="errors"' in html and "请稍等" in html
    assert 'name="answer-hold" value="1" checked' in html
    assert "语气平淡" in html
    evaluation.refresh_from_db()
    assert evaluation.version == 1


def test_stale_save_shows_differences_and_keeps_the_users_answers(setup, world, client):
    card, call = setup
    sup = world.users["supervisor"]
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=sup)
    client.force_login(sup)
    opened_version = evaluation.version
    # Meanwhile, in another tab:
    evaluation_save(
        evaluation=evaluation, actor=sup, answers={"tone": {"value": 2}}, expected_version=1
    )
    data = _form(evaluation, **{"answer-tone": "5", "comment": "我的评语"})
    data["version"] = str(opened_version)
    response = client.post(_url(evaluation), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="stale"' in html
    assert "声调自然" in html and "2 / 1–5" in html and "5 / 1–5" in html
    # The user's answers are still in the form, ready to save over the new version.
    assert 'name="answer-tone" value="5" checked' in html
    assert "我的评语" in html
    assert 'name="version" value="2"' in html
    evaluation.refresh_from_db()
    assert evaluation.answers.get(item__code="tone").value == 2
    data["version"] = "2"
    assert client.post(_url(evaluation), data).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.answers.get(item__code="tone").value == 5


def test_others_see_it_read_only_and_cannot_post(setup, world, client):
    card, call = setup
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=world.users["supervisor"])
    client.force_login(world.users["teamlead"])
    page = client.get(_url(evaluation))
    assert page.status_code == 200 and 'data-editable="0"' in page.content.decode()
    assert client.post(_url(evaluation), _form(evaluation)).status_code == 403
    client.force_login(world.users["dept_manager"])  # another department
    assert client.get(_url(evaluation)).status_code == 404
    client.force_login(world.users["agent"])
    assert client.get(_url(evaluation)).status_code == 403


# --- Query count ----------------------------------------------------------------------------


def _big_call(world, turns: int):
    rng = random.Random(4)
    texts = [
        "您好，请问有什么可以帮您？",
        "请稍等，我帮您查询。",
        "谢谢您的耐心等待。",
        "我想办理业务。",
    ]
    call = CallFactory(
        agent=world.agents["a1"][0],
        turns=[
            {
                "speaker": "agent" if i % 2 == 0 else "customer",
                "text": rng.choice(texts),
                "start": i * 3.0,
                "end": i * 3.0 + 2,
            }
            for i in range(turns)
        ],
    )
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "pass", "THANKS": "fail"})
    return call


def test_query_count_does_not_grow_with_turns_items_or_evidence(
    world, client, django_assert_max_num_queries, django_assert_num_queries
):
    sup = world.users["supervisor"]
    small = evaluation_start(call=_big_call(world, 4), scorecard=make_scorecard(), evaluator=sup)
    big = evaluation_start(
        call=_big_call(world, 400),
        scorecard=make_big_scorecard(sections=8, items_per_section=10),
        evaluator=sup,
    )
    evaluation_save(evaluation=big, actor=sup, comment="x", expected_version=1)
    assert big.call.auto_check.results[0]["evidence"]
    client.force_login(sup)
    client.get(_url(small))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(_url(small)).status_code == 200
    with CaptureQueriesContext(connection) as big_queries:
        assert client.get(_url(big)).status_code == 200
    assert len(big_queries) == len(small_queries)
    # session, user, evaluation (+call, check, scorecard…), sections, answers+items, history,
    # and the base template's department, notifications and session save.
    with django_assert_max_num_queries(12):
        client.get(_url(big))


# --- The JavaScript total equals the server's ------------------------------------------------


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_score_matches_the_server():
    rng = random.Random(7)
    cases = []
    for _ in range(400):
        items = []
        answers = {}
        for i in range(rng.randint(1, 9)):
            kind = rng.choice(["yes_no", "scale"])
            lo = rng.choice([0, 1])
            hi = lo + rng.choice([1, 2, 3, 4, 6, 9])
            weight = Decimal(rng.choice(["1", "2", "0.5", "3.25", "0", "1.1", "7"]))
            item = ScorecardItem(
                code=f"i{i}",
                title="t",
                kind=kind,
                weight=weight,
                scale_min=lo,
                scale_max=hi,
                critical=rng.random() < 0.15,
            )
            items.append(item)
            roll = rng.random()
            if roll < 0.15:
                answers[item.code] = {"value": None, "na": True}
            elif roll < 0.25:
                answers[item.code] = {"value": None, "na": False}
            else:
                value = rng.randint(lo, hi) if kind == "scale" else rng.randint(0, 1)
                answers[item.code] = {"value": value, "na": False}
        pass_mark = rng.choice(["80", "60.5", "90.00", "0"])
        server = score_answers(items, answers, pass_mark=Decimal(pass_mark))
        cases.append(
            {
                "items": [
                    {
                        "code": it.code,
                        "kind": it.kind,
                        "weight": str(it.weight),
                        "min": it.scale_min,
                        "max": it.scale_max,
                        "critical": it.critical,
                    }
                    for it in items
                ],
                "answers": answers,
                "pass_mark": pass_mark,
                "expected": {
                    "score": None if server.score is None else str(server.score),
                    "critical_failed": server.critical_failed,
                    "passed": server.passed,
                },
            }
        )
    script = (
        f"const s = require({json.dumps(str(SCORING_JS))});"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const out = cases.map(c => { const r = s.score(c.items, c.answers, c.pass_mark);"
        " return {score: r.score, critical_failed: r.critical_failed, passed: r.passed}; });"
        "process.stdout.write(JSON.stringify(out));"
    )
    done = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    got = json.loads(done.stdout)
    for case, result in zip(cases, got, strict=True):
        assert result == case["expected"], case


# --- In a real browser ----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supervisor_scores_a_call_and_the_agent_sees_it(page, live_server):
    from tests.conftest import login, screenshot
    from tests.factories import build_world

    world = build_world()
    make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "fail"})

    login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}{reverse('calls:call_detail', args=[call.pk])}")
    with page.expect_navigation():
        page.click("[data-testid=score-call]")
    page.wait_for_selector("body[data-scoring-ready='1']")
    total = page.locator("[data-testid=total]")
    assert total.inner_text() == "66.67"  # greet yes (2), hold no (1), the rest unanswered

    # Override the automatic "no" on hold: a reason becomes required.
    reason = page.locator("#item-hold [data-reason]")
    assert reason.is_hidden()
    page.click("#item-hold .choice-yes span")
    assert reason.is_visible()
    assert total.inner_text() == "100.00"
    # Submitting without the reason is stopped in the page, pointing at the field.
    page.click("#item-leak .choice-yes span")
    page.click("#item-tone .choice-na span")
    page.click("[data-testid=submit]")
    assert page.evaluate("document.activeElement.id") == "reason-hold"
    page.fill("#reason-hold", "客户无需等待，转写遗漏")

    # A failed critical item zeroes the total, live; keyboard: n on the current item.
    page.click("#item-leak legend .sc-weight")
    page.keyboard.press("n")
    assert total.inner_text() == "0.00"
    assert page.locator("[data-testid=critical]").is_visible()
    page.click("#item-leak legend .sc-weight")
    page.keyboard.press("y")
    assert total.inner_text() == "100.00"
    assert page.locator("[data-testid=critical]").is_hidden()
    # Clicking an item's title flashes its evidence in the transcript.
    page.click("#item-greet .sc-title")
    page.wait_for_selector("mark.ev.flash[data-rules~=GREET]")
    screenshot(page, "scoring-page")

    shown = total.inner_text()
    with page.expect_navigation():
        page.click("[data-testid=submit]")
    evaluation = Evaluation.objects.get()
    assert evaluation.status == "submitted"
    assert str(evaluation.score) == shown  # the page's total is the server's
    hold = evaluation.answers.get(item__code="hold")
    assert hold.override_reason == "客户无需等待，转写遗漏"
    assert evaluation.answers.get(item__code="tone").is_na
    assert "客户无需等待，转写遗漏" in page.locator("[data-testid=history]").inner_text()

    page.context.clear_cookies()
    login(page, live_server, "agent")
    page.goto(f"{live_server.url}{reverse('evaluations:my_evaluations')}")
    assert page.locator("[data-testid=my-score]").inner_text().strip() == "100.00"
    with page.expect_navigation():
        page.click("[data-testid=acknowledge]")
    assert page.locator("[data-testid=acknowledged]").is_visible()
    screenshot(page, "my-results")
