"""Screen: upload a file of compounds, watch the progress, read and download one result per record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from analogwatch.web.errors import PageError, not_found
from analogwatch.web.jobs import INPUT_SUFFIXES, Job, ScreenJobs, input_suffix
from analogwatch.web.pages._common import ResolverDep, SessionDep, SettingsDep, audit_read, parse_int
from analogwatch.web.render import render
from analogwatch.web.session import WebAgency, check_csrf

router = APIRouter()

PAGE_SIZE = 100


def _jobs(request: Request) -> ScreenJobs:
    jobs: ScreenJobs = request.app.state.screen_jobs
    return jobs


def _job(request: Request, agency_id: int, job_id: str) -> Job:
    job = _jobs(request).get(agency_id=agency_id, job_id=job_id)
    if job is None:
        raise not_found("screening job", object_id=job_id[:64])
    return job


@router.get("/screen", name="dashboard_screen")
def screen_page(request: Request, principal: WebAgency, session: SessionDep, settings: SettingsDep) -> Response:
    jobs = _jobs(request).list_jobs(agency_id=principal.agency_id)
    audit_read(session, request, principal, detail=f"{len(jobs)} screening jobs")
    return render(request, "screen.html", principal=principal, active="screen", title="Screen", jobs=jobs,
                  suffixes=INPUT_SUFFIXES, max_mb=settings.max_upload_bytes // (1024 * 1024), error="")


@router.post("/screen", name="dashboard_screen_upload")
def screen_upload(
    request: Request, principal: WebAgency, session: SessionDep, settings: SettingsDep, resolver: ResolverDep,
    file: Annotated[UploadFile | None, File()] = None, csrf: Annotated[str, Form()] = "",
    smiles_column: Annotated[str, Form()] = "", id_column: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    error = ""
    data = b""
    if file is None or not file.filename:
        error = "Choose a file to screen."
    elif input_suffix(file.filename) is None:
        error = (f"“{file.filename}” is not a file analogwatch screens: use {', '.join(INPUT_SUFFIXES)} "
                 "(optionally gzipped).")
    else:
        data = file.file.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            error = f"The file is larger than {settings.max_upload_bytes // (1024 * 1024)} MB: screen it with " \
                    "`analogwatch screen` on the command line, or split it."
        elif not data:
            error = "The file is empty."
    if error:
        jobs = _jobs(request).list_jobs(agency_id=principal.agency_id)
        audit_read(session, request, principal, detail=f"screen upload refused: {error}")
        return render(request, "screen.html", principal=principal, active="screen", title="Screen", jobs=jobs,
                      suffixes=INPUT_SUFFIXES, max_mb=settings.max_upload_bytes // (1024 * 1024), error=error,
                      status_code=422)
    assert file is not None and file.filename
    job = _jobs(request).submit(agency_id=principal.agency_id, filename=file.filename, data=data,
                                checker=resolver.checker, smiles_column=smiles_column.strip()[:200],
                                id_column=id_column.strip()[:200])
    audit_read(session, request, principal, object_id=job.id, detail=f"screen {file.filename[:100]} "
                                                                      f"({len(data)} bytes)")
    return RedirectResponse(f"/screen/{job.id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/screen/{job_id}", name="dashboard_screen_job")
def job_page(request: Request, job_id: str, principal: WebAgency, session: SessionDep, show: str = "all",
             page: str = "1") -> Response:
    job = _job(request, principal.agency_id, job_id)
    show = show if show in ("all", "invalid", "controlled") else "all"
    p = parse_int(page, 1, lo=1)
    n, rows = _jobs(request).rows(job, show=show, offset=(p - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    audit_read(session, request, principal, object_id=job.id, detail=f"screening job {job.status}")
    return render(request, "screen_job.html", principal=principal, active="screen", title=f"Screen {job.filename}",
                  job=job, rows=rows, shown=n, show=show, page=p, pages=max(1, (n + PAGE_SIZE - 1) // PAGE_SIZE))


@router.get("/screen/{job_id}/status.json", name="dashboard_screen_status")
def job_status(request: Request, job_id: str, principal: WebAgency) -> Response:
    # Polled every second while a job runs: not audited, it shows nothing beyond the job's own counters.
    job = _job(request, principal.agency_id, job_id)
    return JSONResponse(job.public())


@router.get("/screen/{job_id}/results.csv", name="dashboard_screen_download")
def job_download(request: Request, job_id: str, principal: WebAgency, session: SessionDep) -> Response:
    job = _job(request, principal.agency_id, job_id)
    path = _jobs(request).results_path(job)
    if job.status != "done" or not path.is_file():
        raise PageError(409, "Not finished", "The results are not ready yet.")
    audit_read(session, request, principal, object_id=job.id, detail="screening results downloaded")
    stem = job.filename.rsplit("/", 1)[-1].split(".", 1)[0] or "screen"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:80]
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"{safe}-analogwatch.csv")
