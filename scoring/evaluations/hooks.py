"""Where the scoring page sends its user after submitting, decided by the apps above it.

The evaluations app cannot know the sampling queue nor the calibration sessions (they are
above it), yet after a submission the supervisor should go on to the next call of their queue,
and a blind calibration score should return to its session. Those apps register an
`after_submit` provider in their AppConfig.ready(); the scoring page asks them in order and
follows the first answer (home/panels.py is the same pattern).

A provider is called as provider(request, evaluation) with the evaluation just submitted and
returns an AfterSubmit (a message and where to go) or None (not its business).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class AfterSubmit:
    message: str
    url: str
    level: str = "success"  # a django.contrib.messages level name


Provider = Callable[[Any, Any], "AfterSubmit | None"]
_providers: list[Provider] = []


def register_after_submit(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def after_submit(request, evaluation) -> AfterSubmit | None:
    for provider in _providers:
        answer = provider(request, evaluation)
        if answer is not None:
            return answer
    return None
