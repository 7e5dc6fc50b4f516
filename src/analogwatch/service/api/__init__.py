"""The HTTP API, version 1: every route needs a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from analogwatch.service.api.deps import get_principal
from analogwatch.service.api.routes import agency, alerts, audit, reports, substances

#: authentication runs before anything else of a route (before its parameters are validated),
#: so a request without a valid token is a 401 whatever else is wrong with it
api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(get_principal)])
for module in (reports, substances, alerts, audit, agency):
    api_router.include_router(module.router)
