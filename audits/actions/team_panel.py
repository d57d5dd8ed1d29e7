"""The team page's corrective-actions panel (org.team_panels): the team's open corrective
actions (overdue first) and its open improvement targets, read through the user's scope."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.actions.models import CorrectiveAction, ImprovementTarget
from audits.actions.selectors import improvement_targets_for, visible_actions
from org.team_panels import TeamPanel, TeamStat
from qa_center.permissions import has_capability

OPEN = (CorrectiveAction.Status.OPEN, CorrectiveAction.Status.DONE)


def actions_panel(user, team) -> TeamPanel | None:
    """Open corrective actions and improvement targets of `team` for who sees the team's
    results (None for the others): counts, the overdue ones, then up to ten rows."""
    if not has_capability(user, "view_results"):
        return None
    today = timezone.localdate()
    actions = visible_actions(user, CorrectiveAction.objects.filter(team=team, status__in=OPEN))
    overdue = actions.filter(status=CorrectiveAction.Status.OPEN, due_on__lt=today).count()
    targets = improvement_targets_for(user).filter(team=team, status=ImprovementTarget.Status.OPEN)
    target_by_action = {t.action_id: t for t in targets}
    rows = list(actions.select_related("owner").order_by("due_on", "pk")[:10])
    panel = TeamPanel(
        title=_("Corrective actions and improvement targets"),
        order=40,
        stats=[
            TeamStat(_("Open actions"), actions.count(), reverse("actions:list") + "?status=open"),
            TeamStat(
                _("Overdue"),
                overdue,
                reverse("actions:list") + "?overdue=yes",
                "bad" if overdue else "ok",
            ),
            TeamStat(_("Open improvement targets"), len(target_by_action)),
        ],
        more_url=reverse("actions:list"),
        more_label=_("All corrective actions"),
        empty=_("No open corrective action."),
    )
    for action in rows:
        target = target_by_action.get(action.pk)
        late = action.status == CorrectiveAction.Status.OPEN and action.due_on < today
        meta = _("%(owner)s · due %(date)s") % {
            "owner": action.owner.display_name if action.owner_id else "—",
            "date": action.due_on.isoformat(),
        }
        if target is not None:
            meta = _("%(meta)s · target %(item)s ≥ %(value)s%%") % {
                "meta": meta,
                "item": target.label,
                "value": target.target_value,
            }
        panel.rows.append(
            {
                "label": action.title,
                "url": reverse("actions:detail", args=[action.pk]),
                "meta": meta,
                "value": _("overdue") if late else action.get_status_display(),
                "tone": "bad" if late else "",
            }
        )
    return panel
