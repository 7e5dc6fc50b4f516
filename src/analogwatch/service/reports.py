"""Reports: from a validated submission and its Checker result to stored rows, and back out; their
corrections and withdrawal by the reporting agency, and their revision history.

A correction is validated exactly like a submission (the report as corrected must be one that could
have been submitted), and a changed substance is resolved and judged again, as on the day of the
correction. The report row always holds the latest revision; every revision, the submission first,
is kept in ``report_revisions``, which nothing updates or deletes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from analogwatch.errors import ServiceError
from analogwatch.service.alerts import Revised, raise_alerts
from analogwatch.service.auth import WRITERS, Principal
from analogwatch.service.schemas import (
    CORRECTABLE,
    ReportHistory,
    ReportIn,
    ReportOut,
    ReportState,
    RevisionKind,
    RevisionOut,
    SubstanceRecord,
)
from analogwatch.service.store import crud
from analogwatch.service.store.models import Alert, Report, ReportRevision, utcnow
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


def substance_fields(data: ReportIn, result: Result) -> dict[str, Any]:
    """The substance columns of a report: as given, and as resolved and judged today."""
    assert result.smiles and result.inchikey
    return {
        "substance_input": data.substance,
        "smiles": result.smiles,
        "inchikey": result.inchikey,
        "verdicts": {j: v.model_dump(mode="json") for j, v in result.verdicts.items()},
        "verdicts_as_of": result.as_of,
        "registry_version": result.registry_version,
    }


def event_fields(data: ReportIn) -> dict[str, Any]:
    """The other columns of a report: the event, and who may read it."""
    return {
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


def report_fields(data: ReportIn, result: Result) -> dict[str, Any]:
    """The columns of a report: the submission plus the substance as resolved today."""
    return {**substance_fields(data, result), **event_fields(data)}


def submit(
    session: Session, *, principal: Principal, data: ReportIn, result: Result, idempotency_key: str | None = None
) -> tuple[Report, list[Alert]]:
    """Insert one report and raise its alerts (the caller commits)."""
    fields = report_fields(data, result)
    fields["idempotency_key"] = idempotency_key
    report = crud.insert_report(session, principal=principal, fields=fields)
    alerts = raise_alerts(session, report=report)
    return report, alerts


def report_state(report: Report) -> ReportState:
    """The fields of the report as they stand (what a revision records)."""
    return ReportState(
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


def report_out(report: Report) -> ReportOut:
    state = report_state(report)
    return ReportOut(
        id=report.id,
        agency=report.agency.name,
        agency_country=report.agency.country,
        submitted_at=report.submitted_at,
        **{k: getattr(state, k) for k in ReportState.model_fields},
        revision=report.revision,
        updated_at=report.updated_at,
        withdrawn=report.withdrawn_at is not None,
        withdrawn_at=report.withdrawn_at,
        withdrawal_reason=report.withdrawal_reason,
    )


# -- corrections and withdrawal ---------------------------------------------------------------


class RevisionError(ServiceError):
    """A correction or withdrawal that cannot be made; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class InvalidCorrection(ValueError):
    """The report as corrected would not be a valid submission: the errors per field, as pydantic's."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("; ".join(str(e.get("msg")) for e in errors))
        self.errors = errors


def may_revise(principal: Principal, report: Report) -> None:
    """Only the reporting agency revises a report, with a token that may submit reports."""
    if principal.role not in WRITERS:
        raise RevisionError(403, f"role {principal.role.value} cannot write reports")
    if report.agency_id != principal.agency_id:
        raise RevisionError(403, "only the agency that submitted a report may correct or withdraw it")


def submission_of(report: Report) -> dict[str, Any]:
    """The report as the submission that would store it now (ReportIn's fields)."""
    return {
        "substance": report.substance_input, "event_type": report.event_type, "date": report.event_date,
        "country": report.country, "region": report.region, "quantity": report.quantity, "unit": report.unit,
        "notes": report.notes, "case_ref": report.case_ref, "sharing": report.sharing,
        "restrictions": list(report.restrictions or []),
    }


@dataclass(frozen=True)
class CorrectionPlan:
    """A correction checked against the revision it was read from: the corrected submission, and the
    substance's new Checker result when it changed (None: the substance stays as stored)."""

    base_revision: int
    data: ReportIn
    result: Result | None


def plan_correction(report: Report, changes: dict[str, Any], *, resolve: Callable[[str], Result]) -> CorrectionPlan:
    """Merge ``changes`` (ReportIn fields) into the report and validate the result like a submission;
    ``resolve(text) -> Result`` is called only when the substance text changes. Raises
    InvalidCorrection (422) or RevisionError."""
    if report.withdrawn_at is not None:
        raise RevisionError(409, "the report was withdrawn; a withdrawn report cannot be corrected")
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValueError(f"not report fields: {sorted(unknown)}")
    merged = {**submission_of(report), **changes}
    try:
        data = ReportIn.model_validate(merged)
    except ValidationError as exc:
        raise InvalidCorrection([
            {"type": e["type"], "loc": list(e["loc"]), "msg": str(e["msg"]).removeprefix("Value error, ")}
            for e in exc.errors(include_url=False)
        ]) from None
    result = None
    if data.substance != report.substance_input:
        result = resolve(data.substance)
        problem = substance_problem(result)
        if problem:
            raise InvalidCorrection([{"type": "unresolvable_substance", "loc": ["substance"], "msg": problem}])
    return CorrectionPlan(report.revision, data, result)


def _changed_fields(before: ReportState, after: ReportState) -> list[str]:
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return [k for k in CORRECTABLE if old[k] != new[k]]


def _first_revision(session: Session, report: Report) -> None:
    """Keep the report as submitted (revision 1) before it first changes."""
    if report.revision == 1:
        crud.add_revision(
            session, report_id=report.id, revision=1, kind=RevisionKind.SUBMITTED.value, at=report.submitted_at,
            token_id=report.token_id, role=None, reason=None, changed=[],
            state=report_state(report).model_dump(mode="json"),
        )


def correct(
    session: Session, *, principal: Principal, report: Report, plan: CorrectionPlan, reason: str,
) -> tuple[Report, list[str], list[Alert]]:
    """Apply a planned correction to ``report`` (locked by the caller, in a write transaction): a new
    revision, the report row updated, and the alerts of the corrected report. Answers the changed
    fields; none means nothing changed and nothing was stored. The caller commits."""
    may_revise(principal, report)
    if report.withdrawn_at is not None:
        raise RevisionError(409, "the report was withdrawn; a withdrawn report cannot be corrected")
    if report.revision != plan.base_revision:
        raise RevisionError(409, f"the report changed while it was being corrected (it is now at revision "
                                 f"{report.revision}); read it again and retry")
    before = report_state(report)
    fields = event_fields(plan.data)
    if plan.result is not None:
        fields.update(substance_fields(plan.data, plan.result))
    substance = {c: getattr(report, c) for c in ("substance_input", "smiles", "inchikey", "verdicts",
                                                 "verdicts_as_of", "registry_version")}
    after = report_state(Report(**{**substance, **fields}))
    changed = _changed_fields(before, after)
    if not changed:
        return report, [], []
    _first_revision(session, report)
    now = utcnow()
    for column, value in fields.items():
        setattr(report, column, value)
    report.revision += 1
    report.updated_at = now
    crud.add_revision(
        session, report_id=report.id, revision=report.revision, kind=RevisionKind.CORRECTED.value, at=now,
        token_id=principal.token_id, role=principal.role.value, reason=reason, changed=changed,
        state=after.model_dump(mode="json"),
    )
    session.flush()
    alerts = raise_alerts(session, report=report, revised=Revised(RevisionKind.CORRECTED, report.revision, changed,
                                                                  reason))
    return report, changed, alerts


def withdraw(
    session: Session, *, principal: Principal, report: Report, reason: str,
) -> tuple[Report, bool, list[Alert]]:
    """Mark ``report`` withdrawn (locked by the caller, in a write transaction): a new revision, and the
    agencies alerted about it told. Answers whether it was withdrawn now (False: it already was)."""
    may_revise(principal, report)
    if report.withdrawn_at is not None:
        return report, False, []
    _first_revision(session, report)
    now = utcnow()
    report.revision += 1
    report.updated_at = now
    report.withdrawn_at = now
    report.withdrawal_reason = reason
    crud.add_revision(
        session, report_id=report.id, revision=report.revision, kind=RevisionKind.WITHDRAWN.value, at=now,
        token_id=principal.token_id, role=principal.role.value, reason=reason, changed=[],
        state=report_state(report).model_dump(mode="json"),
    )
    session.flush()
    alerts = raise_alerts(session, report=report, revised=Revised(RevisionKind.WITHDRAWN, report.revision, [],
                                                                  reason))
    return report, True, alerts


def history(session: Session, *, principal: Principal, report: Report) -> ReportHistory:
    """Every revision of a report the principal can see, oldest first. Token ids are shown to the
    reporting agency only."""
    rows: list[ReportRevision] = crud.list_revisions(session, report_id=report.id)
    own = report.agency_id == principal.agency_id
    if rows:
        items = [
            RevisionOut(
                revision=r.revision, kind=RevisionKind(r.kind), at=r.at, token_id=r.token_id if own else None,
                reason=r.reason, changed=list(r.changed or []), report=ReportState.model_validate(r.state),
            )
            for r in rows
        ]
    else:
        items = [RevisionOut(revision=1, kind=RevisionKind.SUBMITTED, at=report.submitted_at,
                             token_id=report.token_id if own else None, reason=None, changed=[],
                             report=report_state(report))]
    return ReportHistory(report_id=report.id, agency=report.agency.name, revision=report.revision,
                         withdrawn=report.withdrawn_at is not None, items=items)
