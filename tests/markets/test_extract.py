"""Extraction of one listing: substances with verdicts, quantity, price, places."""

from datetime import date
from pathlib import Path

import pytest

from analogwatch.markets.extract import Extractor
from analogwatch.markets.model import RawListing
from analogwatch.markets.rates import RateTable


def listing(extractor, title, **values):
    values.setdefault("date", "2020-01-01")
    return extractor.listing(RawListing(row=0, source="t", market="m", values={"title": title, **values}))


@pytest.mark.parametrize(
    ("title", "category", "names"),
    [
        ("X50 OXYCODONE 30MG", "Drugs/Opioids", ["Oxycodone"]),
        ("Xanax 2mg x 10", "", ["Alprazolam"]),
        ("Subutex 8mg", "", ["Buprenorphine"]),
        ("Contramal 100mg", "", ["Tramadol"]),
        ("Tilidin 50/4", "", ["Tilidine"]),
        ("1g 4-FIBF", "", ["4-Fluoroisobutyrylfentanyl"]),
        ("U4 10 grams", "", ["U-47700"]),
        ("iso 1g powder", "", ["Isotonitazene"]),
        ("proto 5g", "", ["Protonitazene"]),
        ("M30 x 100", "", ["Oxycodone"]),
        ("BTH 1g", "", ["Heroin"]),
        ("10 regular seeds - Skunk Kush", "Drugs/Cannabis/Weed", ["Cannabis"]),
        ("Ice Cool 2g", "Drugs/Cannabis/Weed", ["Cannabis"]),  # a strain, not methamphetamine
        ("iso propyl alcohol", "", []),  # "iso" without context
        ("Ice cream maker", "", []),
        ("Secret of Methamphetamine Manufacture", "Information/Guides", []),
        ("100mg X 10 Tapentadol - EQUALS 200mg Oxycodone", "Drugs/Opioids", ["Tapentadol"]),
        ("Pink Superman 10x", "Drugs/Ecstasy/Pills", ["MDMA"]),  # from the category
    ],
)
def test_substances(extractor, title, category, names):
    rec = listing(extractor, title, category=category)
    assert [s.name for s in rec.substances] == names


def test_each_substance_has_matched_text_inchikey_and_verdicts(extractor):
    rec = listing(extractor, "5g Fentanyl citrate", date="2020-01-01")
    (s,) = rec.substances
    assert s.name == "Fentanyl" and s.matched_text == "Fentanyl citrate" and s.in_registry
    assert s.inchikey == "PJMPHNIQZUBGLI-UHFFFAOYSA-N"
    assert s.verdicts["US"].controlled and s.verdicts["CN"].controlled and not s.verdicts["UN"].controlled
    rec = listing(extractor, "Kratom 100g")
    assert rec.substances[0].in_registry is False and rec.substances[0].verdicts == {}


def test_verdicts_use_the_listing_date(extractor):
    # Butyrylfentanyl: US Schedule I from 2016-05-12 in the test registry
    before = listing(extractor, "butyrfentanyl 1g", date="2015-01-01").substances[0]
    after = listing(extractor, "butyrfentanyl 1g", date="2017-01-01").substances[0]
    assert not before.verdicts["US"].controlled and after.verdicts["US"].controlled


def test_quantities_prices_and_places(mini_registry, tmp_path: Path):
    btc = tmp_path / "btc.csv"
    btc.write_text('Date,"Close Price"\n"2014-01-01 00:00:00",800\n"2014-01-02 00:00:00",820\n', encoding="utf-8")
    ex = Extractor(mini_registry, rates=RateTable.load(btc), use_opsin=False)
    rec = listing(ex, "X50 OXYCODONE 30MG", date="2014-01-02", price=0.5, currency="BTC",
                  ships_from="  United States \n", ships_to="Worldwide except Australia")
    assert (rec.total_mass_mg, rec.unit_count, rec.unit_dose_mg) == (1500, 50, 30)
    assert rec.price_usd == 410 and rec.price_usd_per_mg == pytest.approx(410 / 1500, rel=1e-5)
    assert rec.ships_from == "US" and rec.ships_to == ["WW"] and rec.ships_to_excluded == ["AU"]
    eur = listing(ex, "Xanax 2mg", date="2019-06-01", price="35 EUR")
    assert eur.price_usd == pytest.approx(35 * 1.1194)
    late = listing(ex, "Xanax 2mg", date="2030-01-01", price=0.1, currency="BTC")
    assert late.price_usd is None and any("BTC/USD" in n for n in late.notes)


def test_unix_dates_and_defaults(extractor):
    rec = listing(extractor, "1g MDMA", date=1585605600.0)
    assert rec.date == "2020-03-30"
    rec = extractor.listing(RawListing(row=0, source="t", market="m", values={"title": "1g MDMA"}),
                            default_date=date(2019, 5, 1))
    assert rec.date == "2019-05-01"


def test_problems_make_an_invalid_row(extractor):
    rec = extractor.listing(RawListing(row=3, source="t", market="m", values={"title": "x"}, problems=["bad"]))
    assert rec.status == "invalid" and rec.reason == "bad" and rec.row == 3
    rec = extractor.listing(RawListing(row=4, source="t", market="m", values={"title": "  "}))
    assert rec.status == "invalid" and rec.reason == "no title"


def test_systematic_names_through_opsin(mini_registry):
    pytest.importorskip("py2opsin")
    import shutil

    if shutil.which("java") is None:
        pytest.skip("OPSIN needs Java")
    ex = Extractor(mini_registry, use_opsin=True)
    raw = RawListing(row=0, source="t", market="m", values={
        "title": "N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]butanamide 5g", "date": "2020-01-01"})
    ex.prepare([raw])
    rec = ex.listing(raw)
    assert [s.name for s in rec.substances] == ["Butyrylfentanyl"]
    assert rec.substances[0].source == "opsin"


@pytest.mark.parametrize(
    ("title", "category", "names"),
    [
        ("MDMA84% 1g", "", ["MDMA"]),  # a name glued to its purity
        ("Xanax2mg x 10", "", ["Alprazolam"]),  # glued to its dose
        ("100xMDMA pills", "", ["MDMA"]),
        ("Gold100 bars", "", []),  # gluing finds only known names
        ("FENTA*NYL PATCHES", "", ["Fentanyl"]),  # a censored name
        ("OG KUSH 1Lbs Monthly Promo (21.6% THC)", "", ["Cannabis"]),  # THC is the cannabis' content
        ("Blueberry Bar, 100mg THC", "Drugs/Cannabis/Edibles", ["Cannabis", "Tetrahydrocannabinol"]),  # dosed
        ("Heavy Hitters 1G Cartridge 90-96% THC", "", ["Tetrahydrocannabinol"]),  # THC alone is the offer
        ("MAKE LSD IN YOUR OWN KITCHEN . EASY !!!", "Drugs/Weight loss", []),  # instructions
        ("How make cocaine at home easy", "Drugs/Stimulants/Cocaine", []),
    ],
)
def test_general_reading_rules(extractor, title, category, names):
    rec = listing(extractor, title, category=category)
    assert [s.name for s in rec.substances] == names


def test_description_confirms_an_ambiguous_title_word(extractor):
    """'buds' alone is no offer; a description about marijuana strains confirms it, and the other
    products the description lists (LSD, MDMA) are the vendor's catalogue, not this listing."""
    desc = "Quality Marijuana up to 22 strains available *Sour Diesel*OG Kush* ETC and LSD*MDMA*CARTRIDGES"
    rec = listing(extractor, "Available buds", description=desc)
    assert [s.name for s in rec.substances] == ["Cannabis"]
    rec = listing(extractor, "Available buds")
    assert rec.substances == []


def test_title_amount_supports_an_ambiguous_word_of_the_description(extractor):
    rec = listing(extractor, "28 Grams (1OZ) white/pink Runtz",
                  description="The White Runtz weed strain is a purple weed covered in white trichomes")
    assert [s.name for s in rec.substances] == ["Cannabis"]
    assert rec.total_mass_mg == 28_000


def test_brands_of_combination_products_name_the_controlled_ingredient(extractor):
    rec = listing(extractor, "10/325mg Hydrocodone/Acetaminophen (Vicodin) - 30 Pills")
    assert [s.name for s in rec.substances] == ["Hydrocodone"]


@pytest.mark.parametrize(
    ("title", "names", "dose"),
    [
        ("Xenical 120mg (Orlistat) 100 Tab", ["Orlistat"], 120),
        ("Celexa (Citalopram) 20mg x 10 Pills", ["Citalopram"], 20),
        ("Subotex, Suboxone, Seconal Sodium, Hytrin, Celexa", ["Buprenorphine", "Terazosin", "Citalopram"], None),
        ("Special offer - 15 X ENANJECT 5ml - original EUROCHEM", ["Testosterone"], None),
        ("Iktorivil 2mg Roche x 25", ["Clonazepam"], 2),
        ("Larpose 2mg - 300Pills", ["Lorazepam"], 2),
        ("Fempro 2.5mg", ["Letrozole"], 2.5),  # a maker's product name is dosed like a brand
        ("Abilify 5mg.", ["Aripiprazole"], 5),
        ("Buy Dexedrine 5mg , 500Pills Online", ["Dexamfetamine"], 5),
        ("Effexor(venlafaxine)75mg x 30", ["Venlafaxine"], 75),
        ("Robaxin (Methocarbamol) 750mg x 20", ["Methocarbamol"], 750),
    ],
)
def test_brands_of_medicines_sold_on_markets(extractor, title, names, dose):
    rec = listing(extractor, title, category="Drugs/Prescription")
    assert [s.name for s in rec.substances] == names
    assert rec.unit_dose_mg == dose


def test_medicines_outside_the_registry_carry_their_structure(extractor):
    (s,) = listing(extractor, "Xenical 120mg (Orlistat) 100 Tab").substances
    assert s.inchikey == "AHLBNYSZXLDEJQ-FWEHEUNISA-N" and not s.in_registry
    (s,) = listing(extractor, "Celexa 40mg.").substances
    assert s.inchikey == "WSEQXVZVJXJVFP-UHFFFAOYSA-N"


@pytest.mark.parametrize(
    ("title", "category", "description", "names"),
    [
        # a firearms listing without a category: the description names "iwi Tavor" among rifles
        ("BEST GL0Ck", "", "Buy Bren 2 Ms Online , WI TAVOR , FN SCAR, m4 carbine, Beretta M9 , iwi Tavor, "
         "Glock 17, Glock 19, Walther ppk", []),
        ("GL0CK 17 Gen5 9mm hand Pistol", "", "Tavor 2.5mg also available", []),  # a weapon title
        ("IWI Tavor X95", "", "", []),
        ("IWI TAVOR", "Drugs/Benzos", "", []),  # a model beside its maker is no substance
        ("Tavor 2.5mg x 20", "Drugs/Benzos", "", ["Lorazepam"]),
        ("Tavor 1mg x 10", "Weapons/Lethal firearms", "", []),  # a non-drug category offers nothing
        ("Xanax 2mg x 10", "", "no guns here, pistols neither", ["Alprazolam"]),  # the title's name stands
    ],
)
def test_brands_beside_weapons_are_no_substance(extractor, title, category, description, names):
    rec = listing(extractor, title, category=category, description=description)
    assert [s.name for s in rec.substances] == names


@pytest.mark.parametrize(
    ("title", "category", "names"),
    [
        ("NaGHB powder form - 100g", "Drugs/Dissociatives", ["GHB"]),
        ("100ml Na-GHB", "Drugs/Other", ["GHB"]),  # the salt symbol is no code fragment ("4-CL-PVP")
        ("K-GHB 50g", "", ["GHB"]),
        ("4-CL-PVP 10g", "", ["4-Cl-PVP"]),
    ],
)
def test_sodium_and_potassium_salts(extractor, title, category, names):
    rec = listing(extractor, title, category=category)
    assert [s.name for s in rec.substances] == names


@pytest.mark.parametrize(
    ("title", "category", "names"),
    [
        ("Acetone 1L", "Drugs/Stimulants/Cocaine", ["Acetone"]),  # the solvent is the product
        ("nail polish remover with acetone", "", []),
        ("French Seller 1Gr Ultra clean Acetone washed cocaine", "Drugs/Stimulants/Cocaine", ["Cocaine"]),
        ("250g Benzocaine", "Drugs/Other", ["Benzocaine"]),
        ("Benzocaine cutting agent 500g", "Drugs/Other", ["Benzocaine"]),
        ("1 Gram of Social Cocaine has 20% Benzocaine cut with it.", "Drugs/Stimulants/Cocaine", ["Cocaine"]),
        ("1 OZ of social cocaine cut with 20% Benzocaine", "Drugs/Stimulants/Cocaine", ["Cocaine"]),
        ("1 Gram of social Cocaine 30% Benzocaine cut", "Drugs/Stimulants/Cocaine", ["Cocaine"]),
        ("Peruvian cocaine 1g, no levamisole", "", ["Cocaine"]),
        ("Levamisole 100g", "Drugs/Other", ["Levamisole"]),
        ("Mannitol 1kg - baby laxative", "Drugs/Other", ["Mannitol"]),
        ("Inositol 500g", "Drugs/Other", ["Inositol"]),
        ("Lidoderm (Lidocaine) Patches", "Drugs/Prescription", ["Lidocaine"]),  # a medicine's brand
    ],
)
def test_cutting_agents_and_solvents_sold_as_such(extractor, title, category, names):
    rec = listing(extractor, title, category=category)
    assert [s.name for s in rec.substances] == names


@pytest.mark.parametrize(
    ("title", "category", "names"),
    [
        ("Niqua Hotel Booking", "Drugs/Cannabis/Hash", []),  # a service, not the category's substance
        ("Top Quality Vape Carts (10carts = $180)", "", ["Cannabis"]),
        ("Australian Buds / Weed", "Drugs/Cannabis", ["Cannabis"]),  # "Australian" is no misspelt brand
        ("Abilify 10mg - the ability to focus", "Drugs/Prescription", ["Aripiprazole"]),
    ],
)
def test_services_vape_carts_and_ordinary_words(extractor, title, category, names):
    rec = listing(extractor, title, category=category)
    assert [s.name for s in rec.substances] == names
