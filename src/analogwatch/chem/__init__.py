"""Chemistry: parsing any query kind, standardisation, identifiers and fingerprints."""

from analogwatch.chem.parse import ParsedQuery, QueryKind, parse_query, to_mol
from analogwatch.chem.standardize import StandardizedMol, standardize

__all__ = ["ParsedQuery", "QueryKind", "StandardizedMol", "parse_query", "standardize", "to_mol"]
