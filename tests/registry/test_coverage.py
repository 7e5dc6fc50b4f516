"""Coverage the registry must reach, taken from the primary texts summarised in
../shared/reference/LEGAL-DEFINITIONS.md: (name, jurisdiction, basis, year control began)."""

from __future__ import annotations

from datetime import date

import pytest

from analogwatch.checker import Checker
from analogwatch.registry import default_registry

REG = default_registry()
CHECKER = Checker(REG, class_evaluators=[], analogue_flagger=None, use_opsin=False)
TODAY = date(2026, 1, 1)

# UN: CND decisions as listed in LEGAL-DEFINITIONS.md (year of the vote; entry into force follows
# later in the same year).
UN_EXPECTED = [
    ("Acetylfentanyl", 2016), ("MT-45", 2016), ("U-47700", 2017), ("Butyrfentanyl", 2017),
    ("NPP", 2017), ("4-ANPP", 2017), ("Carfentanil", 2018), ("Ocfentanil", 2018),
    ("Furanylfentanyl", 2018), ("Acrylfentanyl", 2018), ("4-Fluoroisobutyrylfentanyl", 2018),
    ("Tetrahydrofuranylfentanyl", 2018), ("Cyclopropylfentanyl", 2019), ("Methoxyacetylfentanyl", 2019),
    ("Valerylfentanyl", 2020), ("Isotonitazene", 2021), ("Brorphine", 2022), ("Metonitazene", 2022),
    ("Protonitazene", 2023), ("Etodesnitazene", 2023), ("Etonitazepyne", 2023), ("4-AP", 2022),
    ("1-boc-4-AP", 2022), ("Norfentanyl", 2022),
]


@pytest.mark.parametrize("name,year", UN_EXPECTED)
def test_un_additions_with_their_year(name: str, year: int) -> None:
    sub = REG.lookup_name(name)
    assert sub is not None, f"{name} is missing from the registry"
    un = [li for li in sub.listings if li.jurisdiction == "UN"]
    assert un, f"{name} has no UN listing"
    assert min(li.effective for li in un).year == year, [(li.list_id, li.effective) for li in un]


def test_ketamine_is_not_under_international_control() -> None:
    res = CHECKER.check("ketamine", as_of=TODAY)
    assert res.status == "ok"
    assert res.verdicts["UN"].controlled is False
    assert res.verdicts["US"].controlled and res.verdicts["CN"].controlled


@pytest.mark.parametrize(
    "name,basis,schedule_word",
    [
        ("Fentanyl", "listed", "Schedule II"), ("Carfentanil", "listed", "Schedule II"),
        ("Sufentanil", "listed", "Schedule II"), ("Alfentanil", "listed", "Schedule II"),
        ("Remifentanil", "listed", "Schedule II"), ("Acetylfentanyl", "listed", "Schedule I"),
        ("Etonitazene", "listed", "Schedule I"), ("Clonitazene", "listed", "Schedule I"),
        ("Isotonitazene", "listed", "Schedule I"), ("Heroin", "listed", "Schedule I"),
        ("Norfentanyl", "precursor", "immediate precursor"), ("4-ANPP", "precursor", "immediate precursor"),
        ("NPP", "precursor", "List I"), ("Benzylfentanyl", "precursor", "List I"),
        ("4-AP", "precursor", "List I"), ("Tramadol", "listed", "Schedule IV"),
    ],
)
def test_us_status(name: str, basis: str, schedule_word: str) -> None:
    v = CHECKER.check(name, as_of=TODAY).verdicts["US"]
    assert v.controlled and v.basis == basis, v
    assert schedule_word in (v.schedule or ""), v.schedule


def test_us_precursor_dates() -> None:
    assert CHECKER.check("norfentanyl", as_of=date(2020, 5, 17)).verdicts["US"].controlled is False
    assert CHECKER.check("norfentanyl", as_of=date(2020, 5, 18)).verdicts["US"].controlled is True
    assert CHECKER.check("4-AP", as_of=date(2020, 5, 14)).verdicts["US"].controlled is False
    assert CHECKER.check("4-AP", as_of=date(2020, 5, 15)).verdicts["US"].controlled is True


def test_dextromethorphan_is_not_a_us_controlled_substance() -> None:
    res = CHECKER.check("COc1ccc2c(c1)[C@]13CCCC[C@@H]1[C@H](C2)N(C)CC3", as_of=TODAY)
    assert res.verdicts["US"].controlled is False, res.verdicts["US"]


@pytest.mark.parametrize(
    "name,effective",
    [("Carfentanil", date(2017, 3, 1)), ("U-47700", date(2017, 7, 1)), ("MT-45", date(2017, 7, 1)),
     ("Brorphine", date(2024, 7, 1))],
)
def test_cn_supplementary_dates(name: str, effective: date) -> None:
    sub = REG.lookup_name(name)
    assert sub is not None
    cn = [li for li in sub.listings if li.jurisdiction == "CN"]
    assert cn and min(li.effective for li in cn) == effective


def test_every_list_is_populated() -> None:
    counts = {lid: 0 for lid in REG.lists}
    for s in REG.substances:
        for li in s.listings:
            counts[li.list_id] += 1
    empty = [lid for lid, n in counts.items() if n == 0]
    assert not empty, empty


def test_stereo_less_query_for_fully_listed_stereoisomers_is_definite() -> None:
    # Alphaprodine (US Schedule II) and betaprodine (Schedule I) are each listed as drawn; a prodine
    # drawn without stereo is one of them, so it is controlled either way, and the schedule depends
    # on the isomer.
    us = CHECKER.check("CCC(=O)OC1(c2ccccc2)CCN(C)CC1C", as_of=TODAY).verdicts["US"]
    assert us.controlled and us.certainty == "definite"
    assert {m.substance for m in us.matches} >= {"Alphaprodine", "Betaprodine"}
    assert "depends on the isomer" in us.explanation


def test_stereo_specific_listing_does_not_cover_its_mirror_image_query() -> None:
    # Levorphanol is listed as drawn (US Schedule II); dextrorphan, its mirror image, is excepted.
    levo = REG.lookup_name("Levorphanol")
    assert levo is not None and levo.smiles
    mirror = levo.smiles.replace("@@", "!").replace("@", "@@").replace("!", "@")
    res = CHECKER.check(mirror, as_of=TODAY)
    assert res.inchikey != levo.inchikey
    assert not any(m.substance == "Levorphanol" for m in res.verdicts["US"].matches)
