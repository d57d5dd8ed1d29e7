"""Reads for the standards library: scoped lists, search, a standard's page, rollout coverage,
and the compliance of the rules a standard enforces."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql.where import WhereNode

from audits.standards.models import (
    Acknowledgement,
    Kind,
    ProcessStep,
    Rollout,
    RuleLink,
    Standard,
    StandardVersion,
    Status,
)
from org.models import Agent, Department
from qa_center.permissions import visible_standards


def published_standards(
    *, department: Department | int | None, kinds: Iterable[str] = (Kind.SYSTEM, Kind.PROCESS)
) -> QuerySet[Standard]:
    """The standards of `department` (None: every department) with a version in force, of
    these kinds; `published_version` joined. The walk-through draws from these."""
    qs = Standard.objects.filter(status=Status.PUBLISHED, kind__in=list(kinds)).select_related(
        "published_version", "owner", "monitor", "department"
    )
    if department is not None:
        qs = qs.filter(department_id=getattr(department, "pk", department))
    return qs


#: What a list of standards does not show: the search text and the texts of the version in force.
LIST_DEFERRED = (
    "search_text",
    "published_version__body",
    "published_version__question",
    "published_version__answer",
    "published_version__change_note",
)


def standards_for(
    user,
    *,
    kind: str | None = None,
    department_id: int | None = None,
    status: str | None = None,
    q: str = "",
    working_group_id: int | None = None,
) -> QuerySet[Standard]:
    """The standards the user may open, filtered, with what a list shows of them joined (the
    API's and the page's queries do not grow with the rows). `q` matches the code, the
    titles, the text, question and answer of the current content, and the owner's or
    monitor's name or its pinyin initials ("zw" finds 张伟's standards), case-insensitively;
    on PostgreSQL the bigram index answers it, and a page of the results is read ids first
    (PagedByIds)."""
    qs = visible_standards(
        user,
        # The version in force for its number (the API's list shows it), without its text.
        Standard.objects.select_related(
            "department", "owner", "monitor", "working_group", "published_version"
        ).defer(*LIST_DEFERRED),
    )
    if kind:
        qs = qs.filter(kind=kind)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if status:
        qs = qs.filter(status=status)
    if working_group_id:
        qs = qs.filter(working_group_id=working_group_id)
    if q:
        qs = paged_by_ids(standards_search(qs, q))
    return qs


class PagedByIds(QuerySet):
    """A list whose page (a slice: `qs[:50]`, a paginator's page) is read in one SQL query of
    two steps: the page's ids first, from the filtered table alone (its conditions, ORDER BY,
    LIMIT/OFFSET: the search's index, then a top-n sort of the ids and sort keys), then the
    page's rows with their select_related joins for just those ids, in the same order.

    Why: PostgreSQL estimates a search's matches as the product of independent conditions
    (every bigram of the word, then the LIKE), so a word matching 600 standards is planned
    as matching one, and every match was joined to the users by nested loops over the whole
    table before the sort kept 50. With the ids first the joins are 50 index lookups whatever
    the estimate. Same rows, same order, same number of queries; counting, iterating without
    a slice and everything else are the plain queryset's. The order must be total (the
    standards' is their unique code), as any paged list's must."""

    def __getitem__(self, k):
        if (
            not isinstance(k, slice)
            or k.step is not None
            or self._result_cache is not None
            or self._iterable_class is not ModelIterable
            or self.query.is_sliced
            or self.query.combinator
            or self.query.distinct
            or self.query.annotations
            or self.query.extra
            or self.query.select_for_update
            or self._joins_in_conditions()
        ):
            return super().__getitem__(k)
        ids = self.values("pk")[k]
        # The same query (select_related, deferred fields, order) without its conditions,
        # which the ids hold: a plain QuerySet, so slicing it again is ordinary.
        query = self.query.chain()
        query.where = WhereNode()
        page = QuerySet(model=self.model, query=query, using=self._db, hints=self._hints)
        page._prefetch_related_lookups = self._prefetch_related_lookups
        return page.filter(pk__in=ids)

    def _joins_in_conditions(self) -> bool:
        """Whether a condition reads another table through a join (a join trimmed away, as
        `department_id=` leaves, has no reference): the page's query, a copy of this one
        without its conditions, would keep that join, so such a list keeps the plain query."""
        base = self.query.base_table
        return any(n for alias, n in self.query.alias_refcount.items() if alias != base)


def paged_by_ids(qs: QuerySet) -> PagedByIds:
    """`qs` as a PagedByIds (same query, same prefetches)."""
    paged = PagedByIds(model=qs.model, query=qs.query.chain(), using=qs._db, hints=qs._hints)
    paged._prefetch_related_lookups = qs._prefetch_related_lookups
    return paged


def standards_search(qs: QuerySet[Standard], q: str) -> QuerySet[Standard]:
    """Standards whose search text holds every word of `q` (normalized like the text: "LC-001"
    finds lc001, "zw" the initials of 张伟). On PostgreSQL a word of two or more characters is
    first looked up in the bigram GIN index (scoring.calls.search.phrase_filter, which Chinese
    needs: 漫游 has no trigram), then checked with LIKE; SQLite uses the LIKE alone."""
    from scoring.calls.search import MIN_PHRASE, normalize, phrase_filter

    for word in q.split()[:5]:
        norm = normalize(word)
        if not norm:
            continue
        if len(norm) < MIN_PHRASE:
            qs = qs.filter(search_text__contains=norm)
        else:
            qs = phrase_filter(qs, norm)
    return qs


def standard_page(standard_id: int, user) -> Standard:
    """One standard with everything its page shows, in a fixed number of queries whatever
    the number of versions, steps, documents, attachments and links."""
    versions = StandardVersion.objects.select_related(
        "created_by", "published_by"
    ).prefetch_related(
        Prefetch("steps", queryset=ProcessStep.objects.order_by("position")),
        "attachments",
        Prefetch("rule_links", queryset=RuleLink.objects.order_by("rule_code")),
    )
    return (
        visible_standards(
            user,
            Standard.objects.select_related(
                "department", "owner", "monitor", "working_group", "published_version"
            ),
        )
        .prefetch_related(
            Prefetch("versions", queryset=versions.order_by("-number")),
            "transitions__by",
            "transitions__version",
        )
        .get(pk=standard_id)
    )


@dataclass
class TeamCoverage:
    rollout: Rollout
    agents: int
    read: int
    unread: list[Agent]

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.read / self.agents, 1) if self.agents else None


def rollout_coverage(version: StandardVersion, *, teams_qs=None) -> list[TeamCoverage]:
    """Per team the version was rolled out to: active agents, how many read it, who has not.
    Three queries whatever the number of teams and agents."""
    rollouts = list(version.rollouts.select_related("team__department").order_by("team__code"))
    if teams_qs is not None:
        allowed = set(teams_qs.values_list("pk", flat=True))
        rollouts = [r for r in rollouts if r.team_id in allowed]
    team_ids = [r.team_id for r in rollouts]
    read = set(
        Acknowledgement.objects.filter(version=version, agent__team_id__in=team_ids).values_list(
            "agent_id", flat=True
        )
    )
    by_team: dict[int, list[Agent]] = {t: [] for t in team_ids}
    for agent in Agent.objects.filter(team_id__in=team_ids, is_active=True).order_by("name_sort"):
        by_team[agent.team_id].append(agent)
    rows = []
    for rollout in rollouts:
        agents = by_team[rollout.team_id]
        unread = [a for a in agents if a.pk not in read]
        rows.append(TeamCoverage(rollout, len(agents), len(agents) - len(unread), unread))
    return rows


def coverage_totals(rows: list[TeamCoverage]) -> dict:
    agents = sum(r.agents for r in rows)
    read = sum(r.read for r in rows)
    return {
        "agents": agents,
        "read": read,
        "percent": round(100.0 * read / agents, 1) if agents else None,
    }


def reading_for(user) -> QuerySet[Rollout]:
    """An agent's rollouts: the versions in force rolled out to their team, with whether they
    have read each (`acknowledged`)."""
    if not getattr(user, "agent_id", None):
        return Rollout.objects.none()
    return (
        Rollout.objects.filter(team_id=user.agent.team_id, version__status=Status.PUBLISHED)
        .select_related("version__standard")
        .annotate(
            acknowledged=Count(
                "version__acknowledgements",
                filter=Q(version__acknowledgements__agent_id=user.agent_id),
            )
        )
        .order_by("acknowledged", "-rolled_out_at")
    )


def standards_enforcing(codes: Iterable[str]) -> dict[str, list[Standard]]:
    """For each rule code, the standards in force whose version links it (rule library page)."""
    links = RuleLink.objects.filter(
        rule_code__in=list(codes), version__status=Status.PUBLISHED
    ).select_related("version__standard")
    found: dict[str, list[Standard]] = {}
    for link in links:
        found.setdefault(link.rule_code, []).append(link.version.standard)
    return found


def rule_compliance_this_week(
    codes: Iterable[str], *, department_id: int | None, today: datetime.date | None = None
) -> dict[str, tuple[float | None, int]]:
    """The compliance of these rules in this week's automatic checks (of the department's
    calls when given), from the calls' stored check results."""
    from django.utils import timezone

    from qa_center.periods import WEEK, period_of
    from scoring.calls.selectors import rule_compliance

    period = period_of(WEEK, today or timezone.localdate())
    return rule_compliance(
        codes=list(codes), start=period.start, end=period.end, department_id=department_id
    )
