"""Records of market watch: a raw listing as read from a dump, and the resolved listing written out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

#: the fields a market profile or a --map option can fill
FIELDS: tuple[str, ...] = (
    "listing_id", "title", "description", "vendor", "category", "price", "currency", "ships_from", "ships_to",
    "date",
)


@dataclass
class RawListing:
    """One listing as read: field values (text, numbers or lists) and what went wrong reading it."""

    row: int
    source: str
    market: str
    values: dict[str, Any] = field(default_factory=dict)
    #: reasons that make the row invalid (undecodable, malformed JSON, no title)
    problems: list[str] = field(default_factory=list)
    #: things repaired while reading (bad bytes replaced)
    repairs: list[str] = field(default_factory=list)

    def text(self, name: str) -> str:
        v = self.values.get(name)
        if v is None:
            return ""
        if isinstance(v, list):
            return ", ".join(str(x) for x in v if x is not None)
        return str(v)


class JurisdictionStatus(BaseModel):
    """The Checker's verdict for one jurisdiction, in short."""

    controlled: bool
    basis: str
    schedule: str | None = None
    citation: str | None = None


class SubstanceMention(BaseModel):
    """A substance a listing offers, resolved against the registry."""

    name: str
    inchikey: str | None = None
    matched_text: str
    #: how it was found: registry, lexicon, slang, fuzzy, opsin or category
    source: str
    in_registry: bool
    verdicts: dict[str, JurisdictionStatus] = Field(default_factory=dict)


class ListingRecord(BaseModel):
    """One output row per input listing, in input order (rows out == rows in)."""

    row: int
    market: str
    source_file: str
    listing_id: str
    title: str
    vendor: str | None = None
    category: str | None = None
    date: str | None = None
    substances: list[SubstanceMention] = Field(default_factory=list)
    total_mass_mg: float | None = None
    unit_count: int | None = None
    unit_dose_mg: float | None = None
    price: float | None = None
    currency: str | None = None
    price_usd: float | None = None
    price_usd_per_mg: float | None = None
    ships_from: str | None = None
    ships_to: list[str] = Field(default_factory=list)
    ships_to_excluded: list[str] = Field(default_factory=list)
    status: Literal["ok", "invalid"] = "ok"
    reason: str | None = None
    notes: list[str] = Field(default_factory=list)

    def flat(self) -> dict[str, Any]:
        """Columns for CSV and Parquet: lists joined with ';', substances also as JSON."""
        d = self.model_dump(mode="json")
        d["substance_names"] = ";".join(s.name for s in self.substances)
        d["substance_inchikeys"] = ";".join(s.inchikey or "" for s in self.substances)
        for jur in ("US", "CN", "UN"):
            d[f"controlled_{jur}"] = ";".join(
                ("yes" if s.verdicts[jur].controlled else "no") if jur in s.verdicts else "unknown"
                for s in self.substances
            )
        d["substances"] = json.dumps(d["substances"], ensure_ascii=False)
        d["ships_to"] = ";".join(self.ships_to)
        d["ships_to_excluded"] = ";".join(self.ships_to_excluded)
        d["notes"] = ";".join(self.notes)
        return d


FLAT_COLUMNS: list[str] = list(ListingRecord(row=0, market="", source_file="", listing_id="", title="").flat())
