"""The output contract: one Result per query, with a Verdict per jurisdiction.

Every field is documented in README.md ("Output contract"). Class definitions (basis "class")
and the Federal Analogue Act flag (possible_analogue_of) slot into the same model.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

Basis = Literal["listed", "class", "precursor", "none"]
Certainty = Literal["definite", "interpretive"]
#: order of strength when several grounds apply in one jurisdiction
BASIS_ORDER: dict[str, int] = {"listed": 0, "precursor": 1, "class": 2, "none": 3}


class Match(BaseModel):
    """One ground of control: a listing, a precursor listing or a class-definition clause."""

    basis: Basis
    schedule: str | None = None
    list_name: str | None = None
    substance: str | None = None
    rule_id: str | None = None
    clause: str | None = None
    citation: str | None = None
    effective: date | None = None
    end: date | None = None
    certainty: Certainty = "definite"
    explanation: str
    rank: int = Field(default=50, exclude=True)
    #: atom indices of the standardised molecule per named region (class matches), for depictions
    regions: dict[str, list[int]] | None = Field(default=None, exclude=True)


class AnalogueFlag(BaseModel):
    """A possible US controlled substance analogue: evidence only, never a verdict of control."""

    substance: str
    schedule: str
    similarity: float
    measure: str
    threshold: float
    mcs_fraction: float | None = None


class Verdict(BaseModel):
    controlled: bool
    basis: Basis
    schedule: str | None = None
    substance: str | None = None
    rule_id: str | None = None
    citation: str | None = None
    effective: date | None = None
    certainty: Certainty = "definite"
    explanation: str
    matches: list[Match] = Field(default_factory=list)
    possible_analogue_of: list[AnalogueFlag] = Field(default_factory=list)


class NearestControlled(BaseModel):
    substance: str
    inchikey: str
    similarity: float


class Result(BaseModel):
    id: str
    input: str
    status: Literal["ok", "invalid"]
    error: str | None = None
    smiles: str | None = None
    inchikey: str | None = None
    as_of: date
    verdicts: dict[str, Verdict] = Field(default_factory=dict)
    nearest_controlled: list[NearestControlled] = Field(default_factory=list)
    registry_version: str
    rdkit_version: str

    def flat(self) -> dict[str, Any]:
        """The same fields flattened for CSV and Parquet: one column per jurisdiction and field."""
        row: dict[str, Any] = {
            "id": self.id,
            "input": self.input,
            "status": self.status,
            "error": self.error or "",
            "smiles": self.smiles or "",
            "inchikey": self.inchikey or "",
            "as_of": self.as_of.isoformat(),
        }
        for jur in ("US", "CN", "UN"):
            v = self.verdicts.get(jur)
            row[f"{jur}_controlled"] = "" if v is None else str(v.controlled).lower()
            row[f"{jur}_basis"] = "" if v is None else v.basis
            row[f"{jur}_schedule"] = (v.schedule if v else None) or ""
            row[f"{jur}_substance"] = (v.substance if v else None) or ""
            row[f"{jur}_rule_id"] = (v.rule_id if v else None) or ""
            row[f"{jur}_citation"] = (v.citation if v else None) or ""
            row[f"{jur}_effective"] = v.effective.isoformat() if v and v.effective else ""
            row[f"{jur}_certainty"] = v.certainty if v else ""
            row[f"{jur}_explanation"] = v.explanation if v else ""
        us = self.verdicts.get("US")
        row["US_possible_analogue_of"] = ";".join(
            f"{a.substance} ({a.similarity:.2f})" for a in (us.possible_analogue_of if us else [])
        )
        row["nearest_controlled"] = ";".join(f"{n.substance} ({n.similarity:.2f})" for n in self.nearest_controlled)
        row["registry_version"] = self.registry_version
        row["rdkit_version"] = self.rdkit_version
        return row


FLAT_COLUMNS: list[str] = list(
    Result(id="", input="", status="ok", as_of=date(2000, 1, 1), registry_version="", rdkit_version="").flat()
)
