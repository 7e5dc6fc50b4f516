"""The registry's data model: substances and their listings in each jurisdiction."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Jurisdiction = Literal["US", "CN", "UN"]
JURISDICTIONS: tuple[str, ...] = ("US", "CN", "UN")
ListKind = Literal["controlled", "precursor"]
StereoScope = Literal["all", "as_drawn"]


class ControlList(BaseModel):
    """A legal list (a schedule, a table, a precursor category) of one jurisdiction."""

    id: str
    jurisdiction: Jurisdiction
    title: str
    schedule: str
    kind: ListKind
    #: rank for choosing the strongest of several listings: lower is stricter
    rank: int = 50


class Listing(BaseModel):
    """One substance on one list, from one legal instrument."""

    jurisdiction: Jurisdiction
    list_id: str
    list_title: str
    schedule: str
    kind: ListKind
    citation: str
    effective: date
    end: date | None = None
    end_citation: str | None = None
    #: "all": the listing covers every stereoisomer (the default in US, CN and UN law);
    #: "as_drawn": only the stereoisomer drawn (e.g. levomethorphan).
    stereo: StereoScope = "all"
    #: full InChIKeys of stereoisomers the text expressly excepts (e.g. dextromethorphan)
    except_inchikeys: list[str] = Field(default_factory=list)
    number: str | None = None
    source: str
    note: str | None = None
    rank: int = 50
    #: set when the substance may have been controlled before ``effective`` under earlier instruments
    #: that the registry does not model (e.g. China's lists before the 2013 editions)
    prior_history: str | None = None
    #: the structure as drawn for this listing (a stereo-specific listing compares against it)
    inchikey: str | None = None

    def in_force(self, on: date) -> bool:
        return self.effective <= on and (self.end is None or on < self.end)

    @property
    def basis(self) -> Literal["listed", "precursor"]:
        return "precursor" if self.kind == "precursor" else "listed"


class Substance(BaseModel):
    """A substance with its identifiers and all of its listings."""

    id: str
    name: str
    synonyms: list[str] = Field(default_factory=list)
    systematic_name: str | None = None
    cas: list[str] = Field(default_factory=list)
    smiles: str | None = None
    inchikey: str | None = None
    no_structure: str | None = None
    listings: list[Listing] = Field(default_factory=list)

    @property
    def connectivity(self) -> str | None:
        return self.inchikey.split("-")[0] if self.inchikey else None

    def jurisdictions(self) -> set[str]:
        return {lst.jurisdiction for lst in self.listings}
