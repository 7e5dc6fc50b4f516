"""Reference sets kept as data: potent controlled substances and approved medicines.

``data/potent.yaml`` is the yardstick for ranking gaps (what "potent" means is written at the top
of the file). ``data/medicines.csv`` is a small curated set of approved medicines that share
scaffolds with the families (loperamide, haloperidol, pimozide, astemizole, granisetron...): a
draft class definition that catches one of them is a bad definition. A larger set, such as
ChEMBL's approved drugs, can be given as a file (CSV with name and smiles columns, or Parquet with
pref_name and smiles columns); analogwatch never downloads it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from analogwatch.anticipate.vocabulary import VocabularyError
from analogwatch.errors import InputError


def data_path(name: str) -> Path:
    return Path(str(resources.files("analogwatch.anticipate") / "data" / name))


class _PotentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    family: str
    smiles: str
    potency: str


class _PotentFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    substances: list[_PotentSpec]


@dataclass(frozen=True)
class PotentSubstance:
    name: str
    family: str
    smiles: str
    potency: str


@lru_cache(maxsize=1)
def load_potent() -> tuple[PotentSubstance, ...]:
    path = data_path("potent.yaml")
    try:
        spec = _PotentFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise VocabularyError(f"{path.name}: {exc}") from exc
    return tuple(PotentSubstance(s.name, s.family, s.smiles, s.potency) for s in spec.substances)


@dataclass(frozen=True)
class Medicine:
    name: str
    smiles: str
    #: where the entry comes from: "analogwatch" (the shipped set) or the file it was read from
    source: str
    chembl_id: str = ""
    why: str = ""


@lru_cache(maxsize=1)
def shipped_medicines() -> tuple[Medicine, ...]:
    path = data_path("medicines.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Medicine(r["name"], r["smiles"], "analogwatch", r.get("chembl_id", ""), r.get("why", ""))
            for r in csv.DictReader(fh)
        )


def read_medicines(path: Path) -> list[Medicine]:
    """Medicines from a CSV (``name``, ``smiles``) or Parquet (``pref_name`` or ``name``, ``smiles``) file."""
    if not path.is_file():
        raise InputError(f"{path}: no such medicines file")
    rows: list[dict[str, str]]
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        rows = [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in pq.read_table(path).to_pylist()]
    else:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        name = r.get("name") or r.get("pref_name") or ""
        smi = r.get("smiles") or ""
        if not smi:
            continue
        out.append(Medicine(name.title() if name.isupper() else name, smi, path.name,
                            r.get("chembl_id") or r.get("molecule_chembl_id") or ""))
    if not out:
        raise InputError(f"{path}: no rows with a name and a smiles column")
    return out
