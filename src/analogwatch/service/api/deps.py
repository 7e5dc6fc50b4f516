"""Dependencies of the API routes, as ``Annotated`` aliases: the database session, the
authenticated agency (``CurrentAgency``) and role checks, the Checker, the settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from analogwatch.service.auth import WRITERS, Principal, Role
from analogwatch.service.settings import Settings
from analogwatch.service.store import crud
from analogwatch.service.substances import SubstanceResolver

bearer = HTTPBearer(
    auto_error=False, bearerFormat="aw_<id>_<secret>",
    description="A token from `analogwatch admin issue-token`.",
)


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"})


def get_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """The agency behind the bearer token (looked up in a short transaction of its own)."""
    if credentials is None:
        raise _unauthorized("missing bearer token: send 'Authorization: Bearer <token>'")
    if credentials.scheme.lower() != "bearer" or not credentials.credentials or len(credentials.credentials) > 200:
        raise _unauthorized("invalid token")
    with request.app.state.sessions() as session:
        try:
            principal = crud.authenticate(session, token=credentials.credentials)
        except crud.AuthError as exc:
            raise _unauthorized(str(exc)) from None
    request.state.principal = principal
    return principal


def require_writer(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.role not in WRITERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"role {principal.role.value} cannot write reports")
    return principal


def require_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.role is not Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only an agency admin token may do this")
    return principal


def get_resolver(request: Request) -> SubstanceResolver:
    resolver: SubstanceResolver = request.app.state.resolver
    return resolver


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
CurrentAgency = Annotated[Principal, Depends(get_principal)]
WriterAgency = Annotated[Principal, Depends(require_writer)]
AdminAgency = Annotated[Principal, Depends(require_admin)]
ResolverDep = Annotated[SubstanceResolver, Depends(get_resolver)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
