"""The compiled engine: built in CI, identical to the pure modules, never used when stale."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import scoring.engine
from scoring.engine import _compiled_state, _cython_shim, load_library

ROOT = Path(__file__).parents[3]
ENGINE = ROOT / "scoring" / "engine"
RULES = ROOT / "scoring" / "rules" / "fixtures" / "hotline.json"
REQUIRE = os.environ.get("QA_REQUIRE_SERVICES") == "1"
PURE_ASKED = os.environ.get("QA_ENGINE_PURE") == "1"
CALL = {
    "call_id": "C-BUILD",
    "turns": [
        {"speaker": "agent", "text": "您好，工号1024，很高兴为您服务", "start": 0, "end": 3},
        {"speaker": "customer", "text": "我想查一下话费，为什么不行", "start": 3.5, "end": 6},
        {"speaker": "agent", "text": "请稍等，帮您查询，谢谢", "start": 9, "end": 12},
    ],
}
# Run in a subprocess: what the engine says about itself, and its score of CALL.
REPORT = f"""
import json, sys
import scoring.engine as engine
data = json.loads(open({str(RULES)!r}, encoding="utf-8").read())
print(json.dumps({{
    "mode": engine.ENGINE_MODE,
    "compiled": engine.COMPILED,
    "files": {{n: sys.modules["scoring.engine." + n].__file__ for n in {_compiled_state.HOT!r}}},
    "result": engine.load_library(data).score_call({CALL!r}),
}}, ensure_ascii=False))
"""


def run_python(code: str, cwd: Path, env: dict[str, str] | None = None, *args: str):
    environ = {k: v for k, v in os.environ.items() if k not in ("QA_ENGINE_PURE", "PYTHONPATH")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, *args] if not code else [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def require_current_build() -> None:
    """Skip unless scoring/engine holds a build of today's sources."""
    if not _compiled_state.compiled_files():
        pytest.skip("the compiled engine is not built: run `make engine`")
    reason = _compiled_state.stale_reason()
    if reason is not None:
        pytest.skip(f"the compiled engine is stale ({reason}): run `make engine`")


def test_ci_uses_the_compiled_engine():
    if PURE_ASKED:
        pytest.skip("QA_ENGINE_PURE=1: this run tests the pure-Python modules")
    if not REQUIRE:
        pytest.skip(
            "the compiled engine is required only with QA_REQUIRE_SERVICES=1 "
            f"(here: {scoring.engine.ENGINE_MODE})"
        )
    assert scoring.engine.ENGINE_MODE == "compiled"
    assert scoring.engine.COMPILED is True
    assert scoring.engine.matcher.__file__.endswith(".so")


def test_mode_agrees_with_the_loaded_modules():
    # (scoring.engine.normalize is the function: the module is in sys.modules.)
    files = [sys.modules[f"scoring.engine.{name}"].__file__ for name in _compiled_state.HOT]
    if scoring.engine.COMPILED:
        assert scoring.engine.ENGINE_MODE == "compiled"
        assert all(f.endswith(".so") for f in files)
    else:
        assert scoring.engine.ENGINE_MODE.startswith("pure")
        assert all(f.endswith(".py") for f in files)
    # Every engine module sees the same module objects the package exposes.
    normalize = sys.modules["scoring.engine.normalize"]
    assert scoring.engine.library.normalize_phrase is normalize.normalize_phrase
    assert sys.modules["scoring.engine.matcher"] is scoring.engine.matcher


def test_pure_modules_score_exactly_as_this_process():
    done = run_python(REPORT, ROOT, {"QA_ENGINE_PURE": "1"})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["mode"] == "pure (QA_ENGINE_PURE)"
    assert report["compiled"] is False
    assert all(path.endswith(".py") for path in report["files"].values()), report["files"]
    here = load_library(json.loads(RULES.read_text(encoding="utf-8"))).score_call(CALL)
    assert report["result"] == here
    assert here["results"] and here["score"] is not None


@pytest.fixture
def engine_copy(tmp_path: Path) -> Path:
    """scoring/engine as it is on disk (with its build, if any) under tmp_path."""
    (tmp_path / "scoring").mkdir()
    (tmp_path / "scoring" / "__init__.py").write_text("")
    shutil.copytree(
        ENGINE, tmp_path / "scoring" / "engine", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_a_copied_build_is_used_and_up_to_date(engine_copy: Path):
    require_current_build()
    done = run_python(REPORT, engine_copy)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["mode"] == "compiled"
    assert report["files"]["matcher"].startswith(str(engine_copy))
    assert "RuntimeWarning" not in done.stderr
    built = run_python("", engine_copy, None, "-m", "scoring.engine.build")
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip() == "compiled engine up to date"
    assert built.stderr == ""


def _edit_matcher(engine: Path) -> None:
    with open(engine / "matcher.py", "a", encoding="utf-8") as source:
        source.write("# edited after the build\n")


def _other_python(engine: Path) -> None:
    manifest = json.loads((engine / "_compiled.json").read_text())
    manifest["cache_tag"] = "cpython-399"
    (engine / "_compiled.json").write_text(json.dumps(manifest))


def _no_manifest(engine: Path) -> None:
    (engine / "_compiled.json").unlink()


@pytest.mark.parametrize("spoil", [_edit_matcher, _other_python, _no_manifest])
def test_a_stale_build_is_never_used(engine_copy: Path, spoil):
    require_current_build()
    spoil(engine_copy / "scoring" / "engine")
    done = run_python(REPORT, engine_copy)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["mode"] == "pure (stale build)"
    assert report["compiled"] is False
    assert report["files"]["matcher"] == str(engine_copy / "scoring" / "engine" / "matcher.py")
    assert all(path.endswith(".py") for path in report["files"].values())
    assert "RuntimeWarning" in done.stderr
    assert "python -m scoring.engine.build" in done.stderr
    here = load_library(json.loads(RULES.read_text(encoding="utf-8"))).score_call(CALL)
    assert report["result"] == here


@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    """The engine's .py files only, plus a fake leftover build that must be removed."""
    engine = tmp_path / "scoring" / "engine"
    engine.mkdir(parents=True)
    (tmp_path / "scoring" / "__init__.py").write_text("")
    for path in ENGINE.glob("*.py"):
        shutil.copy2(path, engine / path.name)
    for name in _compiled_state.HOT:
        (engine / f"{name}{_compiled_state.compiled_path(name).name[len(name) :]}").write_bytes(
            b"not an extension module"
        )
    (engine / "_compiled.json").write_text("{}")
    return tmp_path


@pytest.mark.parametrize("strict", [False, True])
def test_no_compiler_falls_back_to_the_pure_engine(sources_copy: Path, strict: bool):
    args = ["-m", "scoring.engine.build", *(["--strict"] if strict else [])]
    done = run_python("", sources_copy, {"CC": "/nonexistent/cc"}, *args)
    assert done.returncode == (1 if strict else 0), done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("qa_score: compiled engine not built (no C compiler")
    assert lines[0].endswith("the pure-Python engine is used: same results, slower")
    engine = sources_copy / "scoring" / "engine"
    assert not list(engine.glob("*.so"))
    assert not (engine / "_compiled.json").exists()
    # The leftovers gone, the package imports its plain modules quietly.
    report = json.loads(run_python(REPORT, sources_copy).stdout)
    assert report["mode"] == "pure"


def test_shim_stands_in_for_cython_in_pure_python():
    cy = _cython_shim
    assert cy.compiled is False

    @cy.cfunc
    @cy.inline
    @cy.locals(i=cy.Py_ssize_t, total=cy.double)
    @cy.boundscheck(False)
    @cy.wraparound(False)
    @cy.exceptval(-1, check=False)
    def total_of(values: list, n: cy.Py_ssize_t) -> cy.double:
        total: cy.double = cy.declare(cy.double, 0.0)
        i: cy.Py_ssize_t
        for i in range(n):
            total += cy.cast(cy.double, values[i])
        return total

    @cy.final
    @cy.cclass
    class Box:
        size: cy.int

        @cy.ccall
        def grow(self, by: cy.long) -> cy.bint:
            return by > 0

    assert total_of([1, 2.5, 3], 3) == 6.5
    assert total_of.__name__ == "total_of"
    assert Box().grow(2) is True
    assert cy.declare(cy.int) is None
    assert cy.declare(cy.int, 5) == 5
    assert cy.cast(cy.p_int, "x") == "x"
    assert cy.Py_ssize_t is int and cy.long is int and cy.double is float and cy.bint is bool
    assert isinstance(3, cy.int) and isinstance(True, cy.bint)


def test_shim_is_what_a_hot_module_gets_without_cython(tmp_path: Path):
    module = tmp_path / "uses_cython.py"
    module.write_text(
        "try:\n"
        "    import cython\n"
        "except ImportError:\n"
        "    from scoring.engine import _cython_shim as cython\n"
        "\n"
        "@cython.ccall\n"
        "def twice(x: cython.int) -> cython.int:\n"
        "    y: cython.int = cython.declare(cython.int, x)\n"
        "    return y * 2\n"
        "print(cython.compiled, cython.__name__, twice(21))\n"
    )
    blocker = tmp_path / "cython.py"  # Cython's own module shadowed: "not installed"
    blocker.write_text("raise ImportError('no cython here')\n")
    code = f"import sys; sys.path[:0] = [{str(tmp_path)!r}, {str(ROOT)!r}]; import uses_cython"
    done = run_python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "scoring.engine._cython_shim", "42"]


def test_a_build_that_does_not_load_falls_back(engine_copy: Path):
    require_current_build()
    engine = engine_copy / "scoring" / "engine"
    (engine / _compiled_state.compiled_path("matcher").name).write_bytes(b"not ELF")
    done = run_python(REPORT, engine_copy)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["mode"] == "pure (compiled import failed)"
    assert all(path.endswith(".py") for path in report["files"].values())
    assert "RuntimeWarning" in done.stderr


@pytest.mark.parametrize("spoil", [None, _edit_matcher, _no_manifest])
def test_status_says_whether_a_build_is_needed_and_builds_nothing(engine_copy: Path, spoil):
    """`make demo` asks --status to decide whether to compile in the background."""
    require_current_build()
    engine = engine_copy / "scoring" / "engine"
    if spoil:
        spoil(engine)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in engine.iterdir())
    done = run_python("", engine_copy, None, "-m", "scoring.engine.build", "--status")
    assert done.returncode == (0 if spoil is None else 1), done.stderr
    assert ("up to date" in done.stdout) == (spoil is None)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in engine.iterdir()) == before
