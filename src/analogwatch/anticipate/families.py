"""Families (``data/families.yaml``) and the seeds an enumeration starts from.

A family names a parent compound and SMARTS that recognise its members in the registry; the
listed members together with the parent seed the enumeration. Seeds are standardised and
stripped of stereochemistry: the lists cover every stereoisomer, so analogs are enumerated as
skeletons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rdkit import Chem, rdBase

from analogwatch.anticipate.vocabulary import VocabularyError
from analogwatch.chem.standardize import inchikey, standardize
from analogwatch.errors import AnalogwatchError
from analogwatch.registry import Registry, Substance


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParentSpec(_Strict):
    name: str
    smiles: str


class FamilySpec(_Strict):
    title: str
    kind: Literal["opioid", "cannabinoid"]
    parent: ParentSpec
    members: list[str] = Field(min_length=1)
    vocabulary: list[str] = Field(min_length=1)


class FamiliesFile(_Strict):
    families: dict[str, FamilySpec]


@dataclass(frozen=True, eq=False)
class Family:
    id: str
    title: str
    kind: str
    parent_name: str
    parent_smiles: str
    members: tuple[Chem.Mol, ...]
    member_smarts: tuple[str, ...]
    vocabulary: tuple[str, ...]

    def has_member(self, mol: Chem.Mol) -> bool:
        return any(mol.HasSubstructMatch(p) for p in self.members)


@dataclass(frozen=True, eq=False)
class Seed:
    """A structure an enumeration starts from: the family parent or a listed member."""

    name: str
    smiles: str
    inchikey: str
    mol: Chem.Mol
    #: first date any controlled listing takes effect (None for a parent absent from the registry)
    first_listed: date | None
    origin: Literal["parent", "registry"]

    @property
    def connectivity(self) -> str:
        return self.inchikey[:14]


def families_path() -> Path:
    return Path(str(resources.files("analogwatch.anticipate") / "data" / "families.yaml"))


def load_families(path: Path | None = None) -> dict[str, Family]:
    path = path or families_path()
    try:
        spec = FamiliesFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise VocabularyError(f"{path.name}: {exc}") from exc
    out: dict[str, Family] = {}
    for fid, f in spec.families.items():
        pats = []
        with rdBase.BlockLogs():
            for sma in f.members:
                p = Chem.MolFromSmarts(sma)
                if p is None:
                    raise VocabularyError(f"{path.name}: family {fid}: member SMARTS does not parse: {sma!r}")
                pats.append(p)
            if Chem.MolFromSmiles(f.parent.smiles) is None:
                raise VocabularyError(f"{path.name}: family {fid}: parent SMILES does not parse")
        out[fid] = Family(fid, f.title, f.kind, f.parent.name, f.parent.smiles, tuple(pats), tuple(f.members),
                          tuple(f.vocabulary))
    return out


@lru_cache(maxsize=1)
def default_families() -> dict[str, Family]:
    return load_families()


def flat_mol(smiles: str) -> Chem.Mol | None:
    """The standardised parent of ``smiles`` without stereochemistry, or None when it does not parse."""
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            return None
        try:
            mol = standardize(mol).mol
        except AnalogwatchError:
            return None  # a structure that cannot be standardised cannot seed anything
        mol = Chem.Mol(mol)
        Chem.RemoveStereochemistry(mol)
        return Chem.MolFromSmiles(Chem.MolToSmiles(mol))


def first_controlled_listing(sub: Substance, jurisdictions: tuple[str, ...] = ("US", "CN", "UN")) -> date | None:
    """The earliest effective date of a controlled (not precursor) listing of ``sub``."""
    dates = [lst.effective for lst in sub.listings if lst.kind == "controlled" and lst.jurisdiction in jurisdictions]
    return min(dates) if dates else None


@dataclass(frozen=True)
class Member:
    """A registry substance that belongs to a family."""

    substance: Substance
    mol: Chem.Mol
    inchikey: str
    first_listed: date | None

    @property
    def connectivity(self) -> str:
        return self.inchikey[:14]


def registry_members(family: Family, registry: Registry) -> list[Member]:
    """Registry substances with a structure that match the family's member SMARTS, one per skeleton
    (the earliest-listed entry wins when the registry holds a skeleton twice)."""
    best: dict[str, Member] = {}
    for sub in registry.substances:
        if not sub.smiles:
            continue
        mol = flat_mol(sub.smiles)
        if mol is None or not family.has_member(mol):
            continue
        key = inchikey(mol)
        first = first_controlled_listing(sub)
        m = Member(sub, mol, key, first)
        old = best.get(key[:14])
        if old is None or (first is not None and (old.first_listed is None or first < old.first_listed)):
            best[key[:14]] = m
    return sorted(best.values(), key=lambda m: m.substance.name.casefold())


def family_seeds(family: Family, registry: Registry, *, listed_before: date | None = None,
                 as_of: date | None = None) -> list[Seed]:
    """The parent and the listed members of ``family``.

    ``as_of``: members with a controlled listing in force at some date up to ``as_of``.
    ``listed_before``: only members (and the parent) with a controlled listing effective before
    this date; the retrospective uses it to see only what was known then.
    """
    seeds: list[Seed] = []
    seen: set[str] = set()
    members = registry_members(family, registry)
    by_conn = {m.connectivity: m for m in members}
    parent_mol = flat_mol(family.parent_smiles)
    assert parent_mol is not None  # checked when the families file was loaded
    pkey = inchikey(parent_mol)
    pmember = by_conn.get(pkey[:14])
    pfirst = pmember.first_listed if pmember else None
    if listed_before is None or (pfirst is not None and pfirst < listed_before):
        seeds.append(Seed(family.parent_name, Chem.MolToSmiles(parent_mol), pkey, parent_mol, pfirst, "parent"))
        seen.add(pkey[:14])
    for m in members:
        if m.connectivity in seen or m.first_listed is None:
            continue
        if listed_before is not None and not m.first_listed < listed_before:
            continue
        if as_of is not None and m.first_listed > as_of:
            continue
        seeds.append(Seed(m.substance.name, Chem.MolToSmiles(m.mol), m.inchikey, m.mol, m.first_listed, "registry"))
        seen.add(m.connectivity)
    return seeds
