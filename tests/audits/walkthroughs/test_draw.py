"""The monthly draw: two published systems or processes per department, fewer when there are
fewer (and the page says why), reproducible from its seed, idempotent, avoiding the last two
months and weighted toward past nonconformities."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from audits.walkthroughs import draw as drawing
from audits.walkthroughs.models import DepartmentDraw, Walkthrough, WalkthroughDraw
from audits.walkthroughs.services import walkthroughs_draw_month
from tests.factories.walkthroughs import MONTH, drawn

pytestmark = pytest.mark.django_db


def _candidates(n, **kwargs):
    return [drawing.Candidate(standard_id=i, code=f"S{i:02d}", **kwargs) for i in range(1, n + 1)]


def test_the_same_seed_gives_the_same_picks_in_any_order():
    candidates = _candidates(8)
    first = drawing.choose(candidates, seed="abc", department_id=1)
    again = drawing.choose(list(reversed(candidates)), seed="abc", department_id=1)
    assert [p.candidate.standard_id for p in first] == [p.candidate.standard_id for p in again]
    assert len(first) == 2 and len({p.candidate.standard_id for p in first}) == 2


def test_other_seeds_pick_others():
    candidates = _candidates(8)
    picks = {
        tuple(p.candidate.standard_id for p in drawing.choose(candidates, seed=s, department_id=1))
        for s in map(str, range(30))
    }
    assert len(picks) > 5


def test_recently_walked_ones_are_taken_only_when_needed():
    fresh_and_recent = [
        drawing.Candidate(standard_id=1, code="A", walked_recently=True),
        drawing.Candidate(standard_id=2, code="B", walked_recently=True),
        drawing.Candidate(standard_id=3, code="C"),
    ]
    for seed in map(str, range(20)):
        picks = drawing.choose(fresh_and_recent, seed=seed, department_id=1)
        assert picks[0].candidate.standard_id == 3  # the fresh one always comes first
        assert picks[1].candidate.walked_recently  # the second has to be a recent one


def test_past_nonconformities_weigh_toward_a_standard():
    candidates = [drawing.Candidate(standard_id=1, code="A", nonconformities=5)] + [
        drawing.Candidate(standard_id=i, code=f"Z{i}") for i in range(2, 11)
    ]
    hits = Counter(
        p.candidate.standard_id
        for seed in map(str, range(400))
        for p in drawing.choose(candidates, seed=seed, department_id=7)
    )
    # Weight 6 against 1 for each of nine others: picked in well over the 2/10 of a fair draw.
    assert hits[1] / 400 > 0.5
    assert max(v for k, v in hits.items() if k != 1) / 400 < 0.35


def test_draw_two_per_department_and_fewer_when_fewer(walk):
    walkthroughs = drawn(walk)
    per_department = Counter(w.department_id for w in walkthroughs)
    assert per_department == {walk.world.dep_a.pk: 2, walk.world.dep_b.pk: 1}
    short = DepartmentDraw.objects.get(department=walk.world.dep_b)
    assert (short.available, short.drawn) == (1, 1)
    # Only systems and processes: the specification of department A is never drawn.
    assert all(w.standard.kind in ("process", "system") for w in walkthroughs)
    # Steps copied from the published version; a system is one step.
    first_a = walkthroughs[0]
    assert [s.title for s in first_a.steps.all()] == ["受理登记", "处理与回复", "归档"]
    assert "受理登记表" in first_a.steps.all()[0].required_documents
    system = next(w for w in walkthroughs if w.department == walk.world.dep_b)
    assert system.steps.count() == 1
    assert system.owner == walk.users["owner_b"]


def test_running_again_changes_nothing(walk):
    first = [(w.department_id, w.standard_id, w.slot) for w in drawn(walk)]
    seed = WalkthroughDraw.objects.get().seed
    result = walkthroughs_draw_month(month=MONTH + datetime.timedelta(days=12))  # any day of it
    assert result.created == []
    again = [(w.department_id, w.standard_id, w.slot) for w in drawn(walk)]
    assert again == first
    assert WalkthroughDraw.objects.get().seed == seed
    assert Walkthrough.objects.count() == 3


def test_the_stored_seed_reproduces_the_picks(walk):
    walkthroughs = drawn(walk)
    seed = WalkthroughDraw.objects.get().seed
    candidates = [drawing.Candidate(standard_id=s.pk, code=s.code) for s in walk.standards_a]
    picks = drawing.choose(candidates, seed=seed, department_id=walk.world.dep_a.pk)
    assert [p.candidate.standard_id for p in picks] == [
        w.standard_id for w in walkthroughs if w.department_id == walk.world.dep_a.pk
    ]


def test_the_next_months_avoid_what_was_just_walked(walk, world):
    from tests.factories.audits import make_standard

    # Four processes in A: two walked in November, so December takes the other two.
    make_standard(department=world.dep_a, code="LC-A09", owner=walk.users["owner_a"])
    november = {w.standard_id for w in drawn(walk) if w.department_id == world.dep_a.pk}
    december = {
        w.standard_id
        for w in drawn(walk, datetime.date(2026, 12, 1))
        if w.department_id == world.dep_a.pk
    }
    assert not november & december
    assert len(december) == 2


def test_a_department_added_later_is_drawn_on_the_next_run(walk, world):
    from tests.factories import DepartmentFactory
    from tests.factories.audits import make_standard

    drawn(walk)
    dep_c = DepartmentFactory(center=world.center, name="客服三部", code="dep-c")
    make_standard(department=dep_c, code="LC-C01", owner=walk.users["owner_a"])
    result = walkthroughs_draw_month(month=MONTH)
    assert [w.department for w in result.created] == [dep_c]
    assert Walkthrough.objects.filter(department=world.dep_a).count() == 2


def test_command_draws_and_is_idempotent(walk, capsys):
    call_command("draw_walkthroughs", "--month", "2026-11")
    out = capsys.readouterr().out
    assert "2026-11: 3 walk-through(s) drawn" in out
    assert "only 1 published" in out
    call_command("draw_walkthroughs", "--month", "2026-11")
    assert "0 walk-through(s) drawn" in capsys.readouterr().out
    assert Walkthrough.objects.count() == 3


@pytest.mark.parametrize("month", ["2026-13", "2026/11", "11-2026", "", "2026-W10"])
def test_command_refuses_a_bad_month(walk, month):
    with pytest.raises(CommandError, match="--month"):
        call_command("draw_walkthroughs", "--month", month)
    assert Walkthrough.objects.count() == 0


def test_the_monthly_job_is_scheduled_on_the_first(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["walkthroughs-draw-month"]
    assert entry["task"] == "walkthroughs.draw_month"
    assert entry["schedule"].day_of_month == {1}


def test_the_monthly_job_draws_the_current_month(walk):
    from audits.walkthroughs.tasks import draw_month
    from qa_center import periods

    result = draw_month.delay().get()
    assert result["month"] == f"{periods.current(periods.MONTH).first_day:%Y-%m}"
    assert result["created"] == 3


def test_a_department_with_nothing_published_is_drawn_once_it_has(walk, world):
    from tests.factories.audits import make_standard

    for standard in walk.standards_b:
        from audits.standards.services import standard_abolish

        standard_abolish(standard=standard, by=walk.users["admin"], reason="下线")
    drawn(walk)
    row = DepartmentDraw.objects.get(department=world.dep_b)
    assert (row.available, row.drawn) == (0, 0)
    make_standard(department=world.dep_b, code="LC-B09", owner=walk.users["owner_b"])
    result = walkthroughs_draw_month(month=MONTH)
    assert [w.department for w in result.created] == [world.dep_b]
    row.refresh_from_db()
    assert (row.available, row.drawn) == (1, 1)
