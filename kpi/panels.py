"""The team page's KPI panel (org.team_panels): the team's shortfalls (短板) of the last 90
days, the team's own and its agents', read through the user's scope (kpi.selectors)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi import selectors
from kpi.models import Shortfall
from org.team_panels import TeamPanel, TeamStat
from qa_center import periods
from qa_center.levels import Level
from qa_center.permissions import has_capability

WINDOW_DAYS = 90


def shortfalls_panel(user, team) -> TeamPanel | None:
    """The team's KPI shortfalls for who sees the team's results (None for the others)."""
    if not has_capability(user, "view_results"):
        return None
    since = timezone.localdate() - datetime.timedelta(days=WINDOW_DAYS)
    shortfalls = selectors.visible_shortfalls(
        user, Shortfall.objects.filter(team=team, period_start__gte=since)
    )
    team_count = shortfalls.filter(level=Level.TEAM).count()
    agent_count = shortfalls.filter(level=Level.AGENT).count()
    panel = TeamPanel(
        title=_("KPI shortfalls (last %(days)s days)") % {"days": WINDOW_DAYS},
        order=45,
        stats=[
            TeamStat(_("The team's"), team_count, tone="bad" if team_count else "ok"),
            TeamStat(_("Its agents'"), agent_count, tone="warn" if agent_count else "ok"),
        ],
        more_url=reverse("kpi:shortfalls"),
        more_label=_("All shortfalls"),
        empty=_("No shortfall."),
    )
    rows = shortfalls.select_related("indicator", "agent").order_by(
        "-period_start", "level", "indicator__code", "-revision"
    )[:10]
    for s in rows:
        period = periods.format_period(periods.period_of(s.period_kind, s.period_start))
        who = s.agent.name if s.level == Level.AGENT and s.agent_id else team.name
        target = s.indicator.display(s.target_value) if s.target_value is not None else "—"
        panel.rows.append(
            {
                "label": f"{s.indicator.name} · {who}",
                "url": reverse("kpi:shortfalls") + f"?indicator={s.indicator.code}",
                "meta": _("%(period)s · %(kind)s · target %(target)s")
                % {"period": period, "kind": s.get_kind_display(), "target": target},
                "value": s.indicator.display(s.value),
                "tone": "bad",
            }
        )
    return panel
