"""The anticipation run as a linear recipe: seeds -> enumeration -> screening -> gaps -> drafts.

``anticipate`` is the one library call behind ``analogwatch anticipate``; the CLI only parses
options and prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdkit import rdBase

from analogwatch import __version__
from analogwatch.anticipate.enumeration import Enumeration, Enumerator
from analogwatch.anticipate.families import Family, Seed, default_families, family_seeds
from analogwatch.anticipate.reference import Medicine, read_medicines, shipped_medicines
from analogwatch.anticipate.screening import (
    CheckerLike,
    GapReport,
    NoAnalogueFlags,
    Screened,
    controlled_reference,
    gap_report,
    potent_reference,
    screen_analogs,
)
from analogwatch.anticipate.vocabulary import Vocabulary, default_vocabulary
from analogwatch.anticipate.whatif import WhatIf, evaluate_draft, load_draft
from analogwatch.errors import InputError
from analogwatch.registry import Registry, default_registry

#: analogs screened at most unless told otherwise: keeps a depth-2 run to minutes on two cores
#: (a depth-2 fentanyl enumeration without a limit makes about 56,000 analogs)
DEFAULT_LIMIT = 5000
DEFAULT_DEPTH = 2


@dataclass
class Anticipation:
    families: list[Family]
    as_of: date
    depth: int
    limit: int | None
    seeds: dict[str, list[Seed]]
    enumeration: Enumeration
    screened: list[Screened]
    gaps: GapReport
    whatifs: list[WhatIf]
    vocabulary: Vocabulary
    provenance: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)


def resolve_families(names: Sequence[str]) -> list[Family]:
    known = default_families()
    out = []
    for n in names:
        key = n.strip().lower()
        if key not in known:
            raise InputError(f"unknown family {n!r}; known families: {', '.join(known)}")
        if known[key] not in out:
            out.append(known[key])
    if not out:
        raise InputError(f"name at least one family: {', '.join(known)}")
    return out


def anticipate(
    family_names: Sequence[str],
    *,
    depth: int = DEFAULT_DEPTH,
    limit: int | None = DEFAULT_LIMIT,
    as_of: date | None = None,
    drafts: Sequence[Path] = (),
    medicines_file: Path | None = None,
    analogue_flags: bool = True,
    registry: Registry | None = None,
    checker: CheckerLike | None = None,
    vocabulary: Vocabulary | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Anticipation:
    """Enumerate, screen and map the gaps of one or several families."""
    if depth < 1:
        raise InputError("--depth must be at least 1")
    if limit is not None and limit < 1:
        raise InputError("--limit must be at least 1")
    as_of = as_of or date.today()
    families = resolve_families(family_names)
    registry = registry or default_registry()
    vocabulary = vocabulary or default_vocabulary()
    timings: dict[str, float] = {}

    def stage(name: str) -> None:
        if on_stage is not None:
            on_stage(name)

    # Drafts load first: a malformed draft should fail before minutes of work.
    loaded_drafts = [load_draft(p, registry, as_of=as_of) for p in drafts]
    medicines: list[Medicine] = list(shipped_medicines())
    if medicines_file is not None:
        medicines += read_medicines(medicines_file)

    t0 = time.perf_counter()
    stage("enumerating")
    en = Enumerator(limit=limit)
    seeds: dict[str, list[Seed]] = {}
    for fam in families:
        seeds[fam.id] = family_seeds(fam, registry, as_of=as_of)
        en.run_family(fam.id, seeds[fam.id], vocabulary.for_families(fam.vocabulary), depth)
    enumeration = en.result()
    timings["enumeration"] = time.perf_counter() - t0

    if checker is None:
        from analogwatch.checker import Checker

        checker = Checker(registry, analogue_flagger=None if analogue_flags else NoAnalogueFlags())
    t0 = time.perf_counter()
    stage("screening")
    screened = screen_analogs(
        enumeration.analogs, checker, as_of=as_of, controlled=controlled_reference(registry, as_of),
        potent=potent_reference(), on_progress=on_progress,
    )
    timings["screening"] = time.perf_counter() - t0
    gaps = gap_report(screened)

    t0 = time.perf_counter()
    whatifs = []
    for d in loaded_drafts:
        stage(f"evaluating draft {d.id}")
        whatifs.append(evaluate_draft(d, screened, checker=checker, registry=registry, families=families,
                                      medicines=medicines, as_of=as_of))
    if loaded_drafts:
        timings["drafts"] = time.perf_counter() - t0

    provenance = {
        "analogwatch_version": __version__,
        "registry_version": registry.version,
        "rules_version": getattr(checker, "rules_version", ""),
        "vocabulary_version": vocabulary.version,
        "rdkit_version": rdBase.rdkitVersion,
    }
    return Anticipation(families, as_of, depth, limit, seeds, enumeration, screened, gaps, whatifs, vocabulary,
                        provenance, timings)
