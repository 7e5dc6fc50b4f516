import pytest
from hypothesis import given
from hypothesis import strategies as st

from analogwatch.markets.quantities import Quantity, parse_quantity


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("X50 OXYCODONE 30MG", {}, Quantity(1500, 50, 30)),
        ("500G", {}, Quantity(500_000, None, None)),
        ("250ug LSD", {}, Quantity(None, None, 0.25)),
        ("25x 100ug 1P-LSD", {}, Quantity(2.5, 25, 0.1)),
        ("Xanax 2mg x 100", {}, Quantity(200, 100, 2)),
        ("Tramadol 10x100mg", {}, Quantity(1000, 10, 100)),
        ("1/2 oz OG Kush", {}, Quantity(14174.8, None, None)),
        ("1 oz (28 g)", {}, Quantity(28_000, None, None)),
        ("QP of Blue Dream", {}, Quantity(113_398, None, None)),
        ("an 8th of OG", {}, Quantity(3500, None, None)),
        ("3,5g Amnesia", {}, Quantity(3500, None, None)),
        ("MDMA 84% 1g", {}, Quantity(1000, None, None)),
        ("Testosterone Enanthate 250mg/ml 10ml", {}, Quantity(2500, None, None)),
        ("50x yellow Bitcoin 200-220mg MDMA", {}, Quantity(10_000, 50, 200)),
        ("Suboxone 8/2mg strips", {}, Quantity(None, None, 8)),
        ("zopiclone-7-5mg-500-pills-400-usd", {}, Quantity(3750, 500, 7.5)),
        ("0.5g - Salvia Divinorum 10x Extract", {}, Quantity(500, None, None)),
        ("JWH-307 x 100 grams", {}, Quantity(100_000, None, None)),
        ("AK-47 CANNABIS (1/2 POUND)", {}, Quantity(226_796, None, None)),
        ("Oxycodone 30mg", {"dosage_form": True}, Quantity(None, None, 30)),
        ("Oxycodone 30mg", {}, Quantity(30, None, None)),
        ("M30 x 100", {"unit_dose_hint_mg": 30}, Quantity(3000, 100, 30)),
        ("50 Xanax 2mg", {"name_starts": (3,), "dosage_form": True}, Quantity(100, 50, 2)),
        ("10 regular seeds - Skunk", {}, Quantity(None, 10, None)),
        ("", {}, Quantity()),
    ],
)
def test_quantities(text, kwargs, expected):
    got = parse_quantity(text, **kwargs)
    for field in ("total_mass_mg", "unit_count", "unit_dose_mg"):
        want, have = getattr(expected, field), getattr(got, field)
        if want is None:
            assert have is None, (text, field, have)
        else:
            assert have == pytest.approx(want, rel=1e-4), (text, field, have)


@given(st.text(max_size=80))
def test_any_text_gives_a_quantity(text):
    q = parse_quantity(text)
    assert q.total_mass_mg is None or q.total_mass_mg > 0
    assert q.unit_count is None or q.unit_count > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bensedine 10mg (Valium) galenika - 50 st", Quantity(500, 50, 10)),  # Stück
        ('XTC, MDMA-pills: "Apple" 200mg - 10 stycken', Quantity(2000, 10, 200)),
        ("Moroccan Pollen Hash Coins - 3gr/coin", Quantity(None, None, 3000)),  # a mass per unit
        ("5 Biddy Early Cannabis seeds", Quantity(None, 5, None)),
        ("(10) Blue Mac Reboots Ecstasy Pills (180mg, MDMA)", Quantity(1800, 10, 180)),
        ("25 GREEN REDBULL 180MG XTC PILLS", Quantity(4500, 25, 180)),  # a leading number and a dose
        ("1 30mg Roxy oxycodone", Quantity(30, 1, 30)),
        ("Suboxone 8mg Strip x 1 strip", Quantity(8, 1, 8)),  # the 8 of "8mg" is no count
        ("1/2G TOP QUALITY #3 BROWN HEROIN", Quantity(500, None, None)),  # "#3" is a grade
        ("20 DIFF MARIJUANA STRAINS AVAILABLE", Quantity(None, None, None)),  # a variety
        ("(1)Gram Cocaine Fish Scale $80*", Quantity(1000, None, None)),  # "$80*" is a price
        ("1 x Fentanyl Transdermal Patch 100mcg/h", Quantity(None, 1, None)),  # a rate
        ("0,5 DMT Crystals", Quantity(500, None, None)),  # a fraction opening a title: grams
        (".2 crack better", Quantity(200, None, None)),
        ("One tab WOW fluff blotter 130 ug", Quantity(0.13, 1, 0.13)),  # a number in words
        ("One sheet (25x) 210ug LSD Blotters", Quantity(5.25, 25, 0.21)),  # figures win over words
        ("PENTEDRONE free SAMPLES 0.5-1.0 gram", Quantity(500, None, None)),  # a range: the first
        ("Halcion 10 Pills = 2.5MG", Quantity(2.5, 10, 0.25)),  # "=": the whole amount
        ("Party Pack, 4 strains, 1/8th each", Quantity(3500, None, None)),
    ],
)
def test_general_quantity_rules(text, expected):
    got = parse_quantity(text)
    for field in ("total_mass_mg", "unit_count", "unit_dose_mg"):
        want, have = getattr(expected, field), getattr(got, field)
        assert (want is None and have is None) or (want is not None and have is not None
                                                    and abs(want - have) <= 1e-3 * max(want, 1e-9)), (text, got)
