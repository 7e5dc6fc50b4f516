"""The FastAPI application of the intelligence service: ``create_app(settings)``.

/openapi.json and /docs are public (they describe the API and hold no data); every route under
/api needs a bearer token. The web dashboard is mounted on the same app (its pages, templates and
static files beside the API router, see ``_mount_web``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from analogwatch import __version__
from analogwatch.checker import Checker
from analogwatch.service import audit
from analogwatch.service.api import api_router
from analogwatch.service.settings import Settings
from analogwatch.service.store.db import ensure_schema, make_engine, make_sessionmaker
from analogwatch.service.substances import SubstanceResolver
from analogwatch.service.webhooks import WebhookWorker

log = logging.getLogger("analogwatch.service")

DESCRIPTION = """\
Member agencies record identifications of synthetic drugs, share them under explicit agreements,
and are alerted when something new or uncontrolled appears. Every `/api` route needs
`Authorization: Bearer <token>` (tokens come from `analogwatch admin issue-token`).
Restrictions on a report travel with it and bind every reader. The reporting agency may correct or
withdraw a report; every version is kept, and every reader may see its history.
"""


def build_checker(settings: Settings) -> Checker:
    if settings.registry_dir is not None:
        from analogwatch.registry import load_registry

        return Checker(load_registry(settings.registry_dir), use_opsin=settings.opsin)
    return Checker(use_opsin=settings.opsin)


def create_app(
    settings: Settings | None = None, *, checker: Checker | None = None,
    webhook_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """The service app. ``checker`` (built from the settings when omitted) resolves substances;
    ``webhook_transport`` replaces the network for webhook deliveries (tests)."""
    settings = settings or Settings()
    engine = make_engine(settings)
    sessions = make_sessionmaker(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate_on_start:
            await run_in_threadpool(ensure_schema, engine)
        if app.state.resolver is None:
            app.state.resolver = SubstanceResolver(await run_in_threadpool(build_checker, settings))
        worker = None
        if settings.webhooks_enabled:
            worker = WebhookWorker(sessions, settings, transport=webhook_transport)
            worker.start()
        app.state.webhooks = worker
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            engine.dispose()

    app = FastAPI(
        title="analogwatch intelligence service", version=__version__, description=DESCRIPTION, lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.resolver = SubstanceResolver(checker) if checker is not None else None
    app.state.webhooks = None
    app.include_router(api_router)
    _install_error_audit(app)
    _mount_web(app)
    return app


def _audit_refusal(request: Request, status: int, detail: str) -> None:
    """Audit a refused request of an authenticated agency (403, 404, 422...) unless its route did."""
    principal = getattr(request.state, "principal", None)
    if principal is None or getattr(request.state, "audited", False):
        return
    with request.app.state.sessions() as session:
        audit.record(session, request, principal, status=status, detail=detail[:1000])
        session.commit()


def _install_error_audit(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        await run_in_threadpool(_audit_refusal, request, exc.status_code, str(exc.detail))
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        msgs = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors())
        await run_in_threadpool(_audit_refusal, request, 422, msgs)
        return await request_validation_exception_handler(request, exc)


def _mount_web(app: FastAPI) -> None:
    """The dashboard (analogwatch.web): pages, templates and static assets beside the API."""
    from analogwatch.web import mount

    mount(app)
