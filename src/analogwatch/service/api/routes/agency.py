"""Your agency: who the token stands for, its partners, and its webhook."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from analogwatch.service import audit
from analogwatch.service.api.deps import AdminAgency, CurrentAgency, SessionDep
from analogwatch.service.jurisdiction import jurisdiction_of
from analogwatch.service.schemas import AgencyOut, PartnerOut, WebhookIn, WebhookOut
from analogwatch.service.store import crud
from analogwatch.service.store.db import begin_write
from analogwatch.service.store.models import Agency

router = APIRouter(prefix="/agency", tags=["agency"])


@router.get("", response_model=AgencyOut)
def get_agency(request: Request, session: SessionDep, principal: CurrentAgency) -> AgencyOut:
    """The agency and role of the token, its home jurisdiction, and its partners."""
    agency = session.get(Agency, principal.agency_id)
    assert agency is not None
    partners = [PartnerOut(name=p.name, country=p.country, jurisdiction=jurisdiction_of(p.country))
                for p in crud.partners_of(session, agency_id=agency.id)]
    out = AgencyOut(name=agency.name, country=agency.country, jurisdiction=principal.jurisdiction,
                    role=principal.role.value, token_id=principal.token_id, partners=partners,
                    webhook_url=agency.webhook_url)
    audit.record_read(session, request, principal)
    return out


@router.put("/webhook", response_model=WebhookOut)
def set_webhook(request: Request, body: WebhookIn, session: SessionDep, principal: AdminAgency) -> WebhookOut:
    """Set the URL alerts are posted to; answers with the signing secret (new on first use or with
    rotate_secret)."""
    begin_write(session)
    url, secret = crud.set_webhook(session, agency_id=principal.agency_id, url=body.url,
                                   rotate_secret=body.rotate_secret)
    audit.record(session, request, principal, detail=f"webhook {url}" + (" (secret rotated)" if body.rotate_secret
                                                                           else ""))
    session.commit()
    return WebhookOut(url=url, secret=secret)


@router.delete("/webhook", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(request: Request, session: SessionDep, principal: AdminAgency) -> Response:
    """Stop posting alerts (queued deliveries still go out)."""
    begin_write(session)
    crud.clear_webhook(session, agency_id=principal.agency_id)
    audit.record(session, request, principal, status=204)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
