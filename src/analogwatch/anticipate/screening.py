"""Screening the enumerated space in every jurisdiction, and the gap categories.

Every analog goes through the same Checker as ``check`` and ``screen`` (listings, precursor
listings and the class definitions of analogwatch.rules). Its outcome is the set of jurisdictions
that control it; the gap category names that set plainly. Each analog's fingerprint is computed
once and compared with the controlled substances of the registry (nearest controlled) and with
the potent substances of ``data/potent.yaml`` (the ranking).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from analogwatch.anticipate.enumeration import Analog
from analogwatch.anticipate.fingerprints import ReferenceSet, fingerprint_matrix
from analogwatch.anticipate.reference import load_potent
from analogwatch.chem.standardize import StandardizedMol, standardize
from analogwatch.errors import InputError
from analogwatch.registry import Registry
from analogwatch.verdicts import AnalogueFlag, Result

JURISDICTIONS: tuple[str, ...] = ("US", "CN", "UN")

#: gap categories in report order: (id, label, jurisdictions that control)
CATEGORIES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("everywhere", "controlled everywhere (US, CN and UN)", frozenset({"US", "CN", "UN"})),
    ("us-cn", "US and CN, not UN", frozenset({"US", "CN"})),
    ("cn-un", "CN and UN, not US", frozenset({"CN", "UN"})),
    ("us-un", "US and UN, not CN", frozenset({"US", "UN"})),
    ("cn-only", "CN only", frozenset({"CN"})),
    ("us-only", "US only", frozenset({"US"})),
    ("un-only", "UN only", frozenset({"UN"})),
    ("nowhere", "nowhere", frozenset()),
)
#: the row a structure that could not be screened goes to (rows out == rows in)
INVALID = ("invalid", "could not be screened")
CATEGORY_LABELS: dict[str, str] = {c[0]: c[1] for c in CATEGORIES} | {INVALID[0]: INVALID[1]}
_BY_SET: dict[frozenset[str], str] = {c[2]: c[0] for c in CATEGORIES}
#: controlled by exactly one of the two partner countries: what gets shipped from one to the other
ONE_SIDED: tuple[str, ...] = ("cn-only", "cn-un", "us-only", "us-un")


def category_of(controlled_in: Iterable[str]) -> str:
    """The gap category of an analog controlled in ``controlled_in`` (any of US, CN, UN)."""
    key = frozenset(controlled_in)
    if not key <= set(JURISDICTIONS):
        raise ValueError(f"unknown jurisdictions: {sorted(key - set(JURISDICTIONS))}")
    return _BY_SET[key]


class CheckerLike(Protocol):
    """What screening needs of :class:`analogwatch.checker.Checker` (tests pass a small stand-in)."""

    def evaluate(self, std: StandardizedMol, *, id: str, input: str, as_of: date) -> Result: ...

    def invalid(self, id: str, input: str, error: str, as_of: date) -> Result: ...


class NoAnalogueFlags:
    """Skips the Federal Analogue Act flag (a similarity search per molecule); the anticipation
    report gives every analog's nearest controlled substance instead."""

    def flag(self, std: StandardizedMol, as_of: date) -> list[AnalogueFlag]:
        return []


@dataclass(eq=False)
class Screened:
    analog: Analog
    result: Result
    controlled_in: tuple[str, ...]
    category: str
    nearest_controlled: str = ""
    similarity: float = 0.0
    nearest_potent: str = ""
    potent_similarity: float = 0.0
    #: the standardised structure the Checker saw (kept for what-if evaluation; None if invalid)
    std: StandardizedMol | None = field(default=None, repr=False)

    @property
    def one_sided(self) -> bool:
        return self.category in ONE_SIDED


def controlled_reference(registry: Registry, as_of: date) -> ReferenceSet:
    """Registry substances with a structure and a controlled listing in force on ``as_of``."""
    pairs = []
    for sub in registry.substances:
        if sub.smiles and any(lst.kind == "controlled" and lst.in_force(as_of) for lst in sub.listings):
            pairs.append((sub.name, sub.smiles))
    return ReferenceSet.from_pairs(pairs)


def potent_reference() -> ReferenceSet:
    return ReferenceSet.from_pairs((p.name, p.smiles) for p in load_potent())


def screen_analogs(
    analogs: Sequence[Analog],
    checker: CheckerLike,
    *,
    as_of: date,
    controlled: ReferenceSet,
    potent: ReferenceSet,
    on_progress: Callable[[int], None] | None = None,
) -> list[Screened]:
    """Screen every analog in every jurisdiction; one Screened per analog, in order."""
    out: list[Screened] = []
    for i, a in enumerate(analogs):
        try:
            std = standardize(a.mol)
            res = checker.evaluate(std, id=a.id, input=a.smiles, as_of=as_of)
        except InputError as exc:
            std = None
            res = checker.invalid(a.id, a.smiles, str(exc), as_of)
        if res.status == "ok":
            ctl = tuple(j for j in JURISDICTIONS if res.verdicts[j].controlled)
            cat = category_of(ctl)
        else:
            ctl, cat = (), INVALID[0]
        out.append(Screened(a, res, ctl, cat, std=std))
        if on_progress is not None and (i + 1) % 100 == 0:
            on_progress(100)
    if on_progress is not None and len(analogs) % 100:
        on_progress(len(analogs) % 100)
    fps = fingerprint_matrix([a.mol for a in analogs])
    for ref, attr in ((controlled, "nearest_controlled"), (potent, "nearest_potent")):
        idx, sims = ref.nearest(fps)
        sim_attr = "similarity" if attr == "nearest_controlled" else "potent_similarity"
        for s, j, v in zip(out, idx, sims, strict=True):
            if j >= 0:
                setattr(s, attr, ref.names[j])
                setattr(s, sim_attr, round(float(v), 4))
    return out


@dataclass
class GapReport:
    """Counts by outcome and ranked tables of the uncontrolled and one-sided analogs."""

    #: category -> count, over enumerated analogs (depth >= 1)
    counts: dict[str, int]
    #: depth -> category -> count (depth 0: the seeds)
    by_depth: dict[int, dict[str, int]]
    #: category -> analogs ranked by closeness to potent controlled substances
    ranked: dict[str, list[Screened]]
    total: int
    #: enumerated analogs the US does not control, and how many of them carry a possible-analogue flag
    us_uncontrolled: int = 0
    us_flagged: int = 0

    def share(self, category: str) -> float:
        return self.counts.get(category, 0) / self.total if self.total else 0.0


def rank_key(s: Screened) -> tuple[float, float, int, str]:
    """Closest to a potent controlled substance first; then to any controlled one; shallower first."""
    return (-s.potent_similarity, -s.similarity, s.analog.depth, s.analog.id)


def gap_report(screened: Sequence[Screened]) -> GapReport:
    ids = [c[0] for c in CATEGORIES] + [INVALID[0]]
    counts = dict.fromkeys(ids, 0)
    by_depth: dict[int, dict[str, int]] = {}
    ranked: dict[str, list[Screened]] = {c: [] for c in ids}
    us_uncontrolled = us_flagged = 0
    for s in screened:
        d = s.analog.depth
        by_depth.setdefault(d, dict.fromkeys(ids, 0))[s.category] += 1
        if d >= 1:
            counts[s.category] += 1
            us = s.result.verdicts.get("US")
            if us is not None and not us.controlled:
                us_uncontrolled += 1
                us_flagged += bool(us.possible_analogue_of)
        ranked[s.category].append(s)
    for lst in ranked.values():
        lst.sort(key=rank_key)
    total = sum(counts.values())
    return GapReport(counts, dict(sorted(by_depth.items())), ranked, total, us_uncontrolled, us_flagged)
