"""Parsing: one function per input kind, each with a documented contract.

``to_mol`` never returns ``None``: it returns a sanitised RDKit molecule or raises an
:class:`~analogwatch.errors.InputError` whose message is the reason, with RDKit's log noise muted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from rdkit import Chem, rdBase

from analogwatch.errors import InputError, StructureError

#: Largest structure accepted, in heavy atoms. Controlled substances are small molecules
#: (the largest listed opioid peptides and cannabinoids are under 100 heavy atoms); 300 leaves
#: a wide margin while refusing polymers and proteins that would stall substructure search.
MAX_HEAVY_ATOMS = 300

#: Longest text accepted as one query (a large molfile is a few tens of kB).
MAX_QUERY_CHARS = 200_000

_CAS_RE = re.compile(r"^\s*(\d{2,7})-(\d{2})-(\d)\s*$")
_SMILES_CHARS = re.compile(r"^[A-Za-z0-9@+\-\[\]\(\)=#$%/\\\.:*~]+$")


class QueryKind(StrEnum):
    SMILES = "smiles"
    INCHI = "inchi"
    MOLFILE = "molfile"
    CAS = "cas"
    NAME = "name"
    SYSTEMATIC_NAME = "systematic_name"


@dataclass(frozen=True)
class ParsedQuery:
    """A query resolved to a molecule (or to a registry substance without a structure)."""

    kind: QueryKind
    text: str
    mol: Chem.Mol | None
    #: registry substance id when the query was resolved through the registry (name, synonym, CAS)
    substance_id: str | None = None


def cas_checksum_ok(cas: str) -> bool:
    """True when ``cas`` has the CAS Registry Number form and its check digit is right."""
    m = _CAS_RE.match(cas)
    if not m:
        return False
    digits = (m.group(1) + m.group(2))[::-1]
    total = sum((i + 1) * int(d) for i, d in enumerate(digits))
    return total % 10 == int(m.group(3))


def looks_like_cas(text: str) -> bool:
    return bool(_CAS_RE.match(text))


def looks_like_inchi(text: str) -> bool:
    return text.strip().startswith("InChI=")


def looks_like_molfile(text: str) -> bool:
    return "M  END" in text or "V2000" in text or "V3000" in text


def looks_like_smiles(text: str) -> bool:
    t = text.strip()
    return bool(t) and " " not in t and bool(_SMILES_CHARS.match(t))


def _check_size(mol: Chem.Mol) -> Chem.Mol:
    n = mol.GetNumHeavyAtoms()
    if n == 0:
        raise StructureError("the structure has no heavy atoms")
    if n > MAX_HEAVY_ATOMS:
        raise StructureError(f"the structure has {n} heavy atoms; the limit is {MAX_HEAVY_ATOMS}")
    return mol


def _sanitize(mol: Chem.Mol | None, what: str) -> Chem.Mol:
    if mol is None:
        raise InputError(f"{what} could not be parsed")
    problems = Chem.DetectChemistryProblems(mol)
    if problems:
        raise InputError(f"{what} is not a valid structure: {problems[0].Message()}")
    Chem.SanitizeMol(mol)
    return mol


def mol_from_smiles(smiles: str) -> Chem.Mol:
    """Parse a SMILES string; raise InputError with the reason when it is not a valid structure."""
    if not isinstance(smiles, str):
        raise TypeError(f"SMILES must be a str, not {type(smiles).__name__}")
    s = smiles.strip()
    if not s:
        raise InputError("empty SMILES")
    # Count atoms cheaply before the full parse so that a huge input is refused quickly.
    if len(s) > 4 * MAX_HEAVY_ATOMS * 3:
        raise StructureError(f"the SMILES is {len(s)} characters long; too large a structure")
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            # Parse again without sanitisation only to say why it failed.
            mol = Chem.MolFromSmiles(s, sanitize=False)
            if mol is None:
                raise InputError(f"SMILES could not be parsed: {s[:80]!r}")
            mol = _sanitize(mol, "SMILES")
    return _check_size(mol)


def mol_from_inchi(inchi: str) -> Chem.Mol:
    with rdBase.BlockLogs():
        mol = Chem.MolFromInchi(inchi.strip(), sanitize=True)
    if mol is None:
        raise InputError("InChI could not be parsed")
    return _check_size(mol)


def mol_from_molblock(block: str) -> Chem.Mol:
    with rdBase.BlockLogs():
        mol = Chem.MolFromMolBlock(block, sanitize=False, removeHs=False)
        if mol is None:
            raise InputError("molfile could not be parsed")
        mol = _sanitize(mol, "molfile")
        mol = Chem.RemoveHs(mol)
    return _check_size(mol)


def to_mol(text: str) -> Chem.Mol:
    """Parse a structure given as SMILES, InChI or molfile text.

    Raises ``TypeError`` for a non-string, :class:`InputError` for text that is not a structure.
    Names and CAS numbers need the registry: see :class:`analogwatch.registry.Resolver`.
    """
    if not isinstance(text, str):
        raise TypeError(f"a structure must be given as str, not {type(text).__name__}")
    if "\x00" in text:
        raise InputError("binary data is not a structure")
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(f"query of {len(text)} characters is too long")
    if looks_like_inchi(text):
        return mol_from_inchi(text)
    if looks_like_molfile(text):
        return mol_from_molblock(text)
    return mol_from_smiles(text)


def parse_query(text: str) -> ParsedQuery:
    """Parse a structure query (SMILES, InChI, molfile) into a ParsedQuery."""
    if looks_like_inchi(text):
        return ParsedQuery(QueryKind.INCHI, text, mol_from_inchi(text))
    if looks_like_molfile(text):
        return ParsedQuery(QueryKind.MOLFILE, text, mol_from_molblock(text))
    return ParsedQuery(QueryKind.SMILES, text, mol_from_smiles(text))
