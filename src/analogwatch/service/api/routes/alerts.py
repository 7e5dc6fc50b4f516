"""The alert feed of your agency."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from analogwatch.service import audit
from analogwatch.service.alerts import alert_out
from analogwatch.service.api.deps import CurrentAgency, SessionDep
from analogwatch.service.schemas import AlertKind, AlertList
from analogwatch.service.store import crud

router = APIRouter(prefix="/alerts", tags=["alerts"])


@router.get("", response_model=AlertList)
def list_alerts(
    request: Request, session: SessionDep, principal: CurrentAgency,
    since: Annotated[datetime | None, Query(description="Only alerts created after this time (ISO 8601); "
                                                        "poll with the created_at of the last alert seen.")] = None,
    kind: Annotated[AlertKind | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AlertList:
    """Alerts raised for your agency, oldest first."""
    if since is not None and since.tzinfo is None:
        from datetime import UTC

        since = since.replace(tzinfo=UTC)
    total, rows = crud.list_alerts(session, principal=principal, since=since, kind=kind.value if kind else None,
                                   limit=limit, offset=offset)
    items = [alert_out(a) for a in rows]
    audit.record_read(session, request, principal, detail=f"{len(items)} of {total} alerts")
    return AlertList(total=total, limit=limit, offset=offset, items=items)
