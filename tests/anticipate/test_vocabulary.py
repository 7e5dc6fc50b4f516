"""The transformation vocabulary: every file loads, every SMARTS compiles, every worked example holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdkit import Chem

from analogwatch.anticipate.enumeration import sanitized_smiles
from analogwatch.anticipate.families import default_families, load_families
from analogwatch.anticipate.reference import load_potent
from analogwatch.anticipate.vocabulary import (
    ANY_FAMILY,
    VocabularyError,
    default_vocabulary,
    load_vocabulary,
    transformations_dir,
)

VOCAB = default_vocabulary()


def _key(smiles: str) -> str:
    return Chem.MolToInchiKey(Chem.MolFromSmiles(smiles))


def test_every_shipped_file_loads() -> None:
    files = sorted(p.name for p in transformations_dir().glob("*.yaml"))
    assert files and list(VOCAB.files) == files
    assert len({t.id for t in VOCAB.transformations}) == len(VOCAB)


def test_every_smarts_compiles_with_one_reactant_and_one_product() -> None:
    for t in VOCAB.transformations:
        assert t.reaction.GetNumReactantTemplates() == 1, t.id
        assert t.reaction.GetNumProductTemplates() == 1, t.id


@pytest.mark.parametrize("t", VOCAB.transformations, ids=lambda t: t.id)
def test_worked_example(t) -> None:  # type: ignore[no-untyped-def]
    """The transformation applied to its example reactant gives the example product (among others)."""
    reactant = Chem.MolFromSmiles(t.example_reactant)
    products = {s for s in (sanitized_smiles(p) for p in t.run(reactant)) if s}
    assert _key(t.example_product) in {_key(s) for s in products}, f"{t.id}: got {sorted(products)}"


@pytest.mark.parametrize("t", VOCAB.transformations, ids=lambda t: t.id)
def test_every_transformation_says_where_it_comes_from(t) -> None:  # type: ignore[no-untyped-def]
    assert t.name and t.kind and len(t.source) >= 10
    assert t.family == ANY_FAMILY or t.family in default_families()


def test_every_family_has_its_vocabulary() -> None:
    families_with_transformations = {t.family for t in VOCAB.transformations}
    for fam in default_families().values():
        assert set(fam.vocabulary) <= families_with_transformations, fam.id
        assert VOCAB.for_families(fam.vocabulary), fam.id


def test_family_parents_are_members_of_their_family() -> None:
    for fam in default_families().values():
        assert fam.has_member(Chem.MolFromSmiles(fam.parent_smiles)), fam.id


def test_potent_substances_parse() -> None:
    potent = load_potent()
    assert len({p.name for p in potent}) == len(potent)
    for p in potent:
        assert Chem.MolFromSmiles(p.smiles) is not None, p.name
        assert p.family in default_families(), p.name


# -- loud failures -------------------------------------------------------------------------------
GOOD = """\
family: fentanyl
transformations:
  - id: t-acetyl
    name: acyl to acetyl
    kind: acyl swap
    smarts: "{smarts}"
    reflects: [Acetylfentanyl]
    source: "a test transformation"
    example: {{reactant: "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", product: "{product}"}}
"""
SMARTS = "[a:1][N:2]([C;R:3])[C:4](=[O:5])[#6,#8]>>[a:1][N:2]([C:3])[C:4](=[O:5])C"
PRODUCT = "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"


def _write(tmp_path: Path, text: str, name: str = "test.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_good_file_loads(tmp_path: Path) -> None:
    v = load_vocabulary([_write(tmp_path, GOOD.format(smarts=SMARTS, product=PRODUCT))])
    assert [t.id for t in v.transformations] == ["t-acetyl"]


@pytest.mark.parametrize(
    ("smarts", "product", "message"),
    [
        ("[a:1][N:2]([C;R:3])[C:4](=[O:5])[#6,#8>>[a:1]", PRODUCT, "does not compile"),
        ("[c:1]>>[c:1]F.[c:1]Cl", PRODUCT, "one reactant and one product"),
        (SMARTS, "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC", "example product SMILES does not parse"),
    ],
)
def test_a_broken_transformation_stops_loading(tmp_path: Path, smarts: str, product: str, message: str) -> None:
    path = _write(tmp_path, GOOD.format(smarts=smarts, product=product))
    with pytest.raises(VocabularyError, match=message) as err:
        load_vocabulary([path])
    assert "test.yaml" in str(err.value) and "t-acetyl" in str(err.value)


def test_unknown_field_and_unknown_kind_stop_loading(tmp_path: Path) -> None:
    text = GOOD.format(smarts=SMARTS, product=PRODUCT)
    with pytest.raises(VocabularyError, match="t-acetyl"):
        load_vocabulary([_write(tmp_path, text.replace("    kind: acyl swap", "    kind: acyl swap\n    colour: red"))])
    with pytest.raises(VocabularyError, match="t-acetyl"):
        load_vocabulary([_write(tmp_path, text.replace("kind: acyl swap", "kind: magic"))])


def test_duplicate_ids_across_files_stop_loading(tmp_path: Path) -> None:
    text = GOOD.format(smarts=SMARTS, product=PRODUCT)
    a, b = _write(tmp_path, text, "a.yaml"), _write(tmp_path, text, "b.yaml")
    with pytest.raises(VocabularyError, match="already used in a.yaml"):
        load_vocabulary([a, b])


def test_a_broken_families_file_stops_loading(tmp_path: Path) -> None:
    p = _write(tmp_path, """\
families:
  fentanyl:
    title: t
    kind: opioid
    parent: {name: Fentanyl, smiles: "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"}
    members: ["[#6,#8C(=O)"]
    vocabulary: [fentanyl]
""", "families.yaml")
    with pytest.raises(VocabularyError, match="family fentanyl: member SMARTS does not parse"):
        load_families(p)
