"""The Checker's decisions on a small registry: listings, precursors, dates, stereo and salts."""

from __future__ import annotations

from datetime import date

import pytest

from analogwatch.checker import Checker
from analogwatch.registry import Registry

FENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
BUTYRYL = "CCCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
LEVOMETHORPHAN = "COc1ccc2c(c1)[C@@]13CCCC[C@H]1[C@@H](C2)N(C)CC3"
DEXTROMETHORPHAN = "COc1ccc2c(c1)[C@]13CCCC[C@@H]1[C@H](C2)N(C)CC3"
TODAY = date(2025, 12, 1)


@pytest.fixture
def checker(mini_registry: Registry) -> Checker:
    return Checker(mini_registry, class_evaluators=[], analogue_flagger=None, use_opsin=False)


def test_listed_substance_reports_schedule_citation_and_date(checker: Checker) -> None:
    res = checker.check(FENTANYL, as_of=TODAY)
    us = res.verdicts["US"]
    assert res.status == "ok"
    assert (us.controlled, us.basis, us.schedule, us.substance) == (True, "listed", "Schedule II", "Fentanyl")
    assert us.citation == "21 CFR 1308.12(c)(9)"
    assert us.effective == date(1971, 5, 1)
    assert res.verdicts["UN"].controlled is False and res.verdicts["UN"].basis == "none"


def test_precursor_listing_is_controlled_with_basis_precursor(checker: Checker) -> None:
    us = checker.check("O=C1CCN(CCc2ccccc2)CC1", as_of=TODAY).verdicts["US"]
    assert (us.controlled, us.basis, us.schedule) == (True, "precursor", "List I chemical")


def test_as_of_before_listing_is_not_controlled_and_says_when(checker: Checker) -> None:
    before = checker.check(BUTYRYL, as_of=date(2016, 5, 11)).verdicts["US"]
    after = checker.check(BUTYRYL, as_of=date(2016, 5, 12)).verdicts["US"]
    assert before.controlled is False
    assert "2016-05-12" in before.explanation
    assert after.controlled is True and after.effective == date(2016, 5, 12)


def test_removed_listing_is_not_controlled_after_its_end(checker: Checker) -> None:
    assert checker.check("OCCCCCCCCCO", as_of=date(2009, 1, 1)).verdicts["US"].controlled is True
    after = checker.check("OCCCCCCCCCO", as_of=date(2011, 1, 1)).verdicts["US"]
    assert after.controlled is False
    assert "removed" in after.explanation and "75 FR 37300" in after.explanation


def test_unmodelled_earlier_history_is_reported_as_interpretive(checker: Checker) -> None:
    cn = checker.check(FENTANYL, as_of=date(2010, 1, 1)).verdicts["CN"]
    assert cn.controlled is False
    assert cn.certainty == "interpretive"
    assert "Earlier editions" in cn.explanation


def test_salts_and_hydrates_match_their_parent(checker: Checker) -> None:
    citrate = FENTANYL + ".OC(=O)CC(O)(CC(O)=O)C(O)=O"
    hcl_hydrate = "[H+].[Cl-].O." + FENTANYL
    for q in (citrate, hcl_hydrate, "CCC(=O)N(c1ccccc1)C1CC[NH+](CCc2ccccc2)CC1.[Cl-]"):
        res = checker.check(q, as_of=TODAY)
        assert res.smiles == FENTANYL, q
        assert res.verdicts["US"].controlled and "Counter-ions" in res.verdicts["US"].explanation


def test_stereo_specific_listing(checker: Checker) -> None:
    levo = checker.check(LEVOMETHORPHAN, as_of=TODAY).verdicts["US"]
    dextro = checker.check(DEXTROMETHORPHAN, as_of=TODAY).verdicts["US"]
    flat = checker.check("COc1ccc2c(c1)C13CCCCC1C(C2)N(C)CC3", as_of=TODAY).verdicts["US"]
    assert levo.controlled and levo.certainty == "definite"
    assert dextro.controlled is False
    assert flat.controlled and flat.certainty == "interpretive"


def test_stereoisomers_of_a_non_specific_listing_match(checker: Checker) -> None:
    # A listing without stereo covers every stereoisomer: an isotope-free, chiral-labelled analogue
    # of butyrylfentanyl with a (made-up) stereocentre on the piperidine still matches the connectivity.
    res = checker.check("CCCC(=O)N(c1ccccc1)[C@H]1CCN(CCc2ccccc2)CC1", as_of=TODAY)
    assert res.verdicts["US"].controlled


def test_several_jurisdictions_and_merged_names(checker: Checker, mini_registry: Registry) -> None:
    res = checker.check("butyrfentanyl", as_of=TODAY)
    assert {j for j, v in res.verdicts.items() if v.controlled} == {"US", "CN", "UN"}
    sub = mini_registry.lookup_name("Butyrfentanyl")
    assert sub is not None and sub.name == "Butyrylfentanyl"
    assert {li.jurisdiction for li in sub.listings} == {"US", "CN", "UN"}


def test_no_structure_substance_by_name(checker: Checker) -> None:
    res = checker.check("opium", as_of=TODAY)
    assert res.status == "ok" and res.smiles is None
    assert res.verdicts["US"].controlled and "no defined chemical structure" in res.verdicts["US"].explanation


def test_strongest_ground_is_reported_first(checker: Checker) -> None:
    # Fentanyl is listed in the US once; in CN once; the verdict carries every match.
    res = checker.check(FENTANYL, as_of=TODAY)
    assert len(res.verdicts["CN"].matches) == 1


@pytest.mark.parametrize(
    "query,reason",
    [
        ("", "empty"),
        ("C1CC", "SMILES"),
        ("qwertyuiop", "known name"),
        ("50-00-0", "not in the registry"),
        ("50-00-1", "check digit"),
        ("C" * 400, "heavy atoms"),
        ("abc\x00def", "binary"),
    ],
)
def test_bad_queries_give_invalid_results_with_reasons(checker: Checker, query: str, reason: str) -> None:
    res = checker.check(query, as_of=TODAY)
    assert res.status == "invalid"
    assert res.error and reason in res.error
    assert res.verdicts == {}
