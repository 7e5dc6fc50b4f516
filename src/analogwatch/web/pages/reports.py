"""Reports: submit an identification; list, filter and export the reports your agency may see; on a
report's page, its revision history, and for the reporting agency the forms that correct or
withdraw it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
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
from analogwatch.service.reports import (
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
    MAX_REASON,
    EventType,
    MatchMode,
    ReportIn,
    ReportOut,
    ReportState,
    Sharing,
    Unit,
)
from analogwatch.service.store import crud
from analogwatch.service.store.db import begin_write
from analogwatch.service.store.models import Report
from analogwatch.service.webhooks import wake_worker
from analogwatch.web import queries
from analogwatch.web.errors import PageError, forbidden, not_found
from analogwatch.web.pages._common import ResolverDep, SessionDep, audit_read, parse_date, parse_int
from analogwatch.web.render import EVENT_TYPES, FIELD_LABELS, SHARING, country_choices, render
from analogwatch.web.session import WebAgency, check_csrf

router = APIRouter()

PAGE_SIZE = 25
FILTERS = ("substance", "match", "threshold", "date_from", "date_to", "country", "event_type", "agency", "sharing",
           "include_withdrawn")


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
    values["include_withdrawn"] = params.get("include_withdrawn", "") in ("1", "on", "true")
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
        wake_worker(request)
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


def _report(session: SessionDep, principal: Principal, report_id: str, *, lock: bool = False) -> Report:
    """The report if the agency may see it, else the page that says it is not found (audited with its
    owner, as for the API)."""
    valid = len(report_id) == 32 and all(c in "0123456789abcdef" for c in report_id)
    find = crud.lock_visible_report if lock else crud.get_visible_report
    report = find(session, principal=principal, report_id=report_id) if valid else None
    if report is None:
        owner = crud.report_owner(session, report_id=report_id) if valid else None
        session.commit()
        raise not_found("report", object_id=report_id[:64], owner_agency_id=owner)
    return report


@dataclass(frozen=True)
class HistoryRow:
    """One revision on the report's page: the fields it changed, each before and after."""

    revision: int
    kind: str
    at: datetime
    reason: str | None
    changes: list[tuple[str, str, str]]


def _shown(field: str, state: ReportState) -> str:
    value = getattr(state, field)
    if field == "substance":
        return f"{state.substance.input} ({state.substance.inchikey})"
    if field == "event_type":
        return EVENT_TYPES[state.event_type.value]
    if field == "sharing":
        return SHARING[state.sharing.value][0]
    if field == "restrictions":
        return "; ".join(state.restrictions) or "none"
    if value is None or value == "":
        return "—"
    if field == "unit":
        return str(state.unit.value) if state.unit else "—"
    if field == "quantity":
        return _quantity_text(state.quantity)
    return str(value)


def history_rows(session: SessionDep, principal: Principal, report: Report) -> list[HistoryRow]:
    """The report's revisions, newest first, with what each one changed."""
    items = history(session, principal=principal, report=report).items
    rows = []
    for before, item in zip([None, *items], items, strict=False):
        changes = [] if before is None else [
            (FIELD_LABELS.get(f, f), _shown(f, before.report), _shown(f, item.report)) for f in item.changed
        ]
        rows.append(HistoryRow(item.revision, item.kind.value, item.at, item.reason, changes))
    return rows[::-1]


def _quantity_text(q: float | None) -> str:
    if q is None:
        return ""
    return str(int(q)) if q.is_integer() and abs(q) < 1e15 else repr(q)


def _correction_defaults(out: ReportOut) -> dict[str, Any]:
    return {"substance": out.substance.input, "event_type": out.event_type.value, "date": out.date.isoformat(),
            "country": out.country, "region": out.region or "", "quantity": _quantity_text(out.quantity),
            "unit": out.unit.value if out.unit else "", "case_ref": out.case_ref or "", "notes": out.notes or "",
            "sharing": out.sharing.value, "restrictions": "\n".join(out.restrictions), "reason": "",
            "base_revision": str(out.revision)}


def _report_page(request: Request, session: SessionDep, principal: Principal, report: Report, *,
                 notice: str = "", created: bool = False, correction: dict[str, Any] | None = None,
                 correction_errors: dict[str, str] | None = None, withdraw_error: str = "",
                 status_code: int = 200, audit_detail: str | None = None) -> Response:
    out = report_out(report)
    alerts = [alert_out(a) for a in crud.alerts_for_report(session, agency_id=principal.agency_id,
                                                           report_id=report.id)]
    revisions = history_rows(session, principal, report)
    rejudged = any(label == FIELD_LABELS["substance"] for r in revisions for label, _, _ in r.changes)
    own = report.agency_id == principal.agency_id
    can_revise = own and principal.role in WRITERS and report.withdrawn_at is None
    audit.record_read(session, request, principal, object_id=report.id, owner_agency_id=report.agency_id,
                      status=status_code, detail=audit_detail)
    return render(request, "report.html", principal=principal, active="reports", title="Report", report=out,
                  alerts=alerts, created=created, notice=notice, own=own, revisions=revisions, rejudged=rejudged,
                  can_revise=can_revise, correction=correction or _correction_defaults(out),
                  correction_errors=correction_errors or {}, withdraw_error=withdraw_error,
                  open_correction=bool(correction_errors), open_withdraw=bool(withdraw_error),
                  countries=country_choices(), units=[u.value for u in Unit], max_reason=MAX_REASON,
                  status_code=status_code)


@router.get("/reports/{report_id}", name="dashboard_get_report")
def report_page(request: Request, report_id: str, principal: WebAgency, session: SessionDep,
                created: str = "", corrected: str = "", withdrawn: str = "") -> Response:
    report = _report(session, principal, report_id)
    notice = ("The correction is stored as a new revision." if corrected
              else "The report is withdrawn." if withdrawn else "")
    return _report_page(request, session, principal, report, created=bool(created), notice=notice)


def _refused(exc: RevisionError) -> PageError:
    if exc.status == status.HTTP_403_FORBIDDEN:
        return forbidden(exc.message[:1].upper() + exc.message[1:] + ".")
    return PageError(exc.status, "Not possible", exc.message[:1].upper() + exc.message[1:] + ".")


@router.post("/reports/{report_id}/correct", name="dashboard_correct_report")
def correct_report(
    request: Request, report_id: str, principal: WebAgency, session: SessionDep, resolver: ResolverDep,
    csrf: Annotated[str, Form()] = "", base_revision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "", substance: Annotated[str, Form()] = "",
    event_type: Annotated[str, Form()] = "", date_: Annotated[str, Form(alias="date")] = "",
    country: Annotated[str, Form()] = "", region: Annotated[str, Form()] = "", quantity: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "", case_ref: Annotated[str, Form()] = "", notes: Annotated[str, Form()] = "",
    sharing: Annotated[str, Form()] = "", restrictions: Annotated[str, Form()] = "",
) -> Response:
    """The same correction as PATCH /api/v1/reports/{id}: the form holds every field, and only those
    that differ from the report change."""
    check_csrf(request, csrf)
    report = _report(session, principal, report_id)
    form = {"substance": substance, "event_type": event_type, "date": date_, "country": country, "region": region,
            "quantity": quantity, "unit": unit, "case_ref": case_ref, "notes": notes, "sharing": sharing,
            "restrictions": restrictions, "reason": reason, "base_revision": base_revision}
    try:
        may_revise(principal, report)
        if base_revision.strip() and base_revision.strip() != str(report.revision):
            raise RevisionError(409, "the report changed since this form was opened; reload the page and correct "
                                     "it again")
        errors: dict[str, str] = {}
        if not reason.strip():
            errors["reason"] = "say why the report is corrected"
        elif len(reason.strip()) > MAX_REASON or "\x00" in reason:
            errors["reason"] = f"the reason has at most {MAX_REASON} characters and no NUL"
        changes: dict[str, Any] = {k: form[k] for k in ("substance", "event_type", "date", "country", "region",
                                                        "case_ref", "notes", "sharing")}
        changes.update(quantity=quantity.strip() or None, unit=unit.strip() or None,
                       restrictions=_restrictions(restrictions))
        try:
            plan = plan_correction(report, changes, resolve=resolver.check)
        except InvalidCorrection as exc:
            for e in exc.errors:
                errors.setdefault(str(e["loc"][0]) if e.get("loc") else "form", str(e["msg"]))
    except RevisionError as exc:
        session.commit()
        raise _refused(exc) from None
    if errors:
        return _report_page(request, session, principal, report, correction=form, correction_errors=errors,
                            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
                            audit_detail="correction refused: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
    session.commit()
    begin_write(session)
    report = _report(session, principal, report_id, lock=True)
    try:
        report, changed, alerts = correct(session, principal=principal, report=report, plan=plan,
                                          reason=reason.strip())
    except RevisionError as exc:
        session.rollback()
        raise _refused(exc) from None
    audit.record(session, request, principal, status=303, object_id=report.id, owner_agency_id=report.agency_id,
                 detail=(f"revision {report.revision}: {', '.join(changed)}; {len(alerts)} alerts; reason: "
                         f"{reason.strip()} (dashboard)") if changed else "no change (dashboard)")
    session.commit()
    if alerts:
        wake_worker(request)
    return RedirectResponse(f"/reports/{report.id}" + ("?corrected=1" if changed else ""),
                            status_code=status.HTTP_303_SEE_OTHER)


@router.post("/reports/{report_id}/withdraw", name="dashboard_withdraw_report")
def withdraw_report(request: Request, report_id: str, principal: WebAgency, session: SessionDep,
                    csrf: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "") -> Response:
    """The same withdrawal as POST /api/v1/reports/{id}/withdraw."""
    check_csrf(request, csrf)
    reason = reason.strip()
    report = _report(session, principal, report_id)
    try:
        may_revise(principal, report)
    except RevisionError as exc:
        session.commit()
        raise _refused(exc) from None
    if not reason or len(reason) > MAX_REASON or "\x00" in reason:
        return _report_page(request, session, principal, report,
                            withdraw_error=f"Say why the report is withdrawn (at most {MAX_REASON} characters).",
                            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, audit_detail="withdrawal refused: "
                            "no reason")
    session.commit()
    begin_write(session)
    report = _report(session, principal, report_id, lock=True)
    try:
        report, now, alerts = withdraw(session, principal=principal, report=report, reason=reason)
    except RevisionError as exc:
        session.rollback()
        raise _refused(exc) from None
    audit.record(session, request, principal, status=303, object_id=report.id, owner_agency_id=report.agency_id,
                 detail=(f"withdrawn (revision {report.revision}); reason: {reason} (dashboard)" if now
                         else "already withdrawn (dashboard)"))
    session.commit()
    if alerts:
        wake_worker(request)
    return RedirectResponse(f"/reports/{report.id}?withdrawn=1", status_code=status.HTTP_303_SEE_OTHER)
