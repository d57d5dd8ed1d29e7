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
import gc
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import stat
import sys
import threading
from collections import deque
from collections.abc import Iterator
from typing import IO, Any

from scoring.engine.collector import CollectorPaused
from scoring.engine.evaluate import Library

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: workers always go through the pool
    fcntl = None  # type: ignore[assignment]
from scoring.engine.library import LibraryError, context_notes, parse_library, validate_library

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
    parser.add_argument(
        "--compact",
        action="store_true",
        help="list only the rules that applied in each result (na implied)",
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
        compact=args.compact,
    )


def run(
    *,
    rules: str | None,
    calls: str | None,
    output: str | None = None,
    workers: int = 1,
    check: str | None = None,
    compact: bool = False,
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
    # The collector stays off from the compile of the library to its freeze (see _score):
    # switched back on in between, it would first walk every object the compile made
    # (tens of thousands of lists, tuples and dicts, none of them garbage). This command is
    # the only engine code that switches the collector: the web app and its tasks compile
    # libraries with it as it is, since the switch is process-wide.
    freezing = gc.get_freeze_count() == 0  # never thaw what the process froze itself
    with CollectorPaused() as collector:
        try:
            return _score(
                data,
                rules,
                calls,
                output,
                workers,
                stdout,
                stderr,
                stdin,
                collector,
                freezing,
                compact,
            )
        finally:
            if freezing:
                gc.unfreeze()


def _score(
    data: Any,
    rules: str,
    calls: str,
    output: str | None,
    workers: int,
    stdout: IO[Any],
    stderr: IO[Any],
    stdin: IO[Any] | None,
    collector: CollectorPaused,
    freezing: bool,
    compact: bool = False,
) -> int:
    try:
        library = Library(data, compact)
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
        sink, replacing = _open_output(output, stdout)
    except OSError as exc:
        stderr.write(f"qa_score: error: cannot write {output}: {exc.strerror or exc}\n")
        if source is not (stdin or sys.stdin):
            source.close()
        return EXIT_BAD_LIBRARY
    done = False
    # The compiled library lives until the end of the run: frozen, the cyclic collector never
    # walks its objects again (at 3,000 rules, ~100,000 of them, walked by every collection
    # that reaches them: ~3 % of a run). Forked workers also share its memory until they
    # write to it, and a collection in a worker would touch every object and copy it page
    # by page.
    if freezing:
        gc.freeze()
    collector.resume()
    try:
        if workers == 1:
            bad = _score_serial(library, source, sink)
        else:
            bad = _score_parallel(library, data, source, sink, workers)
        sink.flush()
        done = True
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the exit-time flush
        except OSError:
            pass
        return EXIT_OK
    finally:
        if source is not (stdin or sys.stdin) and hasattr(source, "close"):
            source.close()
        if replacing is not None:
            replacing.finish(done)
    if replacing is not None and replacing.error:
        stderr.write(f"qa_score: error: cannot write {output}: {replacing.error}\n")
        return EXIT_BAD_LIBRARY
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
    if not errors:  # what each rule's exceptions and weak phrases mean, in words
        for rule in parse_library(data)[0]:
            for note in context_notes(rule):
                out.write(f"note: rules[{rule.index}] ({rule.code}): {note}\n")
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


class _Replacement:
    """``--output PATH``: the results go to a new file beside PATH, which takes PATH's place
    only once every call is scored. An interrupted or failed run (Ctrl-C, a full disk, a
    crashed worker) leaves the previous results whole and no half-written file; PATH may
    even be the calls file itself. A symbolic link is followed (its target is replaced);
    the new file gets the old one's permissions.

    The old file is unlinked, then the new one renamed, rather than renamed over it: on
    ext4, renaming over a file makes the kernel write the new one to disk at once
    (``auto_da_alloc``), and overwriting a big file that is still being written out waits
    for the disk (~0.2 s for 400 MB here); unlinking drops the old file's pages instead.
    For that instant the name is missing; after a power cut the result file may be empty,
    as it could be before with a truncated file."""

    def __init__(self, path: str) -> None:
        self.target = os.path.realpath(path)
        folder, name = os.path.split(self.target)
        self.error: str | None = None
        mode = None
        try:
            mode = stat.S_IMODE(os.stat(self.target).st_mode)
        except FileNotFoundError:
            pass
        for attempt in range(100):
            self.temp = os.path.join(folder, f".{name}.{os.getpid()}-{attempt}.part")
            try:
                fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:
                continue
        else:  # pragma: no cover - a hundred stale .part files of this very pid
            raise FileExistsError(f"cannot create a temporary file beside {self.target}")
        if mode is not None:
            os.chmod(self.temp, mode)
        self.file = os.fdopen(fd, "wb")

    def finish(self, done: bool) -> None:
        """Put the results in place (``done``) or throw them away."""
        try:
            self.file.close()
            if done:
                try:
                    os.unlink(self.target)
                except FileNotFoundError:
                    pass
                try:
                    os.rename(self.temp, self.target)
                except OSError as exc:  # the old results are gone: keep the new ones
                    self.error = f"{exc.strerror or exc}; the results are in {self.temp}"
                return
        except OSError as exc:
            self.error = exc.strerror or str(exc)
        try:
            os.unlink(self.temp)
        except OSError:
            pass


class _Direct:
    """``--output`` naming something other than a regular file (``/dev/null``, a named
    pipe): written as it is."""

    def __init__(self, path: str) -> None:
        self.error: str | None = None
        self.file = open(path, "wb")  # noqa: SIM115 - closed by finish()

    def finish(self, done: bool) -> None:
        try:
            self.file.close()
        except OSError as exc:
            self.error = exc.strerror or str(exc)


def _open_output(path: str | None, stdout: IO[Any]) -> tuple[Any, _Replacement | _Direct | None]:
    """The sink results go to, and what to finish when ``path`` names a file."""
    if path and path != "-":
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except FileNotFoundError:
            regular = True
        if not regular:
            output: _Replacement | _Direct = _Direct(path)
        else:
            try:
                output = _Replacement(path)
            except PermissionError:
                # A folder we may not create files in, holding a file we may write: written
                # in place, as the only way left.
                if not os.access(path, os.W_OK):
                    raise
                output = _Direct(path)
        return output.file, output
    buffer = getattr(stdout, "buffer", None)
    if buffer is not None:
        stdout.flush()
        return buffer, None
    return _TextSink(stdout), None


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


def _score_block(library: Library, first_line: int, block: bytes) -> tuple[list, int]:
    """Score a block of lines: the result pieces (see ``Library.score_line_into``) and the
    number of invalid lines."""
    out: list = []
    bad = 0
    score_line_into = library.score_line_into
    for line_no, line in enumerate(block.split(b"\n"), first_line):
        if line.strip():
            bad += not score_line_into(line, line_no, out)
            out.append(b"\n")
    return out, bad


_IOV_MAX = 1024  # the smallest limit POSIX systems have on buffers per writev


class _Writer:
    """Writes result pieces in order.

    When the sink has a file descriptor the pieces go to it with ``os.writev``: the slices
    of the library's shared fragments are never copied into one big bytes object first (at
    3,000 rules that copy, and faulting in its memory, cost a third of the scoring time).
    Otherwise (a text stream, ``BytesIO``) they are joined and written."""

    def __init__(self, sink: Any, library: Library) -> None:
        self._sink = sink
        self._buffers = library.buffers
        self._fd: int | None = None
        if not hasattr(os, "writev"):  # pragma: no cover - not POSIX
            return
        try:
            fd = sink.fileno()
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            return
        sink.flush()  # whatever the stream holds goes first; from now on it is bypassed
        self._fd = fd

    def write(self, parts: list) -> None:
        self.write_buffers(self._buffers(parts))

    def write_buffers(self, buffers: list) -> None:
        if self._fd is None:
            self._sink.write(b"".join(buffers))
            return
        fd = self._fd
        for i in range(0, len(buffers), _IOV_MAX):
            chunk = buffers[i : i + _IOV_MAX]
            done = os.writev(fd, chunk)
            want = sum(map(len, chunk))
            if done < want:  # a pipe took part of it: write the rest plainly
                rest = memoryview(b"".join(chunk))[done:]
                while rest:
                    rest = rest[os.write(fd, rest) :]


def _score_serial(library: Library, source: IO[bytes], sink: Any) -> int:
    bad = 0
    writer = _Writer(sink, library)
    for first_line, block in _blocks(source):
        parts, n_bad = _score_block(library, first_line, block)
        writer.write(parts)
        bad += n_bad
    return bad


# Worker processes: the library is inherited through fork (or rebuilt from its JSON where
# processes are spawned), never pickled per block.
_WORKER_LIBRARY: Library | None = None


def _worker_init(data: Any, compact: bool = False) -> None:
    global _WORKER_LIBRARY
    if _WORKER_LIBRARY is None:
        with CollectorPaused():  # a worker process of this command: as run() does
            _WORKER_LIBRARY = Library(data, compact)


def _worker_score(first_line: int, block: bytes) -> tuple[bytes, Any, int]:
    """Score a block in a worker process: ``(data, layout, bad)``, see ``Library.pack``.

    What travels back is small: the fragments of the rules a call touched, joined, and
    where the fragments shared by every call go, which the parent writes from its own copy
    of the library. A result line lists every rule of the library (~150 kB a call at 3,000
    rules), so sending whole lines back, or writing them to spool files the parent then
    copies, doubled the bytes moved and made the parent the bottleneck; a list of pieces
    cost as much to pickle as to score."""
    assert _WORKER_LIBRARY is not None
    parts, bad = _score_block(_WORKER_LIBRARY, first_line, block)
    data, layout = _WORKER_LIBRARY.pack(parts)
    return data, layout, bad


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
    method = _start_method()
    files = _regular_files(source, sink) if method == "fork" else None
    _WORKER_LIBRARY = library  # inherited by forked workers (frozen by run(), see there)
    try:
        if files is not None:
            return _score_ranged(library, files[0], files[1], sink, workers)
        return _score_pooled(library, data, source, sink, workers, method)
    finally:
        _WORKER_LIBRARY = None


def _score_pooled(
    library: Library, data: Any, source: IO[bytes], sink: Any, workers: int, method: str
) -> int:
    """Workers score blocks the parent reads and sends them; the parent writes the results
    in order. For any input and output (pipes, text streams) and any start method."""
    bad = 0
    writer = _Writer(sink, library)
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(workers, initializer=_worker_init, initargs=(data, library.compact)) as pool:
        # A bounded window of blocks in flight keeps memory flat on huge inputs while
        # results are written in input order.
        pending: deque = deque()
        window = workers * 4
        for first_line, block in _blocks(source):
            pending.append(pool.apply_async(_worker_score, (first_line, block)))
            if len(pending) >= window:
                data, layout, n_bad = pending.popleft().get()
                writer.write_buffers(library.unpack(data, layout))
                bad += n_bad
        while pending:
            data, layout, n_bad = pending.popleft().get()
            writer.write_buffers(library.unpack(data, layout))
            bad += n_bad
    return bad


# --------------------------------------------------------------------------------------------
# Ranged workers: regular file in, regular file out. Workers read their own blocks and write
# their own results at the right offset, so the parent neither copies input to them nor
# output from them: it would be a third process competing for the cores, and the one writer
# of the whole output (docs/performance.md, "CLI strategies", has the figures).


def _regular_files(source: IO[bytes], sink: Any) -> tuple[int, int] | None:
    """``(input fd, output fd)`` when both are regular files the workers can address by
    offset: the input not consumed yet, the output not in append mode."""
    if fcntl is None:  # pragma: no cover
        return None
    try:
        in_fd, out_fd = source.fileno(), sink.fileno()
        in_st, out_st = os.fstat(in_fd), os.fstat(out_fd)
        if not (stat.S_ISREG(in_st.st_mode) and stat.S_ISREG(out_st.st_mode)):
            return None
        if os.lseek(in_fd, 0, os.SEEK_CUR) != 0 or getattr(source, "tell", lambda: 0)() != 0:
            return None
        if fcntl.fcntl(out_fd, fcntl.F_GETFL) & os.O_APPEND:
            return None  # pwrite would append, whatever the offset
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return in_fd, out_fd


def _plan(in_fd: int) -> list[tuple[int, int]]:
    """Blocks of whole lines as ``(start, end)`` byte ranges. The last ones are a quarter of
    the size, so that the workers finish at nearly the same time. Nothing is counted here:
    each worker counts the lines of the blocks it reads (see :class:`_Ledger`)."""
    size = os.fstat(in_fd).st_size
    small = max(BLOCK_BYTES // 4, 1)
    plan = []
    start = 0
    while start < size:
        end = start + (BLOCK_BYTES if size - start > 2 * BLOCK_BYTES else small)
        end = size if end >= size else _cut(in_fd, start, end, size)
        plan.append((start, end))
        start = end
    return plan


def _cut(fd: int, start: int, end: int, size: int) -> int:
    """Where the last line ending in ``[start, end)`` ends, read backwards from ``end``; if
    none does (one line longer than a block), where the line running past ``end`` ends."""
    window = 1 << 14
    hi = end
    while hi > start:
        lo = max(start, hi - window)
        found = _pread(fd, hi - lo, lo).rfind(b"\n")
        if found >= 0:
            return lo + found + 1
        hi = lo
    pos = end
    while pos < size:
        chunk = os.pread(fd, 1 << 16, pos)
        if not chunk:
            break
        found = chunk.find(b"\n")
        if found >= 0:
            return pos + found + 1
        pos += len(chunk)
    return size


class _Ledger:
    """Shared by the workers: the next block to take; each block's number of lines, from
    which the number of every block's first line is known once its predecessors are read;
    and each block's result size, from which the offset of every block whose predecessors
    are all scored is known."""

    def __init__(self, ctx: Any, blocks: int) -> None:
        self.cond = ctx.Condition(ctx.Lock())
        self.next = ctx.RawValue("q", 0)
        self.bad = ctx.RawValue("q", 0)
        self.lines = ctx.RawArray("q", [-1] * blocks)
        self.first_lines = ctx.RawArray("q", blocks)
        self.counted = ctx.RawValue("q", 0)  # blocks 0 .. counted-1 have their first line
        self.next_line = ctx.RawValue("q", 1)  # the number of block `counted`'s first line
        self.sizes = ctx.RawArray("q", [-1] * blocks)
        self.offsets = ctx.RawArray("q", blocks)
        self.known = ctx.RawValue("q", 0)  # blocks 0 .. known-1 have their offset
        self.end = ctx.RawValue("q", 0)  # where block `known` starts (the total at the end)

    def first_line(self, index: int, lines: int) -> int:
        """Record that block ``index`` has ``lines`` newlines; the number of its first line,
        once every earlier block is counted (each is counted as soon as it is read, before
        its worker waits for anything, so this wait is short)."""
        with self.cond:
            self.lines[index] = lines
            counted = self.counted.value
            if counted == index:
                line = self.next_line.value
                while counted < len(self.lines) and self.lines[counted] >= 0:
                    self.first_lines[counted] = line
                    line += self.lines[counted]
                    counted += 1
                self.counted.value = counted
                self.next_line.value = line
                self.cond.notify_all()
            while self.counted.value <= index:
                self.cond.wait()
            return self.first_lines[index]


_HELD_BLOCKS = 4  # results a worker keeps while an earlier block is being scored elsewhere


def _ranged_worker(
    library: Library, plan: list, in_fd: int, out_fd: int, base: int, ledger: _Ledger
) -> None:
    """Take blocks in turn, score them, write each one's results once its offset is known.

    A block's offset is known when every earlier block is scored; until then the worker
    keeps the results (up to ``_HELD_BLOCKS``) and scores the next block instead of waiting."""
    cond = ledger.cond
    blocks = len(plan)
    held: deque = deque()  # (index, buffers) scored here, not written yet, in index order
    while True:
        with cond:
            index = ledger.next.value
            if index < blocks:
                ledger.next.value = index + 1
        if index < blocks:
            start, end = plan[index]
            block = _pread(in_fd, end - start, start)
            first_line = ledger.first_line(index, block.count(b"\n"))
            parts, bad = _score_block(library, first_line, block)
            buffers = library.buffers(parts)
            held.append((index, buffers))
        with cond:
            if index < blocks:
                ledger.sizes[index] = sum(map(len, buffers))
                ledger.bad.value += bad
                known = ledger.known.value
                if known == index:  # this block completes a prefix: advance over all that do
                    offset = ledger.end.value
                    while known < blocks and ledger.sizes[known] >= 0:
                        ledger.offsets[known] = offset
                        offset += ledger.sizes[known]
                        known += 1
                    ledger.known.value = known
                    ledger.end.value = offset
                    cond.notify_all()
            # Keep scoring while there are blocks left and room to hold results; otherwise
            # wait for the offset of the oldest held block.
            while held and ledger.known.value <= held[0][0]:
                if index < blocks and len(held) < _HELD_BLOCKS:
                    break
                cond.wait()
            ready = []
            while held and ledger.known.value > held[0][0]:
                done, buffers = held.popleft()
                ready.append((ledger.offsets[done], buffers))
        for offset, buffers in ready:
            _pwrite_all(out_fd, buffers, base + offset)
        if index >= blocks and not held:
            return


def _pread(fd: int, size: int, offset: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = os.pread(fd, size, offset)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _pwrite_all(fd: int, buffers: list, offset: int) -> None:
    for i in range(0, len(buffers), _IOV_MAX):
        chunk = buffers[i : i + _IOV_MAX]
        want = sum(map(len, chunk))
        done = os.pwritev(fd, chunk, offset)
        if done < want:  # rare on a regular file (a signal, a full disk): finish plainly
            rest = memoryview(b"".join(chunk))[done:]
            at = offset + done
            while rest:
                n = os.pwrite(fd, rest, at)
                rest = rest[n:]
                at += n
        offset += want


def _score_ranged(library: Library, in_fd: int, out_fd: int, sink: Any, workers: int) -> int:
    plan = _plan(in_fd)
    sink.flush()  # anything already written stays before the results
    base = os.lseek(out_fd, 0, os.SEEK_CUR)
    if not plan:
        return 0
    ctx = multiprocessing.get_context("fork")
    ledger = _Ledger(ctx, len(plan))
    procs = [
        ctx.Process(
            target=_ranged_worker,
            args=(library, plan, in_fd, out_fd, base, ledger),
            name=f"qa_score-worker-{n}",
            daemon=True,
        )
        for n in range(min(workers, len(plan)))
    ]
    for proc in procs:
        proc.start()
    try:
        running = {proc.sentinel: proc for proc in procs}
        while running:
            for sentinel in multiprocessing.connection.wait(list(running)):
                proc = running.pop(sentinel)
                proc.join()
                if proc.exitcode != 0:
                    raise RuntimeError(
                        f"qa_score: a worker process failed (exit code {proc.exitcode});"
                        " the output is incomplete"
                    )
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join()
    os.lseek(out_fd, base + ledger.end.value, os.SEEK_SET)
    return ledger.bad.value


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
