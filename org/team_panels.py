"""What a team's page shows beyond its members, filled in by the apps above org.

The org app cannot read evaluations, disputes, sampling, corrective actions or KPI shortfalls
(they are above it), yet a team's page should show the team's results. Each of those apps
registers a provider in its AppConfig.ready(): provider(user, team) -> TeamPanel | None (None:
nothing to show this user). The page shows the panels in `order`. Providers read through the
user's scope like every page.

Registered today: results (scoring.evaluations), calls waiting to be scored
(scoring.sampling), disputes (scoring.disputes), open corrective actions and improvement
targets (audits.actions.team_panel) and KPI shortfalls (kpi.panels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class TeamStat:
    label: str
    value: Any
    url: str = ""
    tone: str = ""  # "", "ok", "warn", "bad"


@dataclass
class TeamPanel:
    title: str
    order: int = 50
    stats: list[TeamStat] = field(default_factory=list)
    # {"label", "url", "meta", "value", "tone"}
    rows: list[dict] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""
    empty: str = ""


Provider = Callable[[Any, Any], "TeamPanel | None"]
_providers: list[Provider] = []


def register_team_panel(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def team_panels(user, team) -> list[TeamPanel]:
    panels = [p for p in (provider(user, team) for provider in _providers) if p is not None]
    return sorted(panels, key=lambda p: p.order)
