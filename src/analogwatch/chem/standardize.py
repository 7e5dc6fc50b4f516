"""Standardisation before matching, as a linear recipe of small named steps.

cleanup (normalise functional groups, reionise, disconnect metals) -> largest organic fragment
(drops counter-ions, water of hydration) -> neutralise -> identifiers.
The law covers salts and hydrates of a listed substance, so matching uses this parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem, rdBase
from rdkit.Chem.MolStandardize import rdMolStandardize

from analogwatch.errors import StructureError


@dataclass(frozen=True)
class StandardizedMol:
    mol: Chem.Mol
    smiles: str
    inchikey: str
    #: True when fragments (counter-ions, solvents) were removed
    stripped_fragments: bool
    #: True when the structure carries defined stereocentres or double-bond stereo
    has_stereo: bool

    @property
    def connectivity(self) -> str:
        """First block of the InChIKey: the skeleton without stereo, isotopes or protonation."""
        return self.inchikey.split("-")[0]


@lru_cache(maxsize=1)
def _tools() -> tuple[rdMolStandardize.LargestFragmentChooser, rdMolStandardize.Uncharger]:
    chooser = rdMolStandardize.LargestFragmentChooser(preferOrganic=True)
    uncharger = rdMolStandardize.Uncharger(canonicalOrder=True)
    return chooser, uncharger


def cleanup(mol: Chem.Mol) -> Chem.Mol:
    return rdMolStandardize.Cleanup(mol)


def largest_organic_fragment(mol: Chem.Mol) -> Chem.Mol:
    chooser, _ = _tools()
    return chooser.choose(mol)


def neutralise(mol: Chem.Mol) -> Chem.Mol:
    _, uncharger = _tools()
    return uncharger.uncharge(mol)


def has_defined_stereo(mol: Chem.Mol) -> bool:
    si = Chem.FindPotentialStereo(mol)
    return any(s.specified == Chem.StereoSpecified.Specified for s in si)


def inchikey(mol: Chem.Mol) -> str:
    with rdBase.BlockLogs():
        key = Chem.MolToInchiKey(mol)
    if not key:
        raise StructureError("no InChIKey could be computed for this structure")
    return str(key)


def standardize(mol: Chem.Mol) -> StandardizedMol:
    """Return the standardised parent of ``mol`` with its canonical SMILES and InChIKey."""
    with rdBase.BlockLogs():
        n_frags = len(Chem.GetMolFrags(mol))
        m = cleanup(mol)
        if n_frags > 1:
            m = largest_organic_fragment(m)
        m = neutralise(m)
        smiles = Chem.MolToSmiles(m)
    return StandardizedMol(
        mol=m,
        smiles=smiles,
        inchikey=inchikey(m),
        stripped_fragments=n_frags > 1,
        has_stereo=has_defined_stereo(m),
    )
