"""Substances: what your agency can see of each structure, its control status, and the lag from
its first sighting to control in each jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from analogwatch.service.jurisdiction import country_name, jurisdiction_of
from analogwatch.service.reports import report_out
from analogwatch.service.store import crud
from analogwatch.web import charts, queries
from analogwatch.web.chem import display_name, judge_structure
from analogwatch.web.control import ControlDate, Lag, control_dates, lag_sentence, lags
from analogwatch.web.depict import highlighted, thumbnail
from analogwatch.web.errors import PageError
from analogwatch.web.pages._common import ResolverDep, SessionDep, audit_read, parse_int
from analogwatch.web.render import render, svg
from analogwatch.web.session import WebAgency

router = APIRouter()

INCHIKEY = re.compile(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")
PAGE_SIZE = 30
#: substances drawn in the lag chart of the index (the most recently seen)
CHART_ROWS = 12


def substance_label(resolver: ResolverDep, smiles: str) -> str:
    result = resolver.check_structure(smiles)
    return display_name(result) or smiles


@dataclass(frozen=True)
class LagRow:
    row: queries.SubstanceRow
    name: str | None
    controls: list[ControlDate]
    lags: list[Lag]

    @property
    def label(self) -> str:
        return self.name or self.row.smiles


def lag_rows(resolver: ResolverDep, rows: list[queries.SubstanceRow], today: date) -> list[LagRow]:
    """Today's control dates of each substance and the lag from its first (visible) sighting."""
    out = []
    for r in rows:
        result = resolver.check_structure(r.smiles, as_of=today)
        controls = control_dates(result)
        out.append(LagRow(r, display_name(result), controls, lags(r.first_sighting, controls, today)))
    return out


def lag_chart_rows(items: list[LagRow]) -> list[tuple[str, str, list[Lag]]]:
    return [(i.label, f"/substances/{i.row.inchikey}", i.lags) for i in items]


@router.get("/substances", name="dashboard_list_substances")
def substances_page(request: Request, principal: WebAgency, session: SessionDep, resolver: ResolverDep,
                    order: str = "recent", page: str = "1") -> Response:
    p = parse_int(page, 1, lo=1)
    order = order if order in ("recent", "reports", "first") else "recent"
    total, rows = queries.visible_substances(session, principal=principal, limit=PAGE_SIZE,
                                             offset=(p - 1) * PAGE_SIZE, order=order)
    today = date.today()
    items = lag_rows(resolver, rows, today)
    chart = charts.lag_chart(lag_chart_rows(items[:CHART_ROWS]), title="Lag from first sighting to control")
    audit_read(session, request, principal, detail=f"{len(rows)} of {total} substances")
    return render(request, "substances.html", principal=principal, active="substances", title="Substances",
                  items=items, total=total, page=p, pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
                  order=order, chart=svg(chart), chart_rows=min(CHART_ROWS, len(items)))


@router.get("/substances/{inchikey}", name="dashboard_get_substance")
def substance_page(request: Request, inchikey: str, principal: WebAgency, session: SessionDep,
                   resolver: ResolverDep) -> Response:
    summary = crud.substance_summary(session, principal=principal, inchikey=inchikey) if INCHIKEY.match(
        inchikey) else None
    if summary is None:
        session.commit()
        raise PageError(404, "Not found", "No report visible to your agency records this substance.",
                        object_id=inchikey[:64])
    today = date.today()
    std, result = judge_structure(resolver.checker, summary["smiles"], as_of=today)
    controls = control_dates(result)
    lag_list = lags(summary["first_sighting"], controls, today)
    countries = [
        charts.CountryRow(c["country"], _name(c["country"]), c["first_sighting"], c["last_sighting"], c["reports"])
        for c in summary["countries"]
    ]
    name = display_name(result)
    timeline = charts.substance_timeline(
        [(m["month"], m["reports"]) for m in summary["monthly"]], countries, lag_list, today=today,
        title=f"Sightings of {name or inchikey} and control in each jurisdiction",
    )
    reports = [report_out(r) for r in crud.list_reports(
        session, principal=principal, filters=crud.ReportFilter(inchikeys=[inchikey]), limit=50, offset=0)]
    audit_read(session, request, principal, object_id=inchikey, detail=f"{summary['reports']} reports (dashboard)")
    return render(
        request, "substance.html", principal=principal, active="substances", title=name or inchikey,
        summary=summary, result=result, name=name, controls=controls, lags=lag_list,
        lag_sentences=[lag_sentence(lag) for lag in lag_list], countries=countries,
        country_jurisdiction={c.code: jurisdiction_of(c.code) for c in countries},
        timeline=svg(timeline), reports=reports,
        depiction=highlighted(std.mol, result) if std is not None else None,
        thumb=thumbnail(summary["smiles"]) if std is None else None,
    )


def _name(code: str) -> str:
    try:
        return country_name(code)
    except KeyError:
        return code
