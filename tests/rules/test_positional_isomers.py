"""Positional isomers of the US Schedule I hallucinogens (21 CFR 1300.01(b)): the worked examples of
the data file, the dates, and what the test must never catch."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from analogwatch.anticipate.reference import shipped_medicines
from analogwatch.checker import Checker
from analogwatch.chem.parse import mol_from_smiles
from analogwatch.chem.standardize import standardize
from analogwatch.registry import default_registry
from analogwatch.rules.positional import PositionalIsomerEvaluator, _in_paragraph_d_since, isomer_file

DAY = date(2026, 1, 1)
SPEC = yaml.safe_load(isomer_file().read_text(encoding="utf-8"))
RULE = SPEC["id"]


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(default_registry(), use_opsin=False)


@pytest.fixture(scope="module")
def evaluator(checker: Checker) -> PositionalIsomerEvaluator:
    return next(ev for ev in checker.class_evaluators if isinstance(ev, PositionalIsomerEvaluator))


def _isomer_matches(checker: Checker, smiles: str, when: date = DAY) -> list:  # type: ignore[type-arg]
    us = checker.check(smiles, as_of=when).verdicts["US"]
    return [m for m in us.matches if (m.rule_id or "").startswith(RULE + ":")]


@pytest.mark.parametrize("example", SPEC["examples"], ids=[e["name"] for e in SPEC["examples"]])
def test_worked_examples(checker: Checker, example: dict) -> None:  # type: ignore[type-arg]
    found = _isomer_matches(checker, example["smiles"])
    if example["isomer_of"] is None:
        assert found == []
        return
    expected = example["isomer_of"] if isinstance(example["isomer_of"], list) else [example["isomer_of"]]
    assert sorted(m.substance for m in found) == sorted(expected)
    us = checker.check(example["smiles"], as_of=DAY).verdicts["US"]
    assert us.controlled and us.basis == "listed" and us.substance in expected
    assert us.certainty == "interpretive"
    assert "1300.01" in (us.citation or "") and "1308.11(d)" in (us.citation or "")
    assert "positional isomer of " + str(us.substance) in us.explanation


def test_a_positional_isomer_is_controlled_from_its_hallucinogens_entry_into_paragraph_d(checker: Checker) -> None:
    three_mmc = "CNC(C)C(=O)c1cccc(C)c1"
    # Mephedrone was temporarily controlled from 21 Oct 2011 (paragraph (h): optical isomers only)
    # and placed in paragraph (d) by the Act of 9 Jul 2012.
    assert _isomer_matches(checker, three_mmc, date(2012, 1, 1)) == []
    assert not checker.check(three_mmc, as_of=date(2012, 1, 1)).verdicts["US"].controlled
    assert [m.effective for m in _isomer_matches(checker, three_mmc, date(2012, 7, 9))] == [date(2012, 7, 9)]


def test_dates_of_entry_into_paragraph_d() -> None:
    assert _in_paragraph_d_since("21 CFR 1308.11(d); 60 FR 28718 (2 Jun 1995)", date(1995, 6, 2), None) == date(
        1995, 6, 2
    )
    cited = "21 CFR 1308.11(d); 79 FR 12938 (temporary order, 7 Mar 2014); 82 FR 12171 (permanent, 1 Mar 2017)"
    assert _in_paragraph_d_since(cited, date(2014, 3, 7), None) == date(2017, 3, 1)
    # Only a temporary order recorded: the listing's own date is all there is.
    assert _in_paragraph_d_since("21 CFR 1308.11(d); 50 FR 23118 (temporary order, 1 Jul 1985)",
                                 date(1985, 7, 1), None) == date(1985, 7, 1)
    assert _in_paragraph_d_since("x", date(2012, 7, 9), "19 Feb 2026") == date(2026, 2, 19)


def test_no_us_registry_structure_is_read_as_an_isomer_of_another(evaluator: PositionalIsomerEvaluator) -> None:
    # A structure with its own US listing is reported under it; the test never relabels it.
    reg = default_registry()
    for sub in reg.substances:
        if sub.smiles and any(lst.jurisdiction == "US" for lst in sub.listings):
            assert evaluator.evaluate(standardize(mol_from_smiles(sub.smiles)), DAY) == [], sub.name


def test_no_reference_medicine_is_read_as_a_positional_isomer(checker: Checker) -> None:
    for med in shipped_medicines():
        assert _isomer_matches(checker, med.smiles) == [], med.name


def test_the_scope_is_paragraph_d(evaluator: PositionalIsomerEvaluator) -> None:
    in_scope = {h.substance.name for hs in evaluator._by_formula.values() for h in hs}
    assert {"Mephedrone", "2C-B", "MDMA", "Psilocine"} <= in_scope
    # Fentanyl-related substances sit in paragraph (b) (opiates): no positional-isomer reading.
    assert "Acetylfentanyl" not in in_scope


def test_the_evaluator_survives_pickling_as_workers_receive_it(evaluator: PositionalIsomerEvaluator) -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(evaluator))
    std = standardize(mol_from_smiles("CNC(C)C(=O)c1cccc(C)c1"))
    assert [m.substance for _, m in copy.evaluate(std, DAY)] == ["Mephedrone"]
    assert copy.evaluate(std, DAY) == evaluator.evaluate(std, DAY)
