"""Mounting the dashboard on the service app: static assets, the pages, and their error pages."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from analogwatch.service import audit
from analogwatch.web.errors import PageError
from analogwatch.web.jobs import ScreenJobs
from analogwatch.web.pages import router
from analogwatch.web.render import render
from analogwatch.web.session import SignInRequired, sign_in_redirect
from analogwatch.web.settings import WebSettings

STATIC = Path(str(resources.files("analogwatch.web") / "static"))


def mount_dashboard(app: FastAPI, settings: WebSettings | None = None) -> None:
    settings = settings or WebSettings()
    app.state.web_settings = settings
    app.state.screen_jobs = ScreenJobs(settings.screens_dir, chunk_size=settings.screen_chunk_size)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if request.url.path.endswith(".json"):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return sign_in_redirect(request, exc.reason)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        principal = getattr(request.state, "principal", None)
        if principal is not None and not getattr(request.state, "audited", False):
            await run_in_threadpool(_audit, request, exc)
        if request.url.path.endswith(".json"):
            return JSONResponse({"detail": exc.message}, status_code=exc.status_code)
        return await run_in_threadpool(
            render, request, "error.html", principal=principal, status_code=exc.status_code, title=exc.title,
            message=exc.message,
        )


def _audit(request: Request, exc: PageError) -> None:
    with request.app.state.sessions() as session:
        audit.record(session, request, request.state.principal, status=exc.status_code, object_id=exc.object_id,
                     owner_agency_id=exc.owner_agency_id, detail=exc.message[:1000])
        session.commit()
