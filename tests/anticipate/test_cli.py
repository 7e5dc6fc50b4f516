"""`analogwatch anticipate` through its real entry point, with the shipped registry and rules."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

from tests.conftest import CLI

DRAFTS = Path(__file__).parent / "data"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), "anticipate", *args], capture_output=True, text=True, timeout=600)


def test_anticipate_writes_the_report_and_judges_a_draft(tmp_path: Path) -> None:
    p = run("--family", "nitazene", "--depth", "1", "--limit", "40", "--no-analogue-flags",
            "--rules", str(DRAFTS / "draft-us-4-arylpiperidines.yaml"), "-o", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "Outcome of the 40 enumerated analogs" in p.stdout
    assert "bad definition" in p.stdout and "Loperamide" in p.stdout
    rows = list(csv.DictReader((tmp_path / "analogs.csv").open(encoding="utf-8")))
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert len(rows) == 40 + len(summary["seeds"]["nitazene"])
    assert summary["drafts"][0]["bad"] is True
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html and "https://" not in html


def test_retrospective_command(tmp_path: Path) -> None:
    fig = tmp_path / "fig.svg"
    p = run("--retrospective", "--before", "2016-01-01", "--family", "acylpiperazine", "--depth", "1",
            "-o", str(tmp_path / "out"), "--figure", str(fig))
    assert p.returncode == 0, p.stderr
    assert "Recall" in p.stdout and fig.is_file()
    s = json.loads((tmp_path / "out" / "retrospective.json").read_text(encoding="utf-8"))
    assert s["before"] == "2016-01-01" and s["families"] == ["acylpiperazine"]


def test_usage_errors() -> None:
    p = run("--depth", "1")
    assert p.returncode == 2 and "--family" in p.stderr
    p = run("--retrospective")
    assert p.returncode == 2 and "--before" in p.stderr
    p = run("--family", "fentanil")
    assert p.returncode == 1 and "unknown family" in p.stderr
