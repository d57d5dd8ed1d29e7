"""The team page's results panel (org.team_panels): the last four weeks' evaluations of the
team's calls — how many, the mean score, critical fails, below the pass mark — and each
agent's mean, lowest first, so the team lead sees who needs coaching."""

from __future__ import annotations

from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from org.team_panels import TeamPanel, TeamStat
from qa_center.permissions import has_capability, visible_evaluations
from scoring.evaluations.models import Evaluation

WEEKS = 4


def results_panel(user, team) -> TeamPanel | None:
    if not has_capability(user, "view_results"):
        return None
    since = timezone.now() - timezone.timedelta(weeks=WEEKS)
    evaluations = visible_evaluations(
        user,
        Evaluation.objects.filter(
            call__team=team, is_calibration=False, submitted_at__gte=since
        ).exclude(status=Evaluation.Status.DRAFT),
    )
    figures = evaluations.aggregate(
        n=Count("pk"),
        mean=Avg("score"),
        critical=Count("pk", filter=Q(critical_failed=True)),
        below=Count("pk", filter=Q(passed=False)),
    )
    url = reverse("evaluations:evaluation_list") + f"?team={team.pk}"
    mean = figures["mean"]
    panel = TeamPanel(
        title=ngettext("Results of the last %(n)s week", "Results of the last %(n)s weeks", WEEKS)
        % {"n": WEEKS},
        order=10,
        stats=[
            TeamStat(_("Evaluations"), figures["n"], url),
            TeamStat(_("Average score"), "—" if mean is None else round(mean, 1), url),
            TeamStat(
                _("Critical item failed"),
                figures["critical"],
                url + "&critical=yes",
                "bad" if figures["critical"] else "",
            ),
            TeamStat(
                _("Below the pass mark"), figures["below"], url, "warn" if figures["below"] else ""
            ),
        ],
        more_url=url,
        more_label=_("All the team's evaluations"),
        empty=_("No evaluation of the team's calls in these weeks."),
    )
    per_agent = (
        evaluations.values("call__agent_id", "call__agent__name")
        .annotate(n=Count("pk"), mean=Avg("score"))
        .order_by("mean", "call__agent__name")
    )
    for row in per_agent:
        panel.rows.append(
            {
                "label": row["call__agent__name"],
                "url": reverse("org:agent_detail", args=[row["call__agent_id"]]),
                "value": "—" if row["mean"] is None else round(row["mean"], 1),
                "meta": ngettext("%(n)s evaluation", "%(n)s evaluations", row["n"])
                % {"n": row["n"]},
                "tone": "bad" if row["mean"] is not None and row["mean"] < 80 else "",
            }
        )
    return panel
