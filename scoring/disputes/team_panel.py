"""The team page's disputes panel (org.team_panels): the team's open disputes."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from org.team_panels import TeamPanel, TeamStat
from qa_center.permissions import has_capability, scope_queryset
from scoring.disputes.models import Dispute


def disputes_panel(user, team) -> TeamPanel | None:
    if not (has_capability(user, "view_results") or has_capability(user, "review_disputes")):
        return None
    open_ = scope_queryset(
        user,
        Dispute.objects.filter(evaluation__call__team=team, status=Dispute.Status.OPEN),
    ).select_related("evaluation__call__agent")
    count = open_.count()
    panel = TeamPanel(
        title=_("Open disputes"),
        order=30,
        stats=[TeamStat(_("Open disputes"), count, tone="warn" if count else "")],
        empty=_("No open dispute."),
    )
    for dispute in open_.order_by("opened_at")[:10]:
        panel.rows.append(
            {
                "label": f"{dispute.evaluation.call.call_id} · {dispute.evaluation.call.agent.name}",
                "url": reverse("disputes:dispute_detail", args=[dispute.pk]),
                "meta": dispute.opened_at.strftime("%Y-%m-%d"),
                "value": dispute.score_before if dispute.score_before is not None else "—",
                "tone": "",
            }
        )
    return panel
