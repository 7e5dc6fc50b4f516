"""Readers: one Record per input record, in order, for every input kind; bad records are rows."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analogwatch.errors import InputError
from analogwatch.screen.readers import read_records


def test_smi_with_and_without_ids_and_empty_lines(tmp_path: Path) -> None:
    p = tmp_path / "a.smi"
    p.write_text("CCO ethanol\n\nc1ccccc1\n   \nCCN amine extra words\n", encoding="utf-8")
    recs = list(read_records(p))
    assert [(r.id, r.text, r.error) for r in recs] == [
        ("ethanol", "CCO", None), ("2", "", "empty line"), ("3", "c1ccccc1", None), ("4", "", "empty line"),
        ("amine extra words", "CCN", None),
    ]


def test_gzip_input(tmp_path: Path) -> None:
    p = tmp_path / "a.smi.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("CCO a\nCCC b\n")
    assert [r.id for r in read_records(p)] == ["a", "b"]


def test_csv_column_detection_and_missing_fields(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text('id,SMILES,note\nx1,CCO,"multi\nline"\nx2\nx3,,empty\n', encoding="utf-8")
    recs = list(read_records(p))
    assert [r.id for r in recs] == ["x1", "x2", "x3"]
    assert recs[0].text == "CCO" and recs[0].error is None
    assert recs[1].error and "missing" in recs[1].error
    assert recs[2].error == "empty structure field"


def test_csv_named_columns_and_missing_column_error(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("code,structure_text\nk1,CCO\n", encoding="utf-8")
    recs = list(read_records(p, smiles_column="structure_text", id_column="code"))
    assert (recs[0].id, recs[0].text) == ("k1", "CCO")
    with pytest.raises(InputError, match="not found"):
        list(read_records(p, smiles_column="smiles"))
    with pytest.raises(InputError, match="no structure column"):
        list(read_records(p))


def test_sdf_records_and_broken_record(tmp_path: Path) -> None:
    from rdkit import Chem

    block = Chem.MolToMolBlock(Chem.MolFromSmiles("CCO"))
    p = tmp_path / "a.sdf"
    p.write_text("first" + block[block.index("\n"):] + "$$$$\nbroken\nno end\n$$$$\n", encoding="utf-8")
    recs = list(read_records(p))
    assert [r.id for r in recs] == ["first", "broken"]
    assert recs[0].error is None and recs[1].error


def test_txt_names_and_parquet(tmp_path: Path) -> None:
    p = tmp_path / "names.txt"
    p.write_text("fentanyl\n\n437-38-7\n", encoding="utf-8")
    assert [r.text for r in read_records(p)] == ["fentanyl", "", "437-38-7"]
    q = tmp_path / "a.parquet"
    pq.write_table(pa.table({"smiles": ["CCO", None, "C"], "id": ["a", "b", "c"]}), q)
    recs = list(read_records(q))
    assert [(r.id, r.error) for r in recs] == [("a", None), ("b", "empty structure field"), ("c", None)]


def test_binary_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "a.smi"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary"):
        list(read_records(p))


_line = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(_line, max_size=30))
def test_rows_in_equal_records_out_for_smi(tmp_path_factory, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path_factory.mktemp("h") / "x.smi"
    p.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    assert len(list(read_records(p))) == len(lines)
