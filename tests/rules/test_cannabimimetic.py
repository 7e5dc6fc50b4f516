"""The US cannabimimetic-agents class: the structure alone never makes a reading definite, and the
substances the Act names stay reported under their own listing."""

from __future__ import annotations

from datetime import date

import pytest
from rdkit import Chem

from analogwatch.checker import Checker
from analogwatch.registry import default_registry
from analogwatch.rules import load_definitions

DEF = next(d for d in load_definitions() if d.id == "us-cannabimimetic-agents")
DAY = date(2026, 1, 1)
JWH_018 = "CCCCCn1cc(C(=O)c2cccc3ccccc23)c2ccccc21"
#: JWH-020, the N-heptyl homologue of JWH-018: named nowhere in the US lists
N_HEPTYL = "CCCCCCCn1cc(C(=O)c2cccc3ccccc23)c2ccccc21"


def test_every_required_group_carries_the_cb1_element() -> None:
    # Each class needs a group (the N-substituent, the 5- or 3-position group); every covered
    # reading passes through one of these rules, so each must be interpretive, for the CB1 reason.
    for sc in DEF.spec.scaffolds:
        rules = [rule for reg in sc.regions.values() for rule in reg.group]
        assert rules, sc.id
        for rule in rules:
            assert rule.certainty == "interpretive", sc.id
            assert rule.reason and "CB1" in rule.reason, sc.id


def test_no_worked_example_is_definite() -> None:
    covered = [ex for ex in DEF.spec.examples if ex.covered]
    assert covered
    assert all(ex.certainty == "interpretive" for ex in covered)


@pytest.fixture(scope="module")
def full_checker() -> Checker:
    return Checker(default_registry(), use_opsin=False)


def test_named_substance_stays_listed(full_checker: Checker) -> None:
    verdict = full_checker.check(JWH_018, as_of=DAY).verdicts["US"]
    assert verdict.controlled and verdict.basis == "listed" and verdict.certainty == "definite"
    assert verdict.substance == "JWH-018"
    assert not [m for m in verdict.matches if (m.rule_id or "").startswith(DEF.id)]


def test_unlisted_homologue_is_covered_by_the_class(full_checker: Checker) -> None:
    connectivity = Chem.MolToInchiKey(Chem.MolFromSmiles(N_HEPTYL)).split("-")[0]
    assert not full_checker.registry.by_connectivity.get(connectivity)
    verdict = full_checker.check(N_HEPTYL, as_of=DAY).verdicts["US"]
    assert verdict.controlled and verdict.basis == "class"
    assert verdict.rule_id == "us-cannabimimetic-agents:(ii)"
    assert verdict.certainty == "interpretive"
    assert "structural class (ii)" in verdict.explanation
    assert "CB1 receptor agonism" in verdict.explanation
    assert verdict.effective == date(2012, 7, 9)


def test_not_before_the_act(full_checker: Checker) -> None:
    verdict = full_checker.check(N_HEPTYL, as_of=date(2012, 7, 8)).verdicts["US"]
    assert not verdict.controlled
    assert "only from 2012-07-09" in verdict.explanation
