"""The direction of dependency (README, "Layout"), checked by import-linter with the contracts in
pyproject.toml: each app imports only the apps below it, the core imports none, the engine
imports neither Django nor the project."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_every_contract():
    done = _lint(ROOT, ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return contract["layers"]


def test_a_back_edge_breaks_the_contract(tmp_path):
    """The same contracts on a copy of the package skeleton: one import from a lower app to a
    higher one (calls importing evaluations) is reported."""
    modules = sorted(
        {name.strip() for layer in _layers() for name in layer.split("|")} | {"scoring.engine"}
    )
    for module in modules:
        package = tmp_path.joinpath(*module.split("."))
        package.mkdir(parents=True, exist_ok=True)
        for parent in [package, *package.relative_to(tmp_path).parents]:
            init = tmp_path / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("")
    (tmp_path / "scoring" / "evaluations" / "models.py").write_text("import scoring.calls\n")
    config = tmp_path / "pyproject.toml"
    section = (ROOT / "pyproject.toml").read_text().split("[tool.importlinter]", 1)[1]
    config.write_text(
        "[tool.importlinter]" + section.replace("include_external_packages = true\n", "")
    )
    config.write_text(config.read_text().replace('    "django",\n', ""))
    assert _lint(tmp_path, config).returncode == 0  # downward: allowed
    (tmp_path / "scoring" / "calls" / "models.py").write_text("import scoring.evaluations\n")
    done = _lint(tmp_path, config)
    assert done.returncode != 0
    assert "scoring.calls.models -> scoring.evaluations" in done.stdout
