"""An answer's state — its value, or NA — is defined once, on the model."""

from __future__ import annotations

from scoring.evaluations.models import NA, Answer, answer_state


def test_state_is_the_value_or_na():
    assert Answer(value=3, is_na=False).state == 3
    assert Answer(value=0, is_na=False).state == 0
    assert Answer(value=None, is_na=True).state == NA == "na"
    assert Answer(value=1, is_na=True).state == NA  # N/A wins over a stale value
    assert Answer().state is None  # not answered
    assert answer_state(None, True) == NA
    assert answer_state(4, False) == 4
