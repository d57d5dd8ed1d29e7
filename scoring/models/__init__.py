"""Scoring: calls and their automatic checks (calls.py); scorecards, evaluations, disputes,
sampling and calibration (evaluations.py)."""

from .calls import Call, CallCheck, ImportJob, RuleLibrary
from .evaluations import (
    Answer,
    Assignment,
    CalibrationSession,
    Dispute,
    DisputeItem,
    Evaluation,
    EvaluationEvent,
    SamplingPlan,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)

__all__ = [
    "Answer",
    "Assignment",
    "CalibrationSession",
    "Call",
    "CallCheck",
    "Dispute",
    "DisputeItem",
    "Evaluation",
    "EvaluationEvent",
    "ImportJob",
    "RuleLibrary",
    "SamplingPlan",
    "Scorecard",
    "ScorecardItem",
    "ScorecardSection",
]
