"""The team page's panel of calls waiting to be scored (org.team_panels)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from org.team_panels import TeamPanel, TeamStat
from qa_center.permissions import has_capability, scope_queryset
from scoring.sampling.models import Assignment


def waiting_panel(user, team) -> TeamPanel | None:
    if not (has_capability(user, "assign_calls") or has_capability(user, "score_calls")):
        return None
    waiting = scope_queryset(
        user, Assignment.objects.filter(call__team=team, status=Assignment.Status.OPEN)
    )
    count = waiting.count()
    overdue = waiting.filter(due_at__lt=timezone.now()).count()
    url = reverse("sampling:queue") + f"?who=all&team={team.pk}"
    return TeamPanel(
        title=_("Calls waiting to be scored"),
        order=20,
        stats=[
            TeamStat(_("Waiting"), count, url),
            TeamStat(_("Overdue"), overdue, url + "&due=overdue", "bad" if overdue else ""),
        ],
        more_url=url if count else "",
        more_label=_("See and reassign them"),
    )
