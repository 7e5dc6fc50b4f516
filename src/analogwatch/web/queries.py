"""Aggregates the dashboard shows that the API does not, each restricted by ``crud.counted_for``:
``crud.visible_to`` (the one statement of who may see what, so a page never counts a report its
agency may not see) without the withdrawn reports, which no statistic counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analogwatch.service.auth import Principal
from analogwatch.service.store import crud
from analogwatch.service.store.models import Report


def _month(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Report.event_date, "YYYY-MM")
    return func.strftime("%Y-%m", Report.event_date)


def monthly_sightings(session: Session, *, principal: Principal) -> list[tuple[str, int]]:
    """Visible reports per month of the event date, oldest first."""
    month = _month(session).label("month")
    rows = session.execute(
        select(month, func.count(Report.id)).where(crud.counted_for(principal.agency_id)).group_by(month)
        .order_by(month)
    ).all()
    return [(str(m), int(n)) for m, n in rows]


@dataclass(frozen=True)
class SubstanceRow:
    inchikey: str
    smiles: str
    reports: int
    countries: int
    first_sighting: date
    last_sighting: date


def visible_substances(session: Session, *, principal: Principal, limit: int = 50, offset: int = 0,
                       order: str = "recent") -> tuple[int, list[SubstanceRow]]:
    """Distinct substances among the visible reports, with counts and first and last sightings."""
    visible = crud.counted_for(principal.agency_id)
    total = int(session.scalar(select(func.count(func.distinct(Report.inchikey))).where(visible)) or 0)
    first, last, n = func.min(Report.event_date), func.max(Report.event_date), func.count(Report.id)
    orders: dict[str, tuple[Any, ...]] = {
        "recent": (last.desc(), Report.inchikey), "reports": (n.desc(), Report.inchikey),
        "first": (first.asc(), Report.inchikey),
    }
    stmt = (
        select(Report.inchikey, func.min(Report.smiles), n, func.count(func.distinct(Report.country)), first, last)
        .where(visible).group_by(Report.inchikey).order_by(*orders.get(order, orders["recent"]))
        .limit(limit).offset(offset)
    )
    rows = [SubstanceRow(ik, smi, int(c), int(nc), f, la) for ik, smi, c, nc, f, la in session.execute(stmt)]
    return total, rows


def visible_counts(session: Session, *, principal: Principal) -> dict[str, int]:
    visible = crud.counted_for(principal.agency_id)
    row = session.execute(
        select(func.count(Report.id), func.count(func.distinct(Report.inchikey)),
               func.count(func.distinct(Report.country)), func.count(func.distinct(Report.agency_id)))
        .where(visible)
    ).one()
    return {"reports": int(row[0]), "substances": int(row[1]), "countries": int(row[2]), "agencies": int(row[3])}


def visible_country_codes(session: Session, *, principal: Principal) -> list[str]:
    rows = session.scalars(select(Report.country).where(crud.counted_for(principal.agency_id)).distinct()
                           .order_by(Report.country))
    return list(rows)


def visible_agency_names(session: Session, *, principal: Principal) -> list[str]:
    from analogwatch.service.store.models import Agency

    rows = session.scalars(
        select(Agency.name).where(Agency.id.in_(
            select(Report.agency_id).where(crud.counted_for(principal.agency_id)).distinct()
        )).order_by(Agency.name)
    )
    return list(rows)
