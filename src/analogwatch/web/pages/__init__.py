"""The dashboard's pages, one module per page; none of them appears in the API's OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from analogwatch.web.pages import alerts, auth, check, gaps, markets, overview, reports, screen, substances

router = APIRouter(include_in_schema=False)
for module in (auth, overview, check, screen, reports, substances, alerts, gaps, markets):
    router.include_router(module.router)
