"""Test data, one builder per concept, by domain:

- org: CenterFactory … UserFactory, OrgWorld, build_world (the `world` fixture);
- rules: RuleLibraryFactory (the shared test library), RULES, HOTLINE, active_hotline;
- calls: CallFactory, CallCheckFactory, make_call, DEFAULT_TURNS; call_dict, jsonl (imports);
- scorecards: make_scorecard (DEFAULT_, REVIEW_, WEEKLY_SCORECARD), make_big_scorecard;
- evaluations: make_evaluation (through the services), REVIEW_ANSWERS;
- disputes: dispute; dates: TZ, WEEK, at.
"""

from tests.factories.calls import (
    DEFAULT_TURNS,
    CallCheckFactory,
    CallFactory,
    call_dict,
    jsonl,
    make_call,
)
from tests.factories.dates import TZ, WEEK, at
from tests.factories.disputes import dispute
from tests.factories.evaluations import REVIEW_ANSWERS, make_evaluation
from tests.factories.org import (
    AgentFactory,
    CenterFactory,
    DepartmentFactory,
    OrgWorld,
    TeamFactory,
    UserFactory,
    build_world,
)
from tests.factories.rules import HOTLINE, RULES, RuleLibraryFactory, active_hotline
from tests.factories.scorecards import (
    DEFAULT_SCORECARD,
    REVIEW_SCORECARD,
    WEEKLY_SCORECARD,
    make_big_scorecard,
    make_scorecard,
)

__all__ = [
    "DEFAULT_SCORECARD",
    "DEFAULT_TURNS",
    "HOTLINE",
    "REVIEW_ANSWERS",
    "REVIEW_SCORECARD",
    "RULES",
    "TZ",
    "WEEK",
    "WEEKLY_SCORECARD",
    "AgentFactory",
    "CallCheckFactory",
    "CallFactory",
    "CenterFactory",
    "DepartmentFactory",
    "OrgWorld",
    "RuleLibraryFactory",
    "TeamFactory",
    "UserFactory",
    "active_hotline",
    "at",
    "build_world",
    "call_dict",
    "dispute",
    "jsonl",
    "make_big_scorecard",
    "make_call",
    "make_evaluation",
    "make_scorecard",
]
