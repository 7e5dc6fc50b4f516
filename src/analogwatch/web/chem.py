"""The Checker call of the dashboard, keeping the standardised molecule the verdicts were
computed on (its atom indices are those of the matched regions, for the depiction)."""

from __future__ import annotations

from datetime import date

from analogwatch.checker import Checker
from analogwatch.chem.parse import mol_from_smiles
from analogwatch.chem.standardize import StandardizedMol, standardize
from analogwatch.errors import InputError
from analogwatch.verdicts import Result


def judge(checker: Checker, query: str, *, as_of: date) -> tuple[StandardizedMol | None, Result]:
    """What ``Checker.check`` answers, with the standardised molecule (None for a registry substance
    without a structure, or for input that cannot be understood: then the result is ``invalid``)."""
    try:
        parsed = checker.resolver.resolve(query)
        if parsed.mol is None:
            return None, checker.check(query, as_of=as_of)
        std = standardize(parsed.mol)
        return std, checker.evaluate(std, id=query, input=parsed.text, as_of=as_of)
    except InputError as exc:
        return None, checker.invalid(query, query, str(exc), as_of)


def judge_structure(checker: Checker, smiles: str, *, as_of: date) -> tuple[StandardizedMol | None, Result]:
    """A stored SMILES judged as a structure (never read as a name), like ``Checker.check_structure``."""
    try:
        std = standardize(mol_from_smiles(smiles))
        return std, checker.evaluate(std, id=smiles, input=smiles, as_of=as_of)
    except InputError as exc:
        return None, checker.invalid(smiles, smiles, str(exc), as_of)


def display_name(result: Result) -> str | None:
    """The registry name of a substance listed by name somewhere (a class names a class, not it)."""
    for jur in ("UN", "US", "CN"):
        v = result.verdicts.get(jur)
        if v is not None and v.substance and v.basis in ("listed", "precursor"):
            return v.substance
    return None
