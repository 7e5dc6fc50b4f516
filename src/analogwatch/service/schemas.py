"""Request and response bodies of the API (kept separate: what a client sends is not what it gets)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from datetime import date as Date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analogwatch.service.jurisdiction import normalise_country
from analogwatch.verdicts import Verdict


class EventType(StrEnum):
    SEIZURE = "seizure"
    LABORATORY_IDENTIFICATION = "laboratory_identification"
    DARKNET_SIGHTING = "darknet_sighting"
    POISONING = "poisoning"


class Sharing(StrEnum):
    """Who may read a report besides the agency that made it."""

    PRIVATE = "private"  # nobody
    PARTNERS = "partners"  # agencies with a sharing agreement with the reporting agency
    NETWORK = "network"  # every member agency


class Unit(StrEnum):
    """A mass, or ``units`` for a count (tablets, blotters, vials...)."""

    UG = "ug"
    MG = "mg"
    G = "g"
    KG = "kg"
    UNITS = "units"


class AlertKind(StrEnum):
    FIRST_SIGHTING_NETWORK = "first_sighting_network"
    FIRST_SIGHTING_COUNTRY = "first_sighting_country"
    NOT_CONTROLLED_AT_HOME = "not_controlled_at_home"
    CONTROLLED_BY_PARTNER = "controlled_by_partner"
    #: a report you were alerted about was corrected, or withdrawn, by its agency
    REPORT_CORRECTED = "report_corrected"
    REPORT_WITHDRAWN = "report_withdrawn"


class RevisionKind(StrEnum):
    SUBMITTED = "submitted"
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"


class MatchMode(StrEnum):
    EXACT = "exact"
    SUBSTRUCTURE = "substructure"
    SIMILARITY = "similarity"


_UNIT_ALIASES = {"µg": "ug", "μg": "ug", "mcg": "ug", "unit": "units", "count": "units"}

#: limits on free text, so that one report cannot carry megabytes
MAX_NOTES = 10_000
MAX_RESTRICTIONS = 20
MAX_RESTRICTION_CHARS = 500
MAX_REASON = 2_000


def _refuse_nul(v: Any) -> Any:
    # NUL cannot be stored in a PostgreSQL text column; it has no business in a report anyway.
    items = v if isinstance(v, list) else [v]
    if any(isinstance(i, str) and "\x00" in i for i in items):
        raise ValueError("text must not contain NUL characters")
    return v


class ReportIn(BaseModel):
    """One identification event as submitted (also one row of a bulk import)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    substance: str = Field(
        min_length=1, max_length=200_000,
        description="Anything `analogwatch check` accepts: SMILES, InChI, molfile, CAS number, name, IUPAC name.",
    )
    event_type: EventType
    date: Date = Field(description="Date of the event (ISO 8601); not in the future.")
    country: str = Field(description="ISO 3166-1 alpha-2 code of the country where it happened.")
    region: str | None = Field(default=None, max_length=200)
    quantity: float | None = Field(default=None, gt=0, description="Amount, with `unit`.")
    unit: Unit | None = Field(default=None, description="ug, mg, g, kg for a mass; units for a count.")
    notes: str | None = Field(default=None, max_length=MAX_NOTES)
    case_ref: str | None = Field(default=None, max_length=200, description="The agency's own case reference.")
    sharing: Sharing = Sharing.PRIVATE
    restrictions: list[str] = Field(
        default_factory=list, max_length=MAX_RESTRICTIONS,
        description='Purpose restrictions that travel with the record, e.g. "not for use in prosecution".',
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, v: Any) -> Any:
        return _refuse_nul(v)

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        return normalise_country(v)

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip()
            if not v:
                return None
            return _UNIT_ALIASES.get(v, v.lower())
        return v

    @field_validator("quantity")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("quantity must be a finite number")
        return v

    @field_validator("region", "notes", "case_ref", mode="before")
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("restrictions", mode="before")
    @classmethod
    def _restrictions(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            out = []
            for item in v:
                if not isinstance(item, str):
                    raise ValueError("each restriction must be a string")
                item = item.strip()
                if len(item) > MAX_RESTRICTION_CHARS:
                    raise ValueError(f"a restriction has at most {MAX_RESTRICTION_CHARS} characters")
                if item and item not in out:
                    out.append(item)
            return out
        return v

    @field_validator("date")
    @classmethod
    def _not_future(cls, v: Date) -> Date:
        # One day of slack: an agency east of UTC may already be on tomorrow's date.
        if v > (datetime.now(UTC) + timedelta(days=1)).date():
            raise ValueError("date is in the future")
        if v.year < 1900:
            raise ValueError("date is before 1900")
        return v

    @model_validator(mode="after")
    def _quantity_with_unit(self) -> ReportIn:
        if (self.quantity is None) != (self.unit is None):
            raise ValueError("quantity and unit go together: give both or neither")
        return self


class SubstanceRecord(BaseModel):
    """The substance of a report as resolved and judged on the day it was submitted."""

    input: str
    smiles: str
    inchikey: str
    verdicts: dict[str, Verdict]
    verdicts_as_of: Date
    registry_version: str


#: the fields of a submission a correction may change, in the order of ReportIn
CORRECTABLE = ("substance", "event_type", "date", "country", "region", "quantity", "unit", "notes", "case_ref",
               "sharing", "restrictions")


class ReportCorrection(BaseModel):
    """A correction by the reporting agency: the reason, and only the fields that change (``null``
    clears an optional field). The corrected report is validated exactly like a submission."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=MAX_REASON,
                        description="Why the report is corrected; shown in its history to every reader.")
    base_revision: int | None = Field(
        default=None, ge=1, description="Optional: the revision being corrected; 409 if the report changed since.",
    )
    substance: str | None = Field(default=None, max_length=200_000,
                                  description="A new substance is resolved and judged again, as on submission.")
    event_type: EventType | None = None
    date: Date | None = None
    country: str | None = None
    region: str | None = None
    quantity: float | None = None
    unit: str | None = None
    notes: str | None = None
    case_ref: str | None = None
    sharing: Sharing | None = None
    restrictions: list[str] | str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, v: Any) -> Any:
        return _refuse_nul(v)

    def changes(self) -> dict[str, Any]:
        """The report fields given, as given (``None`` where the client sent null)."""
        return {k: getattr(self, k) for k in CORRECTABLE if k in self.model_fields_set}


class ReportWithdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=MAX_REASON,
                        description="Why the report is withdrawn; shown with it to every reader.")

    @field_validator("reason", mode="before")
    @classmethod
    def _no_nul(cls, v: Any) -> Any:
        return _refuse_nul(v)


class ReportState(BaseModel):
    """The fields of a report in one revision."""

    substance: SubstanceRecord
    event_type: EventType
    date: Date
    country: str
    region: str | None
    quantity: float | None
    unit: Unit | None
    notes: str | None
    case_ref: str | None
    sharing: Sharing
    restrictions: list[str] = Field(description="Purpose restrictions: every reader must honour them.")


class _ReportHead(BaseModel):
    """Which report, whose, and when it was submitted (the first fields of ReportOut)."""

    id: str
    agency: str
    agency_country: str
    submitted_at: datetime


# A report as it stands: its head, its current state and its revision status, in that order (pydantic
# puts inherited fields from the last base first). No docstring: it would become the API schema's text.
class ReportOut(ReportState, _ReportHead):

    revision: int = Field(default=1, description="1 as submitted; each correction and the withdrawal add one.")
    updated_at: datetime | None = Field(default=None, description="When it was last corrected or withdrawn.")
    withdrawn: bool = Field(default=False, description="Withdrawn by its agency: kept, but not counted.")
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None


class RevisionOut(BaseModel):
    revision: int
    kind: RevisionKind
    at: datetime
    token_id: str | None = Field(description="The token that made the revision (your own agency's reports only).")
    reason: str | None = Field(description="The reporting agency's reason (none for the submission).")
    changed: list[str] = Field(description="The fields this revision changed.")
    report: ReportState = Field(description="The report's fields after this revision.")


class ReportHistory(BaseModel):
    report_id: str
    agency: str
    revision: int = Field(description="The current revision.")
    withdrawn: bool
    items: list[RevisionOut] = Field(description="Every revision, oldest (the submission) first.")


class AlertOut(BaseModel):
    id: str
    kind: AlertKind
    created_at: datetime
    report_id: str
    inchikey: str
    smiles: str
    country: str
    message: str
    details: dict[str, Any]
    restrictions: list[str] = Field(description="The purpose restrictions of the report behind the alert.")


class ReportCreated(ReportOut):
    alerts: list[AlertOut] = Field(description="Alerts this report raised for the submitting agency.")


class ReportCorrected(ReportOut):
    changed: list[str] = Field(description="The fields this correction changed (empty: nothing changed, no new "
                                           "revision).")
    alerts: list[AlertOut] = Field(description="Alerts the corrected report raised for your agency.")


class ReportList(BaseModel):
    total: int = Field(description="Reports visible to your agency that match the filters.")
    limit: int
    offset: int
    items: list[ReportOut]


class AlertList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AlertOut]


class CountrySightings(BaseModel):
    country: str
    first_sighting: Date
    last_sighting: Date
    reports: int


class MonthCount(BaseModel):
    month: str = Field(description="YYYY-MM of the event date.")
    reports: int


class SubstanceOut(BaseModel):
    """What your agency can see about one substance (only reports visible to it are counted)."""

    inchikey: str
    smiles: str
    verdicts: dict[str, Verdict] = Field(description="Control status today.")
    verdicts_as_of: Date
    registry_version: str
    reports: int
    first_sighting: Date
    last_sighting: Date
    countries: list[CountrySightings]
    monthly: list[MonthCount]
    restrictions: list[str] = Field(description="Every purpose restriction among the reports counted here.")


class ImportRowError(BaseModel):
    row: int = Field(description="1-based data row (the CSV header is not counted).")
    field: str | None
    message: str


class ImportResult(BaseModel):
    imported: int
    ids: list[str]
    alerts: int


class ImportRejected(BaseModel):
    detail: str
    rows: int
    errors: list[ImportRowError]


class PartnerOut(BaseModel):
    name: str
    country: str
    jurisdiction: str


class AgencyOut(BaseModel):
    name: str
    country: str
    jurisdiction: str = Field(description="US, CN or UN: whose control status is 'home' for alerts.")
    role: str
    token_id: str
    partners: list[PartnerOut]
    webhook_url: str | None


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s\x00]+$")
    rotate_secret: bool = False


class WebhookOut(BaseModel):
    url: str
    secret: str = Field(description="HMAC-SHA256 key: X-Analogwatch-Signature is sha256=hex(hmac(secret, body)).")


class AuditOut(BaseModel):
    at: datetime
    agency: str | None
    token_id: str | None
    role: str | None
    action: str
    method: str
    path: str
    query: str | None
    object_id: str | None
    status: int
    detail: str | None


class AuditList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AuditOut]
