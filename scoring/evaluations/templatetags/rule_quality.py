"""{% flagged_rules_box bulletin %}: the rules whose measured precision is below the threshold,
for the center's weekly bulletin (scoring.evaluations.verdicts.flagged_rules over the 12 weeks
ending with the bulletin's week). Renders nothing for other levels or when no rule is flagged."""

from __future__ import annotations

import datetime

from django import template

from qa_center.permissions import has_capability
from scoring.evaluations.verdicts import flagged_rules
from scoring.rules.models import RuleLibrary

register = template.Library()

#: Weeks of verdicts the bulletin's flag reads (one week rarely has enough verdicts per rule).
WEEKS = 12


@register.inclusion_tag("evaluations/_flagged_rules.html", takes_context=True)
def flagged_rules_box(context, bulletin) -> dict:
    if getattr(bulletin, "level", None) != "center":
        return {"rules": []}
    date_to = bulletin.period_end
    date_from = date_to - datetime.timedelta(weeks=WEEKS) + datetime.timedelta(days=1)
    flagged = flagged_rules(date_from=date_from, date_to=date_to)
    if not flagged:
        return {"rules": []}  # two queries; the titles only when something is flagged
    library = (
        RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).only("definition").first()
    )
    titles = {}
    if library is not None and isinstance(library.definition, dict):
        titles = {
            r.get("code"): r.get("title", "")
            for r in library.definition.get("rules", [])
            if isinstance(r, dict)
        }
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "rules": [(q, titles.get(q.code, "")) for q in flagged],
        "library": library,
        "link": library is not None and user is not None and has_capability(user, "manage_rules"),
        "date_from": date_from,
        "date_to": date_to,
        "weeks": WEEKS,
    }
