"""The chemistry of the service: resolving submitted substances with the Checker, and substance
searches (exact, substructure, similarity) over the structures stored with reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache

from rdkit import Chem, DataStructs, rdBase
from rdkit.Chem import rdFingerprintGenerator

from analogwatch.checker import Checker
from analogwatch.chem.parse import looks_like_cas, looks_like_inchi, looks_like_molfile
from analogwatch.chem.similarity import DEFAULT_BITS, DEFAULT_RADIUS
from analogwatch.verdicts import Result

#: substances (distinct structures) whose parsed molecules and fingerprints stay cached per process
CACHE_SIZE = 50_000


class SubstanceResolver:
    """One Checker per process, shared by the request threads.

    Calls are not serialised: RDKit's calls run holding the GIL, and a systematic name is parsed
    by OPSIN in a subprocess, which must not hold up the other requests for the second a JVM
    takes to start. The same query on the same day gives the same result (one registry per
    process), so recent results are kept: agencies report the same substances again and again."""

    def __init__(self, checker: Checker, cache_size: int = 4096):
        self.checker = checker
        self._cached_check = lru_cache(maxsize=cache_size)(self._check)
        self._cached_structure = lru_cache(maxsize=cache_size)(self._structure)

    def _check(self, query: str, as_of: date) -> Result:
        return self.checker.check(query, as_of=as_of)

    def check(self, query: str, *, as_of: date | None = None) -> Result:
        """The Checker's result (shared between callers: do not modify it)."""
        return self._cached_check(query, as_of or date.today())

    def check_many(self, queries: Sequence[str], *, as_of: date | None = None) -> list[Result]:
        return self.checker.check_many([(str(i), q) for i, q in enumerate(queries)], as_of=as_of or date.today())

    def check_structure(self, smiles: str, *, as_of: date | None = None) -> Result:
        """A stored SMILES judged as a structure (never read as a name: ``PCP`` is both)."""
        return self._cached_structure(smiles, as_of or date.today())

    def _structure(self, smiles: str, as_of: date) -> Result:
        return self.checker.check_structure(smiles, id=smiles, as_of=as_of)

    def is_registry_name(self, text: str) -> bool:
        return self.checker.registry.lookup_name(text.strip()) is not None


class SearchError(ValueError):
    """A substance query that cannot be used for the search asked for."""


def resolved_inchikey(resolver: SubstanceResolver, text: str) -> str:
    res = resolver.check(text)
    if res.status != "ok" or not res.inchikey:
        raise SearchError(res.error or f"{text[:80]!r} has no defined chemical structure")
    return res.inchikey


def _resolved_mol(resolver: SubstanceResolver, text: str) -> Chem.Mol:
    res = resolver.check(text)
    if res.status != "ok" or not res.smiles:
        raise SearchError(res.error or f"{text[:80]!r} has no defined chemical structure")
    mol = _mol(res.smiles)
    assert mol is not None
    return mol


def substructure_pattern(resolver: SubstanceResolver, text: str) -> Chem.Mol:
    """The pattern of a substructure search. A registry name, CAS number, InChI or molfile gives
    its structure; otherwise the text is read as SMARTS (so SMILES works too); failing that, it is
    resolved like any query (systematic names)."""
    t = text.strip()
    if resolver.is_registry_name(t) or looks_like_cas(t) or looks_like_inchi(t) or looks_like_molfile(text):
        return _resolved_mol(resolver, text)
    if t and " " not in t:
        with rdBase.BlockLogs():
            patt = Chem.MolFromSmarts(t)
        if patt is not None and patt.GetNumAtoms() > 0:
            return patt
    try:
        return _resolved_mol(resolver, text)
    except SearchError as exc:
        raise SearchError(f"{t[:80]!r} is neither a SMARTS pattern nor a structure analogwatch can resolve ({exc})") \
            from None


@lru_cache(maxsize=CACHE_SIZE)
def _mol(smiles: str) -> Chem.Mol | None:
    with rdBase.BlockLogs():
        return Chem.MolFromSmiles(smiles)


@lru_cache(maxsize=1)
def _generator():  # type: ignore[no-untyped-def]
    return rdFingerprintGenerator.GetMorganGenerator(radius=DEFAULT_RADIUS, fpSize=DEFAULT_BITS)


@lru_cache(maxsize=CACHE_SIZE)
def _fingerprint(smiles: str) -> DataStructs.ExplicitBitVect | None:
    mol = _mol(smiles)
    return None if mol is None else _generator().GetFingerprint(mol)


def substructure_matches(pattern: Chem.Mol, candidates: Iterable[tuple[str, str]]) -> set[str]:
    """InChIKeys of the candidate (inchikey, smiles) structures that contain ``pattern``."""
    out = set()
    for ik, smi in candidates:
        mol = _mol(smi)
        if mol is not None and mol.HasSubstructMatch(pattern):
            out.add(ik)
    return out


def similarity_matches(
    query: Chem.Mol, candidates: Sequence[tuple[str, str]], threshold: float
) -> dict[str, float]:
    """InChIKey -> Tanimoto (Morgan radius 2, 2048 bits) for candidates at or above ``threshold``."""
    qfp = _generator().GetFingerprint(query)
    keyed = [(ik, fp) for ik, smi in candidates if (fp := _fingerprint(smi)) is not None]
    sims = DataStructs.BulkTanimotoSimilarity(qfp, [fp for _, fp in keyed]) if keyed else []
    return {ik: float(s) for (ik, _), s in zip(keyed, sims, strict=True) if s >= threshold - 1e-12}


def similarity_query(resolver: SubstanceResolver, text: str) -> Chem.Mol:
    return _resolved_mol(resolver, text)
