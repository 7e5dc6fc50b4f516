"""Query parameters shared by the report list and the export: filters and substance searches."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated

from fastapi import HTTPException, Query, status
from sqlalchemy.orm import Session

from analogwatch.service.auth import Principal
from analogwatch.service.jurisdiction import normalise_country
from analogwatch.service.schemas import EventType, MatchMode, Sharing
from analogwatch.service.store import crud
from analogwatch.service.substances import (
    SearchError,
    SubstanceResolver,
    resolved_inchikey,
    similarity_matches,
    similarity_query,
    substructure_matches,
    substructure_pattern,
)

#: text parameters may hold anything but NUL (which PostgreSQL text cannot store or compare)
NO_NUL = r"^[^\x00]*$"


@dataclass(frozen=True)
class ReportQuery:
    substance: str | None
    match: MatchMode
    threshold: float
    base: crud.ReportFilter


def _invalid(param: str, message: str, value: object) -> HTTPException:
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"type": "value_error", "loc": ["query", param], "msg": message, "input": value}],
    )


def report_query(
    substance: Annotated[str | None, Query(
        max_length=20_000, pattern=NO_NUL,
        description="Any query `check` accepts; with match=substructure also a SMARTS pattern.",
    )] = None,
    match: Annotated[MatchMode, Query(description="exact (same InChIKey), substructure or similarity")] = (
        MatchMode.EXACT),
    threshold: Annotated[float, Query(gt=0, le=1, description="Tanimoto threshold for match=similarity "
                                                              "(Morgan radius 2, 2048 bits)")] = 0.7,
    date_from: Annotated[date | None, Query(description="Event date on or after (YYYY-MM-DD).")] = None,
    date_to: Annotated[date | None, Query(description="Event date on or before (YYYY-MM-DD).")] = None,
    country: Annotated[str | None, Query(max_length=2, description="ISO 3166-1 alpha-2 code.")] = None,
    event_type: Annotated[EventType | None, Query()] = None,
    agency: Annotated[str | None, Query(max_length=200, pattern=NO_NUL,
                                                   description="Name of the reporting agency.")] = None,
    sharing: Annotated[Sharing | None, Query()] = None,
    include_withdrawn: Annotated[bool, Query(description="Also the reports their agencies withdrew.")] = False,
) -> ReportQuery:
    if country is not None:
        try:
            country = normalise_country(country)
        except ValueError as exc:
            raise _invalid("country", str(exc), country) from None
    if date_from and date_to and date_from > date_to:
        raise _invalid("date_to", "date_to is before date_from", str(date_to))
    if substance is not None and not substance.strip():
        raise _invalid("substance", "empty substance query", substance)
    base = crud.ReportFilter(
        date_from=date_from, date_to=date_to, country=country, event_type=event_type.value if event_type else None,
        agency=agency, sharing=sharing.value if sharing else None, include_withdrawn=include_withdrawn,
    )
    return ReportQuery(substance, match, threshold, base)


def resolve_filter(
    session: Session, *, principal: Principal, query: ReportQuery, resolver: SubstanceResolver
) -> crud.ReportFilter:
    """The report filter with the substance search turned into a set of InChIKeys."""
    if query.substance is None:
        return query.base
    try:
        if query.match is MatchMode.EXACT:
            keys: set[str] = {resolved_inchikey(resolver, query.substance)}
        else:
            candidates = crud.candidate_substances(session, principal=principal, filters=query.base)
            if query.match is MatchMode.SUBSTRUCTURE:
                keys = substructure_matches(substructure_pattern(resolver, query.substance), candidates)
            else:
                keys = set(similarity_matches(similarity_query(resolver, query.substance), candidates,
                                              query.threshold))
    except SearchError as exc:
        raise _invalid("substance", str(exc), query.substance) from None
    return replace(query.base, inchikeys=keys)
