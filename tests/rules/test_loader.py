"""A malformed definition file stops loading with a RuleError naming the file and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analogwatch.errors import RuleError
from analogwatch.rules import load_definitions
from analogwatch.rules.evaluator import definitions_dir

US_FILE = definitions_dir() / "us-fentanyl-related-substances.yaml"


def _write(tmp_path: Path, data: object, name: str = "broken.yaml") -> Path:
    (tmp_path / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return tmp_path


def _us() -> dict:
    return yaml.safe_load(US_FILE.read_text(encoding="utf-8"))


def _fails(tmp_path: Path, data: object, *fragments: str) -> None:
    with pytest.raises(RuleError) as err:
        load_definitions(_write(tmp_path, data))
    msg = str(err.value)
    assert "broken.yaml" in msg
    for f in fragments:
        assert f in msg, msg


def test_shipped_files_load() -> None:
    ids = {d.id for d in load_definitions()}
    assert ids == {"us-frs", "us-cannabimimetic-agents", "cn-fentanyl-2019", "cn-synthetic-cannabinoids-2021",
                   "cn-nitazenes-2025"}


def test_not_yaml(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleError, match="broken.yaml: not valid YAML"):
        load_definitions(tmp_path)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no definition files"):
        load_definitions(tmp_path)


def test_unknown_field(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["regions"]["acyl"]["colour"] = "red"
    _fails(tmp_path, data, "rule us-frs", "colour")


def test_bad_smarts(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["core"] = "[#6:1](=[#8:2]"
    _fails(tmp_path, data, "rule us-frs", "scaffold fentanyl", "core SMARTS does not parse")


def test_unknown_kind(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["regions"]["piperidine"]["substituents"][0]["is"] = ["alkyl", "sulfonyl"]
    _fails(tmp_path, data, "rule us-frs", "unknown kind 'sulfonyl'")


def test_unknown_vocabulary(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["regions"]["piperidine"]["substituents"][0]["is"] = ["$nope"]
    _fails(tmp_path, data, "rule us-frs", "unknown vocabulary")


def test_region_names_missing_core_atom(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["regions"]["piperidine"]["atoms"] = [4, 5, 6, 7, 8, 99]
    _fails(tmp_path, data, "region piperidine", "no atom with map number 99")


def test_core_atom_without_region(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["regions"]["amide_nitrogen"]["atoms"] = []
    _fails(tmp_path, data, "belong to no region")


def test_unknown_clause(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["regions"]["piperidine"]["substituents"][0]["clause"] = "(Z)"
    _fails(tmp_path, data, "region piperidine", "unknown clause '(Z)'")


def test_interpretive_rule_needs_reason(tmp_path: Path) -> None:
    data = _us()
    rule = data["scaffolds"][0]["regions"]["acyl"]["group"][3]
    del rule["reason"]
    _fails(tmp_path, data, "rule us-frs", "needs a reason")


def test_parent_regions_must_agree_with_the_core(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["regions"]["acyl"]["parent_atoms"] = [1, 2, 21]
    _fails(tmp_path, data, "region acyl", "parent atoms")


def test_core_must_match_parent(tmp_path: Path) -> None:
    data = _us()
    data["scaffolds"][0]["parent"]["smiles"] = "c1ccccc1"
    _fails(tmp_path, data, "does not match the parent")


def test_example_smiles_must_parse(tmp_path: Path) -> None:
    data = _us()
    data["examples"][0]["smiles"] = "C1CC"
    _fails(tmp_path, data, "example 'fentanyl'", "does not parse")


def test_clause_names_unknown_instrument(tmp_path: Path) -> None:
    data = _us()
    data["clauses"]["(A)"]["instruments"] = ["no-such-act"]
    _fails(tmp_path, data, "clause (A)", "no-such-act")


def test_duplicate_ids(tmp_path: Path) -> None:
    data = _us()
    _write(tmp_path, data, "a.yaml")
    _write(tmp_path, data, "b.yaml")
    with pytest.raises(RuleError, match="b.yaml: rule us-frs: the same id"):
        load_definitions(tmp_path)
