"""What-if drafting: how a proposed class definition would change the map of gaps.

A draft is a class-definition file in the format of analogwatch.rules (docs/rules.md), loaded
through the same API as the shipped definitions, so a draft that would not load as a rule does
not load here either. It is evaluated on the date it would be in force, against three sets:
the enumerated space (how much it newly covers in its jurisdiction), the known analogs (registry
members of the families that its jurisdiction does not control yet), and the medicines (the
shipped reference set, any extra file, and the registry substances among them). A draft that
catches an approved medicine its jurisdiction does not control, such as loperamide, is a bad
definition.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rdkit import Chem, rdBase

from analogwatch.anticipate.families import Family, registry_members
from analogwatch.anticipate.reference import Medicine
from analogwatch.anticipate.screening import CheckerLike, Screened
from analogwatch.chem.standardize import StandardizedMol, standardize
from analogwatch.errors import AnalogwatchError, InputError
from analogwatch.registry import Registry
from analogwatch.verdicts import Match

if TYPE_CHECKING:
    from analogwatch.checker import ClassEvaluator


@dataclass
class Draft:
    """A proposed class definition, compiled by analogwatch.rules."""

    path: str
    id: str
    title: str
    jurisdiction: str
    #: the date the draft is evaluated on: when all of its instruments have taken effect
    in_force: date
    evaluator: ClassEvaluator = field(repr=False)

    def covers(self, std: StandardizedMol) -> Match | None:
        """The draft's class match for ``std``, or None when the draft would not claim it."""
        for jur, m in self.evaluator.evaluate(std, self.in_force):
            if jur == self.jurisdiction and m.basis == "class":
                return m
        return None


def load_draft(path: Path, registry: Registry, *, as_of: date) -> Draft:
    """Load one draft definition file through analogwatch.rules; errors name the file and rule."""
    from analogwatch.rules import ClassDefinitionEvaluator, Definition
    from analogwatch.rules.model import read_definition_file

    if not path.is_file():
        raise InputError(f"{path}: no such draft definition file")
    spec = read_definition_file(path)
    definition = Definition(spec, path.name, hashlib.sha256(path.read_bytes()).hexdigest())
    evaluator = ClassDefinitionEvaluator([definition], registry)
    latest = max(inst.effective for inst in spec.instruments)
    return Draft(str(path), spec.id, spec.title, spec.jurisdiction, max(as_of, latest), evaluator)


@dataclass
class MedicineHit:
    name: str
    smiles: str
    source: str
    in_registry: bool
    #: whether the draft's jurisdiction already controls it (then the catch is an overlap)
    controlled: bool
    clause: str


@dataclass
class KnownAnalog:
    name: str
    smiles: str
    first_listed: date | None
    covered: bool


@dataclass
class WhatIf:
    draft: Draft
    #: enumerated analogs screened (depth >= 1)
    space: int
    covered: int
    newly_covered: int
    #: analogs the draft's jurisdiction does not control today
    uncontrolled: int
    #: analogs controlled nowhere today, and how many of them the draft would cover
    nowhere: int
    nowhere_covered: int
    known: list[KnownAnalog]
    medicines_checked: int
    medicines: list[MedicineHit]
    #: ids of the enumerated analogs the draft would newly cover
    newly_covered_ids: set[str] = field(default_factory=set)

    @property
    def known_covered(self) -> int:
        return sum(1 for k in self.known if k.covered)

    @property
    def bad_catches(self) -> list[MedicineHit]:
        """Medicines the draft would catch that its jurisdiction does not control."""
        return [m for m in self.medicines if not m.controlled]

    @property
    def bad(self) -> bool:
        return bool(self.bad_catches)

    def verdict(self) -> str:
        if self.bad:
            names = ", ".join(m.name for m in self.bad_catches)
            return (f"bad definition: it would catch approved medicines that {self.draft.jurisdiction} does not "
                    f"control: {names}")
        if self.medicines:
            names = ", ".join(m.name for m in self.medicines)
            return (f"catches no uncontrolled medicine; it overlaps medicines {self.draft.jurisdiction} already "
                    f"controls: {names}")
        return f"catches none of the {self.medicines_checked} reference medicines"


def _std(smiles: str) -> StandardizedMol | None:
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return None
    try:
        return standardize(mol)
    except AnalogwatchError:
        return None


def _controlled_in(checker: CheckerLike, std: StandardizedMol, name: str, jurisdiction: str, as_of: date) -> bool:
    res = checker.evaluate(std, id=name, input=name, as_of=as_of)
    return res.status == "ok" and res.verdicts[jurisdiction].controlled


def evaluate_draft(
    draft: Draft,
    screened: Sequence[Screened],
    *,
    checker: CheckerLike,
    registry: Registry,
    families: Sequence[Family],
    medicines: Sequence[Medicine],
    as_of: date,
) -> WhatIf:
    jur = draft.jurisdiction
    space = covered = newly = uncontrolled = nowhere = nowhere_cov = 0
    newly_ids: set[str] = set()
    for s in screened:
        if s.analog.depth < 1 or s.std is None:
            continue
        space += 1
        hit = draft.covers(s.std) is not None
        is_ctl = jur in s.controlled_in
        covered += hit
        if not is_ctl:
            uncontrolled += 1
            if hit:
                newly += 1
                newly_ids.add(s.analog.id)
        if s.category == "nowhere":
            nowhere += 1
            nowhere_cov += hit
    known: list[KnownAnalog] = []
    seen: set[str] = set()
    for fam in families:
        for m in registry_members(fam, registry):
            if m.connectivity in seen:
                continue
            seen.add(m.connectivity)
            mstd = standardize(m.mol)
            if _controlled_in(checker, mstd, m.substance.name, jur, as_of):
                continue
            known.append(KnownAnalog(m.substance.name, Chem.MolToSmiles(m.mol), m.first_listed,
                                     draft.covers(mstd) is not None))
    hits: list[MedicineHit] = []
    checked = 0
    seen_med: set[str] = set()
    for med in medicines:
        med_std = _std(med.smiles)
        if med_std is None or med_std.connectivity in seen_med:
            continue
        seen_med.add(med_std.connectivity)
        checked += 1
        match = draft.covers(med_std)
        if match is None:
            continue
        hits.append(MedicineHit(
            med.name, med.smiles, med.source, med_std.connectivity in registry.by_connectivity,
            _controlled_in(checker, med_std, med.name, jur, as_of), match.clause or match.rule_id or "",
        ))
    return WhatIf(draft, space, covered, newly, uncontrolled, nowhere, nowhere_cov, known, checked, hits, newly_ids)
