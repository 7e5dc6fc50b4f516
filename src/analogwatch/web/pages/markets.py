"""Markets: darknet-market listings ingested with ``analogwatch listings ingest``, and their vendors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from analogwatch.markets.model import ListingRecord
from analogwatch.web import charts
from analogwatch.web.markets import load
from analogwatch.web.pages._common import SessionDep, audit_read, parse_int
from analogwatch.web.render import render, svg
from analogwatch.web.session import WebAgency

router = APIRouter()

PAGE_SIZE = 50


def _matches(r: ListingRecord, q: str, vendor: str, market: str, status: str) -> bool:
    if vendor and (r.vendor or "").casefold() != vendor.casefold():
        return False
    if market and r.market != market:
        return False
    if status == "invalid" and r.status != "invalid":
        return False
    if status == "uncontrolled" and not any(
            any(not v.controlled for v in s.verdicts.values()) for s in r.substances):
        return False
    if q:
        hay = " ".join([r.title, r.vendor or "", *(s.name for s in r.substances)]).casefold()
        return q.casefold() in hay
    return True


@router.get("/markets", name="dashboard_markets")
def markets_page(request: Request, principal: WebAgency, session: SessionDep, q: str = "", vendor: str = "",
                 market: str = "", status: str = "", page: str = "1") -> Response:
    root = request.app.state.web_settings.listings_dir
    data = load(root)
    q, vendor, market = q.strip()[:200], vendor.strip()[:200], market.strip()[:200]
    listings = [r for r in data.records if _matches(r, q, vendor, market, status)]
    p = parse_int(page, 1, lo=1)
    shown = listings[(p - 1) * PAGE_SIZE: p * PAGE_SIZE]
    vendors = data.report.vendors
    if vendor:
        vendors = [v for v in vendors if v.vendor.casefold() == vendor.casefold()]
    markets = sorted({r.market for r in data.records})
    n_sub = sum(1 for r in data.records if r.substances)
    n_invalid = sum(1 for r in data.records if r.status == "invalid")
    chart = charts.monthly_bars(data.monthly, title="Listings per month", unit="listing") if data.records else ""
    audit_read(session, request, principal, detail=f"{len(shown)} of {len(listings)} listings")
    return render(
        request, "markets.html", principal=principal, active="markets", title="Markets", data=data, root=root,
        listings=shown, matched=len(listings), page=p, pages=max(1, (len(listings) + PAGE_SIZE - 1) // PAGE_SIZE),
        vendors=vendors, markets=markets, q=q, vendor=vendor, market=market, status=status,
        n_substances=n_sub, n_invalid=n_invalid, chart=svg(chart),
    )
