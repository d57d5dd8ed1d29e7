"""My standards (我负责/监控的标准): for a standard's owner (专人负责) and monitor (专人监控),
whatever their role, the standards they answer for and what is due on each: a walk-through
whose document hour is running first, then walk-throughs started or drawn, a version to write
(a revision opened for the owner), open corrective actions from its findings and
nonconformities, and the rollout coverage of the version in force. A fixed number of queries,
however many standards."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audits.actions.models import CorrectiveAction
from audits.inspections.models import ChecklistItem
from audits.standards.models import (
    OPEN_STATUSES,
    Acknowledgement,
    Rollout,
    Standard,
    StandardVersion,
    Status,
)
from audits.walkthroughs.models import Finding, Walkthrough
from org.models import Agent

OPEN_ACTIONS = (CorrectiveAction.Status.OPEN, CorrectiveAction.Status.DONE)


@dataclass
class MyStandard:
    standard: Standard
    owner: bool
    monitor: bool
    open_version: StandardVersion | None = None
    walkthroughs: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    rolled_out_teams: int = 0
    agents: int = 0
    read: int = 0

    @property
    def coverage(self) -> int | None:
        return round(100 * self.read / self.agents) if self.agents else None

    @property
    def running(self):
        """The walk-through whose document hour is running, if any."""
        return next((w for w in self.walkthroughs if w.window_running()), None)

    @property
    def overdue_actions(self) -> int:
        today = timezone.localdate()
        return sum(
            1 for a in self.actions if a.status == CorrectiveAction.Status.OPEN and a.due_on < today
        )

    @property
    def rank(self) -> tuple:
        if self.running is not None:
            return (0, self.running.documents_due_at.timestamp())
        if any(w.status == Walkthrough.Status.STARTED for w in self.walkthroughs):
            return (1, 0)
        if self.walkthroughs:
            return (2, 0)
        if self.owner and self.open_version is not None:
            return (3, 0)
        if self.actions:
            return (4, 0)
        if self.coverage is not None and self.coverage < 100:
            return (5, 0)
        return (6, 0)

    @property
    def due(self) -> bool:
        return self.rank[0] < 6


def my_standards(user) -> list[MyStandard]:
    """The standards `user` owns or monitors (not abolished), most urgent first. At most
    nine queries, whatever their number."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    standards = list(
        Standard.objects.filter(Q(owner=user) | Q(monitor=user))
        .exclude(status=Status.ABOLISHED)
        .select_related("department", "published_version", "owner", "monitor")
        .order_by("code")
    )
    if not standards:
        return []
    rows = {
        s.pk: MyStandard(standard=s, owner=s.owner_id == user.pk, monitor=s.monitor_id == user.pk)
        for s in standards
    }
    ids = list(rows)
    for version in StandardVersion.objects.filter(standard_id__in=ids, status__in=OPEN_STATUSES):
        rows[version.standard_id].open_version = version
    for walkthrough in (
        Walkthrough.objects.filter(standard_id__in=ids)
        .exclude(status=Walkthrough.Status.CONCLUDED)
        .select_related("department", "version")
        .order_by("-month", "slot")
    ):
        rows[walkthrough.standard_id].walkthroughs.append(walkthrough)
    links = list(
        Finding.objects.filter(
            walkthrough__standard_id__in=ids, action__status__in=OPEN_ACTIONS
        ).values_list("action_id", "walkthrough__standard_id")
    ) + list(
        ChecklistItem.objects.filter(
            standard_id__in=ids, action__status__in=OPEN_ACTIONS
        ).values_list("action_id", "standard_id")
    )
    action_standards: dict[int, set[int]] = {}
    for action_id, standard_id in links:
        action_standards.setdefault(action_id, set()).add(standard_id)
    if action_standards:
        for action in CorrectiveAction.objects.filter(pk__in=list(action_standards)).select_related(
            "owner"
        ):
            for standard_id in sorted(action_standards[action.pk]):
                rows[standard_id].actions.append(action)
        for row in rows.values():
            row.actions.sort(key=lambda a: (a.due_on, a.pk))
    _coverage(rows)
    return sorted(rows.values(), key=lambda r: (r.rank, r.standard.code))


def _coverage(rows: dict[int, MyStandard]) -> None:
    """Per standard: the teams its version in force was rolled out to, their active agents and
    how many of them have read it (two queries, three with acknowledgements)."""
    by_version = {
        r.standard.published_version_id: r for r in rows.values() if r.standard.published_version_id
    }
    if not by_version:
        return
    teams_of: dict[int, set[int]] = {}
    for version_id, team_id in Rollout.objects.filter(version_id__in=list(by_version)).values_list(
        "version_id", "team_id"
    ):
        teams_of.setdefault(version_id, set()).add(team_id)
    every_team = set().union(*teams_of.values()) if teams_of else set()
    if not every_team:
        return
    agents = dict(
        Agent.objects.filter(team_id__in=list(every_team), is_active=True)
        .values("team_id")
        .annotate(n=Count("pk"))
        .values_list("team_id", "n")
    )
    read: dict[tuple[int, int], int] = {}
    for version_id, team_id, n in (
        Acknowledgement.objects.filter(
            version_id__in=list(teams_of), agent__is_active=True, agent__team_id__in=every_team
        )
        .values("version_id", "agent__team_id")
        .annotate(n=Count("pk"))
        .values_list("version_id", "agent__team_id", "n")
    ):
        read[(version_id, team_id)] = n
    for version_id, teams in teams_of.items():
        row = by_version[version_id]
        row.rolled_out_teams = len(teams)
        row.agents = sum(agents.get(t, 0) for t in teams)
        row.read = sum(read.get((version_id, t), 0) for t in teams)


@login_required
def my_standards_view(request: HttpRequest) -> HttpResponse:
    """Everyone may open it: it shows only what the user owns or monitors."""
    rows = my_standards(request.user)
    return render(
        request,
        "layers/my_standards.html",
        {
            "rows": rows,
            "due": sum(1 for r in rows if r.due),
            "owned": sum(1 for r in rows if r.owner),
            "monitored": sum(1 for r in rows if r.monitor),
        },
    )
