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
