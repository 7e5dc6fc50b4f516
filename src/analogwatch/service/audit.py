"""The audit trail: every read and write through the API, with who (agency, token, role), when
and what. The action is the name of the API operation (``create_report``, ``list_reports``...).

Writes are audited in their own transaction, so a stored report always has its entry; reads are
audited in a transaction of their own before the answer leaves; refused requests (403, 404, 422)
with a valid token are audited by the app's error handlers. The table is append-only: the
database refuses UPDATE and DELETE on it (triggers created by the migration).
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from analogwatch.service.auth import Principal
from analogwatch.service.store import crud


def action_of(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "name", None) or request.url.path)


def record(
    session: Session, request: Request, principal: Principal | None, *, status: int = 200,
    object_id: str | None = None, owner_agency_id: int | None = None, detail: str | None = None,
) -> None:
    """Add an audit entry to the session's current transaction."""
    request.state.audited = True
    crud.add_audit(
        session, principal=principal, action=action_of(request), method=request.method, path=request.url.path,
        query=request.url.query or None, status=status, object_id=object_id, owner_agency_id=owner_agency_id,
        detail=detail,
    )


def record_read(
    session: Session, request: Request, principal: Principal, *, object_id: str | None = None,
    owner_agency_id: int | None = None, detail: str | None = None, status: int = 200,
) -> None:
    """Close the read transaction, then write and commit the entry in a transaction of its own (on
    SQLite a read snapshot cannot be upgraded to a write when another writer went first)."""
    session.commit()
    record(session, request, principal, status=status, object_id=object_id, owner_agency_id=owner_agency_id,
           detail=detail)
    session.commit()
