"""Alerts raised by a new report, for every agency that can see it.

Each recipient's alerts are computed from what that recipient can see, so that an alert never
reveals a report hidden from it: a substance first seen in another agency's private report is
still a first sighting for everyone else. "Home" is the recipient's jurisdiction (for the
reporting agency itself, the reporting agency's jurisdiction), from its country
(``jurisdiction.py``). Kinds, every one that applies is raised:

- ``first_sighting_network``: no earlier report of the substance (same InChIKey) is visible.
- ``first_sighting_country``: no earlier visible report of it in the report's country.
- ``not_controlled_at_home``: the verdicts stored with the report say it is not controlled at home.
- ``controlled_by_partner``: not controlled at home, but controlled in the jurisdiction of an
  agency the recipient has a sharing agreement with.

Withdrawn reports are no earlier sighting. A corrected report is judged again as a new submission
would be (against every other report of its substance that is not withdrawn), and raises the
alerts that apply and that it has not raised before for the same recipient and substance (and,
for ``first_sighting_country``, country); alerts already raised stay as they were. Agencies that
were alerted about a report and can still see it are told of its correction
(``report_corrected``) or withdrawal (``report_withdrawn``); the agency that made it is not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analogwatch.service.jurisdiction import country_name, jurisdiction_of
from analogwatch.service.schemas import AlertKind, AlertOut, RevisionKind
from analogwatch.service.store import crud
from analogwatch.service.store.db import advisory_lock
from analogwatch.service.store.models import Agency, Alert, Report, WebhookDelivery, new_id


@dataclass(frozen=True)
class Revised:
    """A correction or the withdrawal of a stored report, for the alerts it raises."""

    kind: RevisionKind
    revision: int
    changed: list[str]
    reason: str


#: the kinds judged from the report itself (the others tell of its revisions)
_JUDGED = (AlertKind.FIRST_SIGHTING_NETWORK, AlertKind.FIRST_SIGHTING_COUNTRY, AlertKind.NOT_CONTROLLED_AT_HOME,
           AlertKind.CONTROLLED_BY_PARTNER)


def _key(recipient: int, kind: str, inchikey: str, country: str) -> tuple[int, str, str, str]:
    """What makes two alerts about one report the same alert."""
    return recipient, kind, inchikey, country if kind == AlertKind.FIRST_SIGHTING_COUNTRY else ""


@dataclass(frozen=True)
class _Prior:
    agency_id: int
    sharing: str
    country: str


def _can_see(recipient: int, prior: _Prior, partners: dict[int, set[int]]) -> bool:
    # The same rule as crud.visible_to, applied in memory to the few distinct earlier sightings.
    return (
        prior.agency_id == recipient
        or prior.sharing == "network"
        or (prior.sharing == "partners" and prior.agency_id in partners.get(recipient, set()))
    )


def substance_label(report: Report) -> str:
    """The registry name when some jurisdiction lists the substance by name, else its SMILES
    (a class match names the class, not the substance)."""
    for jur in ("UN", "US", "CN"):
        v = report.verdicts.get(jur) or {}
        if v.get("substance") and v.get("basis") in ("listed", "precursor"):
            return f"{v['substance']} ({report.inchikey})"
    return f"{report.smiles} ({report.inchikey})"


def _controlled(report: Report, jur: str) -> bool:
    return bool((report.verdicts.get(jur) or {}).get("controlled"))


def raise_alerts(session: Session, *, report: Report, revised: Revised | None = None) -> list[Alert]:
    """Compute, store and queue for webhooks the alerts of a report just inserted, or just corrected or
    withdrawn (``revised``), in the same transaction."""
    # Two reports of the same new substance committed at once must not both be "first".
    advisory_lock(session, "substance:" + report.inchikey)
    reporter = session.get(Agency, report.agency_id)
    assert reporter is not None
    partners = crud.partners_map(session)
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    recipients = {reporter.id}
    if report.sharing == "partners":
        recipients |= partners.get(reporter.id, set())
    elif report.sharing == "network":
        recipients |= set(agencies)
    label = substance_label(report)
    where = country_name(report.country)
    event = (
        f"{report.event_type.replace('_', ' ')} reported by {reporter.name} in {where} "
        f"on {report.event_date.isoformat()}"
    )
    out: list[Alert] = []
    # The alerts of one report share a timestamp; their ids sort in the order they are raised.
    prefix = new_id()[:26]
    created = report.updated_at if revised is not None and report.updated_at else report.submitted_at
    raised: set[tuple[int, str, str, str]] = set()
    if revised is not None:
        raised = {_key(a, k, ik, c) for a, k, ik, c in session.execute(
            select(Alert.agency_id, Alert.kind, Alert.inchikey, Alert.country).where(Alert.report_id == report.id)
        )}

    def add(recipient: int, kind: AlertKind, message: str, details: dict[str, Any]) -> None:
        key = _key(recipient, kind.value, report.inchikey, report.country)
        if kind in _JUDGED and key in raised:
            return
        raised.add(key)
        if revised is not None and kind in _JUDGED:
            message = f"{message[:-1]} (corrected report, revision {revised.revision})."
            details = {**details, "revision": revised.revision}
        out.append(Alert(
            id=f"{prefix}{len(out):06x}", agency_id=recipient, report_id=report.id, kind=kind.value,
            inchikey=report.inchikey, country=report.country, message=message,
            details={"reporting_agency": reporter.name, **details},
            created_at=created,
        ))

    if revised is not None:
        told = {"revision": revised.revision, "changed": revised.changed, "reason": revised.reason}
        for rid in sorted((crud.alerted_agencies(session, report_id=report.id) & recipients) - {reporter.id}):
            if revised.kind is RevisionKind.WITHDRAWN:
                add(rid, AlertKind.REPORT_WITHDRAWN,
                    f"Report withdrawn by {reporter.name}: {label}, {event}. Reason: {revised.reason}", told)
            else:
                add(rid, AlertKind.REPORT_CORRECTED,
                    f"Report corrected by {reporter.name} (revision {revised.revision}: "
                    f"{', '.join(revised.changed)}): {label}, {event}. Reason: {revised.reason}", told)
    if revised is None or revised.kind is RevisionKind.CORRECTED:
        _judge(session, report, agencies, partners, recipients, label, event, add)
    session.add_all(out)
    session.flush()
    _queue_webhooks(session, alerts=out, agencies=agencies, report=report)
    return out


def _judge(
    session: Session, report: Report, agencies: dict[int, Agency], partners: dict[int, set[int]],
    recipients: set[int], label: str, event: str, add: Callable[[int, AlertKind, str, dict[str, Any]], None],
) -> None:
    """The alerts of the report's substance, country and control status, per recipient."""
    prior = [
        _Prior(a, s, c) for a, s, c in session.execute(
            select(Report.agency_id, Report.sharing, Report.country)
            .where(Report.inchikey == report.inchikey, Report.id != report.id, Report.withdrawn_at.is_(None))
            .distinct()
        )
    ]
    where = country_name(report.country)
    for rid in sorted(recipients):
        seen = [p for p in prior if _can_see(rid, p, partners)]
        if not seen:
            add(rid, AlertKind.FIRST_SIGHTING_NETWORK, f"First sighting in the network: {label}, {event}.", {})
        if not any(p.country == report.country for p in seen):
            add(rid, AlertKind.FIRST_SIGHTING_COUNTRY, f"First sighting in {where}: {label}, {event}.", {})
        home = jurisdiction_of(agencies[rid].country)
        if _controlled(report, home):
            continue
        as_of = report.verdicts_as_of.isoformat()
        add(rid, AlertKind.NOT_CONTROLLED_AT_HOME,
            f"Not controlled in {home} (your jurisdiction) on {as_of}: {label}, {event}.",
            {"home_jurisdiction": home, "as_of": as_of})
        by_partner: dict[str, list[str]] = {}
        for pid in sorted(partners.get(rid, set())):
            pj = jurisdiction_of(agencies[pid].country)
            if pj != home and _controlled(report, pj):
                by_partner.setdefault(pj, []).append(agencies[pid].name)
        if by_partner:
            where_ctl = ", ".join(f"{j} (partners {', '.join(names)})" for j, names in sorted(by_partner.items()))
            add(rid, AlertKind.CONTROLLED_BY_PARTNER,
                f"Controlled in {where_ctl} but not in {home} (your jurisdiction) on {as_of}: {label}, {event}.",
                {"home_jurisdiction": home, "controlled_in": sorted(by_partner), "partners": by_partner,
                 "as_of": as_of})


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id, kind=AlertKind(alert.kind), created_at=alert.created_at, report_id=alert.report_id,
        inchikey=alert.inchikey, smiles=alert.report.smiles, country=alert.country, message=alert.message,
        details=alert.details, restrictions=list(alert.report.restrictions or []),
    )


def _queue_webhooks(session: Session, *, alerts: list[Alert], agencies: dict[int, Agency], report: Report) -> None:
    """One outbox row per alert for agencies with a webhook, in the alert's transaction."""
    for alert in alerts:
        agency = agencies[alert.agency_id]
        if not agency.webhook_url:
            continue
        delivery_id = new_id()
        out = AlertOut(
            id=alert.id, kind=AlertKind(alert.kind), created_at=alert.created_at, report_id=alert.report_id,
            inchikey=alert.inchikey, smiles=report.smiles, country=alert.country, message=alert.message,
            details=alert.details, restrictions=list(report.restrictions or []),
        )
        body = json.dumps(
            {"type": "alert", "delivery_id": delivery_id, "agency": agency.name, "alert": out.model_dump(mode="json")},
            ensure_ascii=False, separators=(",", ":"),
        )
        session.add(WebhookDelivery(
            id=delivery_id, agency_id=agency.id, alert_id=alert.id, url=agency.webhook_url, body=body,
            status="pending", attempts=0, next_attempt_at=alert.created_at,
        ))
    session.flush()
