"""Shared fixtures: a small registry written to a temporary folder, and paths to shared data."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from analogwatch.registry import Registry, load_registry

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
CLI = Path(sys.executable).parent / "analogwatch"

MINI_LISTS = """
folders: [mini]
lists:
  us-csa-i:  {jurisdiction: US, title: "Schedule I", schedule: "Schedule I", kind: controlled, rank: 10}
  us-csa-ii: {jurisdiction: US, title: "Schedule II", schedule: "Schedule II", kind: controlled, rank: 20}
  us-list-i: {jurisdiction: US, title: "List I chemicals", schedule: "List I chemical", kind: precursor, rank: 70}
  cn-nonmedical: {jurisdiction: CN, title: "CN supplementary list", schedule: "Non-medical", kind: controlled}
  cn-narcotic-2013: {jurisdiction: CN, title: "CN narcotic list", schedule: "Narcotic drug", kind: controlled}
  un-1961-i: {jurisdiction: UN, title: "1961 Schedule I", schedule: "1961 Schedule I", kind: controlled}
"""

HEADER = (
    "no,name,synonyms,systematic_name,cas,smiles,inchikey,no_structure,effective,end,end_citation,"
    "citation,stereo,except_inchikeys,note\n"
)

# InChIKeys below were computed with RDKit from the SMILES beside them (the loader trusts the files;
# tests/registry/test_validation.py checks that the shipped registry agrees with RDKit).
MINI_FILES = {
    "files.yaml": """
files:
  - {path: us2.csv, list: us-csa-ii, citation: "21 CFR 1308.12", effective: 1971-05-01, source: test}
  - {path: us1.csv, list: us-csa-i, citation: "21 CFR 1308.11", effective: 1971-05-01, source: test}
  - {path: usl1.csv, list: us-list-i, citation: "21 CFR 1310.02(a)", effective: 2007-04-16, source: test}
  - {path: cn.csv, list: cn-nonmedical, citation: "CN notice 2017", effective: 2017-03-01, source: test}
  - {path: cnn.csv, list: cn-narcotic-2013, citation: "CN 2013", effective: 2014-01-01, source: test,
     prior_history: "Earlier editions of the list are not modelled."}
  - {path: un.csv, list: un-1961-i, citation: "CND 59/1", effective: 2016-06-01, source: test}
""",
    "us2.csv": HEADER + textwrap.dedent("""\
        9801,Fentanyl,Sublimaze,,437-38-7,CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1,PJMPHNIQZUBGLI-UHFFFAOYSA-N,,,,,21 CFR 1308.12(c)(9),,,
        9210,Levomethorphan,,,125-70-2,COc1ccc2c(c1)[C@@]13CCCC[C@H]1[C@@H](C2)N(C)CC3,MKXZASYAUGDDCJ-CGTJXYLNSA-N,,,,,21 CFR 1308.12(c),as_drawn,,
        9639,Opium,,,,,,plant material,,,,,,,
        """),
    "us1.csv": HEADER + textwrap.dedent("""\
        9821,Butyrylfentanyl,Butyrfentanyl,,,CCCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1,QQOMYEQLWQJRKK-UHFFFAOYSA-N,,2016-05-12,,,81 FR 29492,,,
        9999,Withdrawn-ol,,,,OCCCCCCCCCO,ALVZNPYWJMLXKV-UHFFFAOYSA-N,,1980-01-01,2010-06-01,75 FR 37300,Test,,,
        """),
    "usl1.csv": HEADER + "8332,NPP,N-Phenethyl-4-piperidone,,39742-60-4,O=C1CCN(CCc2ccccc2)CC1,"
    "YDJXNYNKKXZBMP-UHFFFAOYSA-N,,,,,,,,\n",
    "cn.csv": HEADER + "1,Butyrylfentanyl,,,,CCCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1,"
    "QQOMYEQLWQJRKK-UHFFFAOYSA-N,,,,,,,,\n",
    "cnn.csv": HEADER + "5,Fentanyl,,,437-38-7,CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1,"
    "PJMPHNIQZUBGLI-UHFFFAOYSA-N,,,,,,,,\n",
    "un.csv": HEADER + "1,Butyrfentanyl,,,,CCCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1,"
    "QQOMYEQLWQJRKK-UHFFFAOYSA-N,,,,,,,,\n",
}


def write_mini_registry(root: Path, files: dict[str, str] | None = None) -> Path:
    (root / "mini").mkdir(parents=True, exist_ok=True)
    (root / "lists.yaml").write_text(MINI_LISTS, encoding="utf-8")
    for name, text in (files or MINI_FILES).items():
        (root / "mini" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def mini_registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """Read-only: tests must not modify it."""
    return load_registry(write_mini_registry(tmp_path_factory.mktemp("reg")))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED_DATA


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until ``url`` answers 200, failing early with the server's stderr if it exits."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the service did not start"
        time.sleep(0.2)
