"""From the collected figures to the frozen contents (`data`) of every scope's bulletin."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from bulletins.figures import CUR, PREV, Acc, Collected
from bulletins.models import scope_key
from org.models import Agent, Department, Team
from qa_center.levels import Level


@dataclass(frozen=True)
class ScopeRef:
    level: str
    department_id: int | None = None
    team_id: int | None = None
    label: str = ""

    @property
    def key(self) -> str:
        return scope_key(self.level, self.department_id, self.team_id)


def standards() -> dict:
    """The standards a bulletin measures against: the center's active KPI targets for the QA
    score, pass rate and compliance (kpi.selectors.bulletin_standard), each falling back to its
    QA_BULLETIN_*_STANDARD setting when no target is active."""
    from kpi.selectors import bulletin_standard

    return {
        "pass_rate": bulletin_standard("pass_rate"),
        "compliance": bulletin_standard("compliance"),
        "score": bulletin_standard("score"),
        "min_sample": settings.QA_BULLETIN_MIN_SAMPLE,
    }


def change(now: float | None, before: float | None) -> float | None:
    return round(now - before, 1) if now is not None and before is not None else None


def headline_with_change(cur: Acc, prev: Acc) -> dict:
    head = cur.headline()
    before = prev.headline()
    head["prev"] = {k: before[k] for k in ("auto_mean", "eval_mean", "pass_rate", "checked")}
    head["change"] = {
        k: change(head[k], before[k]) for k in ("auto_mean", "eval_mean", "pass_rate")
    }
    return head


def below_standard(head: dict, std: dict) -> bool:
    if head["evaluated"] >= 1 and head["pass_rate"] is not None:
        if head["pass_rate"] < std["pass_rate"]:
            return True
    if head["checked"] >= std["min_sample"] and head["auto_mean"] is not None:
        return head["auto_mean"] < std["score"]
    return False


def shortfalls_once(rules: list[dict], items: list[dict], item_rules: dict[str, str]) -> list[dict]:
    """The rules and scorecard items below standard, each thing once: an item prefilled from a
    rule that is itself below standard is shown on the rule's row (`item`), not as a second
    shortfall of the same phrase."""
    below_rules = {r["code"]: r for r in rules if r["below"]}
    rows = [dict(r) for r in below_rules.values()]
    by_code = {r["code"]: r for r in rows}
    for item in items:
        if not item["below"]:
            continue
        rule = by_code.get(item_rules.get(item["code"], ""))
        if rule is not None:
            rule["item"] = {k: item[k] for k in ("code", "label", "compliance", "n")}
        else:
            rows.append(item)
    return rows


def compliance_rows(cur: Acc, prev: Acc, labels: dict, kind: str, std: dict) -> list[dict]:
    codes = set(cur.rules if kind == "rule" else cur.items)
    rows = []
    for code in codes:
        if kind == "rule":
            now, n = cur.rule_compliance(code)
            before, _ = prev.rule_compliance(code)
            fails = cur.rules[code][1]
        else:
            now, n = cur.item_compliance(code)
            before, _ = prev.item_compliance(code)
            fails = None
        rows.append(
            {
                "kind": kind,
                "code": code,
                "label": labels.get(code, code),
                "compliance": now,
                "prev": before,
                "change": change(now, before),
                "n": n,
                "fails": fails,
                "below": bool(
                    now is not None and n >= std["min_sample"] and now < std["compliance"]
                ),
            }
        )
    rows.sort(key=lambda r: (r["compliance"] if r["compliance"] is not None else 101, r["code"]))
    return rows


class Org:
    """The organization in two queries: departments and teams with their names."""

    def __init__(self) -> None:
        self.departments = {d.pk: d for d in Department.objects.all()}
        self.teams = {t.pk: t for t in Team.objects.all()}
        self.teams_of: dict[int, list[int]] = {}
        for team in self.teams.values():
            self.teams_of.setdefault(team.department_id, []).append(team.pk)

    def scopes(self) -> list[ScopeRef]:
        scopes = [ScopeRef(Level.CENTER, label="")]
        for dep in sorted(self.departments.values(), key=lambda d: d.code):
            scopes.append(ScopeRef(Level.DEPARTMENT, department_id=dep.pk, label=dep.name))
        for team in sorted(self.teams.values(), key=lambda t: t.code):
            scopes.append(
                ScopeRef(
                    Level.TEAM, department_id=team.department_id, team_id=team.pk, label=team.name
                )
            )
        return scopes

    def team_ids(self, scope: ScopeRef) -> list[int]:
        if scope.level == Level.TEAM:
            return [scope.team_id]
        if scope.level == Level.DEPARTMENT:
            return self.teams_of.get(scope.department_id, [])
        return list(self.teams)


def scope_accs(collected: Collected, org: Org, team_ids: list[int]) -> tuple[Acc, Acc]:
    cur, prev = Acc(), Acc()
    for team_id in team_ids:
        if (CUR, team_id) in collected.teams:
            cur.add(collected.teams[(CUR, team_id)])
        if (PREV, team_id) in collected.teams:
            prev.add(collected.teams[(PREV, team_id)])
    return cur, prev


class Builder:
    """Builds every scope's data from one period's figures. Each team's figures and each
    agent's verdict are computed once and shared by the team's, department's and center's
    bulletins."""

    def __init__(self, *, collected: Collected, org: Org, period) -> None:
        self.collected = collected
        self.org = org
        self.period = period
        self.std = standards()
        self._teams: dict[int, dict] = {}
        self.agents_below: dict[int, list[dict]] = {}
        below = []
        for agent_id, (team_id, acc) in collected.agents.items():
            a_head = acc.headline()
            if below_standard(a_head, self.std):
                below.append((agent_id, team_id, a_head))
        # Names as plain tuples: thousands of agents may be below standard in a bad week.
        ids = [agent_id for agent_id, _, _ in below]
        names = {}
        for first in range(0, len(ids), 5000):  # within SQLite's limit of query parameters
            names.update(
                (pk, (name, employee_no))
                for pk, name, employee_no in Agent.objects.filter(
                    pk__in=ids[first : first + 5000]
                ).values_list("pk", "name", "employee_no")
            )
        for agent_id, team_id, a_head in below:
            name, employee_no = names.get(agent_id, (str(agent_id), ""))
            self.agents_below.setdefault(team_id, []).append(
                {
                    "id": agent_id,
                    "name": name,
                    "employee_no": employee_no,
                    "team": org.teams[team_id].name if team_id in org.teams else "",
                    **{k: a_head[k] for k in ("checked", "auto_mean", "evaluated", "pass_rate")},
                    "critical": a_head["auto_critical"] + a_head["eval_critical"],
                }
            )

    def team_row(self, team_id: int) -> dict:
        if team_id not in self._teams:
            team = self.org.teams[team_id]
            t_cur, t_prev = scope_accs(self.collected, self.org, [team_id])
            t_head = headline_with_change(t_cur, t_prev)
            shortfalls = sum(
                1
                for r in compliance_rows(t_cur, t_prev, {}, "rule", self.std)
                + compliance_rows(t_cur, t_prev, {}, "item", self.std)
                if r["below"]
            )
            self._teams[team_id] = {
                "id": team_id,
                "label": team.name,
                "department": self.org.departments[team.department_id].name,
                **{k: t_head[k] for k in ("checked", "auto_mean", "evaluated", "eval_mean")},
                "pass_rate": t_head["pass_rate"],
                "change": t_head["change"],
                "below": below_standard(t_head, self.std),
                "shortfalls": shortfalls,
            }
        return self._teams[team_id]

    def build(
        self, scope: ScopeRef, *, trend: list[dict], targets: list[dict]
    ) -> tuple[dict, dict]:
        """The bulletin's data and its summary (the headline figures) for one scope."""
        collected, org, std = self.collected, self.org, self.std
        team_ids = org.team_ids(scope)
        cur, prev = scope_accs(collected, org, team_ids)
        head = headline_with_change(cur, prev)
        rules = compliance_rows(cur, prev, collected.rule_labels, "rule", std)
        items = compliance_rows(cur, prev, collected.item_labels, "item", std)

        # The worst rules (lowest compliance) with example calls of this scope that failed them.
        examples = [e for team_id in team_ids for e in collected.examples.get(team_id, [])]
        worst = []
        for row in [r for r in rules if r["compliance"] is not None and r["fails"]][:3]:
            calls = [e for e in examples if row["code"] in e["failed"]][:3]
            worst.append(
                {
                    **row,
                    "examples": [
                        {
                            **{k: e[k] for k in ("call", "call_id", "agent", "started_at")},
                            "score": e["score"],
                            "phrases": e["phrases"].get(row["code"], []),
                        }
                        for e in calls
                    ],
                }
            )

        teams = []
        if scope.level != Level.TEAM:
            teams = sorted(
                (self.team_row(t) for t in team_ids),
                key=lambda t: (not t["below"], t["auto_mean"] or 0, t["label"]),
            )
        departments = []
        if scope.level == Level.CENTER:
            for dep in sorted(org.departments.values(), key=lambda d: d.code):
                d_cur, d_prev = scope_accs(collected, org, org.teams_of.get(dep.pk, []))
                d_head = headline_with_change(d_cur, d_prev)
                departments.append(
                    {
                        "id": dep.pk,
                        "label": dep.name,
                        **d_head,
                        "below": below_standard(d_head, std),
                    }
                )
        agents_below = [a for t in team_ids for a in self.agents_below.get(t, [])]
        agents_below.sort(key=lambda a: a["auto_mean"] if a["auto_mean"] is not None else 101)

        summary = {
            k: head[k] for k in ("checked", "auto_mean", "evaluated", "eval_mean", "pass_rate")
        }
        data = {
            "version": 1,
            "scope": {
                "level": scope.level,
                "label": scope.label,
                "department": scope.department_id,
                "team": scope.team_id,
            },
            "period": {"start": self.period[0].isoformat(), "end": self.period[1].isoformat()},
            "standards": std,
            "headline": head,
            "rules": rules,
            "items": items,
            "shortfalls": shortfalls_once(rules, items, collected.item_rules),
            "worst": worst,
            "departments": departments,
            "teams": teams,
            "agents_below": agents_below[:50],
            "agents_below_total": len(agents_below),
            "targets": targets,
            "trend": [*trend, {"week": self.period[0].isoformat(), **summary}],
        }
        if scope.level == Level.TEAM:
            # Next week's run reads these back for its change (services._previous_figures).
            data["figures"] = cur.as_figures()
        return data, summary
