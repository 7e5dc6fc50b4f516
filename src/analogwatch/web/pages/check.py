"""Check: one compound's control status in every jurisdiction, with its grounds drawn on the structure."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from analogwatch.chem.parse import MAX_QUERY_CHARS
from analogwatch.service.store import crud
from analogwatch.web.chem import display_name, judge
from analogwatch.web.control import control_dates
from analogwatch.web.depict import highlighted, readings
from analogwatch.web.pages._common import ResolverDep, SessionDep, audit_read, parse_date
from analogwatch.web.render import render
from analogwatch.web.session import WebAgency

router = APIRouter()

EXAMPLES = (
    ("fentanyl", "fentanyl"),
    ("4′-fluoro analogue of fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccc(F)cc2)CC1"),
    ("CAS 437-38-7", "437-38-7"),
    ("a nitazene only China's class covers", "CCCN(CC)CCn1c(Cc2ccc(OCC)cc2)nc2cc([N+](=O)[O-])ccc21"),
    ("a nitazene no list covers", "CCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCCN(CC)CC)cc1"),
)


@router.get("/check", name="dashboard_check")
def check_get(request: Request, principal: WebAgency, session: SessionDep, resolver: ResolverDep, q: str = "",
              as_of: str = "") -> Response:
    return _check(request, principal, session, resolver, q, as_of)


@router.post("/check", name="dashboard_check")
def check_post(request: Request, principal: WebAgency, session: SessionDep, resolver: ResolverDep,
               q: Annotated[str, Form()] = "", as_of: Annotated[str, Form()] = "") -> Response:
    return _check(request, principal, session, resolver, q, as_of)


def _check(request: Request, principal: WebAgency, session: SessionDep, resolver: ResolverDep, q: str,
           as_of: str) -> Response:
    ctx: dict[str, Any] = {"q": q, "as_of": as_of, "examples": EXAMPLES, "result": None, "error": ""}
    query = q.strip()
    if not query:
        audit_read(session, request, principal, detail="check form")
        return render(request, "check.html", principal=principal, active="check", editor=True, title="Check", **ctx)
    when = date.today()
    try:
        when = parse_date(as_of) or when
    except ValueError:
        ctx["error"] = f"“{as_of}” is not a date: write it as YYYY-MM-DD."
    if len(q) > MAX_QUERY_CHARS:
        ctx["error"] = f"The query is longer than {MAX_QUERY_CHARS:,} characters."
    if ctx["error"]:
        audit_read(session, request, principal, detail="check: bad input")
        return render(request, "check.html", principal=principal, active="check", editor=True, title="Check",
                      status_code=422, **ctx)
    std, result = judge(resolver.checker, q, as_of=when)
    if result.status != "ok":
        ctx["error"] = result.error or "This input could not be understood."
        audit_read(session, request, principal, detail="check: invalid input")
        return render(request, "check.html", principal=principal, active="check", editor=True, title="Check",
                      status_code=422, **ctx)
    visible = 0
    if result.inchikey:
        visible = crud.count_reports(session, principal=principal,
                                     filters=crud.ReportFilter(inchikeys=[result.inchikey]))
    ctx.update(
        result=result,
        name=display_name(result),
        as_of_date=when,
        depiction=highlighted(std.mol, result) if std is not None else None,
        reading=readings(std.mol) if std is not None else None,
        controls={c.jurisdiction: c for c in control_dates(result)},
        visible_reports=visible,
    )
    audit_read(session, request, principal, object_id=result.inchikey, detail=f"check {result.inchikey or '-'}")
    return render(request, "check.html", principal=principal, active="check", editor=True,
                  title=f"Check {ctx['name'] or result.smiles or q[:40]}", **ctx)
