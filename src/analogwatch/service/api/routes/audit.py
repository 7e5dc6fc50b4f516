"""The audit log, for agency admins: what the agency's tokens did, and who read its reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from analogwatch.service import audit
from analogwatch.service.api.deps import AdminAgency, SessionDep
from analogwatch.service.api.routes._filters import NO_NUL
from analogwatch.service.schemas import AuditList, AuditOut
from analogwatch.service.store import crud

router = APIRouter(prefix="/audit", tags=["audit"])


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


@router.get("", response_model=AuditList)
def list_audit(
    request: Request, session: SessionDep, principal: AdminAgency,
    since: Annotated[datetime | None, Query(description="From this time (ISO 8601).")] = None,
    until: Annotated[datetime | None, Query(description="Up to this time (ISO 8601).")] = None,
    action: Annotated[str | None, Query(max_length=60, pattern=NO_NUL,
                                        description="An operation name, e.g. get_report.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AuditList:
    """Audit entries of your agency's own requests, and of other agencies' requests for your reports
    by id, newest first."""
    total, rows = crud.list_audit(session, principal=principal, since=_aware(since), until=_aware(until),
                                  action=action, limit=limit, offset=offset)
    items = [
        AuditOut(
            at=e.at, agency=e.agency_name, role=e.role, action=e.action, method=e.method, path=e.path,
            # another agency's token ids are its own business
            token_id=e.token_id if e.agency_id == principal.agency_id else None,
            query=e.query, object_id=e.object_id, status=e.status, detail=e.detail,
        )
        for e in rows
    ]
    audit.record_read(session, request, principal, detail=f"{len(items)} of {total} entries")
    return AuditList(total=total, limit=limit, offset=offset, items=items)
