"""The monthly draw of standards to walk through, as a pure function (no database).

Per department, `choose` picks up to `count` published systems or processes:

- reproducible: the same seed, department and candidates give the same picks, whatever order
  the candidates come in (they are sorted by code first);
- avoiding the recent: candidates walked in the last two months are taken only when there
  are not enough others;
- weighted toward trouble: a candidate's weight is 1 + its past nonconformities (capped at
  `MAX_EXTRA_WEIGHT`), and the picks are a weighted sample without replacement
  (Efraimidis–Spirakis: each candidate draws u in (0, 1) and keeps u ** (1 / weight); the
  largest keys win).
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

PER_DEPARTMENT = 2
MAX_EXTRA_WEIGHT = 5


@dataclass(frozen=True)
class Candidate:
    standard_id: int
    code: str
    nonconformities: int = 0
    walked_recently: bool = False

    @property
    def weight(self) -> int:
        return 1 + min(max(self.nonconformities, 0), MAX_EXTRA_WEIGHT)


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    slot: int  # 1, 2, ... in draw order
    key: float


def _rng(seed: str, department_id: int) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{department_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _keys(candidates: list[Candidate], rng: random.Random) -> list[tuple[float, Candidate]]:
    keyed = []
    for candidate in candidates:
        u = rng.random() or 1e-12  # random() may return 0.0; u ** x must stay ordered
        # log(u) / w orders like u ** (1 / w) and keeps precision for small u.
        keyed.append((math.log(u) / candidate.weight, candidate))
    return keyed


def choose(
    candidates: list[Candidate], *, seed: str, department_id: int, count: int = PER_DEPARTMENT
) -> list[Pick]:
    """Up to `count` picks for one department, fresh candidates first (see the module doc)."""
    ordered = sorted(candidates, key=lambda c: (c.code, c.standard_id))
    if len({c.standard_id for c in ordered}) != len(ordered):
        raise ValueError("A standard is a candidate at most once.")
    rng = _rng(seed, department_id)
    # Every candidate gets its key in code order, fresh or not, so that whether one is fresh
    # does not shift the random numbers of the others.
    keyed = _keys(ordered, rng)
    fresh = sorted(
        ((k, c) for k, c in keyed if not c.walked_recently), key=lambda kc: (-kc[0], kc[1].code)
    )
    recent = sorted(
        ((k, c) for k, c in keyed if c.walked_recently), key=lambda kc: (-kc[0], kc[1].code)
    )
    chosen = (fresh + recent)[:count]
    return [Pick(candidate=c, slot=i, key=k) for i, (k, c) in enumerate(chosen, start=1)]
