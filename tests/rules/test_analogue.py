"""The Federal Analogue Act flag is evidence only: it never makes a verdict 'controlled'."""

from __future__ import annotations

from datetime import date

from analogwatch.checker import Checker
from analogwatch.rules.analogue import THRESHOLD

DAY = date(2026, 1, 1)


def test_flag_never_controls(checker: Checker) -> None:
    # Benzylfentanyl: outside the US class and not listed in the small registry, but close to fentanyl.
    res = checker.check("CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1", as_of=DAY)
    us = res.verdicts["US"]
    assert us.controlled is False and us.basis == "none"
    assert us.possible_analogue_of, "expected a possible-analogue flag"
    for flag in us.possible_analogue_of:
        assert flag.similarity >= THRESHOLD == flag.threshold
        assert flag.schedule in ("Schedule I", "Schedule II")
        assert "Tanimoto" in flag.measure
        assert flag.mcs_fraction is None or 0.5 <= flag.mcs_fraction <= 1.0


def test_dissimilar_molecule_not_flagged(checker: Checker) -> None:
    us = checker.check("CC(=O)Oc1ccccc1C(=O)O", as_of=DAY).verdicts["US"]
    assert not us.controlled and us.possible_analogue_of == []


def test_controlled_molecule_gets_no_flag(checker: Checker) -> None:
    us = checker.check("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", as_of=DAY).verdicts["US"]
    assert us.controlled and us.possible_analogue_of == []
