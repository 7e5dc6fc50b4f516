"""Enumeration by depth: deduplication by InChIKey, invalid products skipped, counts per depth, limit."""

from __future__ import annotations

from rdkit import Chem
from rdkit.Chem import rdChemReactions

from analogwatch.anticipate.enumeration import Enumerator, enumerate_analogs, sanitized_smiles
from analogwatch.anticipate.families import Seed, default_families, family_seeds
from analogwatch.anticipate.vocabulary import Transformation, VocabularyError, compile_reaction, default_vocabulary
from analogwatch.chem.standardize import inchikey

FENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
ACETYLFENTANYL = "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
VOCAB = default_vocabulary().by_id


def seed(name: str, smiles: str) -> Seed:
    mol = Chem.MolFromSmiles(smiles)
    return Seed(name, Chem.MolToSmiles(mol), inchikey(mol), mol, None, "registry")


def made(smarts: str, tid: str = "test") -> Transformation:
    """A transformation compiled outside the vocabulary, for reactions the vocabulary would refuse."""
    try:
        rxn = compile_reaction(smarts, tid)
    except VocabularyError:  # the loader refuses some templates on purpose; the engine must cope anyway
        rxn = rdChemReactions.ReactionFromSmarts(smarts)
        rxn.Initialize()
    return Transformation(tid, tid, "fentanyl", "ring walk", smarts, (), "test only", "", "", "test", rxn)


def test_symmetric_sites_collapse_to_one_analog() -> None:
    # Fentanyl has ten aromatic C-H: five on each phenyl, of which only ortho, meta and para differ,
    # so a fluorine walk makes 10 products and 6 distinct analogs (3 per ring).
    en = enumerate_analogs([seed("Fentanyl", FENTANYL)], [VOCAB["walk-fluoro"]], depth=1)
    depth1 = [c for c in en.counts if c.depth == 1][0]
    assert (depth1.products, depth1.new, depth1.duplicates, depth1.invalid) == (10, 6, 4, 0)
    assert len({a.inchikey for a in en.analogs}) == len(en.analogs) == 7  # the seed and six analogs


def test_products_equal_to_a_seed_are_not_new() -> None:
    seeds = [seed("Fentanyl", FENTANYL), seed("Acetylfentanyl", ACETYLFENTANYL)]
    en = enumerate_analogs(seeds, [VOCAB["fentanyl-acyl-acetyl"], VOCAB["fentanyl-acyl-propionyl"]], depth=2)
    # fentanyl -> acetyl is a seed, acetylfentanyl -> propionyl is the other seed: nothing new at all
    assert [a.depth for a in en.analogs] == [0, 0]
    assert sum(c.duplicates for c in en.counts) == 4  # each seed gives itself back and the other seed


def test_every_analog_once_at_its_lowest_depth() -> None:
    ts = [VOCAB["walk-fluoro"], VOCAB["fentanyl-acyl-butyryl"], VOCAB["fentanyl-alpha-methyl"]]
    en = enumerate_analogs([seed("Fentanyl", FENTANYL)], ts, depth=3)
    keys = [a.inchikey for a in en.analogs]
    assert len(keys) == len(set(keys))
    by_key = {a.inchikey: a for a in en.analogs}
    butyryl = inchikey(Chem.MolFromSmiles("CCCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"))
    assert by_key[butyryl].depth == 1 and by_key[butyryl].path == ("fentanyl-acyl-butyryl",)
    # counts per depth add up to the analogs kept, and every product is accounted for
    assert sum(c.kept for c in en.counts) == len(en.analogs)
    for c in en.counts[1:]:
        assert c.products == c.invalid + c.duplicates + c.new and c.new == c.kept
    assert en.per_depth() == {d: sum(c.kept for c in en.counts if c.depth == d) for d in range(4)}
    # every analog's parent is an analog of the previous depth and its path extends the parent's
    ids = {a.id: a for a in en.analogs}
    for a in en.analogs:
        if a.depth:
            assert ids[a.parent].depth == a.depth - 1
            assert a.path[:-1] == ids[a.parent].path and a.path[-1] == a.transformation


def test_invalid_products_are_counted_and_skipped() -> None:
    # two fluorines on one aromatic carbon: pentavalent carbon, which sanitisation refuses
    en = enumerate_analogs([seed("Fentanyl", FENTANYL)], [made("[cH:1]>>[c:1](F)F")], depth=1)
    c = en.counts[1]
    assert c.products == 10 and c.invalid == 10 and c.kept == 0


def test_products_that_fall_apart_are_skipped() -> None:
    # cutting the piperidine N-CH2 bond leaves two fragments: not one molecule, not an analog
    t = made("[N;R:1]-[CH2;!R:2]>>([N:1].[C:2])")
    en = enumerate_analogs([seed("Fentanyl", FENTANYL)], [t], depth=1)
    assert en.counts[1].products >= 1 and en.counts[1].invalid == en.counts[1].products
    assert sanitized_smiles(Chem.MolFromSmiles("CCO.O")) is None


def test_limit_serves_parents_in_turns() -> None:
    seeds = [seed("Fentanyl", FENTANYL), seed("Acetylfentanyl", ACETYLFENTANYL)]
    en = Enumerator(limit=3)
    en.run_family("fentanyl", seeds, [VOCAB["walk-fluoro"]], depth=2)
    res = en.result()
    analogs = [a for a in res.analogs if a.depth]
    assert res.truncated and len(analogs) == 3
    assert [a.parent for a in analogs] == ["Fentanyl", "Acetylfentanyl", "Fentanyl"]


def test_families_share_one_space() -> None:
    en = Enumerator()
    en.run_family("a", [seed("Fentanyl", FENTANYL)], [VOCAB["fentanyl-acyl-acetyl"]], depth=1)
    en.run_family("b", [seed("Acetylfentanyl", ACETYLFENTANYL)], [VOCAB["fentanyl-acyl-propionyl"]], depth=1)
    # family a made acetylfentanyl; it seeds family b without appearing twice; b's product is fentanyl
    assert [a.smiles for a in en.analogs] == [FENTANYL, ACETYLFENTANYL]


def test_family_seeds_from_a_registry(mini_registry) -> None:  # type: ignore[no-untyped-def]
    fam = default_families()["fentanyl"]
    names = [s.name for s in family_seeds(fam, mini_registry)]
    assert names[0] == "Fentanyl" and "Butyrylfentanyl" in names
    from datetime import date

    # before 2016 only fentanyl was listed; butyrylfentanyl came on 2016-05-12
    assert [s.name for s in family_seeds(fam, mini_registry, listed_before=date(2016, 1, 1))] == ["Fentanyl"]
