"""Reports: from a validated submission and its Checker result to stored rows, and back out."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from analogwatch.service.alerts import raise_alerts
from analogwatch.service.auth import Principal
from analogwatch.service.schemas import ReportIn, ReportOut, SubstanceRecord
from analogwatch.service.store import crud
from analogwatch.service.store.models import Alert, Report
from analogwatch.verdicts import Result, Verdict


class UnresolvableSubstance(ValueError):
    """The substance of a submission cannot be resolved to a defined structure."""


def substance_problem(result: Result) -> str | None:
    """Why a Checker result cannot be stored with a report, or None."""
    if result.status != "ok":
        return result.error or "the substance could not be resolved"
    if not result.smiles or not result.inchikey:
        return (
            f"{result.input[:80]!r} is a registry substance without a defined chemical structure "
            "(plant material or a preparation); a report needs a structure: give its active constituent"
        )
    return None


def report_fields(data: ReportIn, result: Result) -> dict[str, Any]:
    """The columns of a report: the submission plus the substance as resolved today."""
    assert result.smiles and result.inchikey
    return {
        "substance_input": data.substance,
        "smiles": result.smiles,
        "inchikey": result.inchikey,
        "verdicts": {j: v.model_dump(mode="json") for j, v in result.verdicts.items()},
        "verdicts_as_of": result.as_of,
        "registry_version": result.registry_version,
        "event_type": data.event_type.value,
        "event_date": data.date,
        "country": data.country,
        "region": data.region,
        "quantity": data.quantity,
        "unit": data.unit.value if data.unit else None,
        "notes": data.notes,
        "case_ref": data.case_ref,
        "sharing": data.sharing.value,
        "restrictions": list(data.restrictions),
    }


def submit(
    session: Session, *, principal: Principal, data: ReportIn, result: Result, idempotency_key: str | None = None
) -> tuple[Report, list[Alert]]:
    """Insert one report and raise its alerts (the caller commits)."""
    fields = report_fields(data, result)
    fields["idempotency_key"] = idempotency_key
    report = crud.insert_report(session, principal=principal, fields=fields)
    alerts = raise_alerts(session, report=report)
    return report, alerts


def report_out(report: Report) -> ReportOut:
    return ReportOut(
        id=report.id,
        agency=report.agency.name,
        agency_country=report.agency.country,
        submitted_at=report.submitted_at,
        substance=SubstanceRecord(
            input=report.substance_input, smiles=report.smiles, inchikey=report.inchikey,
            verdicts={j: Verdict.model_validate(v) for j, v in report.verdicts.items()},
            verdicts_as_of=report.verdicts_as_of, registry_version=report.registry_version,
        ),
        event_type=report.event_type,  # type: ignore[arg-type]
        date=report.event_date,
        country=report.country,
        region=report.region,
        quantity=report.quantity,
        unit=report.unit,  # type: ignore[arg-type]
        notes=report.notes,
        case_ref=report.case_ref,
        sharing=report.sharing,  # type: ignore[arg-type]
        restrictions=list(report.restrictions or []),
    )
