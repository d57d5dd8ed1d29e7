"""Demo bulletins: the weekly bulletins of the last 8 weeks, measures and targets set by the
demo team lead (one met, one missed and escalated), and two monthly notices (the older one
issued, the last month's a draft). Safe to run twice: generation skips what exists."""

from __future__ import annotations

import datetime
from decimal import Decimal

WEEKS = 8


def seed(*, stdout=None, rng=None) -> None:
    from audits.actions.models import ImprovementTarget
    from bulletins.models import Bulletin, Kind
    from bulletins.services import (
        bulletin_generate_month,
        bulletin_issue,
        bulletins_generate_week,
        improvement_target_create,
    )
    from org.models import Role, User
    from qa_center import periods
    from qa_center.levels import Level

    last_week = periods.previous(periods.current(periods.WEEK)).first_day
    weeks = [last_week - datetime.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    lead = User.objects.filter(username="teamlead", role=Role.TEAM_LEAD).first()
    created = 0
    for index, week in enumerate(weeks):
        # Only the newest week is announced; the history is quietly back-filled.
        result = bulletins_generate_week(week_start=week, notify_readers=week == last_week)
        created += len(result.created)
        if index == 3 and lead and not ImprovementTarget.objects.exists():
            _targets(
                lead,
                week,
                weeks[5],
                Bulletin,
                ImprovementTarget,
                Level,
                Kind,
                improvement_target_create,
            )

    newer = periods.previous(periods.current(periods.MONTH))
    older, newer = periods.previous(newer).first_day, newer.first_day
    bulletin_generate_month(month=older, notify_readers=False)
    bulletin_generate_month(month=newer, notify_readers=False)
    manager = User.objects.filter(username="manager").first()
    notice = Bulletin.objects.filter(kind=Kind.MONTHLY, period_start=older).first()
    if manager and notice and notice.status == Bulletin.Status.DRAFT:
        bulletin_issue(
            bulletin=notice,
            actor=manager,
            decisions=(
                "一、对“请稍等”“致谢用语”执行率低于标准的班组提出通报批评，限期整改。\n"
                "二、各班组长于下周一前在系统中录入整改措施与改进目标。\n"
                "三、质检组对整改班组加大专项抽检比例，持续跟踪至达标。"
            ),
        )
    if stdout:
        stdout.write(f"bulletins: {created} weekly bulletins created, 2 monthly notices")


def _targets(lead, week, due, Bulletin, ImprovementTarget, Level, Kind, create) -> None:  # noqa: N803
    """Two targets from the team's bulletin of `week`: one modest (likely met), one at 100%
    (likely missed, so it escalates to the department)."""
    bulletin = (
        Bulletin.objects.filter(
            kind=Kind.WEEKLY, level=Level.TEAM, team=lead.team, period_start=week
        )
        .order_by("-revision")
        .first()
    )
    if not bulletin:
        return
    rows = [r for r in bulletin.data.get("rules", []) if r["compliance"] is not None]
    rows.sort(key=lambda r: r["compliance"])
    plans = [
        (rows[0] if rows else None, "班前会逐条重温标准用语，组长每日抽听3通录音点评。", "modest"),
        (rows[1] if len(rows) > 1 else None, "开展情景演练，对不达标话务员一对一辅导。", "strict"),
    ]
    for row, measure, kind in plans:
        if row is None:
            continue
        value = (
            Decimal("100")
            if kind == "strict"
            else Decimal(str(max(0.0, round(row["compliance"] - 10, 0))))
        )
        create(
            actor=lead,
            bulletin=bulletin,
            metric="rule",
            code=row["code"],
            label=row["label"],
            target_value=value,
            due_week=due,
            measure=measure,
        )
