"""Fixtures for the class-definition tests: a small registry built in a temporary folder, so that
the tests do not depend on the shipped registry's contents."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdkit import Chem

from analogwatch.checker import Checker
from analogwatch.registry import Registry, load_registry

LISTS_YAML = """
folders: [us]
lists:
  us-csa-i:
    {jurisdiction: US, title: "Controlled Substances Act, Schedule I", schedule: "Schedule I", kind: controlled,
     rank: 10}
  us-csa-ii:
    {jurisdiction: US, title: "Controlled Substances Act, Schedule II", schedule: "Schedule II", kind: controlled,
     rank: 20}
"""

#: (list, name, SMILES, citation): fentanyl (Schedule II) and acetylfentanyl (Schedule I, own code)
SMALL = [
    ("us-csa-ii", "Fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "21 CFR 1308.12(c)(9)"),
    ("us-csa-i", "Acetylfentanyl", "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "21 CFR 1308.11(b)(1)"),
]


def build_registry(root: Path, rows: list[tuple[str, str, str, str]]) -> Registry:
    (root / "us").mkdir(parents=True, exist_ok=True)
    (root / "lists.yaml").write_text(LISTS_YAML, encoding="utf-8")
    files = []
    for lst in sorted({r[0] for r in rows}):
        path = f"{lst}.csv"
        files.append(f"  - {{path: {path}, list: {lst}, citation: 'test', effective: 1971-05-01, source: test}}")
        with open(root / "us" / path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["name", "smiles", "inchikey", "citation"])
            for lid, name, smi, cit in rows:
                if lid == lst:
                    w.writerow([name, smi, Chem.MolToInchiKey(Chem.MolFromSmiles(smi)), cit])
    (root / "us" / "files.yaml").write_text("files:\n" + "\n".join(files) + "\n", encoding="utf-8")
    return load_registry(root)


@pytest.fixture(scope="session")
def small_registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    return build_registry(tmp_path_factory.mktemp("registry"), SMALL)


@pytest.fixture(scope="session")
def checker(small_registry: Registry) -> Checker:
    return Checker(small_registry, use_opsin=False)
