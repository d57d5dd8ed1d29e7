"""The levels of the organisation are defined once (qa_center.levels); everything at a level
stores the same strings and offers the same labels."""

from __future__ import annotations

from audits.actions.models import ImprovementTarget
from bulletins.models import Bulletin
from qa_center import permissions
from qa_center.levels import BULLETIN_LEVELS, NO_SCOPE, TARGET_LEVELS, Level, level_choices


def test_levels_and_their_subsets():
    assert Level.values == ["center", "department", "team", "agent"]
    assert [value for value, _label in BULLETIN_LEVELS] == ["center", "department", "team"]
    assert [value for value, _label in TARGET_LEVELS] == ["team", "department"]
    assert level_choices(Level.AGENT) == [("agent", Level.AGENT.label)]
    assert NO_SCOPE not in Level.values


def test_models_and_scopes_use_the_shared_levels():
    assert Bulletin._meta.get_field("level").choices == BULLETIN_LEVELS
    assert ImprovementTarget._meta.get_field("level").choices == TARGET_LEVELS
    for level in Level:
        assert getattr(permissions.Level, level.name) == level.value
