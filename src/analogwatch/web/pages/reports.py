"""Reports: submit an identification; list, filter and export the reports your agency may see."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError

from analogwatch.service import audit
from analogwatch.service.alerts import alert_out
from analogwatch.service.api.routes._filters import ReportQuery, report_query, resolve_filter
from analogwatch.service.auth import WRITERS, Principal
from analogwatch.service.bulk import export_csv
from analogwatch.service.reports import report_out, submit, substance_problem
from analogwatch.service.schemas import EventType, MatchMode, ReportIn, ReportOut, Sharing, Unit
from analogwatch.service.store import crud
from analogwatch.service.store.db import begin_write
from analogwatch.web import queries
from analogwatch.web.errors import forbidden, not_found
from analogwatch.web.pages._common import ResolverDep, SessionDep, audit_read, parse_date, parse_int
from analogwatch.web.render import country_choices, render
from analogwatch.web.session import WebAgency, check_csrf

router = APIRouter()

PAGE_SIZE = 25
FILTERS = ("substance", "match", "threshold", "date_from", "date_to", "country", "event_type", "agency", "sharing")


def _query_from(params: dict[str, str]) -> tuple[ReportQuery | None, list[str]]:
    """The service's report query from form values (empty means 'any'), or the reasons it is not one."""
    errors: list[str] = []
    values: dict[str, Any] = {}
    substance = params.get("substance", "").strip()
    values["substance"] = substance or None
    try:
        values["match"] = MatchMode(params.get("match") or "exact")
    except ValueError:
        errors.append("match must be exact, substructure or similarity")
    try:
        t = float(params.get("threshold") or 0.7)
        if not 0 < t <= 1:
            raise ValueError
        values["threshold"] = t
    except ValueError:
        errors.append("the similarity threshold is a number above 0 and at most 1")
    for key in ("date_from", "date_to"):
        try:
            values[key] = parse_date(params.get(key))
        except ValueError:
            errors.append(f"{key.replace('_', ' ')} must be a date YYYY-MM-DD")
    values["country"] = params.get("country", "").strip() or None
    try:
        values["event_type"] = EventType(params["event_type"]) if params.get("event_type") else None
        values["sharing"] = Sharing(params["sharing"]) if params.get("sharing") else None
    except ValueError:
        errors.append("unknown event type or sharing level")
    values["agency"] = params.get("agency", "").strip() or None
    if errors:
        return None, errors
    try:
        return report_query(**values), []
    except HTTPException as exc:
        return None, [str(d.get("msg")) for d in exc.detail] if isinstance(exc.detail, list) else [str(exc.detail)]


def _form_defaults(principal: Principal) -> dict[str, Any]:
    return {"substance": "", "event_type": "seizure", "date": date.today().isoformat(), "country": principal.country,
            "region": "", "quantity": "", "unit": "", "case_ref": "", "notes": "", "sharing": "partners",
            "restrictions": "", "form_id": secrets.token_hex(12)}


def _list_context(request: Request, session: SessionDep, principal: Principal, resolver: ResolverDep,
                  params: dict[str, str]) -> dict[str, Any]:
    page = parse_int(params.get("page"), 1, lo=1)
    query, errors = _query_from(params)
    total, items = 0, []
    if query is not None:
        try:
            filters = resolve_filter(session, principal=principal, query=query, resolver=resolver)
        except HTTPException as exc:
            errors = [str(d.get("msg")) for d in exc.detail] if isinstance(exc.detail, list) else [str(exc.detail)]
        else:
            total = crud.count_reports(session, principal=principal, filters=filters)
            items = [report_out(r) for r in crud.list_reports(session, principal=principal, filters=filters,
                                                               limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)]
    active = {k: params.get(k, "") for k in FILTERS}
    export_qs = urlencode({k: v for k, v in active.items() if v})
    return {
        "filters": active, "filter_errors": errors, "total": total, "items": items, "page": page,
        "pages": max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE), "page_size": PAGE_SIZE,
        "agencies": queries.visible_agency_names(session, principal=principal),
        "report_countries": queries.visible_country_codes(session, principal=principal),
        "export_query": export_qs, "filtered": any(active[k] for k in FILTERS if k not in ("match", "threshold")),
    }


def _page(request: Request, session: SessionDep, principal: Principal, resolver: ResolverDep,
          params: dict[str, str], *, form: dict[str, Any] | None = None, form_errors: dict[str, str] | None = None,
          status_code: int = 200) -> Response:
    ctx = _list_context(request, session, principal, resolver, params)
    ctx.update(form=form or _form_defaults(principal), form_errors=form_errors or {}, countries=country_choices(),
               units=[u.value for u in Unit], open_form=bool(form_errors) or params.get("new") == "1")
    audit_read(session, request, principal, detail=f"{len(ctx['items'])} of {ctx['total']} reports")
    return render(request, "reports.html", principal=principal, active="reports", title="Reports",
                  status_code=status_code, **ctx)


@router.get("/reports", name="dashboard_list_reports")
def reports_page(request: Request, principal: WebAgency, session: SessionDep, resolver: ResolverDep) -> Response:
    return _page(request, session, principal, resolver, dict(request.query_params))


def _restrictions(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


@router.post("/reports", name="dashboard_create_report")
def create_report(
    request: Request, principal: WebAgency, session: SessionDep, resolver: ResolverDep,
    csrf: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = "",
    substance: Annotated[str, Form()] = "", event_type: Annotated[str, Form()] = "",
    date_: Annotated[str, Form(alias="date")] = "", country: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "", quantity: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "",
    case_ref: Annotated[str, Form()] = "", notes: Annotated[str, Form()] = "",
    sharing: Annotated[str, Form()] = "private", restrictions: Annotated[str, Form()] = "",
) -> Response:
    """The same submission as POST /api/v1/reports: validated by the same schema, resolved by the same
    Checker, stored with its alerts by the same function, in one audited transaction."""
    check_csrf(request, csrf)
    if principal.role not in WRITERS:
        raise forbidden(f"A {principal.role} token cannot submit reports; ask for an analyst token.")
    form = {"substance": substance, "event_type": event_type, "date": date_, "country": country, "region": region,
            "quantity": quantity, "unit": unit, "case_ref": case_ref, "notes": notes, "sharing": sharing,
            "restrictions": restrictions, "form_id": form_id or secrets.token_hex(12)}
    body: dict[str, Any] = {k: v for k, v in form.items() if k not in ("form_id", "quantity", "unit", "restrictions")}
    body["restrictions"] = _restrictions(restrictions)
    if quantity.strip():
        body["quantity"] = quantity.strip()
    if unit.strip():
        body["unit"] = unit.strip()
    errors: dict[str, str] = {}
    data: ReportIn | None = None
    try:
        data = ReportIn.model_validate(body)
    except ValidationError as exc:
        for e in exc.errors():
            field = str(e["loc"][0]) if e.get("loc") else "form"
            errors.setdefault(field, str(e["msg"]).removeprefix("Value error, "))
    result = None
    if data is not None:
        result = resolver.check(data.substance)
        problem = substance_problem(result)
        if problem:
            errors["substance"] = problem
    if errors or data is None or result is None:
        return _page(request, session, principal, resolver, {}, form=form, form_errors=errors,
                     status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    key = f"dashboard:{form['form_id']}"[:200]
    for _ in range(2):
        begin_write(session)
        existing = crud.find_by_idempotency_key(session, agency_id=principal.agency_id, key=key)
        if existing is not None:  # the same form sent twice (a double click, a reload)
            session.rollback()
            return RedirectResponse(f"/reports/{existing.id}", status_code=status.HTTP_303_SEE_OTHER)
        try:
            report, alerts = submit(session, principal=principal, data=data, result=result, idempotency_key=key)
        except crud.ConflictError:
            session.rollback()
            continue
        audit.record(session, request, principal, status=201, object_id=report.id,
                     owner_agency_id=principal.agency_id,
                     detail=f"{report.inchikey} {report.sharing}; {len(alerts)} alerts (dashboard)")
        session.commit()
        worker = getattr(request.app.state, "webhooks", None)
        if worker is not None:
            worker.wake()
        return RedirectResponse(f"/reports/{report.id}?created=1", status_code=status.HTTP_303_SEE_OTHER)
    raise forbidden("The same form was submitted twice at once; reload the report list.")


@router.get("/reports/export.csv", name="dashboard_export_reports")
def export_reports(request: Request, principal: WebAgency, session: SessionDep, resolver: ResolverDep) -> Response:
    """Every visible report matching the filters, as the API's CSV export."""
    query, errors = _query_from(dict(request.query_params))
    if query is None:
        return _page(request, session, principal, resolver, dict(request.query_params), status_code=422)
    try:
        filters = resolve_filter(session, principal=principal, query=query, resolver=resolver)
    except HTTPException:
        return _page(request, session, principal, resolver, dict(request.query_params), status_code=422)
    total = crud.count_reports(session, principal=principal, filters=filters)
    audit_read(session, request, principal, detail=f"export csv: {total} reports (dashboard)")
    sessions = request.app.state.sessions

    def rows() -> Iterator[ReportOut]:
        with sessions() as s:
            for r in crud.iter_reports(s, principal=principal, filters=filters):
                yield report_out(r)

    return StreamingResponse(export_csv(rows()), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="reports.csv"'})


@router.get("/reports/{report_id}", name="dashboard_get_report")
def report_page(request: Request, report_id: str, principal: WebAgency, session: SessionDep,
                created: str = "") -> Response:
    valid = len(report_id) == 32 and all(c in "0123456789abcdef" for c in report_id)
    report = crud.get_visible_report(session, principal=principal, report_id=report_id) if valid else None
    if report is None:
        owner = crud.report_owner(session, report_id=report_id) if valid else None
        session.commit()
        raise not_found("report", object_id=report_id[:64], owner_agency_id=owner)
    out = report_out(report)
    alerts = [alert_out(a) for a in crud.alerts_for_report(session, agency_id=principal.agency_id,
                                                           report_id=report.id)]
    owner_id = report.agency_id
    audit_read(session, request, principal, object_id=report.id, owner_agency_id=owner_id)
    return render(request, "report.html", principal=principal, active="reports", title="Report", report=out,
                  alerts=alerts, created=bool(created), own=owner_id == principal.agency_id)
