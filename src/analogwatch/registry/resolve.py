"""Resolving any query a user can type (structure, CAS, name, systematic name) to a structure."""

from __future__ import annotations

from functools import lru_cache

from analogwatch.chem.parse import (
    ParsedQuery,
    QueryKind,
    cas_checksum_ok,
    looks_like_cas,
    looks_like_inchi,
    looks_like_molfile,
    looks_like_smiles,
    mol_from_smiles,
    parse_query,
)
from analogwatch.errors import InputError, StructureError
from analogwatch.registry.loader import Registry


@lru_cache(maxsize=4096)
def _opsin_one(name: str) -> str | None:
    from analogwatch.registry.build import opsin_smiles

    return opsin_smiles([name])[0]


class Resolver:
    """Turns a query into a ParsedQuery, in a fixed order that a user can predict:

    InChI -> molfile -> CAS number -> registry name or synonym -> SMILES -> systematic name (OPSIN).
    Names come before SMILES because short abbreviations such as "PCP" or "NPP" are also valid SMILES.
    """

    def __init__(self, registry: Registry, *, use_opsin: bool = True):
        self.registry = registry
        self.use_opsin = use_opsin

    def _from_substance(self, kind: QueryKind, text: str, sub_id: str) -> ParsedQuery:
        sub = self.registry.by_id[sub_id]
        mol = mol_from_smiles(sub.smiles) if sub.smiles else None
        return ParsedQuery(kind, text, mol, substance_id=sub.id)

    def resolve(self, query: str) -> ParsedQuery:
        if not isinstance(query, str):
            raise TypeError(f"a query must be a str, not {type(query).__name__}")
        text = query.strip()
        if not text:
            raise InputError("empty query")
        if "\x00" in text:
            raise InputError("binary data is not a query")
        if looks_like_inchi(text) or looks_like_molfile(query):
            return parse_query(query)
        if looks_like_cas(text):
            sub = self.registry.lookup_cas(text)
            if sub is not None:
                return self._from_substance(QueryKind.CAS, text, sub.id)
            if not cas_checksum_ok(text):
                raise InputError(f"{text} is not a valid CAS Registry Number (check digit fails)")
            raise InputError(f"CAS number {text} is not in the registry; give a structure or a name")
        sub = self.registry.lookup_name(text)
        if sub is not None:
            return self._from_substance(QueryKind.NAME, text, sub.id)
        smiles_error: InputError | None = None
        if looks_like_smiles(text):
            try:
                return ParsedQuery(QueryKind.SMILES, text, mol_from_smiles(text))
            except StructureError:
                raise
            except InputError as exc:
                smiles_error = exc
        if self.use_opsin and len(text) < 1000:
            smi = _opsin_one(text)
            if smi:
                return ParsedQuery(QueryKind.SYSTEMATIC_NAME, text, mol_from_smiles(smi))
        if smiles_error is not None:
            raise InputError(
                f"{text[:80]!r} is not a known name, CAS number, systematic name or valid SMILES ({smiles_error})"
            )
        raise InputError(f"{text[:80]!r} is not a known name, CAS number or parsable structure")
