"""The ``qa_score`` command line, shared by ``python -m scoring.engine.cli`` and
``python manage.py qa_score``.

    qa_score --rules RULES.json [--output OUT.jsonl] [--workers N] CALLS.jsonl|-
    qa_score --check RULES.json

Exit status: 0 all calls scored; 1 some call lines were invalid (each got an error line in its
place, the others were scored); 2 the rule library is invalid or unreadable (nothing scored),
or the command line is wrong.
"""

from __future__ import annotations

import argparse
import errno
import io
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from typing import IO, Any

from scoring.engine.evaluate import Library
from scoring.engine.library import LibraryError, validate_library

EXIT_OK, EXIT_BAD_CALLS, EXIT_BAD_LIBRARY = 0, 1, 2
BLOCK_BYTES = 1 << 18  # input per unit of work: ~50 calls, ~20-50 ms of scoring


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments (also used by the Django management command)."""
    parser.add_argument("--rules", metavar="RULES.json", help="rule library (JSON)")
    parser.add_argument(
        "--output", metavar="OUT.jsonl", help="where to write results (default: stdout)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default 1; 0 = one per CPU)",
    )
    parser.add_argument(
        "--check",
        metavar="RULES.json",
        help="validate a rule library: print its problems and warnings, score nothing",
    )
    parser.add_argument("calls", nargs="?", metavar="CALLS.jsonl", help="calls, or - for stdin")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa_score",
        description="Score calls (JSON Lines) against a rule library.",
        epilog="Exit status: 0 ok, 1 some invalid call lines, 2 invalid rule library.",
    )
    add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return run(
        rules=args.rules,
        calls=args.calls,
        output=args.output,
        workers=args.workers,
        check=args.check,
    )


def run(
    *,
    rules: str | None,
    calls: str | None,
    output: str | None = None,
    workers: int = 1,
    check: str | None = None,
    stdout: IO[Any] | None = None,
    stderr: IO[Any] | None = None,
    stdin: IO[Any] | None = None,
) -> int:
    """Run the command; returns the exit status. Streams default to the process's own."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if check is not None:
        return _check(check, stdout)
    if not rules or not calls:
        stderr.write("qa_score: error: --rules RULES.json and CALLS.jsonl are required\n")
        return EXIT_BAD_LIBRARY
    data, message = _read_library(rules)
    if message:
        stderr.write(f"qa_score: error: {message}\n")
        return EXIT_BAD_LIBRARY
    try:
        library = Library(data)
    except LibraryError as exc:
        stderr.write(f"qa_score: invalid rule library {rules}:\n")
        for problem in exc.problems:
            if problem.level == "error":
                stderr.write(f"  {problem}\n")
        return EXIT_BAD_LIBRARY
    for warning in library.warnings:
        stderr.write(f"qa_score: {warning}\n")

    if workers == 0:
        workers = os.cpu_count() or 1
    if workers < 0:
        stderr.write("qa_score: error: --workers must be >= 0\n")
        return EXIT_BAD_LIBRARY
    try:
        source = _open_input(calls, stdin)
    except OSError as exc:
        stderr.write(f"qa_score: error: cannot read {calls}: {exc.strerror or exc}\n")
        return EXIT_BAD_LIBRARY
    try:
        sink, close_sink = _open_output(output, stdout)
    except OSError as exc:
        stderr.write(f"qa_score: error: cannot write {output}: {exc.strerror or exc}\n")
        return EXIT_BAD_LIBRARY
    try:
        if workers == 1:
            bad = _score_serial(library, source, sink)
        else:
            bad = _score_parallel(library, data, source, sink, workers)
        sink.flush()
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the exit-time flush
        except OSError:
            pass
        return EXIT_OK
    finally:
        if source is not (stdin or sys.stdin) and hasattr(source, "close"):
            source.close()
        if close_sink:
            sink.close()
    if bad:
        stderr.write(f"qa_score: {bad} invalid call line(s); see the error lines in the output\n")
        return EXIT_BAD_CALLS
    return EXIT_OK


# --------------------------------------------------------------------------------------------


def _read_library(path: str) -> tuple[Any, str | None]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return None, f"cannot read rule library {path}: {exc.strerror or exc}"
    try:
        return json.loads(raw), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"rule library {path} is not valid JSON: {exc}"


def _check(path: str, out: IO[Any]) -> int:
    data, message = _read_library(path)
    if message:
        out.write(f"error: {message}\n")
        return EXIT_BAD_LIBRARY
    problems = validate_library(data)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    for problem in problems:
        out.write(f"{problem}\n")
    count = len(data.get("rules") or []) if isinstance(data, dict) else 0
    verdict = "invalid" if errors else "ok"
    out.write(f"{path}: {verdict}: {count} rule(s), {errors} error(s), {warnings} warning(s)\n")
    return EXIT_BAD_LIBRARY if errors else EXIT_OK


def _open_input(path: str, stdin: IO[Any] | None) -> IO[bytes]:
    if path == "-":
        stream = stdin or sys.stdin
        return getattr(stream, "buffer", stream)
    return open(path, "rb")  # noqa: SIM115 - closed by run()


class _TextSink:
    """Adapts a text stream (e.g. Django's OutputWrapper, StringIO) to ``write(bytes)``."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, data: bytes) -> None:
        self._stream.write(data.decode("utf-8"))

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:  # pragma: no cover - never owned
        pass


def _open_output(path: str | None, stdout: IO[Any]) -> tuple[Any, bool]:
    if path and path != "-":
        return open(path, "wb"), True  # noqa: SIM115 - closed by run()
    buffer = getattr(stdout, "buffer", None)
    if buffer is not None:
        stdout.flush()
        return buffer, False
    return _TextSink(stdout), False


def _blocks(source: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """Whole lines in blocks of about BLOCK_BYTES, with the number of their first line.

    Blocks, not lines, are the unit of work: the parent process never touches a line, so it
    stays nearly idle while worker processes score."""
    line_no = 1
    rest = b""
    while True:
        data = source.read(BLOCK_BYTES)
        if not data:
            if rest:
                yield line_no, rest
            return
        if rest:
            data = rest + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        block, rest = data[:cut], data[cut:]
        yield line_no, block
        line_no += block.count(b"\n")


def _score_block(library: Library, first_line: int, block: bytes) -> tuple[bytes, int]:
    out: list = []
    bad = 0
    score_line_into = library.score_line_into
    for line_no, line in enumerate(block.split(b"\n"), first_line):
        if line.strip():
            bad += not score_line_into(line, line_no, out)
            out.append(b"\n")
    return b"".join(out), bad


def _score_serial(library: Library, source: IO[bytes], sink: Any) -> int:
    bad = 0
    for first_line, block in _blocks(source):
        data, n_bad = _score_block(library, first_line, block)
        sink.write(data)
        bad += n_bad
    return bad


# Worker processes: the library is inherited through fork (or rebuilt from its JSON where
# processes are spawned), never pickled per block.
_WORKER_LIBRARY: Library | None = None
_SPOOL_DIR: str | None = None


def _worker_init(data: Any, spool_dir: str) -> None:
    global _WORKER_LIBRARY, _SPOOL_DIR
    if _WORKER_LIBRARY is None:
        _WORKER_LIBRARY = Library(data)
    _SPOOL_DIR = spool_dir


def _worker_score(index: int, first_line: int, block: bytes) -> tuple[str, int, int]:
    """Score a block into a spool file of its own; the parent splices it into the output.

    Results are big (a result line lists every rule of the library: ~150 kB a call at 3,000
    rules), so they never travel back through the pool's pipe, where pickling them and
    copying them through the parent made the parent the bottleneck."""
    assert _WORKER_LIBRARY is not None and _SPOOL_DIR is not None
    data, bad = _score_block(_WORKER_LIBRARY, first_line, block)
    path = os.path.join(_SPOOL_DIR, f"{index}.jsonl")
    with open(path, "wb") as fh:
        fh.write(data)
    return path, len(data), bad


class _Splicer:
    """Appends spool files to the sink in order: with ``os.sendfile`` (kernel to kernel, the
    bytes never become Python objects) when the sink is a file descriptor, else by copying."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink
        self._fd: int | None = None
        try:
            fd = sink.fileno()
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            return
        if hasattr(os, "sendfile"):
            sink.flush()  # whatever the stream holds goes first
            self._fd = fd

    def splice(self, path: str, size: int) -> None:
        with open(path, "rb") as src:
            offset = 0
            if self._fd is not None:
                try:
                    while offset < size:
                        sent = os.sendfile(self._fd, src.fileno(), offset, size - offset)
                        if sent == 0:
                            break
                        offset += sent
                except OSError as exc:
                    if exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                        raise
                    self._fd = None  # not supported for this output: copy from now on
            if offset < size:
                src.seek(offset)
                self._sink.write(src.read())  # whole: a text sink decodes what it gets
        os.unlink(path)


def _start_method() -> str:
    """fork when this process is single-threaded (workers inherit the compiled library for
    free); forkserver when other threads run (a browser driver under pytest, a threaded
    server), because forking a threaded process can deadlock the child on a lock another
    thread held; spawn where neither exists."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _score_parallel(library: Library, data: Any, source: IO[bytes], sink: Any, workers: int) -> int:
    global _WORKER_LIBRARY
    ctx = multiprocessing.get_context(_start_method())
    spool_dir = tempfile.mkdtemp(prefix="qa_score-")
    _WORKER_LIBRARY = library  # inherited by forked workers
    bad = 0
    try:
        splicer = _Splicer(sink)
        with ctx.Pool(workers, initializer=_worker_init, initargs=(data, spool_dir)) as pool:
            # A bounded window of blocks in flight keeps memory and spool space flat on huge
            # inputs while results are written in input order.
            pending: deque = deque()
            window = workers * 4
            for index, (first_line, block) in enumerate(_blocks(source)):
                pending.append(pool.apply_async(_worker_score, (index, first_line, block)))
                if len(pending) >= window:
                    path, size, n_bad = pending.popleft().get()
                    splicer.splice(path, size)
                    bad += n_bad
            while pending:
                path, size, n_bad = pending.popleft().get()
                splicer.splice(path, size)
                bad += n_bad
    finally:
        _WORKER_LIBRARY = None
        shutil.rmtree(spool_dir, ignore_errors=True)
    return bad


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
