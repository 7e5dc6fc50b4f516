"""The run's outputs: analogs.csv (one row per analog), summary.json, and a self-contained report.html."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analogwatch.anticipate.pipeline import anticipate
from analogwatch.anticipate.report import write_report
from analogwatch.errors import InputError
from analogwatch.registry import Registry
from tests.anticipate.conftest import FakeChecker

REQUIRED = ["smiles", "inchikey", "depth", "parent", "transformation", "controlled_in", "nearest_controlled",
            "similarity"]


class _Assets(HTMLParser):
    """Collects every attribute that could load something from outside the page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "data") and v is not None:
                self.refs.append(v)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory, mini_registry: Registry) -> Path:
    out = tmp_path_factory.mktemp("anticipate")
    checker = FakeChecker({"US": ["O=CN(c)C1CCN(CCa)CC1"], "CN": ["O=CN(c)C1CCN([#6])CC1"]})
    run = anticipate(["fentanyl"], depth=2, limit=60, as_of=date(2025, 8, 1), registry=mini_registry,
                     checker=checker, drafts=[Path(__file__).parent / "data" / "draft-us-4-arylpiperidines.yaml"])
    assert len(run.screened) == len(run.enumeration.analogs) == 62  # 2 seeds + the limit of 60
    write_report(run, out)
    return out


def test_analogs_csv_has_one_row_per_analog_and_the_contract_columns(run_dir: Path) -> None:
    with (run_dir / "analogs.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 62
    assert set(REQUIRED) <= set(rows[0])
    assert len({r["inchikey"] for r in rows}) == len(rows)
    for r in rows:
        jurs = r["controlled_in"].split(";") if r["controlled_in"] else []
        assert set(jurs) <= {"US", "CN", "UN"}
        assert r["category"] in {"everywhere", "us-cn", "cn-un", "us-un", "cn-only", "us-only", "un-only", "nowhere"}
        assert (r["parent"] == "") == (r["depth"] == "0")
        assert 0.0 <= float(r["similarity"]) <= 1.0
    # the seeds are fentanyl and butyrylfentanyl, both phenethyl fentanyls: US and China
    seeds = [r for r in rows if r["depth"] == "0"]
    assert {r["controlled_in"] for r in seeds} == {"US;CN"}
    assert "draft_draft-us-4-arylpiperidines" in rows[0]


def test_report_html_is_self_contained(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    parser = _Assets()
    parser.feed(html)
    assert parser.refs == [], parser.refs  # no src, href or data attribute: nothing to fetch
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    svgs = re.findall(r"<svg\b", html)
    assert len(svgs) >= 2  # the gap chart and at least one depiction
    assert "<?xml" not in html
    for section in ("Gaps between jurisdictions", "Controlled nowhere", "What-if", "bad definition"):
        assert section in html


def test_summary_json_records_counts_gaps_drafts_and_provenance(run_dir: Path) -> None:
    s = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert s["families"] == ["fentanyl"] and s["truncated"] is True
    assert sum(c["kept"] for c in s["counts"]) == 62
    assert sum(s["gaps"]["counts"].values()) == s["gaps"]["total"] == 60
    assert s["drafts"][0]["bad"] is True and "Loperamide" in [m["name"] for m in s["drafts"][0]["medicines_caught"]]
    for k in ("registry_version", "rules_version", "vocabulary_version", "rdkit_version"):
        assert s["provenance"][k]


def test_bad_options_are_refused(mini_registry: Registry) -> None:
    with pytest.raises(InputError, match="unknown family"):
        anticipate(["fentanil"], registry=mini_registry, checker=FakeChecker({}))
    with pytest.raises(InputError, match="depth"):
        anticipate(["fentanyl"], depth=0, registry=mini_registry, checker=FakeChecker({}))
