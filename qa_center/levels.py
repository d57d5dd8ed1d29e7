"""The levels of the organisation — center, department, team, agent — defined once.

A user's scope (qa_center.permissions), a bulletin and an improvement target are each at one of
these levels; the stored values are these strings. Bulletins exist only for the first three,
improvement targets only for teams and departments: those are subsets of the same levels,
given as model choices below, not new definitions.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CENTER = "center", _("Center")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")
    AGENT = "agent", _("Agent")


# The scope of a user who may see nothing (an agent account without an agent, a team lead
# without a team). Not a level of the organisation, so not among the choices.
NO_SCOPE = "none"


def level_choices(*levels: Level) -> list[tuple[str, str]]:
    """Model/form choices for some of the levels, in the order given."""
    return [(level.value, level.label) for level in levels]


# The levels a bulletin is published at, and an improvement target is set at.
BULLETIN_LEVELS = level_choices(Level.CENTER, Level.DEPARTMENT, Level.TEAM)
TARGET_LEVELS = level_choices(Level.TEAM, Level.DEPARTMENT)

__all__ = ["BULLETIN_LEVELS", "NO_SCOPE", "TARGET_LEVELS", "Level", "level_choices"]
