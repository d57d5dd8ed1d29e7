"""--workers N writes exactly what one worker writes, through every kind of output."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from scoring.engine import cli
from tests.scoring.engine.helpers import big_library, library_phrases, write_calls

ROOT = Path(__file__).parents[3]


@pytest.fixture(scope="module")
def bench_files(tmp_path_factory):
    """A 3,000-rule library and 171 calls for it: 150, an invalid line, 20 more (each result
    line lists all 3,000 rules)."""
    tmp = tmp_path_factory.mktemp("bench")
    lib3000 = big_library(3000)
    rules = tmp / "rules.json"
    rules.write_text(json.dumps(lib3000, ensure_ascii=False), encoding="utf-8")
    phrases = library_phrases(lib3000)
    calls = tmp / "calls.jsonl"
    write_calls(calls, 150, phrases)
    with calls.open("ab") as fh:  # an invalid line among them
        fh.write(b'{"call_id": "X", "turns": [{"speaker": "robot", "text": "hi"}]}\n')
    with calls.open("ab") as fh:
        write_calls(tmp / "more.jsonl", 20, phrases, seed=3)
        fh.write((tmp / "more.jsonl").read_bytes())
    return rules, calls


def _run(rules, calls, workers, **kw) -> tuple[int, bytes | str]:
    return cli.run(rules=str(rules), calls=str(calls), workers=workers, stderr=io.StringIO(), **kw)


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_output_is_byte_identical_at_3000_rules(
    bench_files, tmp_path, monkeypatch, workers
):
    rules, calls = bench_files
    monkeypatch.setattr(cli, "BLOCK_BYTES", 1 << 14)  # many small blocks: order matters
    one, many = tmp_path / "one.jsonl", tmp_path / "many.jsonl"
    assert _run(rules, calls, 1, output=str(one)) == 1
    assert _run(rules, calls, workers, output=str(many)) == 1
    data = one.read_bytes()
    assert len(data.splitlines()) == 171
    assert many.read_bytes() == data
    # A text stream (no file descriptor): the pieces are joined, not written with writev.
    text = io.StringIO()
    assert _run(rules, calls, workers, stdout=text) == 1
    assert text.getvalue().encode("utf-8") == data


def test_workers_output_through_a_pipe(bench_files):
    rules, calls = bench_files
    cmd = [sys.executable, "-m", "scoring.engine", "--rules", str(rules), str(calls)]
    one = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
    two = subprocess.run(cmd + ["--workers", "2"], cwd=ROOT, capture_output=True, check=False)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert len(one.stdout.splitlines()) == 171


def test_workers_start_safely_when_other_threads_run(bench_files, tmp_path):
    """Forking a threaded process can deadlock the child (it hung under pytest once a browser
    driver thread was alive); with another thread running the pool must not fork."""
    import threading

    rules, calls = bench_files
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert cli._start_method() in {"forkserver", "spawn"}
        one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
        assert _run(rules, calls, 1, output=str(one)) == 1
        assert _run(rules, calls, 2, output=str(two)) == 1
        assert two.read_bytes() == one.read_bytes()
    finally:
        stop.set()
        other.join()


def _in_a_fresh_process(code: str, *args: object) -> subprocess.CompletedProcess:
    """Run ``code`` in a new single-threaded interpreter: a test process may have threads
    alive (a browser driver, a Celery worker), and then qa_score never forks, so the ranged
    workers (fork only) would not run."""
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_file_to_file_workers_read_and_write_their_own_blocks(bench_files, tmp_path):
    """Regular file in and out: the ranged workers (no pool), each result at its offset."""
    rules, calls = bench_files
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert _run(rules, calls, 1, output=str(one)) == 1
    two.write_bytes(b"x" * (3 * one.stat().st_size))  # an older, longer output is replaced
    code = """
import io, sys
from scoring.engine import cli
cli.BLOCK_BYTES = 1 << 13  # blocks far apart in size and time
used = []
real = cli._score_ranged
cli._score_ranged = lambda *a: used.append(1) or real(*a)
status = cli.run(rules=sys.argv[1], calls=sys.argv[2], output=sys.argv[3], workers=3,
                 stderr=io.StringIO())
print(status, used)
"""
    done = _in_a_fresh_process(code, rules, calls, two)
    assert done.stdout.split() == ["1", "[1]"], done.stderr
    assert two.read_bytes() == one.read_bytes()


def test_stdout_redirected_to_a_file_keeps_what_was_written_before(bench_files, tmp_path):
    """`qa_score … >> out` and `{ echo head; qa_score …; } > out`: results go after what the
    file holds, in append mode through the pool (pwrite would ignore the offset there)."""
    rules, calls = bench_files
    expected = tmp_path / "expected.jsonl"
    assert _run(rules, calls, 1, output=str(expected)) == 1
    for mode in ("wb", "ab"):
        out = tmp_path / f"out-{mode}.jsonl"
        out.write_bytes(b"")
        with out.open(mode) as fh:
            fh.write(b"head\n")
            code = _run(rules, calls, 2, stdout=SimpleNamespace(buffer=fh, flush=fh.flush))
            fh.write(b"tail\n")
        assert code == 1
        assert out.read_bytes() == b"head\n" + expected.read_bytes() + b"tail\n"


def test_an_empty_file_with_workers(tmp_path, bench_files):
    rules, _ = bench_files
    empty, out = tmp_path / "empty.jsonl", tmp_path / "out.jsonl"
    empty.write_bytes(b"")
    assert _run(rules, empty, 2, output=str(out)) == 0
    assert out.read_bytes() == b""


def test_a_failing_worker_stops_the_run_instead_of_hanging(bench_files, tmp_path):
    rules, calls = bench_files
    code = """
import io, sys
from scoring.engine import cli
cli.BLOCK_BYTES = 1 << 14
with open(sys.argv[2], "rb") as fh:
    start = cli._plan(fh.fileno())[2][0]
    third = 1 + fh.read(start).count(b"\\n")
real = cli._score_block
def crash_on_third_block(library, first_line, block):
    if first_line == third:
        raise MemoryError("simulated")
    return real(library, first_line, block)
cli._score_block = crash_on_third_block
try:
    cli.run(rules=sys.argv[1], calls=sys.argv[2], output=sys.argv[3], workers=2,
            stderr=io.StringIO())
except RuntimeError as exc:
    print("raised:", exc)
"""
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"the previous results\n")
    done = _in_a_fresh_process(code, rules, calls, out)
    assert "raised: qa_score: a worker process failed" in done.stdout, done.stderr
    assert out.read_bytes() == b"the previous results\n"  # kept whole, nothing half-written
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_blocks_are_whole_lines_covering_the_file_the_last_ones_smaller(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "BLOCK_BYTES", 1000)
    lines = [b"x" * (i * 37 % 300) for i in range(200)]
    lines[50] = b"y" * 2500  # a line longer than a block
    path = tmp_path / "calls.jsonl"
    path.write_bytes(b"\n".join(lines))  # the last line has no newline
    with path.open("rb") as fh:
        plan = cli._plan(fh.fileno())
    data = path.read_bytes()
    assert plan[0][0] == 0 and plan[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(plan, plan[1:], strict=False))
    assert all(data[end - 1 : end] == b"\n" for _, end in plan[:-1])
    assert any(end - start > 2500 for start, end in plan)
    tail = [end - start for start, end in plan[-4:]]
    assert max(tail) <= 250 + 300, tail  # a quarter block, give or take a line
