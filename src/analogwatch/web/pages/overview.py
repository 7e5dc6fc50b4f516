"""Overview: what your agency can see at a glance, with the monthly sightings and lag charts."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from analogwatch.service.alerts import alert_out
from analogwatch.service.reports import report_out
from analogwatch.service.store import crud
from analogwatch.web import charts, queries
from analogwatch.web.pages._common import ResolverDep, SessionDep, audit_read
from analogwatch.web.pages.substances import lag_chart_rows, lag_rows
from analogwatch.web.render import render, seen_since, svg
from analogwatch.web.session import WebAgency

router = APIRouter()

#: substances in the overview's lag chart (the most recently seen)
LAG_ROWS = 8


@router.get("/", name="dashboard_overview")
def overview(request: Request, principal: WebAgency, session: SessionDep, resolver: ResolverDep) -> Response:
    counts = queries.visible_counts(session, principal=principal)
    monthly = queries.monthly_sightings(session, principal=principal)
    _, subs = queries.visible_substances(session, principal=principal, limit=LAG_ROWS, order="recent")
    today = date.today()
    items = lag_rows(resolver, subs, today)
    lag = charts.lag_chart(lag_chart_rows(items),
                           title="Lag from first sighting to control, most recently seen substances")
    recent = [report_out(r) for r in crud.list_reports(session, principal=principal, filters=crud.ReportFilter(),
                                                        limit=6, offset=0)]
    n_alerts, _ = crud.list_alerts(session, principal=principal, limit=1)
    n_new, _ = crud.list_alerts(session, principal=principal, since=seen_since(request), limit=1)
    _, last_alerts = crud.list_alerts(session, principal=principal, limit=5, offset=max(0, n_alerts - 5))
    alerts = [alert_out(a) for a in reversed(last_alerts)]
    audit_read(session, request, principal, detail=f"overview: {counts['reports']} reports")
    return render(
        request, "overview.html", principal=principal, active="overview", title="Overview", counts=counts,
        monthly=svg(charts.monthly_bars(monthly, title="Sightings per month, every report your agency can see")),
        monthly_rows=monthly, lag=svg(lag), lag_items=items, recent=recent, alerts=alerts, n_alerts=n_alerts,
        n_new=n_new,
    )
