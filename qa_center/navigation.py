"""The navigation bar, by role: an entry shows when the user has its capability. Entries name
their page by URL name only (the core imports no app); a renamed page fails every test that
renders the bar, instead of silently losing its link."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qa_center.permissions import has_capability


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capability: str | None  # None: every logged-in user


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", None),
    NavItem(_("My results"), "evaluations:my_evaluations", "own_results"),
    NavItem(_("My queue"), "sampling:queue", "score_calls"),
    NavItem(_("Calls"), "calls:call_list", "view_results"),
    NavItem(_("Imports"), "calls:import_list", "import"),
    NavItem(_("Evaluations"), "evaluations:evaluation_list", "view_results"),
    NavItem(_("Disputes"), "disputes:dispute_list", "review_disputes"),
    NavItem(_("Calibration"), "calibration:calibration_list", "calibrate"),
    NavItem(_("Bulletins"), "bulletins:list", "read_bulletins"),
    NavItem(_("Corrective actions"), "actions:list", "view_org"),
    NavItem(_("KPI"), "kpi:indicators", "view_results"),
    NavItem(_("Inspections"), "inspections:overview", "audit"),
    NavItem(_("Walk-throughs"), "walkthroughs:list", "audit_walkthroughs"),
    NavItem(_("Standards"), "standards:list", "standards"),
    NavItem(_("Standards to read"), "standards:my_reading", "own_results"),
    # What one owns (专人负责) or monitors (专人监控): anyone but an agent may be named so.
    NavItem(_("My standards"), "layers:my_standards", "view_org"),
    NavItem(_("Quality structure"), "layers:overview", "standards"),
    NavItem(_("Organization"), "org:overview", "view_org"),
    NavItem(_("Rule libraries"), "rules:library_list", "manage_rules"),
    NavItem(_("System health"), "health", "view_health"),
]


def nav_for(user, current_path: str) -> list[dict]:
    items = []
    for item in NAVIGATION:
        if item.capability and not has_capability(user, item.capability):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
