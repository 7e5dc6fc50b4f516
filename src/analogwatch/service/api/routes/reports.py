"""Reports: submit one, read one, search, bulk import and export; correct or withdraw one, and read
its revision history."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, HTTPException, Path, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.orm import Session

from analogwatch.service import audit
from analogwatch.service.alerts import alert_out
from analogwatch.service.api.deps import (
    CurrentAgency,
    ResolverDep,
    SessionDep,
    SettingsDep,
    WriterAgency,
)
from analogwatch.service.api.routes._filters import ReportQuery, report_query, resolve_filter
from analogwatch.service.auth import Principal
from analogwatch.service.bulk import (
    ImportFileError,
    decode,
    export_csv,
    export_jsonl,
    format_for,
    parse_import,
)
from analogwatch.service.reports import (
    CorrectionPlan,
    InvalidCorrection,
    RevisionError,
    correct,
    history,
    may_revise,
    plan_correction,
    report_out,
    submit,
    substance_problem,
    withdraw,
)
from analogwatch.service.schemas import (
    ImportRejected,
    ImportResult,
    ReportCorrected,
    ReportCorrection,
    ReportCreated,
    ReportHistory,
    ReportIn,
    ReportList,
    ReportOut,
    ReportWithdrawal,
)
from analogwatch.service.store import crud
from analogwatch.service.store.db import advisory_lock, begin_write
from analogwatch.service.store.models import Report
from analogwatch.service.webhooks import wake_worker
from analogwatch.verdicts import Result

router = APIRouter(prefix="/reports", tags=["reports"])

ReportId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The report id (32 hex digits).")]
QueryDep = Annotated[ReportQuery, Depends(report_query)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ReportCreated,
    responses={200: {"description": "A repeated Idempotency-Key: the report stored the first time."},
               422: {"description": "Malformed submission or unresolvable substance; nothing is stored."}},
)
def create_report(
    body: ReportIn, request: Request, response: Response, session: SessionDep, principal: WriterAgency,
    resolver: ResolverDep,
    idempotency_key: Annotated[str | None, Header(
        max_length=200, description="Optional: a retry with the same key returns the first report, stored once.",
    )] = None,
) -> ReportCreated:
    """Record an identification event; the substance is resolved and judged now, and stored so."""
    result = resolver.check(body.substance)
    problem = substance_problem(result)
    if problem:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{"type": "unresolvable_substance", "loc": ["body", "substance"], "msg": problem,
                     "input": body.substance[:200]}],
        )
    for _ in range(2):
        begin_write(session)
        if idempotency_key:
            existing = crud.find_by_idempotency_key(session, agency_id=principal.agency_id, key=idempotency_key)
            if existing is not None:
                alerts = crud.alerts_for_report(session, agency_id=principal.agency_id, report_id=existing.id)
                audit.record(session, request, principal, status=200, object_id=existing.id,
                             owner_agency_id=principal.agency_id, detail="repeated Idempotency-Key")
                session.commit()
                response.status_code = status.HTTP_200_OK
                return ReportCreated(**report_out(existing).model_dump(), alerts=[alert_out(a) for a in alerts])
        try:
            report, alerts = submit(session, principal=principal, data=body, result=result,
                                    idempotency_key=idempotency_key)
        except crud.ConflictError:
            session.rollback()  # a concurrent request with the same key won: answer with its report
            continue
        audit.record(session, request, principal, status=201, object_id=report.id,
                     owner_agency_id=principal.agency_id,
                     detail=f"{report.inchikey} {report.sharing}; {len(alerts)} alerts")
        session.commit()
        wake_worker(request)
        mine = [alert_out(a) for a in alerts if a.agency_id == principal.agency_id]
        return ReportCreated(**report_out(report).model_dump(), alerts=mine)
    raise HTTPException(status.HTTP_409_CONFLICT, detail="Idempotency-Key conflict; retry")


@router.get("", response_model=ReportList)
def list_reports(
    request: Request, session: SessionDep, principal: CurrentAgency, resolver: ResolverDep, query: QueryDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ReportList:
    """Reports visible to your agency, newest event first, filtered."""
    filters = resolve_filter(session, principal=principal, query=query, resolver=resolver)
    total = crud.count_reports(session, principal=principal, filters=filters)
    items = [report_out(r) for r in crud.list_reports(session, principal=principal, filters=filters, limit=limit,
                                                       offset=offset)]
    audit.record_read(session, request, principal, detail=f"{len(items)} of {total} reports")
    return ReportList(total=total, limit=limit, offset=offset, items=items)


@router.get(
    "/export",
    responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}},
                     "description": "Every visible report matching the filters."}},
    response_class=StreamingResponse,
)
def export_reports(
    request: Request, session: SessionDep, principal: CurrentAgency, resolver: ResolverDep, query: QueryDep,
    format: Annotated[str, Query(pattern="^(csv|jsonl)$", description="csv or jsonl")] = "csv",
) -> StreamingResponse:
    """Export the reports visible to your agency (same filters as the list), as CSV or JSON Lines."""
    filters = resolve_filter(session, principal=principal, query=query, resolver=resolver)
    total = crud.count_reports(session, principal=principal, filters=filters)
    audit.record_read(session, request, principal, detail=f"export {format}: {total} reports")
    sessions = request.app.state.sessions

    def reports() -> Iterator[ReportOut]:
        with sessions() as s:
            for r in crud.iter_reports(s, principal=principal, filters=filters):
                yield report_out(r)

    body = export_csv(reports()) if format == "csv" else export_jsonl(reports())
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="reports.{format}"'}
    )


@router.post(
    "/import", status_code=status.HTTP_201_CREATED, response_model=ImportResult,
    responses={422: {"model": ImportRejected, "description": "The file was rejected whole; nothing is stored."}},
)
def import_reports(
    request: Request, session: SessionDep, principal: WriterAgency, resolver: ResolverDep, settings: SettingsDep,
    file: Annotated[UploadFile, File(description="CSV (header row) or JSON Lines, UTF-8.")],
    format: Annotated[str | None, Query(pattern="^(csv|jsonl)$", description="csv or jsonl; default from "
                                                                             "the file name")] = None,
) -> ImportResult | JSONResponse:
    """Import a file of reports, all or nothing: one bad row rejects the file, with an error per row."""
    data = file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            detail=f"the file is larger than {settings.max_upload_bytes} bytes; split it")
    try:
        fmt = format_for(file.filename, format)
        parsed = parse_import(decode(data), fmt, resolver=resolver, max_rows=settings.max_import_rows)
    except ImportFileError as exc:
        rejected = ImportRejected(detail=str(exc), rows=0, errors=[])
        audit.record_read(session, request, principal, status=422, detail=f"import rejected: {exc}")
        return JSONResponse(rejected.model_dump(mode="json"), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    n_rows = len(parsed.rows) + len({e.row for e in parsed.errors})
    if parsed.errors:
        bad = len({e.row for e in parsed.errors})
        rejected = ImportRejected(
            detail=f"{bad} of {n_rows} rows have errors; nothing was imported", rows=n_rows, errors=parsed.errors
        )
        audit.record_read(session, request, principal, status=422, detail=rejected.detail)
        return JSONResponse(rejected.model_dump(mode="json"), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    begin_write(session)
    # Take the per-substance locks of the alert computation in one order, so that two imports
    # sharing substances cannot deadlock (PostgreSQL; SQLite writers are serial anyway).
    for key in sorted({r.inchikey for r in parsed.results if r.inchikey}):
        advisory_lock(session, "substance:" + key)
    ids: list[str] = []
    n_alerts = 0
    for row, result in zip(parsed.rows, parsed.results, strict=True):
        report, alerts = submit(session, principal=principal, data=row, result=result)
        ids.append(report.id)
        n_alerts += sum(1 for a in alerts if a.agency_id == principal.agency_id)
    audit.record(session, request, principal, status=201, owner_agency_id=principal.agency_id,
                 detail=f"imported {len(ids)} reports ({fmt})")
    session.commit()
    wake_worker(request)
    return ImportResult(imported=len(ids), ids=ids, alerts=n_alerts)


NOT_VISIBLE = "no report with this id is visible to your agency"
HIDDEN: dict[int | str, dict[str, Any]] = {404: {"description": "No report you can see."}}


def _not_found(session: Session, request: Request, principal: Principal, report_id: str) -> HTTPException:
    """The same words whether the report is missing or hidden: the caller sees its own entry. The
    owner of a hidden report sees the attempt in its audit log."""
    owner = crud.report_owner(session, report_id=report_id)
    audit.record_read(session, request, principal, status=404, object_id=report_id, owner_agency_id=owner,
                      detail="not found")
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_VISIBLE)


def _refused(session: Session, request: Request, principal: Principal, report: Report,
             exc: RevisionError) -> HTTPException:
    """A refused correction or withdrawal (403, 409), in the audit log of both agencies."""
    report_id, owner = report.id, report.agency_id
    session.rollback()
    audit.record_read(session, request, principal, status=exc.status, object_id=report_id,
                      owner_agency_id=owner, detail=exc.message)
    return HTTPException(exc.status, detail=exc.message)


@router.get("/{report_id}", response_model=ReportOut, responses=HIDDEN)
def get_report(request: Request, report_id: ReportId, session: SessionDep, principal: CurrentAgency) -> ReportOut:
    """One report, if your agency may see it (a report you may not see is 'not found', like a missing one).
    A withdrawn report is still answered, marked withdrawn."""
    report = crud.get_visible_report(session, principal=principal, report_id=report_id)
    if report is None:
        raise _not_found(session, request, principal, report_id)
    out = report_out(report)
    audit.record_read(session, request, principal, object_id=report.id, owner_agency_id=report.agency_id)
    return out


@router.patch(
    "/{report_id}", response_model=ReportCorrected,
    responses={**HIDDEN, 403: {"description": "Not your agency's report, or a read-only token."},
               409: {"description": "The report is withdrawn, or changed since base_revision."},
               422: {"description": "The corrected report would not be a valid submission; nothing is stored."}},
)
def correct_report(
    request: Request, report_id: ReportId, body: ReportCorrection, session: SessionDep, principal: WriterAgency,
    resolver: ResolverDep,
) -> ReportCorrected:
    """Correct your agency's report: give the reason and the fields that change. The corrected report is
    validated like a submission; a new substance is resolved and judged again, as of today, and the
    corrected report raises the alerts a new submission would that it has not raised before. The earlier
    version stays in the report's history."""
    report = crud.get_visible_report(session, principal=principal, report_id=report_id)
    if report is None:
        raise _not_found(session, request, principal, report_id)
    resolved: dict[str, Result] = {}

    def resolve(text: str) -> Result:
        if text not in resolved:
            resolved[text] = resolver.check(text)
        return resolved[text]

    def plan_for(report: Report) -> CorrectionPlan:
        try:
            may_revise(principal, report)
            if body.base_revision is not None and body.base_revision != report.revision:
                raise RevisionError(status.HTTP_409_CONFLICT, f"the report is at revision {report.revision}, not "
                                                              f"{body.base_revision}; read it again")
            return plan_correction(report, body.changes(), resolve=resolve)
        except RevisionError as exc:
            raise _refused(session, request, principal, report, exc) from None
        except InvalidCorrection as exc:
            session.rollback()
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                                detail=[{**e, "loc": ["body", *e["loc"]]} for e in exc.errors]) from None

    plan = plan_for(report)
    session.commit()  # the substance was resolved outside the write transaction
    begin_write(session)
    report = crud.lock_visible_report(session, principal=principal, report_id=report_id)
    if report is None:
        raise _not_found(session, request, principal, report_id)
    if report.revision != plan.base_revision:
        # corrected meanwhile by another request: the changes apply to the revision now stored (with
        # base_revision, that is a 409)
        plan = plan_for(report)
    try:
        report, changed, alerts = correct(session, principal=principal, report=report, plan=plan,
                                          reason=body.reason)
    except RevisionError as exc:
        raise _refused(session, request, principal, report, exc) from None
    detail = (f"revision {report.revision}: {', '.join(changed)}; {len(alerts)} alerts; reason: {body.reason}"
              if changed else "no change")
    audit.record(session, request, principal, status=200, object_id=report.id, owner_agency_id=report.agency_id,
                 detail=detail)
    session.commit()
    if alerts:
        wake_worker(request)
    mine = [alert_out(a) for a in alerts if a.agency_id == principal.agency_id]
    return ReportCorrected(**report_out(report).model_dump(), changed=changed, alerts=mine)


@router.get("/{report_id}/revisions", response_model=ReportHistory, responses=HIDDEN)
def list_report_revisions(
    request: Request, report_id: ReportId, session: SessionDep, principal: CurrentAgency,
) -> ReportHistory:
    """Every revision of a report your agency may see, the submission first: what it said, when it
    changed, which fields, and the reporting agency's reason."""
    report = crud.get_visible_report(session, principal=principal, report_id=report_id)
    if report is None:
        raise _not_found(session, request, principal, report_id)
    out = history(session, principal=principal, report=report)
    audit.record_read(session, request, principal, object_id=report.id, owner_agency_id=report.agency_id,
                      detail=f"{len(out.items)} revisions")
    return out


@router.post(
    "/{report_id}/withdraw", response_model=ReportOut,
    responses={**HIDDEN, 403: {"description": "Not your agency's report, or a read-only token."}},
)
def withdraw_report(
    request: Request, report_id: ReportId, body: ReportWithdrawal, session: SessionDep, principal: WriterAgency,
) -> ReportOut:
    """Withdraw your agency's report, with the reason. It is kept, marked withdrawn: answered by id and
    in listings and exports with include_withdrawn=true, but no longer counted in listings, substance
    pages or first sightings. Agencies alerted about it are told. Withdrawing it again changes nothing."""
    begin_write(session)
    report = crud.lock_visible_report(session, principal=principal, report_id=report_id)
    if report is None:
        raise _not_found(session, request, principal, report_id)
    try:
        report, now, alerts = withdraw(session, principal=principal, report=report, reason=body.reason)
    except RevisionError as exc:
        raise _refused(session, request, principal, report, exc) from None
    detail = f"withdrawn (revision {report.revision}); reason: {body.reason}" if now else "already withdrawn"
    audit.record(session, request, principal, status=200, object_id=report.id, owner_agency_id=report.agency_id,
                 detail=detail)
    session.commit()
    if alerts:
        wake_worker(request)
    return report_out(report)
