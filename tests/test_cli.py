"""The command-line interface through its real entry point (the installed console script)."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CLI


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_four_spellings_of_fentanyl_agree() -> None:
    outs = []
    for q in ("fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "437-38-7",
              "N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]propanamide"):
        p = run("check", q, "--format", "json", "--as-of", "2025-06-01")
        assert p.returncode == 0, p.stderr
        res = json.loads(p.stdout)
        verdicts = {j: (v["controlled"], v["basis"], v["schedule"]) for j, v in res["verdicts"].items()}
        outs.append((res["inchikey"], verdicts))
    assert all(o == outs[0] for o in outs)
    assert outs[0][0] == "PJMPHNIQZUBGLI-UHFFFAOYSA-N"
    assert outs[0][1]["US"] == (True, "listed", "Schedule II")


def test_text_output_shows_each_jurisdiction() -> None:
    p = run("check", "fentanyl")
    assert p.returncode == 0
    for word in ("US", "CN", "UN", "Schedule II", "21 CFR 1308.12"):
        assert word in p.stdout


def test_molfile_path_query(tmp_path: Path) -> None:
    from rdkit import Chem

    f = tmp_path / "q.mol"
    f.write_text(Chem.MolToMolBlock(Chem.MolFromSmiles("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")))
    p = run("check", str(f), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["inchikey"] == "PJMPHNIQZUBGLI-UHFFFAOYSA-N"


@pytest.mark.parametrize("query", ["C1CC", "surely-not-a-drug-name-xyz", "", "C" * 2000])
def test_check_bad_input_is_one_line_error_and_nonzero_exit(query: str) -> None:
    p = run("check", query)
    assert p.returncode != 0
    assert p.stderr.startswith("error: ")
    assert len(p.stderr.strip().splitlines()) == 1
    assert "Traceback" not in p.stderr


def test_check_bad_date() -> None:
    p = run("check", "fentanyl", "--as-of", "yesterday")
    assert p.returncode == 2 and "YYYY-MM-DD" in p.stderr


def test_screen_reports_invalid_count_and_exits_zero(tmp_path: Path) -> None:
    src = tmp_path / "in.smi"
    src.write_text("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1 f\nnot( x\n\nCCO e\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    p = run("screen", str(src), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert "4 records" in p.stderr and "2 invalid" in p.stderr
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert [r["id"] for r in rows] == ["f", "x", "3", "e"]  # an unnamed record takes its line number


def test_screen_csv_with_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    p = run("screen", str(src), "--smiles-column", "smiles")
    assert p.returncode != 0 and "not found" in p.stderr and "Traceback" not in p.stderr


def test_screen_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "in.smi"
    src.write_bytes(bytes(range(256)) * 4)
    p = run("screen", str(src))
    assert p.returncode != 0 and "binary" in p.stderr and "Traceback" not in p.stderr


def test_registry_stats_and_export(tmp_path: Path) -> None:
    p = run("registry", "stats")
    assert p.returncode == 0 and "substances" in p.stdout
    out = tmp_path / "reg.json"
    p = run("registry", "export", "--format", "json", "-o", str(out))
    assert p.returncode == 0
    data = json.loads(out.read_text())
    names = {s["name"] for s in data["substances"]}
    assert "Fentanyl" in names
    fent = next(s for s in data["substances"] if s["name"] == "Fentanyl")
    assert fent["inchikey"] == "PJMPHNIQZUBGLI-UHFFFAOYSA-N"
    assert all(li["citation"] and li["effective"] for li in fent["listings"])
    p = run("registry", "export", "--format", "csv", "-o", str(tmp_path / "reg.csv"))
    assert p.returncode == 0
    assert len(list(csv.DictReader(open(tmp_path / "reg.csv")))) >= len(data["substances"])


@pytest.mark.parametrize("name", ["loperamide", "Haloperidol"])
def test_reference_medicines_resolve_by_name_and_stay_uncontrolled(name: str) -> None:
    # Loperamide and haloperidol are 4-arylpiperidine medicines that no list or class covers.
    p = run("check", name, "--format", "json", "--as-of", "2026-01-01")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert res["smiles"] and all(not v["controlled"] for v in res["verdicts"].values())
