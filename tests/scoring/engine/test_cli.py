"""The qa_score command line: exit statuses, stdin, --output, --workers, --check."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.engine import cli
from tests.scoring.engine.helpers import library, rule
from tests.scoring.engine.test_library import FIXTURE

ROOT = Path(__file__).parents[3]
RULES = library(
    rule("GREET", phrases=["您好"], speaker="agent", where="first"),
    rule("BAD", kind="forbidden", phrases=["不知道"], speaker="agent", critical=True),
    rule("SIL", kind="silence", max_seconds=10),
)


def call(i: int) -> dict:
    text = "您好，请讲" if i % 3 else "嗯，我不知道"
    return {
        "call_id": f"C-{i:04d}",
        "turns": [
            {"speaker": "agent", "text": text, "start": 0, "end": 1},
            {"speaker": "customer", "text": "查话费", "start": 1.5, "end": 2},
            {"speaker": "agent", "text": "好的", "start": 2 + i % 15, "end": 20},
        ],
    }


def write_calls(path: Path, calls, extra: list[str] = ()) -> Path:
    lines = [json.dumps(c, ensure_ascii=False) for c in calls] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def rules_file(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(RULES, ensure_ascii=False), encoding="utf-8")
    return path


def qa_score(*args, stdin: str | None = None, django: bool = False):
    cmd = [sys.executable, "manage.py", "qa_score"] if django else [sys.executable, "-m"]
    if not django:
        cmd.append("scoring.engine.cli")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "qa_center.settings.test")
    return subprocess.run(
        cmd + [str(a) for a in args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("django", [False, True], ids=["module", "manage.py"])
def test_exit_status_0_1_2(tmp_path, rules_file, django):
    good = write_calls(tmp_path / "good.jsonl", [call(i) for i in range(5)])
    proc = qa_score("--rules", rules_file, good, django=django)
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [r["call_id"] for r in results] == [f"C-{i:04d}" for i in range(5)]

    mixed = write_calls(tmp_path / "mixed.jsonl", [call(0)], ["{bad json", '{"turns": []}'])
    proc = qa_score("--rules", rules_file, mixed, django=django)
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert lines[0]["call_id"] == "C-0000"
    assert lines[1]["line"] == 2 and "invalid JSON" in lines[1]["error"]
    assert lines[2] == {"call_id": None, "line": 3, "error": "missing call_id"}

    bad_rules = tmp_path / "bad.json"
    bad_rules.write_text(json.dumps(library(rule("X", kind="nope"))), encoding="utf-8")
    proc = qa_score("--rules", bad_rules, good, django=django)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "rules[0] (X)" in proc.stderr and '"kind"' in proc.stderr


def test_unreadable_library_and_missing_calls(tmp_path, rules_file):
    assert qa_score("--rules", tmp_path / "none.json", "-", stdin="").returncode == 2
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert qa_score("--rules", tmp_path / "broken.json", "-", stdin="").returncode == 2
    assert qa_score("--rules", rules_file, tmp_path / "none.jsonl").returncode == 2


def test_stdin_output_file_and_blank_lines(tmp_path, rules_file):
    text = json.dumps(call(1)) + "\n\n" + json.dumps(call(2)) + "\n"
    out = tmp_path / "out.jsonl"
    proc = qa_score("--rules", rules_file, "--output", out, "-", stdin=text)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert [json.loads(x)["call_id"] for x in out.read_text().splitlines()] == [
        "C-0001",
        "C-0002",
    ]


def _run(rules_file, calls, output, **kw) -> tuple[int, str]:
    err = io.StringIO()
    status = cli.run(rules=str(rules_file), calls=str(calls), output=str(output), stderr=err, **kw)
    return status, err.getvalue()


@pytest.mark.parametrize("workers", [1, 2])
def test_output_replaces_the_old_file_only_once_every_call_is_scored(tmp_path, rules_file, workers):
    calls = write_calls(tmp_path / "calls.jsonl", [call(i) for i in range(40)])
    out = tmp_path / "out.jsonl"
    out.write_text("yesterday's results\n")
    out.chmod(0o640)
    assert _run(rules_file, calls, out, workers=workers)[0] == 0
    assert [json.loads(x)["call_id"] for x in out.read_text().splitlines()] == [
        f"C-{i:04d}" for i in range(40)
    ]
    assert out.stat().st_mode & 0o777 == 0o640  # the old file's permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.jsonl", "out.jsonl", "rules.json"]


def test_a_run_that_fails_half_way_leaves_the_old_results_as_they_were(
    tmp_path, rules_file, monkeypatch
):
    # Here a full disk on the 20th call; for a worker process that fails, see test_workers.
    calls = write_calls(tmp_path / "calls.jsonl", [call(i) for i in range(40)])
    out = tmp_path / "out.jsonl"
    out.write_text("yesterday's results\n")
    real = cli.Library.score_line_into
    seen = []

    def disk_full_on_the_20th(self, line, line_no, parts):
        seen.append(line_no)
        if len(seen) == 20:
            raise OSError(28, "No space left on device")
        return real(self, line, line_no, parts)

    monkeypatch.setattr(cli.Library, "score_line_into", disk_full_on_the_20th)
    with pytest.raises(OSError, match="No space"):
        _run(rules_file, calls, out, workers=1)
    assert out.read_text() == "yesterday's results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.jsonl", "out.jsonl", "rules.json"]


def test_output_through_a_link_onto_the_calls_or_a_device(tmp_path, rules_file):
    calls = write_calls(tmp_path / "calls.jsonl", [call(i) for i in range(3)])
    target = tmp_path / "results" / "today.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    assert _run(rules_file, calls, link)[0] == 0
    assert link.is_symlink() and len(target.read_text().splitlines()) == 3

    # The calls file itself: read whole before the results take its place.
    expected = target.read_text()
    assert _run(rules_file, calls, calls)[0] == 0
    assert calls.read_text() == expected

    calls = write_calls(tmp_path / "more.jsonl", [call(i) for i in range(3)])
    assert _run(rules_file, calls, os.devnull)[0] == 0  # not replaced: written as it is
    assert os.path.exists(os.devnull) and not Path(os.devnull).is_file()

    status, err = _run(rules_file, calls, tmp_path / "missing" / "out.jsonl")
    assert status == 2
    assert f"cannot write {tmp_path / 'missing' / 'out.jsonl'}" in err


def test_workers_give_identical_output(tmp_path, rules_file):
    calls = [call(i) for i in range(1500)]
    path = write_calls(tmp_path / "calls.jsonl", calls[:700], ["oops"])
    with path.open("a", encoding="utf-8") as fh:
        for c in calls[700:]:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    one = qa_score("--rules", FIXTURE, path)
    two = qa_score("--rules", FIXTURE, "--workers", "2", path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 1501
    assert json.loads(one.stdout.splitlines()[700])["line"] == 701


def test_check(tmp_path):
    proc = qa_score("--check", FIXTURE)
    assert proc.returncode == 0
    assert "0 error(s), 0 warning(s)" in proc.stdout
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            library(
                rule("A", phrases=["请", "请稍等"], speaker="agent"),
                rule("A", phrases=["您好"], speaker="boss"),
            ),
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    proc = qa_score("--check", path)
    assert proc.returncode == 2
    assert 'error: rules[1] (A) field "code": duplicate code' in proc.stdout
    assert 'error: rules[1] (A) field "speaker"' in proc.stdout
    assert 'warning: rules[0] (A) field "phrases"' in proc.stdout
    proc = qa_score("--check", path, django=True)
    assert proc.returncode == 2


def test_call_command_in_process(tmp_path, rules_file):
    from io import StringIO

    from django.core.management import call_command

    path = write_calls(tmp_path / "calls.jsonl", [call(1)])
    out = StringIO()
    call_command("qa_score", "--rules", str(rules_file), str(path), stdout=out)
    assert json.loads(out.getvalue())["call_id"] == "C-0001"
    call_command("qa_score", "--check", str(rules_file), stdout=out)  # ok: no exit
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(library(rule("X", kind="nope"))), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("qa_score", "--rules", str(bad), str(path), stdout=StringIO(), stderr=out)
    assert exc.value.code == 2


def test_results_are_kept_when_they_cannot_take_the_old_files_place(
    tmp_path, rules_file, monkeypatch
):
    calls = write_calls(tmp_path / "calls.jsonl", [call(i) for i in range(3)])
    out = tmp_path / "out.jsonl"

    def no_rename(src, dst):
        raise PermissionError(13, "Permission denied", dst)

    monkeypatch.setattr(cli.os, "rename", no_rename)
    status, err = _run(rules_file, calls, out)
    assert status == 2 and "cannot write" in err and "the results are in" in err
    kept = err.split("the results are in ")[1].strip()
    assert len(Path(kept).read_text().splitlines()) == 3


def test_output_in_a_folder_that_takes_no_new_files_is_written_in_place(
    tmp_path, rules_file, monkeypatch
):
    calls = write_calls(tmp_path / "calls.jsonl", [call(i) for i in range(3)])
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    real_open = os.open

    def no_new_files(path, flags, *args):
        if flags & os.O_CREAT and str(path).endswith(".part"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(cli.os, "open", no_new_files)
    assert _run(rules_file, calls, out)[0] == 0
    assert len(out.read_text().splitlines()) == 3
    out.chmod(0o444)
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)
    status, err = _run(rules_file, calls, out)
    assert status == 2 and "cannot write" in err and "Permission denied" in err


def _frozen(objects: list) -> list[bool]:
    """Whether each object is in the collector's permanent generation (``gc.freeze()``):
    tracked by the collector but in none of the generations it collects."""
    collected = {id(o) for o in gc.get_objects()}
    return [gc.is_tracked(o) and id(o) not in collected for o in objects]


def test_the_collector_is_left_as_it_was(tmp_path, rules_file):
    """The command freezes its library out of the garbage collector while it scores; called
    in a long-lived process (Django's command, a Celery worker), it must not leave it so."""
    calls = write_calls(tmp_path / "calls.jsonl", [call(i) for i in range(3)])
    bad_rules = tmp_path / "bad.json"
    bad_rules.write_text(json.dumps(library(rule("X", kind="nope"))), encoding="utf-8")
    for rules, status in ((rules_file, 0), (bad_rules, 2)):
        assert _run(rules, calls, tmp_path / "out.jsonl")[0] == status
        assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        assert _run(rules_file, calls, tmp_path / "out.jsonl")[0] == 0
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
    # A process that froze its own objects (a pre-forking server does) keeps them frozen, and
    # the command freezes nothing more. Checked object by object, not by gc.get_freeze_count():
    # that counts the frozen objects still alive, and every object of the process is frozen
    # here, other threads' included; one freed meanwhile lowers it (a live server's thread
    # left by an earlier test frees a list of its own every 0.5 s).
    kept = [[object()] for _ in range(10)]
    gc.freeze()
    try:
        made_after = [[object()] for _ in range(10)]
        assert _frozen(kept + made_after) == [True] * 10 + [False] * 10
        assert _run(rules_file, calls, tmp_path / "out.jsonl")[0] == 0
        assert _frozen(kept) == [True] * 10, "the command thawed the process's frozen objects"
        assert _frozen(made_after) == [False] * 10, "the command left objects frozen"
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_compiling_a_library_leaves_the_collector_alone(monkeypatch):
    """The web app and its tasks compile libraries (``load_library``) in threaded processes:
    only the command line may switch the collector, which is process-wide."""
    from scoring.engine import load_library

    switched = []
    for name in ("disable", "enable", "freeze", "unfreeze"):
        monkeypatch.setattr(gc, name, lambda name=name: switched.append(name))
    compiled = load_library(json.loads(FIXTURE.read_text(encoding="utf-8")))
    compiled.score_call(call(1))
    assert switched == []
