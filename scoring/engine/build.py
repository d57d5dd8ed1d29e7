"""Compile the engine's hot modules with Cython, in place, or say why the pure engine runs.

    python -m scoring.engine.build [--force] [--strict] [--status]

The ``.py`` files stay the only source: Cython compiles them as they are (pure-Python mode)
into extension modules next to them (``matcher.cpython-311-x86_64-linux-gnu.so``) and
``_compiled.json`` records the sha256 of each source it compiled. The package imports the
compiled modules only while that record matches every source (see ``scoring/engine/__init__``).
C files and object files go to ``build/engine/`` at the repository root.

Up to date: a quick no-op. Without Cython, setuptools, a C compiler or Python's headers, or
when the build fails, one line on stderr says so, any compiled module and the manifest are
removed, and the exit status is 0 (the pure-Python engine gives the same results, slower);
``--strict`` (CI) makes it 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

from scoring.engine._compiled_state import (
    ENGINE_DIR,
    HOT,
    MANIFEST,
    PACKAGE,
    compiled_files,
    compiled_path,
    read_manifest,
    source_hashes,
    stale_reason,
)

ROOT = ENGINE_DIR.parent.parent
BUILD_DIR = ROOT / "build" / "engine"
LOG = BUILD_DIR / "build.log"
PREFIX = "qa_score: compiled engine"


class BuildError(Exception):
    """The reason the compiled engine could not be built, shown on one line."""


def cython_version() -> str | None:
    try:
        from Cython import __version__
    except ImportError:
        return None
    return __version__


def up_to_date() -> bool:
    manifest = read_manifest()
    return (
        stale_reason() is None
        and manifest is not None
        and manifest.get("cython") == cython_version()
    )


def check_toolchain() -> None:
    """Raise BuildError naming what is missing before any work starts."""
    if cython_version() is None:
        raise BuildError("Cython is not installed: pip install -r requirements.txt")
    try:
        import setuptools  # noqa: F401
    except ImportError as exc:
        raise BuildError("setuptools is not installed: pip install -r requirements.txt") from exc
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    words = shlex.split(compiler)
    executable = words[0] if words else compiler
    if not shutil.which(executable):
        raise BuildError(
            f"no C compiler: {executable!r} not found; on Debian: apt-get install gcc python3-dev"
        )
    include = Path(sysconfig.get_paths()["include"])
    if not (include / "Python.h").exists():
        raise BuildError(
            f"no Python headers ({include}/Python.h); on Debian: apt-get install python3-dev"
        )


@contextlib.contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send this process's and its children's stdout and stderr (Cython, gcc) to a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "wb") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


CYTHON_ERROR = re.compile(r"^\S+\.py:\d+:\d+: ")  # "calls.py:181:13: Unknown type …"
C_ERROR = re.compile(r"\berror\b", re.IGNORECASE)  # gcc's "x.c:9:1: error: …", "fatal error"


def last_error(path: Path) -> str:
    """The line of the log that says what went wrong (Cython's error first), shortened."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    lines = [line.strip() for line in lines if not line.startswith("warning:")]
    for pattern in (CYTHON_ERROR, C_ERROR):
        for line in lines:
            if pattern.search(line):
                return line[:200]
    return ""


def compile_modules() -> dict[str, str]:
    """Build every hot module; return the hashes of the sources that were compiled."""
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    # Hash first: if a source changes while it compiles, the manifest cannot match it later.
    hashes = source_hashes()
    lib_dir = BUILD_DIR / "lib"
    shutil.rmtree(lib_dir, ignore_errors=True)
    rel = ENGINE_DIR.relative_to(ROOT)
    extensions = [Extension(f"{PACKAGE}.{name}", [str(rel / f"{name}.py")]) for name in HOT]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with output_to(LOG):
            modules = cythonize(
                extensions,
                build_dir=str(BUILD_DIR / "c"),
                compiler_directives={"language_level": 3},
                nthreads=min(len(HOT), os.cpu_count() or 1),
                force=True,
                quiet=True,
            )
            dist = Distribution({"name": "qa-engine", "ext_modules": modules})
            command = build_ext(dist)
            command.build_lib = str(lib_dir)
            command.build_temp = str(BUILD_DIR / "temp")
            command.parallel = max(1, min(len(HOT), os.cpu_count() or 1))
            command.ensure_finalized()
            command.run()
            built = {name: Path(command.get_ext_fullpath(f"{PACKAGE}.{name}")) for name in HOT}
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure means "not built"
        detail = last_error(LOG) or f"{type(exc).__name__}: {exc}"
        raise BuildError(f"the build failed: {detail} (full log: {LOG})") from exc
    finally:
        os.chdir(cwd)
    for name, path in built.items():
        if not path.is_absolute():
            path = ROOT / path
        if not path.exists():
            raise BuildError(f"the build made no {path.name} (full log: {LOG})")
        # A new file replaces the old one: a process that has the old .so loaded keeps it.
        os.replace(path, compiled_path(name))
    return hashes


def write_manifest(hashes: dict[str, str]) -> None:
    data = {
        "cython": cython_version(),
        "cache_tag": sys.implementation.cache_tag,
        "modules": hashes,
    }
    partial = MANIFEST.with_suffix(".json.tmp")
    partial.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, MANIFEST)


def remove_compiled() -> None:
    for path in [*compiled_files(), MANIFEST, MANIFEST.with_suffix(".json.tmp")]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def build(force: bool = False) -> str:
    """Build if needed; return what happened. Raise BuildError when the build is not possible."""
    if not force and up_to_date():
        return "compiled engine up to date"
    check_toolchain()
    started = time.monotonic()
    # The old manifest goes first: until the new one is written nothing claims to be current.
    with contextlib.suppress(FileNotFoundError):
        MANIFEST.unlink()
    hashes = compile_modules()
    write_manifest(hashes)
    return f"compiled engine built: {', '.join(HOT)} ({time.monotonic() - started:.0f} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scoring.engine.build",
        description="Compile the compliance engine's hot modules with Cython (in place).",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when the compiled engine cannot be built"
    )
    parser.add_argument(
        "--status",
        action="store_true",
        help="build nothing; exit 0 when the compiled engine is up to date, 1 when not",
    )
    args = parser.parse_args(argv)
    if args.status:
        current = up_to_date()
        print("compiled engine up to date" if current else "compiled engine not built or stale")
        return 0 if current else 1
    try:
        print(build(force=args.force))
    except BuildError as exc:
        remove_compiled()
        print(
            f"{PREFIX} not built ({exc}); the pure-Python engine is used: same results, slower",
            file=sys.stderr,
        )
        return 1 if args.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
