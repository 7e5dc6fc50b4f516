"""Substances: what your agency can see of one structure across the network."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status

from analogwatch.service import audit
from analogwatch.service.api.deps import CurrentAgency, ResolverDep, SessionDep
from analogwatch.service.schemas import SubstanceOut
from analogwatch.service.store import crud

router = APIRouter(prefix="/substances", tags=["substances"])

InChIKey = Annotated[str, Path(pattern=r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$", description="Standard InChIKey.")]


@router.get("/{inchikey}", response_model=SubstanceOut,
            responses={404: {"description": "No report visible to your agency records this substance."}})
def get_substance(
    request: Request, inchikey: InChIKey, session: SessionDep, principal: CurrentAgency, resolver: ResolverDep
) -> SubstanceOut:
    """Control status today, and first and last sightings per country and monthly counts among the
    reports visible to your agency."""
    summary = crud.substance_summary(session, principal=principal, inchikey=inchikey)
    if summary is None:
        audit.record_read(session, request, principal, status=404, object_id=inchikey)
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail="no report visible to your agency records this substance")
    today = resolver.check_structure(summary["smiles"])
    audit.record_read(session, request, principal, object_id=inchikey, detail=f"{summary['reports']} reports")
    return SubstanceOut(
        verdicts=today.verdicts, verdicts_as_of=today.as_of, registry_version=today.registry_version, **summary
    )
