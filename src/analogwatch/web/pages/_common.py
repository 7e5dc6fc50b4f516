"""What the pages share: the database session and Checker of the service, audit of reads."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from sqlalchemy.orm import Session

from analogwatch.service import audit
from analogwatch.service.api.deps import ResolverDep, SessionDep, SettingsDep
from analogwatch.service.auth import Principal

__all__ = ["ResolverDep", "SessionDep", "SettingsDep", "audit_read", "parse_date", "parse_int"]


def audit_read(session: Session, request: Request, principal: Principal, *, detail: str | None = None,
               object_id: str | None = None, owner_agency_id: int | None = None) -> None:
    """Every dashboard page is recorded in the audit log like the API request it stands for."""
    audit.record_read(session, request, principal, detail=detail, object_id=object_id,
                      owner_agency_id=owner_agency_id)


def parse_date(text: str | None) -> date | None:
    """A YYYY-MM-DD form value, None when empty; ValueError when malformed."""
    if not text or not text.strip():
        return None
    return date.fromisoformat(text.strip())


def parse_int(text: str | None, default: int, *, lo: int = 0, hi: int = 1_000_000) -> int:
    try:
        return max(lo, min(hi, int(text or default)))
    except ValueError:
        return default
