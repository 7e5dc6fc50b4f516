"""`analogwatch explain`: a readable report and a well-formed SVG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from analogwatch.cli import app
from analogwatch.rules import explain as explain_module
from analogwatch.rules.explain import explain_query


@pytest.fixture(autouse=True)
def _small_registry(monkeypatch: pytest.MonkeyPatch, small_registry) -> None:
    # explain resolves queries through the default registry; use the small one so that these tests
    # do not depend on the shipped registry's contents.
    monkeypatch.setattr(explain_module, "default_registry", lambda: small_registry)


def test_explain_writes_svg(tmp_path: Path) -> None:
    out = tmp_path / "benzylfentanyl.svg"
    buf = io.StringIO()
    explain_query("CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1", svg=out, as_of=date(2026, 1, 1),
                  console=Console(file=buf, width=200))
    text = buf.getvalue()
    assert "phenethyl group" in text and "clause 4" in text
    assert "one carbon" in text
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    svg = out.read_text(encoding="utf-8")
    assert "Fentanyl-related substances" in svg and "OUTSIDE" in svg


def test_explain_without_any_core(tmp_path: Path) -> None:
    out = tmp_path / "aspirin.svg"
    buf = io.StringIO()
    explain_query("CC(=O)Oc1ccccc1C(=O)O", svg=out, as_of=date(2026, 1, 1), console=Console(file=buf))
    assert "not in this molecule" in buf.getvalue()
    ET.parse(out)


def test_explain_cli(tmp_path: Path) -> None:
    out = tmp_path / "x.svg"
    res = CliRunner().invoke(app, ["explain", "CCCCCn1cc(C(=O)c2cccc3ccccc23)c2ccccc21", "--svg", str(out),
                                   "--as-of", "2022-01-01"])
    assert res.exit_code == 0, res.output
    assert "general formula (a)" in res.output
    ET.parse(out)
