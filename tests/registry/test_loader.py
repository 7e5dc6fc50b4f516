"""Loading registry files: merging rows into substances, and failing loudly on malformed rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from analogwatch.errors import RegistryError
from analogwatch.registry import load_registry
from tests.conftest import HEADER, MINI_FILES, write_mini_registry


def test_rows_with_the_same_inchikey_merge_into_one_substance(mini_registry) -> None:  # type: ignore[no-untyped-def]
    sub = mini_registry.by_inchikey["QQOMYEQLWQJRKK-UHFFFAOYSA-N"]
    assert sub.name == "Butyrylfentanyl"
    assert "Butyrfentanyl" in sub.synonyms
    assert sorted(li.list_id for li in sub.listings) == ["cn-nonmedical", "un-1961-i", "us-csa-i"]
    assert all(li.citation and li.effective for li in sub.listings)


def test_lookup_by_name_is_case_and_punctuation_insensitive(mini_registry) -> None:  # type: ignore[no-untyped-def]
    for q in ("fentanyl", "FENTANYL", " Fen-tanyl ", "sublimaze"):
        assert mini_registry.lookup_name(q).name == "Fentanyl"
    assert mini_registry.lookup_cas("437-38-7").name == "Fentanyl"
    assert mini_registry.lookup_name("n phenethyl 4 piperidone").name == "NPP"


def test_registry_version_changes_with_the_data(tmp_path: Path) -> None:
    a = load_registry(write_mini_registry(tmp_path / "a")).version
    files = dict(MINI_FILES)
    files["usl1.csv"] += "8333,Extra,,,,CCO,LFQSCWFLJHTTHZ-UHFFFAOYSA-N,,,,,,,,\n"
    b = load_registry(write_mini_registry(tmp_path / "b", files)).version
    assert a != b


@pytest.mark.parametrize(
    "row,message",
    [
        ("1,X,,,,CCO,,,,,,,,,", "SMILES without InChIKey"),
        ("1,X,,,,,,,,,,,,,", "no_structure reason"),
        ("1,X,,,,CCO,LFQSCWFLJHTTHZ-UHFFFAOYSA-N,,20-01-01,,,,,,", "bad date"),
        ("1,X,,,,CCO,LFQSCWFLJHTTHZ-UHFFFAOYSA-N,,,,,,sometimes,,", "stereo must be"),
        (",,,,,CCO,LFQSCWFLJHTTHZ-UHFFFAOYSA-N,,,,,,,,", "empty name"),
    ],
)
def test_malformed_rows_fail_loudly_naming_the_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    files = dict(MINI_FILES)
    files["usl1.csv"] = HEADER + row + "\n"
    with pytest.raises(RegistryError) as exc:
        load_registry(write_mini_registry(tmp_path / "r", files))
    assert message in str(exc.value)
    assert "usl1.csv:2" in str(exc.value)


def test_unknown_list_and_unknown_column_fail(tmp_path: Path) -> None:
    files = dict(MINI_FILES)
    files["files.yaml"] = "files:\n  - {path: usl1.csv, list: nowhere, citation: x, effective: 2000-01-01}\n"
    with pytest.raises(RegistryError, match="unknown list"):
        load_registry(write_mini_registry(tmp_path / "a", files))
    files = dict(MINI_FILES)
    files["usl1.csv"] = "name,smiles,inchikey,colour\nX,CCO,LFQSCWFLJHTTHZ-UHFFFAOYSA-N,red\n"
    with pytest.raises(RegistryError, match="unknown columns"):
        load_registry(write_mini_registry(tmp_path / "b", files))
