"""Deriving structures for the registry's data files from primary texts.

For each row: a systematic name (as printed in the legal text or written from it) is parsed by
OPSIN; a row with a hand-drawn SMILES (trivial names OPSIN cannot read) keeps it. Either way the
structure is standardised to its parent and the canonical SMILES and InChIKey are written back.
Disagreements between OPSIN and a hand-drawn SMILES are reported, never overwritten silently.
"""

from __future__ import annotations

import csv
import io
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from analogwatch.chem.parse import mol_from_smiles
from analogwatch.chem.standardize import standardize
from analogwatch.errors import InputError, RegistryError
from analogwatch.registry.loader import COLUMNS


def opsin_smiles(names: list[str]) -> list[str | None]:
    """Parse systematic names with OPSIN in one JVM call; None where OPSIN cannot parse a name."""
    if not names:
        return []
    from py2opsin import py2opsin

    # py2opsin passes names through a temporary file; give every call its own so that concurrent
    # processes never read each other's input.
    with tempfile.TemporaryDirectory(prefix="analogwatch-opsin-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = py2opsin(names, output_format="SMILES", tmp_fpath=str(Path(tmp) / "names.txt"))
    if len(out if isinstance(out, list) else [out]) != len(names):
        raise RegistryError(f"OPSIN returned {len(out)} results for {len(names)} names")
    if isinstance(out, str):
        out = [out]
    return [s or None for s in out]


def canonical(smiles: str) -> tuple[str, str]:
    """Standardised parent SMILES and InChIKey of ``smiles``."""
    std = standardize(mol_from_smiles(smiles))
    return std.smiles, std.inchikey


@dataclass
class FillReport:
    path: Path
    filled: int = 0
    problems: list[str] | None = None


def fill_file(path: Path) -> FillReport:
    """Fill or refresh smiles/inchikey in one registry CSV file, in place."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = list(csv.DictReader(io.StringIO(text)).fieldnames or [])
    for col in ("systematic_name", "smiles", "inchikey", "no_structure"):
        if col not in fields:
            fields.append(col)
    fields = [c for c in COLUMNS if c in fields] + [c for c in fields if c not in COLUMNS]
    report = FillReport(path, problems=[])
    assert report.problems is not None
    names = [(i, r["systematic_name"]) for i, r in enumerate(rows) if (r.get("systematic_name") or "").strip()]
    parsed = dict(zip([i for i, _ in names], opsin_smiles([n for _, n in names]), strict=True))
    for i, row in enumerate(rows):
        label = f"{path.name}:{i + 2} {row.get('name')}"
        if (row.get("no_structure") or "").strip():
            row["smiles"], row["inchikey"] = "", ""
            continue
        from_name = parsed.get(i)
        given = (row.get("smiles") or "").strip()
        try:
            name_key = canonical(from_name) if from_name else None
            given_key = canonical(given) if given else None
        except (InputError, ValueError, RuntimeError) as exc:  # RDKit raises its own errors for e.g. kekulisation
            report.problems.append(f"{label}: {exc}")
            continue
        if i in parsed and from_name is None:
            report.problems.append(f"{label}: OPSIN cannot parse systematic name {row['systematic_name']!r}")
        if name_key and given_key and name_key[1][:14] != given_key[1][:14]:
            report.problems.append(
                f"{label}: systematic name gives {name_key[0]} but the SMILES column has {given_key[0]}"
            )
            continue
        # Prefer the hand-drawn SMILES when it agrees in connectivity (it may carry stereo).
        chosen = given_key or name_key
        if chosen is None:
            report.problems.append(f"{label}: no structure and no no_structure reason")
            continue
        if (row.get("smiles"), row.get("inchikey")) != chosen:
            report.filled += 1
        row["smiles"], row["inchikey"] = chosen
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") or "" for k in fields})
    path.write_text(out.getvalue(), encoding="utf-8")
    return report
