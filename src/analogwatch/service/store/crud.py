"""Keyword-only CRUD functions over the models. None of them commits: the caller owns the transaction.

Every query that returns reports, or anything derived from them, goes through :func:`visible_to`,
the one statement of who may see what. Listings and statistics also leave out withdrawn reports
(:func:`counted_for`, and ``ReportFilter.include_withdrawn``); a withdrawn report is still read by id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analogwatch.errors import ServiceError
from analogwatch.service.auth import Principal, Role, hash_token, new_token, token_id_of
from analogwatch.service.jurisdiction import jurisdiction_of, normalise_country
from analogwatch.service.store.models import (
    Agency,
    Agreement,
    Alert,
    ApiToken,
    AuditEntry,
    Report,
    ReportRevision,
    utcnow,
)


class NotFoundError(ServiceError):
    """No such object (or none that the caller may see: the two are never told apart)."""


class ConflictError(ServiceError):
    """The object exists already."""


class AuthError(ServiceError):
    """The bearer token is missing, unknown, revoked or expired."""


# -- agencies and agreements ------------------------------------------------------------------


def create_agency(session: Session, *, name: str, country: str) -> Agency:
    name = name.strip()
    if not name or len(name) > 200:
        raise ValueError("an agency name has 1 to 200 characters")
    country = normalise_country(country)
    if get_agency(session, name=name) is not None:
        raise ConflictError(f"agency {name!r} already exists")
    agency = Agency(name=name, country=country)
    session.add(agency)
    session.flush()
    return agency


def get_agency(session: Session, *, name: str) -> Agency | None:
    return session.scalar(select(Agency).where(Agency.name == name))


def require_agency(session: Session, *, name: str) -> Agency:
    agency = get_agency(session, name=name)
    if agency is None:
        raise NotFoundError(f"no agency named {name!r}")
    return agency


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.name)))


def create_agreement(session: Session, *, agency_a: Agency, agency_b: Agency) -> Agreement:
    if agency_a.id == agency_b.id:
        raise ValueError("an agreement needs two different agencies")
    a, b = sorted((agency_a.id, agency_b.id))
    exists = session.scalar(select(Agreement).where(Agreement.agency_a_id == a, Agreement.agency_b_id == b))
    if exists is not None:
        raise ConflictError(f"{agency_a.name!r} and {agency_b.name!r} already have an agreement")
    agreement = Agreement(agency_a_id=a, agency_b_id=b)
    session.add(agreement)
    session.flush()
    return agreement


def partner_ids(session: Session, *, agency_id: int) -> set[int]:
    rows = session.execute(
        select(Agreement.agency_a_id, Agreement.agency_b_id).where(
            or_(Agreement.agency_a_id == agency_id, Agreement.agency_b_id == agency_id)
        )
    )
    return {b if a == agency_id else a for a, b in rows}


def partners_map(session: Session) -> dict[int, set[int]]:
    """Every agency's partners (agreements are few: one small query)."""
    out: dict[int, set[int]] = {}
    for a, b in session.execute(select(Agreement.agency_a_id, Agreement.agency_b_id)):
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return out


def partners_of(session: Session, *, agency_id: int) -> list[Agency]:
    ids = partner_ids(session, agency_id=agency_id)
    if not ids:
        return []
    return list(session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)))


# -- tokens ---------------------------------------------------------------------------------------


def issue_token(
    session: Session, *, agency: Agency, role: Role | str, expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``agency``; returns the stored row and the token text (never stored)."""
    role = Role(role)
    if expires_days is not None and expires_days < 1:
        raise ValueError("--expires-days must be at least 1")
    token_id, token, digest = new_token()
    now = utcnow()
    row = ApiToken(
        id=token_id, agency_id=agency.id, role=role.value, token_hash=digest, created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(row)
    session.flush()
    return row, token


def revoke_token(session: Session, *, token_id: str) -> ApiToken:
    row = session.get(ApiToken, token_id_of(token_id.strip()))
    if row is None:
        raise NotFoundError(f"no token with id {token_id!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row


def list_tokens(session: Session, *, agency: Agency | None = None) -> list[ApiToken]:
    stmt = select(ApiToken).order_by(ApiToken.created_at)
    if agency is not None:
        stmt = stmt.where(ApiToken.agency_id == agency.id)
    return list(session.scalars(stmt))


def authenticate(session: Session, *, token: str, now: datetime | None = None) -> Principal:
    """The principal a bearer token stands for; AuthError says why a token is refused."""
    now = now or utcnow()
    row = session.execute(
        select(ApiToken, Agency).join(Agency, Agency.id == ApiToken.agency_id).where(
            ApiToken.token_hash == hash_token(token)
        )
    ).first()
    if row is None:
        raise AuthError("invalid token")
    tok, agency = row
    if tok.revoked_at is not None:
        raise AuthError("token revoked")
    if tok.expires_at is not None and tok.expires_at <= now:
        raise AuthError("token expired")
    return Principal(
        agency_id=agency.id, agency_name=agency.name, country=agency.country,
        jurisdiction=jurisdiction_of(agency.country), token_id=tok.id, role=Role(tok.role),
    )


# -- reports --------------------------------------------------------------------------------------


def visible_to(agency_id: int) -> ColumnElement[bool]:
    """Who may see a report: its own agency; partners under an agreement when shared with
    ``partners``; every member when shared with the ``network``."""
    partners = select(Agreement.agency_b_id).where(Agreement.agency_a_id == agency_id).union(
        select(Agreement.agency_a_id).where(Agreement.agency_b_id == agency_id)
    )
    return or_(
        Report.agency_id == agency_id,
        Report.sharing == "network",
        and_(Report.sharing == "partners", Report.agency_id.in_(partners)),
    )


def counted_for(agency_id: int) -> ColumnElement[bool]:
    """The reports listings and statistics count for ``agency_id``: the visible ones that are not
    withdrawn (a withdrawn report is still shown by id, and listed on request)."""
    return and_(visible_to(agency_id), Report.withdrawn_at.is_(None))


@dataclass(frozen=True)
class ReportFilter:
    """Filters of a report search; ``inchikeys`` None means any substance."""

    inchikeys: Collection[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    event_type: str | None = None
    agency: str | None = None
    sharing: str | None = None
    #: withdrawn reports are left out unless asked for
    include_withdrawn: bool = False

    def without_substance(self) -> ReportFilter:
        return replace(self, inchikeys=None)


def _conditions(principal: Principal, f: ReportFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [visible_to(principal.agency_id)]
    if f.inchikeys is not None:
        conds.append(Report.inchikey.in_(sorted(f.inchikeys)))
    if f.date_from is not None:
        conds.append(Report.event_date >= f.date_from)
    if f.date_to is not None:
        conds.append(Report.event_date <= f.date_to)
    if f.country is not None:
        conds.append(Report.country == f.country)
    if f.event_type is not None:
        conds.append(Report.event_type == f.event_type)
    if f.agency is not None:
        conds.append(Report.agency_id.in_(select(Agency.id).where(Agency.name == f.agency)))
    if f.sharing is not None:
        conds.append(Report.sharing == f.sharing)
    if not f.include_withdrawn:
        conds.append(Report.withdrawn_at.is_(None))
    return conds


def find_by_idempotency_key(session: Session, *, agency_id: int, key: str) -> Report | None:
    return session.scalar(select(Report).where(Report.agency_id == agency_id, Report.idempotency_key == key))


def insert_report(session: Session, *, principal: Principal, fields: dict[str, Any]) -> Report:
    """Store a report (``fields`` are the Report columns); raises ConflictError on a repeated
    idempotency key."""
    report = Report(agency_id=principal.agency_id, token_id=principal.token_id, submitted_at=utcnow(), **fields)
    session.add(report)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise ConflictError("a report with this Idempotency-Key exists") from exc
    return report


def get_visible_report(session: Session, *, principal: Principal, report_id: str) -> Report | None:
    return session.scalar(select(Report).where(Report.id == report_id, visible_to(principal.agency_id)))


def report_owner(session: Session, *, report_id: str) -> int | None:
    return session.scalar(select(Report.agency_id).where(Report.id == report_id))


def lock_visible_report(session: Session, *, principal: Principal, report_id: str) -> Report | None:
    """The visible report, its row locked until the transaction ends (PostgreSQL; SQLite writers
    are serial anyway), for a correction or a withdrawal."""
    return session.scalar(
        select(Report).where(Report.id == report_id, visible_to(principal.agency_id))
        .with_for_update(of=Report).execution_options(populate_existing=True)
    )


def list_revisions(session: Session, *, report_id: str) -> list[ReportRevision]:
    """The stored revisions of a report, oldest first (none until it is first corrected or withdrawn)."""
    return list(session.scalars(
        select(ReportRevision).where(ReportRevision.report_id == report_id).order_by(ReportRevision.revision)
    ))


def add_revision(
    session: Session, *, report_id: str, revision: int, kind: str, at: datetime, token_id: str, role: str | None,
    reason: str | None, changed: list[str], state: dict[str, Any],
) -> ReportRevision:
    row = ReportRevision(report_id=report_id, revision=revision, kind=kind, at=at, token_id=token_id, role=role,
                         reason=reason, changed=changed, state=state)
    session.add(row)
    return row


def alerted_agencies(session: Session, *, report_id: str) -> set[int]:
    """The agencies that have received an alert about a report."""
    return set(session.scalars(select(Alert.agency_id).where(Alert.report_id == report_id).distinct()))


def count_reports(session: Session, *, principal: Principal, filters: ReportFilter) -> int:
    return int(session.scalar(select(func.count(Report.id)).where(*_conditions(principal, filters))) or 0)


def _ordered(stmt):  # type: ignore[no-untyped-def]
    return stmt.order_by(Report.event_date.desc(), Report.submitted_at.desc(), Report.id)


def list_reports(
    session: Session, *, principal: Principal, filters: ReportFilter, limit: int, offset: int
) -> list[Report]:
    stmt = _ordered(select(Report).where(*_conditions(principal, filters))).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def iter_reports(session: Session, *, principal: Principal, filters: ReportFilter) -> Iterator[Report]:
    """Every matching report, in list order, fetched in batches (for exports)."""
    stmt = _ordered(select(Report).where(*_conditions(principal, filters))).execution_options(yield_per=500)
    yield from session.scalars(stmt)


def candidate_substances(session: Session, *, principal: Principal, filters: ReportFilter) -> list[tuple[str, str]]:
    """Distinct (inchikey, smiles) of the reports matching ``filters`` (substructure and similarity
    searches test these, then narrow the report query to the InChIKeys that match)."""
    stmt = select(Report.inchikey, Report.smiles).where(*_conditions(principal, filters)).distinct()
    return [(ik, smi) for ik, smi in session.execute(stmt)]


def _month(session: Session):  # type: ignore[no-untyped-def]
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Report.event_date, "YYYY-MM")
    return func.strftime("%Y-%m", Report.event_date)


def substance_summary(session: Session, *, principal: Principal, inchikey: str) -> dict[str, Any] | None:
    """Sightings of one substance among the reports visible to ``principal``; None when there are none."""
    conds = _conditions(principal, ReportFilter(inchikeys=[inchikey]))
    per_country = session.execute(
        select(Report.country, func.min(Report.event_date), func.max(Report.event_date), func.count(Report.id))
        .where(*conds).group_by(Report.country).order_by(func.min(Report.event_date), Report.country)
    ).all()
    if not per_country:
        return None
    month = _month(session).label("month")
    monthly = session.execute(
        select(month, func.count(Report.id)).where(*conds).group_by(month).order_by(month)
    ).all()
    smiles = session.scalar(select(Report.smiles).where(*conds).limit(1))
    restrictions: list[str] = []
    for (items,) in session.execute(select(Report.restrictions).where(*conds)):
        for r in items or []:
            if r not in restrictions:
                restrictions.append(r)
    return {
        "inchikey": inchikey,
        "smiles": smiles,
        "reports": sum(int(n) for *_, n in per_country),
        "first_sighting": min(first for _, first, _, _ in per_country),
        "last_sighting": max(last for _, _, last, _ in per_country),
        "countries": [
            {"country": c, "first_sighting": first, "last_sighting": last, "reports": int(n)}
            for c, first, last, n in per_country
        ],
        "monthly": [{"month": str(m), "reports": int(n)} for m, n in monthly],
        "restrictions": sorted(restrictions),
    }


# -- alerts ---------------------------------------------------------------------------------------


def _alert_conditions(
    principal: Principal, since: datetime | None, kind: str | None
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Alert.agency_id == principal.agency_id]
    if since is not None:
        conds.append(Alert.created_at > since)
    if kind is not None:
        conds.append(Alert.kind == kind)
    return conds


def list_alerts(
    session: Session, *, principal: Principal, since: datetime | None = None, kind: str | None = None,
    limit: int = 100, offset: int = 0,
) -> tuple[int, list[Alert]]:
    """The alert feed of the principal's agency, oldest first (poll with ``since``)."""
    conds = _alert_conditions(principal, since, kind)
    total = int(session.scalar(select(func.count(Alert.id)).where(*conds)) or 0)
    rows = session.scalars(
        select(Alert).where(*conds).order_by(Alert.created_at, Alert.id).limit(limit).offset(offset)
    )
    return total, list(rows)


def alerts_for_report(session: Session, *, agency_id: int, report_id: str) -> list[Alert]:
    return list(session.scalars(
        select(Alert).where(Alert.agency_id == agency_id, Alert.report_id == report_id).order_by(Alert.kind)
    ))


# -- webhooks -------------------------------------------------------------------------------------


def set_webhook(session: Session, *, agency_id: int, url: str, rotate_secret: bool = False) -> tuple[str, str]:
    import secrets

    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError("agency not found")
    agency.webhook_url = url
    if rotate_secret or not agency.webhook_secret:
        agency.webhook_secret = secrets.token_hex(32)
    session.flush()
    return agency.webhook_url, agency.webhook_secret


def clear_webhook(session: Session, *, agency_id: int) -> None:
    session.execute(update(Agency).where(Agency.id == agency_id).values(webhook_url=None))


# -- audit ----------------------------------------------------------------------------------------


def _text(value: str | None, limit: int) -> str | None:
    """Audit text as given, but without NUL (PostgreSQL text cannot hold it) and bounded."""
    if not value:
        return None
    return value.replace("\x00", "\\x00")[:limit]


def add_audit(
    session: Session, *, principal: Principal | None, action: str, method: str, path: str, status: int,
    query: str | None = None, object_id: str | None = None, owner_agency_id: int | None = None,
    detail: str | None = None,
) -> None:
    session.add(AuditEntry(
        at=datetime.now(UTC),
        agency_id=principal.agency_id if principal else None,
        agency_name=principal.agency_name if principal else None,
        token_id=principal.token_id if principal else None,
        role=principal.role.value if principal else None,
        action=_text(action, 60) or "?", method=method[:10], path=_text(path, 500) or "/",
        query=_text(query, 2000), object_id=_text(object_id, 64), owner_agency_id=owner_agency_id, status=status,
        detail=_text(detail, 4000),
    ))


def list_audit(
    session: Session, *, principal: Principal, since: datetime | None = None, until: datetime | None = None,
    action: str | None = None, limit: int = 100, offset: int = 0,
) -> tuple[int, list[AuditEntry]]:
    """What the agency's own tokens did, and who read the agency's reports, newest first."""
    conds: list[ColumnElement[bool]] = [
        or_(AuditEntry.agency_id == principal.agency_id, AuditEntry.owner_agency_id == principal.agency_id)
    ]
    if since is not None:
        conds.append(AuditEntry.at >= since)
    if until is not None:
        conds.append(AuditEntry.at <= until)
    if action is not None:
        conds.append(AuditEntry.action == action)
    total = int(session.scalar(select(func.count(AuditEntry.id)).where(*conds)) or 0)
    rows = session.scalars(
        select(AuditEntry).where(*conds).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        .offset(offset)
    )
    return total, list(rows)
