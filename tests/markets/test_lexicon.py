"""The market vocabulary file and the matcher."""

from pathlib import Path

from analogwatch.markets.lexicon import Vocabulary, load_slang, market_names


def test_vocabulary_file_is_well_formed():
    sources, entries, blocked = market_names()
    assert len(entries) > 150
    assert {e.source for e in entries} <= set(sources)
    for e in entries:
        assert e.context <= set(e.terms), e.name


def test_every_mapped_name_resolves_to_a_registry_substance_or_a_validated_nps_entry():
    """Each brand or trade name maps to a registry name, or to an entry of the NPS vocabulary that
    has a validated structure (or an explicit no-structure reason)."""
    from analogwatch.markets.nps import nps_data, structure_of
    from analogwatch.registry import default_registry, normalize_name

    reg = default_registry()
    nps = {normalize_name(e.name): e for e in nps_data().entries}
    _, entries, _ = market_names()
    unresolved = sorted(
        e.name for e in entries
        if reg.lookup_name(e.name) is None and (
            normalize_name(e.name) not in nps
            or (structure_of(nps[normalize_name(e.name)]) is None and not nps[normalize_name(e.name)].no_structure)
        )
    )
    assert not unresolved, unresolved


def test_scan_brands_codes_and_spacing(mini_registry):
    voc = Vocabulary.build(mini_registry)
    names = lambda text: [h.term.name for h in voc.scan(text)]  # noqa: E731
    assert names("Xanax 2mg") == ["Alprazolam"]
    assert names("Roxicodone 30") == ["Oxycodone"]
    assert names("Subutex 8mg") == ["Buprenorphine"]
    assert names("Contramal 100") == ["Tramadol"]
    assert names("Tilidin 50/4") == ["Tilidine"]
    assert names("1g 4-FIBF") == ["4-Fluoroisobutyrylfentanyl"]
    assert names("4 FIBF") == ["4-Fluoroisobutyrylfentanyl"]  # odd spacing
    assert names("U4 10 grams") == ["U-47700"]
    assert names("M30 blues") == ["Oxycodone"]
    assert names("BTH 1g") == ["Heroin"]
    assert names("butyrfentanyl") == ["Butyrylfentanyl"]  # registry synonym
    assert names("Fentanyl citrate") == ["Fentanyl"]


def test_fuzzy_tolerates_misspellings_but_not_common_words(mini_registry):
    voc = Vocabulary.build(mini_registry)
    assert [h.term.name for h in voc.scan("Alprazolan 2mg")] == ["Alprazolam"]
    assert [h.term.name for h in voc.scan("Oxycontine 80")] == ["Oxycodone"]
    for text in ("good morning", "codes for sale", "approx 2 weeks", "method guide", "testing kit"):
        assert voc.scan(text) == [], text


def test_short_names_need_capitals(mini_registry):
    voc = Vocabulary.build(mini_registry)
    assert [h.term.name for h in voc.scan("DOC 5mg")] == ["DOC"]
    assert voc.scan("the doc said") == []


def test_slang_file_is_read_at_run_time(tmp_path: Path, mini_registry):
    slang = tmp_path / "slang.txt"
    slang.write_text("Marijuana~~Cheeba; Ganja; Girl\nSynthetic Cannabinoids~~Spice\n", encoding="utf-8")
    assert load_slang(slang)["Cheeba"] == ("Marijuana", "")
    voc = Vocabulary.build(mini_registry, slang_path=slang)
    term = voc.index["cheeba"]
    assert term.kind == "slang" and term.context and "cannabis" in term.context_words
    assert "spice" not in voc.index  # a class that names no substance


def test_market_vocabulary_wins_over_registry_synonyms_but_not_preferred_names(tmp_path: Path):
    """A legal list may file a brand under a related substance (the registry once listed
    "Dexedrine" under racemic amfetamine): the market vocabulary's reading of a registry synonym
    wins; a registry preferred name ("Mitragynine", the alkaloid) keeps the registry's reading."""
    from analogwatch.registry import load_registry
    from tests.conftest import MINI_FILES, write_mini_registry

    files = dict(MINI_FILES)
    files["us2.csv"] = MINI_FILES["us2.csv"] + (
        "1100,Amfetamine,amphetamine;Dexedrine;Adderall,,300-62-9,CC(N)Cc1ccccc1,"
        "KWTSXDURSIMDCE-UHFFFAOYSA-N,,,,,21 CFR 1308.12(d)(1),,,\n"
    )
    files["us1.csv"] = MINI_FILES["us1.csv"] + "9998,Mitragynine,,,,,,alkaloid drawn nowhere (test),,,,Test,,,\n"
    reg = load_registry(write_mini_registry(tmp_path, files))
    voc = Vocabulary.build(reg)
    assert voc.index["dexedrine"].name == "Dexamfetamine"  # market vocabulary over a registry synonym
    assert voc.index["dexedrine"].kind == "lexicon"
    assert voc.index["adderall"].name == "Amfetamine"  # both agree: the registry substance
    assert voc.index["mitragynine"].name == "Mitragynine"  # a registry preferred name stays
    assert voc.index["kratom"].name == "Kratom"


def test_sodium_and_potassium_salt_symbols_glued_to_a_name(mini_registry):
    voc = Vocabulary.build(mini_registry)
    (hit,) = voc.scan("NaGHB powder form - 100g")
    assert hit.term.name == "GHB" and hit.matched_text == "GHB"
    assert [h.term.name for h in voc.scan("KGHB 50g")] == ["GHB"]
    assert voc.scan("NaCl 100g") == [] and voc.scan("Nachos") == []


def test_cutting_agents_are_marked_as_products_only(mini_registry):
    voc = Vocabulary.build(mini_registry)
    assert voc.index["acetone"].product and voc.index["benzocaine"].product
    assert not voc.index["lidoderm"].product  # a brand of a medicine is no cutting agent
    assert not voc.index["caffeine"].product
