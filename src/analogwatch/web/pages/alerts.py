"""The alert inbox of your agency, newest first; an open page asks for new alerts as they come."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from analogwatch.service.alerts import alert_out
from analogwatch.service.jurisdiction import country_name
from analogwatch.service.schemas import AlertKind, AlertOut
from analogwatch.service.store import crud
from analogwatch.web.pages._common import SessionDep, audit_read, parse_int
from analogwatch.web.render import ALERT_KINDS, render, seen_since
from analogwatch.web.session import SEEN_COOKIE, WebAgency

router = APIRouter()

PAGE_SIZE = 50


def _kind(text: str) -> str | None:
    try:
        return AlertKind(text).value if text else None
    except ValueError:
        return None


def alert_json(a: AlertOut) -> dict[str, Any]:
    try:
        where = country_name(a.country)
    except KeyError:
        where = a.country
    return {
        "id": a.id, "kind": a.kind.value, "kind_label": ALERT_KINDS.get(a.kind.value, a.kind.value),
        "created_at": a.created_at.isoformat(), "message": a.message, "country": a.country, "country_name": where,
        "restrictions": a.restrictions, "report_id": a.report_id, "inchikey": a.inchikey,
    }


@router.get("/alerts", name="dashboard_list_alerts")
def alerts_page(request: Request, principal: WebAgency, session: SessionDep, kind: str = "",
                page: str = "1") -> Response:
    k = _kind(kind)
    p = parse_int(page, 1, lo=1)
    total, _ = crud.list_alerts(session, principal=principal, kind=k, limit=1)
    # newest first: page 1 is the last PAGE_SIZE alerts of the feed (which runs oldest first)
    end = max(0, total - (p - 1) * PAGE_SIZE)
    start = max(0, end - PAGE_SIZE)
    _, rows = crud.list_alerts(session, principal=principal, kind=k, limit=max(1, end - start), offset=start)
    items = [alert_out(a) for a in reversed(rows)] if end > start else []
    seen = seen_since(request)
    latest = max((a.created_at for a in rows), default=None) if end > start else None
    audit_read(session, request, principal, detail=f"{len(items)} of {total} alerts (dashboard)")
    response = render(
        request, "alerts.html", principal=principal, active="alerts", title="Alerts", items=items, total=total,
        kind=k or "", page=p, pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE), seen=seen,
        since=(latest or datetime.now(UTC)).isoformat(), kinds=ALERT_KINDS,
    )
    if p == 1 and k is None and latest is not None and (seen is None or latest > seen):
        response.set_cookie(SEEN_COOKIE, latest.isoformat(), httponly=True, samesite="lax", path="/")
    return response


@router.get("/alerts/feed.json", name="dashboard_alert_feed")
def alert_feed(request: Request, principal: WebAgency, session: SessionDep, since: str = "",
               kind: str = "") -> Response:
    """Alerts created after ``since`` (ISO time), oldest first: what an open inbox adds at its top."""
    try:
        t = datetime.fromisoformat(since) if since else None
    except ValueError:
        t = None
    if t is not None and t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    total, rows = crud.list_alerts(session, principal=principal, since=t, kind=_kind(kind), limit=100)
    items = [alert_json(alert_out(a)) for a in rows]
    audit_read(session, request, principal, detail=f"{len(items)} new alerts (dashboard)")
    response = JSONResponse({"total": total, "items": items})
    if rows:
        response.set_cookie(SEEN_COOKIE, rows[-1].created_at.isoformat(), httponly=True, samesite="lax", path="/")
    return response
