"""Standardisation: the parent structure that the law's salts-and-isomers clause points to."""

from __future__ import annotations

from analogwatch.chem import standardize, to_mol

FENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"


def test_salts_solvents_and_charges_are_removed() -> None:
    for q in (FENTANYL + ".Cl", "O.O." + FENTANYL + ".OC(=O)CC(O)(CC(O)=O)C(O)=O",
              "CCC(=O)N(c1ccccc1)C1CC[NH+](CCc2ccccc2)CC1.[Cl-]"):
        std = standardize(to_mol(q))
        assert std.smiles == FENTANYL
        assert std.inchikey == "PJMPHNIQZUBGLI-UHFFFAOYSA-N"
        assert std.stripped_fragments


def test_parent_unchanged_and_flags() -> None:
    std = standardize(to_mol(FENTANYL))
    assert not std.stripped_fragments and not std.has_stereo
    assert std.connectivity == "PJMPHNIQZUBGLI"


def test_stereo_is_kept_and_detected() -> None:
    std = standardize(to_mol("C[C@H](N)Cc1ccccc1"))
    assert std.has_stereo and "@" in std.smiles
    assert std.connectivity == standardize(to_mol("CC(N)Cc1ccccc1")).connectivity


def test_nitro_group_normalised_forms_agree() -> None:
    charged = standardize(to_mol("C[N+](=O)[O-]"))
    pentavalent = standardize(to_mol("CN(=O)=O"))
    assert charged.inchikey == pentavalent.inchikey
