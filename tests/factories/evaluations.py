"""Evaluations, made the way a supervisor makes them: started and submitted through the
services (so their scores are the product's), then moved in time if a test needs a date.

make_evaluation(call=call, card=card, evaluator=supervisor)              # REVIEW_ANSWERS
make_evaluation(call=call, card=card, evaluator=sup, answers={"hold": 0, "tone": 8},
                submitted_at=at(WEEK, 1, 15))
make_evaluation(call=session.call, evaluator=participant, calibration=session)
"""

from __future__ import annotations

import datetime

from scoring.evaluations.models import Evaluation

#: Answers on REVIEW_SCORECARD: greet yes (40), verify no (30), close yes (20), tone 4 of 1–5
#: (10) → 40 + 0 + 20 + 7.5 = 67.50.
REVIEW_ANSWERS: dict[str, int | None] = {"greet": 1, "verify": 0, "close": 1, "tone": 4}


def make_evaluation(
    *,
    call=None,
    card=None,
    evaluator,
    answers: dict[str, int | None] | None = None,
    submit: bool = True,
    submitted_at: datetime.datetime | None = None,
    calibration=None,
    reason: str = "人工复核",
) -> Evaluation:
    """`evaluator`'s evaluation of `call` on `card`, started with evaluation_start (or, for a
    `calibration` session, calibration_evaluation_start: its call and scorecard) and answered
    with evaluation_submit (evaluation_save if not `submit`).

    `answers`: item code → value (1 yes, 0 no, a scale value) or None for N/A; default
    REVIEW_ANSWERS. A changed automatic result is given `reason`. `submitted_at`: the
    submission is moved to that moment afterwards (a queryset update)."""
    from scoring.evaluations.services.evaluations import (
        evaluation_save,
        evaluation_start,
        evaluation_submit,
    )

    if calibration is not None:
        from scoring.calibration.services import calibration_evaluation_start

        if call is not None or card is not None:
            raise TypeError("a calibration session has its own call and scorecard")

        evaluation = calibration_evaluation_start(session=calibration, user=evaluator)
    else:
        evaluation = evaluation_start(call=call, scorecard=card, evaluator=evaluator)
    answers = REVIEW_ANSWERS if answers is None else answers
    sent = {
        code: {"na": True} if value is None else {"value": value, "reason": reason}
        for code, value in answers.items()
    }
    write = evaluation_submit if submit else evaluation_save
    evaluation = write(
        evaluation=evaluation, actor=evaluator, answers=sent, expected_version=evaluation.version
    )
    if submit and submitted_at is not None:
        Evaluation.objects.filter(pk=evaluation.pk).update(submitted_at=submitted_at)
        evaluation.submitted_at = submitted_at
    return evaluation
