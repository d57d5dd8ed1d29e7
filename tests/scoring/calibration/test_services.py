"""校准: blind scoring, the comparison after closing, harsh/lenient supervisors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from org.models import Role
from scoring.calibration.agreement import INTERVAL, NOMINAL, fleiss_kappa, krippendorff_alpha
from scoring.calibration.models import CalibrationSession
from scoring.calibration.selectors import HARSH, LENIENT, calibration_bias, session_results
from scoring.calibration.services import (
    calibration_close,
    calibration_create,
    calibration_evaluation_start,
    calibration_set_reference,
)
from scoring.evaluations.models import Evaluation
from tests.factories import (
    REVIEW_SCORECARD,
    UserFactory,
    make_call,
    make_evaluation,
    make_scorecard,
)


@pytest.fixture
def sups(world):
    return [
        world.users["supervisor"],
        UserFactory(
            username="sup2", full_name="吴质检", role=Role.SUPERVISOR, department=world.dep_a
        ),
        UserFactory(
            username="sup3", full_name="郑质检", role=Role.SUPERVISOR, department=world.dep_a
        ),
    ]


@pytest.fixture
def card(db):
    return make_scorecard(REVIEW_SCORECARD)


def _session(world, sups, card, title="校准"):
    return calibration_create(
        created_by=sups[0],
        title=title,
        call=make_call(world.agents["a1"][0]),
        scorecard=card,
        participants=sups,
    )


ANSWERS = [
    {"greet": 1, "verify": 1, "close": 1, "tone": 5},  # 100
    {"greet": 1, "verify": 0, "close": 1, "tone": 4},  # 67.5
    {"greet": 1, "verify": 1, "close": 0, "tone": 3},  # 75
]


def _score_all(session, sups, card, answers=ANSWERS):
    for user, ans in zip(sups, answers, strict=True):
        make_evaluation(evaluator=user, answers=ans, calibration=session)


def test_create_needs_two_participants_who_score(world, sups, card):
    with pytest.raises(ValidationError):
        calibration_create(
            created_by=sups[0],
            title="x",
            call=make_call(world.agents["a1"][0]),
            scorecard=card,
            participants=[sups[0]],
        )
    with pytest.raises(ValidationError):
        calibration_create(
            created_by=sups[0],
            title="x",
            call=make_call(world.agents["a1"][0]),
            scorecard=card,
            participants=[sups[0], world.users["teamlead"]],
        )
    with pytest.raises(PermissionDenied):
        calibration_create(
            created_by=world.users["manager"],
            title="x",
            call=make_call(world.agents["a1"][0]),
            scorecard=card,
            participants=sups,
        )


def test_participant_starts_a_blind_evaluation(world, sups, card):
    session = _session(world, sups, card)
    evaluation = calibration_evaluation_start(session=session, user=sups[1])
    assert evaluation.calibration_entry.session == session and evaluation.evaluator == sups[1]
    assert evaluation.is_calibration and evaluation.blind
    assert calibration_evaluation_start(session=session, user=sups[1]) == evaluation
    outsider = UserFactory(username="sup9", role=Role.SUPERVISOR, department=world.dep_a)
    with pytest.raises(PermissionDenied):
        calibration_evaluation_start(session=session, user=outsider)


def test_blind_while_open(world, sups, card, client):
    session = _session(world, sups, card)
    _score_all(session, sups, card)
    client.force_login(sups[0])
    body = client.get(reverse("calibration:calibration_detail", args=[session.pk])).content.decode()
    assert 'data-testid="blind"' in body
    for score in ("100.00", "67.50", "75.00"):
        assert score not in body
    assert 'data-testid="answers"' not in body
    client.force_login(sups[1])
    body = client.get(reverse("calibration:calibration_detail", args=[session.pk])).content.decode()
    assert "67.50" not in body and "100.00" not in body


def test_close_shows_answers_and_agreement(world, sups, card, client):
    session = _session(world, sups, card)
    _score_all(session, sups, card)
    closed = calibration_close(session=session, actor=sups[0])
    assert closed.status == CalibrationSession.Status.CLOSED
    assert closed.reference_score == Decimal("75.00")  # the median
    results = session_results(closed)
    # Items × raters, as the agreement module sees them.
    expected_kappa = fleiss_kappa(
        [["yes", "yes", "yes"], ["yes", "no", "yes"], ["yes", "yes", "no"], ["5", "4", "3"]]
    )
    assert results.fleiss_kappa == pytest.approx(expected_kappa)
    assert results.alpha_nominal == pytest.approx(
        krippendorff_alpha(
            [["yes", "yes", "yes"], ["yes", "no", "yes"], ["yes", "yes", "no"]], NOMINAL
        )
    )
    # One scale item: observed and expected disagreement coincide, so alpha is 0.
    assert results.alpha_interval == pytest.approx(0.0)
    assert results.spread["min"] == 67.5 and results.spread["max"] == 100.0
    assert [r["agreement"] for r in results.rows][:2] == [1.0, pytest.approx(1 / 3)]
    distances = {d["evaluator"].username: d["distance"] for d in results.distances}
    assert distances == {
        "supervisor": Decimal("25.00"),
        "sup2": Decimal("-7.50"),
        "sup3": Decimal("0.00"),
    }
    client.force_login(sups[2])
    body = client.get(reverse("calibration:calibration_detail", args=[session.pk])).content.decode()
    assert 'data-testid="answers"' in body and "67.50" in body and "吴质检" in body


def test_alpha_interval_over_scale_items(world, sups, card):
    session = _session(world, sups, card)
    _score_all(session, sups, card)
    calibration_close(session=session, actor=sups[0])
    results = session_results(session)
    assert results.alpha_interval == krippendorff_alpha([[5, 4, 3]], INTERVAL)


def test_only_owner_closes_and_needs_two_scores(world, sups, card):
    session = _session(world, sups, card)
    make_evaluation(evaluator=sups[0], calibration=session)
    with pytest.raises(ValidationError):
        calibration_close(session=session, actor=sups[0])
    make_evaluation(evaluator=sups[1], calibration=session)
    with pytest.raises(PermissionDenied):
        calibration_close(session=session, actor=sups[1])
    calibration_close(session=session, actor=sups[0])
    with pytest.raises(ValidationError):
        calibration_close(session=session, actor=sups[0])


def test_reference_by_score_or_evaluator(world, sups, card):
    session = _session(world, sups, card)
    _score_all(session, sups, card)
    calibration_close(session=session, actor=sups[0], reference_evaluator=sups[0])
    session.refresh_from_db()
    assert session.reference_score == Decimal("100.00")
    calibration_set_reference(session=session, actor=sups[0], reference_score=Decimal("80"))
    session.refresh_from_db()
    assert session.reference_score == Decimal("80.00")


def _closed_session(world, sups, card, answers, reference=None):
    session = _session(world, sups, card)
    _score_all(session, sups, card, answers)
    return calibration_close(
        session=session,
        actor=sups[0],
        reference_score=None if reference is None else Decimal(reference),
    )


def test_harsh_and_lenient_detection(world, sups, card):
    full = {"greet": 1, "verify": 1, "close": 1, "tone": 5}  # 100
    mid = {"greet": 1, "verify": 1, "close": 0, "tone": 5}  # 80
    low = {"greet": 1, "verify": 0, "close": 1, "tone": 5}  # 70
    for _ in range(3):
        # Reference 80: sup0 +20 (lenient), sup1 0, sup2 −10 (harsh).
        _closed_session(world, sups, card, [full, mid, low], reference="80")
    bias = {b.user.username: b for b in calibration_bias(sups[0])}
    assert bias["supervisor"].flag == LENIENT
    assert bias["sup2"].flag is None
    assert bias["sup3"].flag == HARSH
    assert bias["sup3"].mean == pytest.approx(-10.0)
    assert bias["sup3"].sessions == 3


def test_not_flagged_with_only_two_far_sessions(world, sups, card):
    full = {"greet": 1, "verify": 1, "close": 1, "tone": 5}
    mid = {"greet": 1, "verify": 1, "close": 0, "tone": 5}
    for _ in range(2):
        _closed_session(world, sups, card, [full, mid, mid], reference="80")
    assert all(b.flag is None for b in calibration_bias(sups[0]))


def test_bias_only_counts_last_n_sessions(world, sups, card):
    full = {"greet": 1, "verify": 1, "close": 1, "tone": 5}
    mid = {"greet": 1, "verify": 1, "close": 0, "tone": 5}
    for _ in range(3):
        _closed_session(world, sups, card, [full, mid, mid], reference="80")
    for _ in range(3):
        _closed_session(world, sups, card, [mid, mid, mid], reference="80")
    bias = {b.user.username: b for b in calibration_bias(sups[0], last=3)}
    assert bias["supervisor"].flag is None
    bias = {b.user.username: b for b in calibration_bias(sups[0], last=10)}
    assert bias["supervisor"].sessions == 6


def test_pages_and_capability(world, sups, card, client):
    session = _session(world, sups, card)
    client.force_login(sups[1])
    assert client.get(reverse("calibration:calibration_list")).status_code == 200
    response = client.post(reverse("calibration:calibration_score", args=[session.pk]))
    evaluation = Evaluation.objects.get(calibration_sessions=session, evaluator=sups[1])
    assert response["Location"] == reverse("evaluations:evaluation_edit", args=[evaluation.pk])
    assert (
        client.post(reverse("calibration:calibration_close", args=[session.pk])).status_code == 403
    )
    client.force_login(world.users["agent"])
    assert client.get(reverse("calibration:calibration_list")).status_code == 403
    client.force_login(world.users["teamlead"])
    assert (
        client.get(reverse("calibration:calibration_detail", args=[session.pk])).status_code == 403
    )
    # A supervisor of another department, not a participant: not found.
    other = UserFactory(username="supb", role=Role.SUPERVISOR, department=world.dep_b)
    client.force_login(other)
    assert (
        client.get(reverse("calibration:calibration_detail", args=[session.pk])).status_code == 404
    )


def test_create_page(world, sups, card, client):
    call = make_call(world.agents["a1"][0])
    client.force_login(sups[0])
    response = client.post(
        reverse("calibration:calibration_create"),
        {
            "title": "三月校准",
            "call": call.call_id,
            "scorecard": card.pk,
            "participants": [u.pk for u in sups],
            "due_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    session = CalibrationSession.objects.get(title="三月校准")
    assert session.participants.count() == 3
    # A call outside the creator's scope is refused.
    b_call = make_call(world.agents["b1"][0])
    response = client.post(
        reverse("calibration:calibration_create"),
        {"title": "x", "call": b_call.call_id, "scorecard": card.pk, "participants": [sups[0].pk]},
    )
    assert response.status_code == 200 and b_call.call_id in response.content.decode()
