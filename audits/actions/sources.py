"""Where an action comes from, shown on its page: the apps above this one (a walk-through
finding, an inspection's checklist item, a bulletin's improvement target, a KPI shortfall) hold
the link to their action, so each registers, in its AppConfig.ready(), how to find the row that
points to an action of its source and the page that shows it. This app imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceLink:
    label: str
    url: str


Resolver = Callable[[object], "SourceLink | None"]
_RESOLVERS: dict[str, Resolver] = {}


def register_source(source: str, resolver: Resolver) -> None:
    """`resolver(action)`: the SourceLink of the row that links to `action`, or None."""
    _RESOLVERS[source] = resolver


def source_link(action) -> SourceLink | None:
    resolver = _RESOLVERS.get(action.source)
    return resolver(action) if resolver else None
