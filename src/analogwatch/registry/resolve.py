"""Resolving any query a user can type (structure, CAS, name, systematic name) to a structure."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from pathlib import Path

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
from analogwatch.registry.names import normalize_name


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
        """Resolve one query; raise InputError with the reason when it cannot be resolved."""
        out = self.resolve_many([query])[0]
        if isinstance(out, InputError):
            raise out
        return out

    def resolve_many(self, queries: list[str]) -> list[ParsedQuery | InputError]:
        """Resolve a batch; names that need OPSIN are parsed in one call (one JVM start per batch)."""
        results: list[ParsedQuery | InputError | _Pending] = []
        for q in queries:
            try:
                results.append(self._resolve_local(q))
            except InputError as exc:
                results.append(exc)
        pending = [i for i, r in enumerate(results) if isinstance(r, _Pending) and r.opsin]
        if pending and self.use_opsin:
            from analogwatch.registry.build import opsin_smiles

            texts = [results[i].text for i in pending]  # type: ignore[union-attr]
            for i, smi in zip(pending, opsin_smiles(texts), strict=True):
                p = results[i]
                assert isinstance(p, _Pending)
                if smi:
                    try:
                        results[i] = ParsedQuery(QueryKind.SYSTEMATIC_NAME, p.text, mol_from_smiles(smi))
                    except InputError as exc:
                        results[i] = exc
        return [r.error() if isinstance(r, _Pending) else r for r in results]

    def _resolve_local(self, query: str) -> ParsedQuery | _Pending:
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
        medicine = reference_medicines().get(normalize_name(text))
        if medicine is not None:
            return ParsedQuery(QueryKind.NAME, text, mol_from_smiles(medicine))
        smiles_error: InputError | None = None
        if looks_like_smiles(text):
            try:
                return ParsedQuery(QueryKind.SMILES, text, mol_from_smiles(text))
            except StructureError:
                raise
            except InputError as exc:
                smiles_error = exc
        if len(text) > MAX_NAME_CHARS:
            return _Pending(text, smiles_error, opsin=False)
        return _Pending(text, smiles_error, opsin=self.use_opsin)


@lru_cache(maxsize=1)
def reference_medicines() -> dict[str, str]:
    """Normalised name -> SMILES of the reference medicines shipped for the anticipation report
    (approved medicines, mostly uncontrolled, such as loperamide), so that they can be checked by
    name too. Registry names always take precedence."""
    path = Path(str(resources.files("analogwatch.anticipate") / "data" / "medicines.csv"))
    with open(path, encoding="utf-8", newline="") as fh:
        return {normalize_name(r["name"]): r["smiles"] for r in csv.DictReader(fh) if r.get("smiles")}


#: Longest text sent to OPSIN as a systematic name.
MAX_NAME_CHARS = 1000


class _Pending:
    """A query that only OPSIN can still resolve; ``error`` is the reason when it cannot."""

    def __init__(self, text: str, smiles_error: InputError | None, *, opsin: bool):
        self.text = text
        self.smiles_error = smiles_error
        self.opsin = opsin

    def error(self) -> InputError:
        what = "a known name, CAS number" + (", systematic name" if self.opsin else "")
        if self.smiles_error is not None:
            return InputError(f"{self.text[:80]!r} is not {what} or valid SMILES ({self.smiles_error})")
        return InputError(f"{self.text[:80]!r} is not {what} or parsable structure")
