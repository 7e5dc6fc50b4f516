"""Standardisation before matching, as a linear recipe of small named steps.

cleanup (normalise functional groups, reionise, disconnect metals) -> largest organic fragment
(drops counter-ions, water of hydration) -> neutralise -> identifiers.
The law covers salts and hydrates of a listed substance, so matching uses this parent.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from rdkit import Chem, rdBase
from rdkit.Chem import rdMolDescriptors
from rdkit.Chem.MolStandardize import rdMolStandardize

from analogwatch.errors import StructureError


class StandardizedMol:
    """The standardised parent of a query. Identifiers are computed on first use, so that the
    screening hot path pays for an InChIKey only when it needs one."""

    __slots__ = ("__dict__", "mol", "stripped_fragments")

    def __init__(self, mol: Chem.Mol, *, stripped_fragments: bool = False):
        self.mol = mol
        #: True when fragments (counter-ions, solvents) were removed
        self.stripped_fragments = stripped_fragments

    @cached_property
    def smiles(self) -> str:
        return str(Chem.MolToSmiles(self.mol))

    @cached_property
    def inchikey(self) -> str:
        return inchikey(self.mol)

    @cached_property
    def formula(self) -> str:
        """Molecular formula: invariant under tautomerism, so a cheap pre-check before the InChIKey."""
        return str(rdMolDescriptors.CalcMolFormula(self.mol))

    @cached_property
    def has_stereo(self) -> bool:
        """True when the structure carries defined stereocentres or double-bond stereo."""
        return has_defined_stereo(self.mol)

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


def _needs_cleanup(mol: Chem.Mol) -> bool:
    """Cleanup normalises charge-separated groups, hypervalent nitrogen and metal bonds; a
    structure with none of these comes out of it unchanged, so the screening path skips it."""
    return bool(mol.HasSubstructMatch(_NEEDS_CLEANUP))


#: atoms that Cleanup may rewrite: any charge; elements other than H B C N O F Si S Cl Se Br I
#: (phosphorus, arsenic and metals always take the full recipe); uncharged groups drawn with
#: tetra- or pentavalent nitrogen (nitro, N-oxides, azides, diazo) or S=O sulfoxides.
#: (one atom query without recursion: it is tested against every screened structure)
_NEEDS_CLEANUP = Chem.MolFromSmarts(
    "[!+0,!#1&!#5&!#6&!#7&!#8&!#9&!#14&!#16&!#17&!#34&!#35&!#53,#7&v4,#7&v5,#16&v4]"
)


def standardize(mol: Chem.Mol, *, always_full: bool = False) -> StandardizedMol:
    """Return the standardised parent of ``mol``: cleanup -> largest organic fragment -> neutral.

    A single uncharged fragment that cleanup would leave unchanged is returned as it is, unless
    ``always_full`` (the slow path, kept for tests that prove both paths agree)."""
    with rdBase.BlockLogs():
        n_frags = len(Chem.GetMolFrags(mol))
        if not always_full and n_frags == 1 and not _needs_cleanup(mol):
            return StandardizedMol(mol, stripped_fragments=False)
        m = cleanup(mol)
        if n_frags > 1:
            m = largest_organic_fragment(m)
        m = neutralise(m)
    return StandardizedMol(m, stripped_fragments=n_frags > 1)
