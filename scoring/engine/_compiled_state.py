"""What the compiled engine is made of, shared by the package guard and :mod:`.build`.

No engine import here: the package's ``__init__`` reads this before any hot module loads.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

# The modules compiled with Cython, in dependency order (each imports only earlier ones).
HOT = ("normalize", "library", "matcher", "calls", "evaluate")
PACKAGE = "scoring.engine"
ENGINE_DIR = Path(__file__).resolve().parent
MANIFEST = ENGINE_DIR / "_compiled.json"


def source_path(name: str) -> Path:
    return ENGINE_DIR / f"{name}.py"


def compiled_path(name: str) -> Path:
    """Where the build puts the extension for this interpreter (e.g. ``matcher.cpython-311-….so``)."""
    return ENGINE_DIR / f"{name}{EXTENSION_SUFFIXES[0]}"


def compiled_files() -> list[Path]:
    """Every extension file next to a hot module that Python's import would prefer to the .py."""
    return [
        ENGINE_DIR / f"{name}{suffix}"
        for name in HOT
        for suffix in EXTENSION_SUFFIXES
        if (ENGINE_DIR / f"{name}{suffix}").exists()
    ]


def source_hashes() -> dict[str, str]:
    return {name: hashlib.sha256(source_path(name).read_bytes()).hexdigest() for name in HOT}


def read_manifest() -> dict | None:
    try:
        data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def stale_reason(hashes: dict[str, str] | None = None) -> str | None:
    """None when the compiled modules on disk are exactly today's sources, else why not."""
    manifest = read_manifest()
    if manifest is None:
        return "no valid manifest"
    if manifest.get("cache_tag") != sys.implementation.cache_tag:
        return f"built for {manifest.get('cache_tag')}, not {sys.implementation.cache_tag}"
    missing = [name for name in HOT if not compiled_path(name).exists()]
    if missing:
        return "no compiled " + ", ".join(missing)
    built = manifest.get("modules") or {}
    changed = [
        name for name, digest in (hashes or source_hashes()).items() if built.get(name) != digest
    ]
    if changed:
        return "edited since the build: " + ", ".join(f"{name}.py" for name in changed)
    return None
