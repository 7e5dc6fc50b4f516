"""The NPS and medicine vocabulary (data/nps_names.yaml): structures, family grammar, matching."""

import pytest
from rdkit import Chem
from rdkit.Chem.rdMolDescriptors import CalcMolFormula

from analogwatch.errors import AnalogwatchError
from analogwatch.markets.extract import Extractor
from analogwatch.markets.lexicon import Vocabulary, common_words, market_names
from analogwatch.markets.model import RawListing
from analogwatch.markets.nps import nps_data, structure_of, structures
from analogwatch.registry.names import normalize_name


@pytest.fixture(scope="module")
def registry():
    from analogwatch.registry import default_registry

    try:
        return default_registry()
    except AnalogwatchError as exc:
        pytest.skip(f"the shipped registry does not load today: {exc}")


def test_file_is_well_formed_and_every_systematic_name_has_a_structure():
    data = nps_data()
    assert len(data.entries) > 400
    missing = [e.name for e in data.entries if e.systematic and structure_of(e) is None]
    assert not missing, f"run `python -m analogwatch.markets.nps`: no structure for {missing}"
    assert all(e.source in data.sources for e in data.entries)
    for e in data.entries:
        assert (e.systematic is None) == (e.no_structure is not None), e.name
        for t in e.terms:
            key = normalize_name(t)
            # never a bare number ("225" from an unquoted "WIN 55,225") or an ordinary word
            assert len(key) >= 3 and not key.isdigit(), (e.name, t)
            assert key not in common_words() or key == normalize_name(e.name), (e.name, t)


def test_drawn_structures_have_the_recorded_formulas():
    for e in nps_data().entries:
        if e.formula:
            st = structure_of(e)
            assert st is not None and CalcMolFormula(Chem.MolFromSmiles(st.smiles)) == e.formula, e.name


@pytest.mark.xdist_group("opsin")
def test_structures_file_matches_opsin_today():
    """Every systematic name parsed again by OPSIN gives the InChIKey kept in nps_structures.csv."""
    pytest.importorskip("py2opsin")
    from analogwatch.markets.nps import draw

    kept = structures()
    try:
        drawn = draw(sorted(kept))
    except (OSError, RuntimeError, AnalogwatchError) as exc:
        pytest.skip(f"OPSIN is not runnable here: {exc}")
    differ = {n: (kept[n].inchikey, d.inchikey if d else None) for n, d in drawn.items()
              if d is None or d.inchikey != kept[n].inchikey}
    assert not differ


def test_family_grammar_agrees_with_the_registry(registry):
    """A generated code name that the registry also knows must have the registry's structure:
    this checks the grammar (locants, substituents, cores) against hand-drawn registry entries."""
    agree, disagree = 0, []
    for e in nps_data().entries:
        st = structure_of(e)
        if e.family is None or st is None:
            continue
        for t in (e.name, *e.terms):
            sub = registry.lookup_name(t)
            if sub is None or not sub.inchikey:
                continue
            if sub.inchikey[:14] == st.inchikey[:14]:
                agree += 1
            else:
                disagree.append((t, sub.name))
    assert not disagree
    assert agree > 100  # 2C-B, DOB, 4-FA, 3-MMC, 4-CMC, alpha-PHP, 5-MeO-DIPT, psilocin...


def test_market_names_without_a_registry_entry_have_a_structure_or_a_reason(registry):
    voc = Vocabulary.build(registry)
    _, entries, _ = market_names()
    nps_names = {normalize_name(e.name) for e in nps_data().entries}
    for e in entries:
        if registry.lookup_name(e.name) is not None:
            continue
        term = voc.index[normalize_name(e.name)]
        assert term.inchikey or normalize_name(e.name) in nps_names, e.name


@pytest.mark.parametrize(
    ("text", "name", "in_registry"),
    [
        ("10g 5F-MN-18", "5F-MN-18", False),
        ("1g PRE084", "PRE-084", False),
        ("JWH-307 x 100 grams", "JWH-307", False),
        ("4-HO-DET 250 mg Fumarate", "4-HO-DET", False),
        ("3C-E 100 mg HCl", "3C-E", False),
        ("25E-NBOMe blotters", "25E-NBOMe", False),
        ("4F-MPH 1g", "4-F-MPH", False),
        ("Testosterone Enanthate 10ml", "Testosterone", False),  # a market name given a structure
        ("4-CL-PVP (Crystals) x 100 grams", None, True),  # generated, resolves to the registry entry
        ("5g 3-FMC", None, True),
        ("1g 4-MMC", "Mephedrone", True),
    ],
)
def test_nps_names_are_found_with_a_structure(registry, text, name, in_registry):
    voc = Vocabulary.build(registry)
    (hit,) = voc.scan(text)
    assert hit.term.name == name or name is None
    assert (hit.term.substance_id is not None) == in_registry
    assert hit.term.inchikey or hit.term.substance_id


def test_short_family_codes_need_capitals(registry):
    voc = Vocabulary.build(registry)
    assert voc.scan("2-ct THCookies") == []  # "2 count", not 2C-T
    assert [h.term.name for h in voc.scan("2C-T 10mg")] == ["2C-T"]
    assert voc.scan("det 1g") == [] and voc.scan("4-ho-det") != []  # codes with a locant need no capitals
    assert voc.scan("DON'T PLACE ORDER") == []


def test_a_structure_outside_the_registry_is_judged_by_the_class_definitions(registry):
    """5F-MN-18 is in no list; China's synthetic-cannabinoid class (2021) covers it."""
    ex = Extractor(registry, use_opsin=False)

    def rec(day):
        return ex.listing(RawListing(row=0, source="t", market="m", values={"title": "10g 5F-MN-18", "date": day}))

    before, after = rec("2020-01-01").substances[0], rec("2022-01-01").substances[0]
    assert after.in_registry is False and after.inchikey == "XBSWUIWDRFCAGZ-UHFFFAOYSA-N"
    assert not before.verdicts["CN"].controlled
    assert after.verdicts["CN"].controlled and after.verdicts["CN"].basis == "class"


@pytest.mark.parametrize(
    ("name", "inchikey"),
    [
        # medicines sold on markets, drawn from their INN chemical names; InChIKeys as published
        # for the substances (PubChem), so a wrong locant or stereodescriptor shows here
        ("Orlistat", "AHLBNYSZXLDEJQ-FWEHEUNISA-N"),
        ("Citalopram", "WSEQXVZVJXJVFP-UHFFFAOYSA-N"),
        ("Escitalopram", "WSEQXVZVJXJVFP-FQEVSTJZSA-N"),
        ("Paroxetine", "AHOUBRCZNHFOSL-YOEHRIQHSA-N"),
        ("Terazosin", "VCKUSRYTPJJLNI-UHFFFAOYSA-N"),
        ("Atomoxetine", "VHGCDTVCOLNTBX-QGZVFWFLSA-N"),
        ("Cabergoline", "KORNTPPJEAJQIU-KJXAQDMKSA-N"),
        ("Mannitol", "FBPFZTCFMRRESA-KVTDHHQDSA-N"),
    ],
)
def test_medicines_have_their_published_structure(name, inchikey):
    (entry,) = [e for e in nps_data().entries if e.name == name]
    st = structure_of(entry)
    assert st is not None and st.inchikey == inchikey


def test_brands_of_medicines_outside_the_registry_resolve_to_their_structure(registry):
    voc = Vocabulary.build(registry)
    for brand, name in (("Xenical", "Orlistat"), ("Celexa", "Citalopram"), ("Hytrin", "Terazosin"),
                        ("Strattera", "Atomoxetine"), ("Enanject", "Testosterone")):
        term = voc.index[normalize_name(brand)]
        assert term.name == name and (term.inchikey or term.substance_id), brand
