"""Validation of the shipped registry: structures are validated, never trusted.

Every structure must recompute to its stored InChIKey; every systematic name must parse with OPSIN
to the stored structure; no accidental duplicates; CAS numbers and names must not point at two
different structures; and the third-party China list is used to cross-check, with every
disagreement resolved in crosscheck_resolutions.yaml.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from analogwatch.chem import standardize, to_mol
from analogwatch.registry import default_registry, normalize_name
from analogwatch.registry.build import opsin_smiles
from analogwatch.registry.loader import data_dir

REG = default_registry()
RESOLUTIONS = Path(__file__).with_name("crosscheck_resolutions.yaml")


def _csv_rows():  # type: ignore[no-untyped-def]
    for path in sorted(data_dir().rglob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=2):
                yield path.relative_to(data_dir()), i, row


def test_every_structure_recomputes_to_its_stored_smiles_and_inchikey() -> None:
    bad = []
    for s in REG.substances:
        if not s.smiles:
            assert s.no_structure, f"{s.name}: neither a structure nor a reason for having none"
            continue
        std = standardize(to_mol(s.smiles))
        if (std.smiles, std.inchikey) != (s.smiles, s.inchikey):
            bad.append(f"{s.name}: stored {s.smiles} {s.inchikey}, recomputed {std.smiles} {std.inchikey}")
    assert not bad, "\n".join(bad)


@pytest.mark.xdist_group("opsin")
def test_systematic_names_round_trip_through_opsin() -> None:
    rows = [(p, i, r) for p, i, r in _csv_rows() if (r.get("systematic_name") or "").strip() and r.get("smiles")]
    parsed = opsin_smiles([r["systematic_name"] for _, _, r in rows])
    bad = []
    for (path, line, row), smi in zip(rows, parsed, strict=True):
        if smi is None:
            bad.append(f"{path}:{line} {row['name']}: OPSIN cannot parse {row['systematic_name']!r}")
            continue
        got = standardize(to_mol(smi)).inchikey[:14]
        if got != row["inchikey"][:14]:
            bad.append(f"{path}:{line} {row['name']}: name gives {got}, stored {row['inchikey']}")
    assert not bad, "\n".join(bad)
    assert len(rows) > 0


def test_no_accidental_duplicate_within_a_list_file() -> None:
    seen: dict[tuple[Path, str], tuple[int, str]] = {}
    bad = []
    for path, line, row in _csv_rows():
        ik = row.get("inchikey")
        if not ik:
            continue
        key = (path, ik)
        if key in seen and "listed twice" not in (row.get("note") or ""):
            bad.append(f"{path}:{line} {row['name']} duplicates line {seen[key][0]} {seen[key][1]}")
        seen.setdefault(key, (line, row["name"]))
    assert not bad, "\n".join(bad)


def test_a_cas_number_identifies_one_structure() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for s in REG.substances:
        for cas in s.cas:
            owners[cas].add(s.inchikey or f"name:{s.name}")
    clashes = {cas: keys for cas, keys in owners.items() if len(keys) > 1}
    # Stereoisomers listed separately (e.g. levomethorphan and racemethorphan) may share a CAS
    # number only if the connectivity agrees.
    real = {c: k for c, k in clashes.items() if len({x.split("-")[0] for x in k}) > 1}
    assert not real, real


def test_a_name_identifies_one_skeleton() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for s in REG.substances:
        for n in [s.name, *s.synonyms]:
            owners[normalize_name(n)].add((s.inchikey or f"name:{s.name}")[:14])
    clashes = {n: k for n, k in owners.items() if len(k) > 1}
    assert not clashes, clashes


def test_every_listing_has_citation_date_and_source() -> None:
    for s in REG.substances:
        assert s.listings, s.name
        for li in s.listings:
            assert li.citation and li.effective and li.source, (s.name, li)
            assert li.end is None or li.end > li.effective, (s.name, li)


def test_third_party_china_list_cross_check(shared_data: Path) -> None:
    """Every third-party structure either agrees with ours or has a written resolution."""
    resolutions = yaml.safe_load(RESOLUTIONS.read_text(encoding="utf-8")) or {}
    resolved = {str(k) for k in (resolutions.get("cn") or {})}
    rows = list(csv.DictReader(open(shared_data / "reference" / "cn_controlled_lists_2013-2025.csv",
                                    encoding="utf-8")))
    unexplained, missing = [], []
    cn_by_skeleton = {
        s.inchikey[:14]: s for s in REG.substances if s.inchikey and "CN" in s.jurisdictions()
    }
    for r in rows:
        key = f"{r['section'][:12]}|{r['no']}|{r['name_en']}"
        theirs = None
        if r["smiles"]:
            try:
                theirs = standardize(to_mol(r["smiles"])).inchikey[:14]
            except Exception:  # noqa: BLE001 - a broken third-party structure is itself a disagreement
                theirs = "unparsable"
        ours = (REG.lookup_cas(r["cas"]) if r["cas"] else None) or REG.lookup_name(r["name_en"])
        if ours is None or "CN" not in ours.jurisdictions():
            ours = cn_by_skeleton.get(theirs or "")
        if ours is None:
            if key not in resolved:
                missing.append(key)
            continue
        if theirs and ours.inchikey and theirs != ours.inchikey[:14] and key not in resolved:
            unexplained.append(f"{key}: theirs {theirs}, ours {ours.name} {ours.inchikey}")
    assert not missing, "CN entries not found in the registry:\n" + "\n".join(missing)
    assert not unexplained, "unexplained disagreements:\n" + "\n".join(unexplained)
