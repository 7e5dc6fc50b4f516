"""Countries and the jurisdiction whose control status applies to an agency of each.

The mapping is data (``data/countries.csv``): US for the United States and its territories, CN for
mainland China, and UN -- the international conventions -- for every other country.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

JURISDICTIONS = ("US", "CN", "UN")


@cache
def countries() -> dict[str, tuple[str, str]]:
    """ISO 3166-1 alpha-2 code -> (name, jurisdiction), read once from the shipped file."""
    text = (resources.files("analogwatch.service") / "data" / "countries.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    out: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row["jurisdiction"] not in JURISDICTIONS:
            raise ValueError(f"countries.csv: {row['code']} has unknown jurisdiction {row['jurisdiction']!r}")
        out[row["code"]] = (row["name"], row["jurisdiction"])
    return out


def normalise_country(code: str) -> str:
    """The upper-case ISO code, or ValueError naming the problem."""
    c = code.strip().upper()
    if c not in countries():
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code (for example US, CN, MX, NL)")
    return c


def jurisdiction_of(country: str) -> str:
    """US, CN or UN for an ISO country code."""
    return countries()[country.upper()][1]


def country_name(country: str) -> str:
    return countries()[country.upper()][0]
