"""Positional isomers of the US Schedule I hallucinogens (21 CFR 1300.01(b), 'isomer' (2)).

A substance listed in 21 CFR 1308.11(d) is controlled with its positional isomers. The test and
its readings are data (``isomers/us-positional-isomers.yaml``); this module applies them. It is a
ClassEvaluator: the Checker calls ``evaluate`` for every structure, and a structure whose molecular
formula is no (d) substance's formula is ruled out by one dictionary lookup.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from rdkit import Chem

from analogwatch.chem.parse import mol_from_smiles
from analogwatch.chem.standardize import standardize
from analogwatch.errors import RuleError
from analogwatch.verdicts import Match

if TYPE_CHECKING:
    from analogwatch.chem.standardize import StandardizedMol
    from analogwatch.registry import Registry, Substance

#: A listing in the hallucinogens paragraph; "(d) from 19 Feb 2026" marks a substance moved there later.
_PARAGRAPH_D = re.compile(r"1308\.11\(d\)(?: from (\d{1,2} \w{3} \d{4}))?")


def isomer_file() -> Path:
    return Path(str(resources.files("analogwatch.rules") / "isomers" / "us-positional-isomers.yaml"))


@dataclass(frozen=True)
class _Hallucinogen:
    substance: Substance
    listing: Any  # the registry Listing in paragraph (d)
    since: date
    profile: tuple[Counter[str], Counter[tuple[str, int]]]


class PositionalIsomerEvaluator:
    """Reports a structure that may be a positional isomer of a substance listed in 21 CFR
    1308.11(d): controlled in the US under that listing, with certainty interpretive."""

    def __init__(self, registry: Registry, path: Path | None = None):
        path = path or isomer_file()
        text = path.read_text(encoding="utf-8")
        self.spec: dict[str, Any] = yaml.safe_load(text)
        self.version = f"{path.name}:{hashlib.sha256(text.encode()).hexdigest()[:12]}"
        self.jurisdiction: str = self.spec["jurisdiction"]
        self.citation: str = self.spec["citation"]
        self._source = path.name
        self._functionalities = self._compile()
        self.registry = registry
        self._by_formula: dict[str, list[_Hallucinogen]] = {}
        for sub in registry.substances:
            in_d = [
                (lst, found) for lst in sub.listings
                if lst.jurisdiction == self.jurisdiction and (found := _PARAGRAPH_D.search(lst.citation or ""))
            ]
            if not sub.smiles or not in_d:
                continue
            std = standardize(mol_from_smiles(sub.smiles))
            profile = self.profile(std.mol)  # once per substance, whatever its number of listings
            for lst, found in in_d:
                since = _in_paragraph_d_since(lst.citation, lst.effective, found.group(1))
                self._by_formula.setdefault(std.formula, []).append(_Hallucinogen(sub, lst, since, profile))

    def _compile(self) -> list[tuple[str, Chem.Mol]]:
        out = []
        for entry in self.spec["functionalities"]:
            query = Chem.MolFromSmarts(entry["smarts"])
            if query is None:
                raise RuleError(f"{self._source}: functionality {entry['name']!r}: SMARTS does not parse")
            out.append((entry["name"], query))
        return out

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_functionalities"]  # RDKit query molecules: compiled again where unpickled
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._functionalities = self._compile()

    # The profile compared: ring systems, and functionalities with their distance from the rings.
    def profile(self, mol: Chem.Mol) -> tuple[Counter[str], Counter[tuple[str, int]]]:
        return _ring_systems(mol), self._functional_groups(mol)

    def _functional_groups(self, mol: Chem.Mol) -> Counter[tuple[str, int]]:
        ring_atoms = [a.GetIdx() for a in mol.GetAtoms() if a.IsInRing()]
        distances = Chem.GetDistanceMatrix(mol) if ring_atoms else None
        claimed: set[int] = set()
        found: Counter[tuple[str, int]] = Counter()
        for name, query in self._functionalities:
            for match in mol.GetSubstructMatches(query, uniquify=True):
                if match[0] in claimed:
                    continue
                claimed.add(match[0])
                where = -1 if distances is None else int(min(distances[match[0]][r] for r in ring_atoms))
                found[(name, where)] += 1
        return found

    def evaluate(self, std: StandardizedMol, as_of: date) -> list[tuple[str, Match]]:
        candidates = self._by_formula.get(std.formula)
        if not candidates:
            return []
        # A structure that is a US registry row itself is reported under its own listing.
        if any(
            lst.jurisdiction == self.jurisdiction
            for sub in self.registry.by_connectivity.get(std.connectivity, [])
            for lst in sub.listings
        ):
            return []
        rings, groups = self.profile(std.mol)
        out: list[tuple[str, Match]] = []
        for h in candidates:
            if h.since > as_of or not h.listing.in_force(as_of):
                continue
            if h.profile != (rings, groups):
                continue
            out.append((self.jurisdiction, self._match(h, std, groups)))
        return out

    def _match(self, h: _Hallucinogen, std: StandardizedMol, groups: Counter[tuple[str, int]]) -> Match:
        named = ", ".join(sorted({name for name, _ in groups})) or "no functional group"
        lst = h.listing
        return Match(
            basis="listed",
            schedule=lst.schedule,
            list_name=lst.list_title,
            substance=h.substance.name,
            rule_id=f"{self.spec['id']}:{h.substance.id}",
            citation=f"{lst.citation}; {self.citation}",
            effective=h.since,
            end=lst.end,
            certainty="interpretive",
            rank=lst.rank + 1,
            explanation=(
                f"Possibly a positional isomer of {h.substance.name} ({lst.list_title}, {lst.citation}), "
                f"which is controlled with its positional isomers ({self.citation}): the same molecular "
                f"formula ({std.formula}), the same ring systems and the same functionalities ({named}), "
                "each at the same distance from the rings, arranged otherwise. Interpretive: whether the "
                "rearrangement keeps the 'core structure' the definition speaks of is a chemical judgement "
                "the text leaves open, and DEA decides it case by case."
            ),
        )


_DATE = re.compile(r"(\d{1,2} [A-Z][a-z]{2} \d{4})")


def _in_paragraph_d_since(citation: str, effective: date, moved: str | None) -> date:
    """When the substance entered paragraph (d), whose 'isomer' includes positional isomers: a
    temporary order (paragraph (h)) covers optical isomers only, so a listing that began with one
    counts from the first later instrument the citation dates (the permanent rule or the Act)."""
    if moved:
        return max(effective, datetime.strptime(moved, "%d %b %Y").date())
    if "temporary order" not in citation:
        return effective
    later = [
        datetime.strptime(m, "%d %b %Y").date()
        for part in citation.split(";") if "temporary" not in part
        for m in _DATE.findall(part)
    ]
    later = [d for d in later if d > effective]
    return min(later) if later else effective


def _ring_systems(mol: Chem.Mol) -> Counter[str]:
    """Each ring system (fused or spiro rings together) as a canonical SMILES of its ring atoms and
    ring bonds alone, without substituents or hydrogens."""
    info = mol.GetRingInfo()
    systems: list[set[int]] = []
    for ring in info.AtomRings():
        ring_set = set(ring)
        joined = [s for s in systems if s & ring_set]
        for s in joined:
            systems.remove(s)
            ring_set |= s
        systems.append(ring_set)
    out: Counter[str] = Counter()
    for atoms in systems:
        bonds = [
            b.GetIdx() for b in mol.GetBonds()
            if b.GetBeginAtomIdx() in atoms and b.GetEndAtomIdx() in atoms and b.IsInRing()
        ]
        fragment = Chem.PathToSubmol(mol, bonds)
        for atom in fragment.GetAtoms():
            # Hydrogens belong to the substitution pattern, not to the ring system: an indole is the
            # same ring system whether its nitrogen carries H or a substituent.
            atom.SetNumExplicitHs(0)
            atom.SetNoImplicit(True)
        out[Chem.MolToSmiles(fragment)] += 1
    return out
