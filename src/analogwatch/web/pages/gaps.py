"""Gaps: the latest anticipation report (analogs a family is likely to produce, and where each is
controlled), read from the files of ``analogwatch anticipate -o DIR``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from analogwatch.web import charts
from analogwatch.web.depict import thumbnail
from analogwatch.web.errors import PageError
from analogwatch.web.gaps import category_counts, list_runs, ranked_sections
from analogwatch.web.pages._common import SessionDep, audit_read
from analogwatch.web.render import render, svg
from analogwatch.web.session import WebAgency

router = APIRouter()


@router.get("/gaps", name="dashboard_gaps")
def gaps_page(request: Request, principal: WebAgency, session: SessionDep, run: str = "") -> Response:
    root = request.app.state.web_settings.anticipation_dir
    runs = list_runs(root)
    chosen = next((r for r in runs if r.name == run), runs[0] if runs else None)
    ctx: dict[str, Any] = {"runs": runs, "run": chosen, "root": root}
    if chosen is not None:
        counts = category_counts(chosen)
        total = sum(n for _, _, n, _ in counts)
        ctx.update(
            counts=counts, total=total,
            chart=svg(charts.horizontal_bars([(label, n, colour) for _, label, n, colour in counts],
                                             title=f"Enumerated analogs by where they are controlled ({total:,})")),
            sections=ranked_sections(chosen),
            thumbnail=thumbnail,
        )
    audit_read(session, request, principal, detail=f"anticipation run {chosen.name if chosen else '-'}")
    return render(request, "gaps.html", principal=principal, active="gaps", title="Gaps", **ctx)


@router.get("/gaps/{run}/report.html", name="dashboard_gaps_report")
def gaps_report(request: Request, run: str, principal: WebAgency, session: SessionDep) -> Response:
    """The run's own self-contained HTML report (inline CSS and SVG, no script)."""
    runs = {r.name: r for r in list_runs(request.app.state.web_settings.anticipation_dir)}
    chosen = runs.get(run)
    if chosen is None or not chosen.has_html:
        raise PageError(404, "Not found", "There is no anticipation report by this name.")
    audit_read(session, request, principal, detail=f"anticipation report {run}")
    return FileResponse(chosen.path / "report.html", media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                            "img-src data:; sandbox"})
