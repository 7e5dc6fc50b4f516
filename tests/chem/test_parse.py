"""The parsing contract: a molecule or an InputError with a reason, never None, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdkit import Chem

from analogwatch.chem.parse import MAX_HEAVY_ATOMS, cas_checksum_ok, to_mol
from analogwatch.errors import InputError, StructureError

MOLBLOCK = Chem.MolToMolBlock(Chem.MolFromSmiles("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"))


def test_smiles_inchi_and_molfile_give_the_same_molecule() -> None:
    smi = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
    inchi = Chem.MolToInchi(Chem.MolFromSmiles(smi))
    keys = {Chem.MolToInchiKey(to_mol(q)) for q in (smi, inchi, MOLBLOCK)}
    assert keys == {"PJMPHNIQZUBGLI-UHFFFAOYSA-N"}


def test_wrong_type_raises_type_error() -> None:
    with pytest.raises(TypeError):
        to_mol(b"CCO")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text,reason",
    [("", "empty"), ("C1CC", "parsed"), ("c1cccc1", "kekulize"), ("C(C)(C)(C)(C)C", "valence"),
     ("InChI=1S/garbage", "InChI"), ("x\x00y", "binary")],
)
def test_bad_structures_raise_input_error_with_reason(text: str, reason: str) -> None:
    with pytest.raises(InputError) as exc:
        to_mol(text)
    assert reason.lower() in str(exc.value).lower()


def test_too_large_structure_is_refused() -> None:
    with pytest.raises(StructureError, match="heavy atoms"):
        to_mol("C" * (MAX_HEAVY_ATOMS + 1))
    with pytest.raises(StructureError):
        to_mol("C" * 2000)


@pytest.mark.parametrize("cas,ok", [("437-38-7", True), ("50-00-0", True), ("437-38-8", False), ("1-2-3", False)])
def test_cas_check_digit(cas: str, ok: bool) -> None:
    assert cas_checksum_ok(cas) is ok


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_a_molecule_or_an_input_error(text: str) -> None:
    try:
        mol = to_mol(text)
    except InputError as exc:
        assert str(exc)
    else:
        assert mol is not None and mol.GetNumHeavyAtoms() > 0
