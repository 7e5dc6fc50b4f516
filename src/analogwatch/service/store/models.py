"""The tables of the service (SQLAlchemy 2 typed mappings); the schema itself is made by Alembic.

Public identifiers of reports, alerts and webhook deliveries are random, never sequential: a
sequence number would let an agency count the reports others keep private.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A random public identifier (32 hex digits)."""
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Agency(Base):
    """A member agency; its country decides its home jurisdiction."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    #: per-agency HMAC-SHA256 key for webhook signatures (it must be readable to sign)
    webhook_secret: Mapped[str | None] = mapped_column(String(128))


class ApiToken(Base):
    """A bearer token: only the SHA-256 of the token is kept; ``id`` is the public handle."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("role IN ('admin', 'analyst', 'read-only')", name="role"),)


class Agreement(Base):
    """A sharing agreement: the two agencies see each other's ``partners`` reports.

    Stored once per pair with ``agency_a_id < agency_b_id``."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_a_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency_b_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("agency_a_id", "agency_b_id"),
        CheckConstraint("agency_a_id < agency_b_id", name="ordered_pair"),
    )


class Report(Base):
    """An identification event, with the substance as resolved and judged when it was submitted
    (or, after a correction that changed it, when it was corrected).

    The row holds the current state; ``revision`` counts its versions. Corrections and the
    withdrawal are kept in ``report_revisions``; a withdrawn report stays, marked, and is never
    deleted."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    token_id: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    substance_input: Mapped[str] = mapped_column(Text)
    smiles: Mapped[str] = mapped_column(Text)
    inchikey: Mapped[str] = mapped_column(String(27), index=True)
    #: the verdicts per jurisdiction on the day of submission (analogwatch's Result.verdicts)
    verdicts: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdicts_as_of: Mapped[date] = mapped_column(Date)
    registry_version: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(40), index=True)
    event_date: Mapped[date] = mapped_column(Date, index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text)
    case_ref: Mapped[str | None] = mapped_column(String(200))
    sharing: Mapped[str] = mapped_column(String(10), index=True)
    restrictions: Mapped[list[str]] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    #: 1 as submitted; each correction and the withdrawal add one
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: time of the latest correction or of the withdrawal
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (
        UniqueConstraint("agency_id", "idempotency_key"),
        CheckConstraint("sharing IN ('private', 'partners', 'network')", name="sharing"),
        CheckConstraint(
            "event_type IN ('seizure', 'laboratory_identification', 'darknet_sighting', 'poisoning')",
            name="event_type",
        ),
    )


class ReportRevision(Base):
    """One version of a report: the state of its fields after the revision, who made it, when and
    why. Revision 1 is the report as submitted (stored when the report first changes); the table
    is append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "report_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    #: submitted, corrected or withdrawn
    kind: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    token_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    #: the fields this revision changed (empty for the submission and the withdrawal)
    changed: Mapped[list[str]] = mapped_column(JSON)
    #: the report's fields after this revision (crud.report_state)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        UniqueConstraint("report_id", "revision"),
        CheckConstraint("kind IN ('submitted', 'corrected', 'withdrawn')", name="kind"),
    )


class Alert(Base):
    """An alert raised by a report for one recipient agency (one that can see the report)."""

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    inchikey: Mapped[str] = mapped_column(String(27))
    country: Mapped[str] = mapped_column(String(2))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    report: Mapped[Report] = relationship(lazy="joined", innerjoin=True)

    __table_args__ = (Index("ix_alerts_agency_id_created_at", "agency_id", "created_at"),)


class WebhookDelivery(Base):
    """The outbox: one row per alert to post, written in the alert's own transaction."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    body: Mapped[str] = mapped_column(Text)
    #: pending, delivered or failed (given up after the last attempt)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: a worker holds the row until then (claims survive a crashed worker)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),)


class AuditEntry(Base):
    """One read or write: who (agency, token, role), when, what. Rows are never updated or deleted:
    database triggers refuse both."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    agency_id: Mapped[int | None] = mapped_column(Integer)
    agency_name: Mapped[str | None] = mapped_column(String(200))
    token_id: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    query: Mapped[str | None] = mapped_column(Text)
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: the agency that owns the object read or written, so that it can see who read its reports
    owner_agency_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_log_agency_id_at", "agency_id", "at"),)
