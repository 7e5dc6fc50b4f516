"""Screening a file: rows out == rows in, in order, in every output format."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from analogwatch.checker import Checker
from analogwatch.screen import screen_file

INPUT = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1 f1\n\nnot_smiles( bad\nCCO ethanol\n" + "C" * 400 + " huge\n"


def _checker(reg) -> Checker:  # type: ignore[no-untyped-def]
    return Checker(reg, class_evaluators=[], analogue_flagger=None, use_opsin=False)


def test_every_format_keeps_rows_in_order_with_reasons(tmp_path: Path, mini_registry) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.smi"
    src.write_text(INPUT, encoding="utf-8")
    checker = _checker(mini_registry)
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"out.{fmt}"
        summary = screen_file(src, out, checker=checker, as_of=date(2025, 1, 1))
        assert (summary.total, summary.invalid, summary.controlled) == (5, 3, 1)
        if fmt == "csv":
            rows = list(csv.DictReader(open(out, encoding="utf-8")))
        elif fmt == "jsonl":
            rows = [json.loads(line) for line in open(out, encoding="utf-8")]
        else:
            table = pq.read_table(out)
            rows = table.to_pylist()
            meta = table.schema.metadata
            assert meta[b"analogwatch.registry_version"].decode() == mini_registry.version
            assert b"analogwatch.rdkit_version" in meta
        assert [r["id"] for r in rows] == ["f1", "2", "bad", "ethanol", "huge"]
        assert [r["status"] for r in rows] == ["ok", "invalid", "invalid", "ok", "invalid"]
        assert "heavy atoms" in rows[4]["error"] and rows[1]["error"] == "empty line"
        assert rows[0]["registry_version"] == mini_registry.version
        if fmt == "jsonl":
            assert rows[0]["verdicts"]["US"]["controlled"] is True
        else:
            assert rows[0]["US_controlled"] == "true" and rows[0]["US_schedule"] == "Schedule II"


_records = st.lists(
    st.one_of(
        st.sampled_from(["CCO", "c1ccccc1", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "C1CC", "", "[Xx]", "Cl.CCN"]),
        st.text(alphabet="CNOc1()=#[]+-@ ", max_size=12),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(_records)
def test_rows_out_equal_rows_in_property(tmp_path_factory, mini_registry, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("p")
    src = d / "in.txt"
    src.write_text("".join(line.replace("\n", " ") + "\n" for line in lines), encoding="utf-8")
    out = d / "out.jsonl"
    summary = screen_file(src, out, checker=_checker(mini_registry), as_of=date(2025, 1, 1))
    rows = [json.loads(line) for line in open(out, encoding="utf-8")]
    assert len(rows) == summary.total == len(lines)
    assert [r["id"] for r in rows] == [str(i) for i in range(1, len(lines) + 1)]
    assert all(r["status"] in ("ok", "invalid") and (r["status"] == "ok") == (r["error"] is None) for r in rows)
