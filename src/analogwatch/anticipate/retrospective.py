"""Retrospective validation: would the enumeration have seen the later analogs coming?

Enumerate from only the family members listed (as controlled substances, in the US, China or
under the UN conventions) before a cutoff date; then measure which share of the members first
listed on or after the cutoff the enumeration produced (recall), at which depth, and how many
candidates it produced in all (the price of that recall). Matching is by skeleton (the first
block of the InChIKey): the lists cover every stereoisomer.

Two vocabularies are measured, because the shipped one was written knowing the later analogs:
``full`` (every transformation) and ``attested`` (only transformations whose ``reflects`` names a
substance that was already listed before the cutoff: what an analyst could have drawn from the
lists of the time). The first is an optimistic figure, the second a pessimistic one (the
literature of the time held many changes the lists did not).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rdkit import Chem, rdBase

from analogwatch import __version__
from analogwatch.anticipate.charts import grouped_bars
from analogwatch.anticipate.enumeration import Enumerator
from analogwatch.anticipate.families import Family, Seed, default_families, family_seeds, registry_members
from analogwatch.anticipate.vocabulary import Vocabulary, default_vocabulary
from analogwatch.errors import InputError
from analogwatch.registry import Registry, default_registry, normalize_name

#: the groups recall is reported for (the issue's "fentanyl analogs, nitazenes and other synthetic opioids")
GROUPS = {"fentanyl": "fentanyl analogs", "nitazene": "nitazenes", "cannabinoid": "synthetic cannabinoids"}
OTHER_OPIOIDS = "other synthetic opioids"
MODES = (("full", "full vocabulary"), ("attested", "vocabulary attested before the cutoff"))


def group_of(family: Family) -> str:
    return GROUPS.get(family.id, OTHER_OPIOIDS if family.kind == "opioid" else family.id)


@dataclass
class Found:
    depth: int
    path: tuple[str, ...]
    root: str


@dataclass
class Target:
    name: str
    family: str
    group: str
    smiles: str
    connectivity: str
    first_listed: date
    #: jurisdictions whose controlled listing took effect on the first date
    first_by: tuple[str, ...]
    found: dict[str, Found | None] = field(default_factory=dict)


@dataclass
class ModeResult:
    mode: str
    label: str
    transformations: int
    #: new analogs at each depth (all families), seeds excluded
    candidates: dict[int, int]
    truncated: bool

    def candidates_upto(self, depth: int) -> int:
        return sum(n for d, n in self.candidates.items() if 1 <= d <= depth)


@dataclass
class Retrospective:
    before: date
    depth: int
    limit: int | None
    families: list[Family]
    seeds: dict[str, list[Seed]]
    targets: list[Target]
    modes: list[ModeResult]
    attested_ids: list[str]
    provenance: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)

    def groups(self) -> list[str]:
        order = [*GROUPS.values(), OTHER_OPIOIDS]
        present = {t.group for t in self.targets}
        return [g for g in order if g in present] + sorted(present - set(order))

    def recall(self, mode: str, depth: int, group: str | None = None) -> tuple[int, int]:
        """(found at depth <= ``depth``, targets) for ``mode``, in ``group`` or overall."""
        ts = [t for t in self.targets if group is None or t.group == group]
        found = 0
        for t in ts:
            f = t.found.get(mode)
            found += f is not None and f.depth <= depth
        return found, len(ts)


def attested_transformations(vocabulary: Vocabulary, registry: Registry, before: date) -> list[str]:
    """Ids of transformations reflecting a substance with a controlled listing before ``before``."""
    early: set[str] = set()
    for sub in registry.substances:
        if any(lst.kind == "controlled" and lst.effective < before for lst in sub.listings):
            early.add(normalize_name(sub.name))
            early.update(normalize_name(s) for s in sub.synonyms)
    return [t.id for t in vocabulary.transformations if any(normalize_name(r) in early for r in t.reflects)]


def _first_by(sub_listings: Sequence[Any], first: date) -> tuple[str, ...]:
    return tuple(sorted({lst.jurisdiction for lst in sub_listings if lst.kind == "controlled"
                         and lst.effective == first}))


def retrospective(
    *,
    before: date,
    family_names: Sequence[str] | None = None,
    depth: int = 2,
    limit: int | None = None,
    registry: Registry | None = None,
    vocabulary: Vocabulary | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> Retrospective:
    """Enumerate from the members listed before ``before`` and measure recall of the later ones."""
    if depth < 1:
        raise InputError("--depth must be at least 1")
    registry = registry or default_registry()
    vocabulary = vocabulary or default_vocabulary()
    known = default_families()
    if family_names:
        from analogwatch.anticipate.pipeline import resolve_families

        families = resolve_families(family_names)
    else:
        families = [f for f in known.values() if f.kind == "opioid"]

    seeds = {f.id: family_seeds(f, registry, listed_before=before) for f in families}
    targets: list[Target] = []
    seen: set[str] = set()
    for f in families:
        for m in registry_members(f, registry):
            if m.first_listed is None or m.first_listed < before or m.connectivity in seen:
                continue
            seen.add(m.connectivity)
            targets.append(Target(m.substance.name, f.id, group_of(f), Chem.MolToSmiles(m.mol), m.connectivity,
                                  m.first_listed, _first_by(m.substance.listings, m.first_listed)))
    targets.sort(key=lambda t: (t.group, t.first_listed, t.name.casefold()))

    attested = attested_transformations(vocabulary, registry, before)
    modes: list[ModeResult] = []
    timings: dict[str, float] = {}
    for mode, label in MODES:
        if on_stage is not None:
            on_stage(f"enumerating with the {label}")
        t0 = time.perf_counter()
        vocab = vocabulary if mode == "full" else vocabulary.restricted(attested)
        en = Enumerator(limit=limit)
        for f in families:
            en.run_family(f.id, seeds[f.id], vocab.for_families(f.vocabulary), depth)
        best: dict[str, Found] = {}
        for a in en.analogs:
            if a.depth < 1:
                continue
            old = best.get(a.connectivity)
            if old is None or a.depth < old.depth:
                best[a.connectivity] = Found(a.depth, a.path, a.root)
        for t in targets:
            t.found[mode] = best.get(t.connectivity)
        per_depth = en.result().per_depth()
        modes.append(ModeResult(mode, label, len(vocab), {d: per_depth.get(d, 0) for d in range(1, depth + 1)},
                                en.truncated))
        timings[mode] = time.perf_counter() - t0

    provenance = {
        "analogwatch_version": __version__, "registry_version": registry.version,
        "vocabulary_version": vocabulary.version, "rdkit_version": rdBase.rdkitVersion,
    }
    return Retrospective(before, depth, limit, families, seeds, targets, modes, attested, provenance, timings)


# -- outputs ---------------------------------------------------------------------------------------
def figure(r: Retrospective, *, standalone: bool = True) -> str:
    """Recall per group and overall, at each depth, for both vocabularies (an SVG chart)."""
    groups = []
    for g in [*r.groups(), None]:
        bars = []
        for mode in r.modes:
            for d in range(1, r.depth + 1):
                k, n = r.recall(mode.mode, d, g)
                short = "full" if mode.mode == "full" else "attested"
                bars.append((f"{short} vocabulary, depth <= {d}", 100 * k / n if n else 0.0, f"{k}/{n}"))
        groups.append((g or "all", bars))
    price = [
        f"Candidates, {m.label} ({m.transformations} transformations): "
        + ", ".join(f"{m.candidates_upto(d):,} to depth {d}" for d in range(1, r.depth + 1))
        for m in r.modes
    ]
    seeds = sum(len(v) for v in r.seeds.values())
    return grouped_bars(
        groups,
        title=f"Opioids first listed from {r.before.isoformat()} that enumeration from {seeds} earlier listings found",
        y_label="recall", standalone=standalone, note=price, colours=_colours(r), width=860,
    )


def _colours(r: Retrospective) -> list[str]:
    """Blues for the full vocabulary, oranges for the attested one; darker for deeper."""
    blues = ["#85c1e9", "#2e86c1", "#1b4f72", "#0b2740"]
    oranges = ["#f8c471", "#e67e22", "#a04000", "#6e2c00"]
    out: list[str] = []
    for m in r.modes:
        shades = blues if m.mode == "full" else oranges
        out.extend(shades[min(d, len(shades)) - 1] for d in range(1, r.depth + 1))
    return out


def target_rows(r: Retrospective) -> list[dict[str, Any]]:
    rows = []
    for t in r.targets:
        row: dict[str, Any] = {"name": t.name, "family": t.family, "group": t.group,
                               "first_listed": t.first_listed.isoformat(), "first_listed_by": ";".join(t.first_by),
                               "smiles": t.smiles}
        for m in r.modes:
            f = t.found.get(m.mode)
            row[f"{m.mode}_depth"] = "" if f is None else f.depth
            row[f"{m.mode}_from"] = "" if f is None else f.root
            row[f"{m.mode}_path"] = "" if f is None else " > ".join(f.path)
        rows.append(row)
    return rows


def summary(r: Retrospective) -> dict[str, Any]:
    recall: dict[str, Any] = {}
    for m in r.modes:
        recall[m.mode] = {}
        for g in [*r.groups(), None]:
            recall[m.mode][g or "all"] = {
                f"depth<={d}": dict(zip(("found", "targets"), r.recall(m.mode, d, g), strict=True))
                for d in range(1, r.depth + 1)
            }
    return {
        "before": r.before.isoformat(), "depth": r.depth, "limit": r.limit,
        "families": [f.id for f in r.families],
        "seeds": {k: [s.name for s in v] for k, v in r.seeds.items()},
        "targets": len(r.targets),
        "modes": [{"mode": m.mode, "label": m.label, "transformations": m.transformations,
                   "candidates_per_depth": m.candidates, "truncated": m.truncated} for m in r.modes],
        "attested_transformations": r.attested_ids,
        "recall": recall,
        "provenance": r.provenance,
        "timings_seconds": {k: round(v, 1) for k, v in r.timings.items()},
    }


def write_outputs(r: Retrospective, outdir: Path | None = None, *, figure_path: Path | None = None) -> list[Path]:
    written = []
    if outdir is not None:
        outdir.mkdir(parents=True, exist_ok=True)
        rows = target_rows(r)
        p = outdir / "retrospective.csv"
        with p.open("w", encoding="utf-8", newline="") as fh:
            fields = list(rows[0]) if rows else ["name"]
            w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        written.append(p)
        p = outdir / "retrospective.json"
        p.write_text(json.dumps(summary(r), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(p)
        p = outdir / "retrospective.svg"
        p.write_text(figure(r), encoding="utf-8")
        written.append(p)
    if figure_path is not None:
        figure_path.parent.mkdir(parents=True, exist_ok=True)
        figure_path.write_text(figure(r), encoding="utf-8")
        written.append(figure_path)
    return written
