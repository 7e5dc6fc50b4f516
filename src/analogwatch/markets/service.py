"""Submitting resolved listings to the intelligence service as darknet sightings.

One report per (listing, substance): ``POST {URL}/api/v1/reports`` with a bearer token and
{substance, event_type: "darknet_sighting", date, country, region, quantity, unit, notes,
case_ref, sharing, restrictions}; the service answers 201 Created.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from analogwatch.errors import ServiceError
from analogwatch.markets.model import ListingRecord
from analogwatch.markets.places import REGIONS

SHARING_LEVELS = ("private", "agency", "network", "public")


@dataclass
class SubmitSummary:
    sent: int = 0
    accepted: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def sighting_reports(record: ListingRecord, *, sharing: str = "network") -> list[dict[str, Any]]:
    """The reports one listing gives: none unless it is ok and offers a substance."""
    if record.status != "ok" or not record.substances:
        return []
    origin = record.ships_from
    country = origin if origin and origin not in REGIONS else None
    region = origin if origin in REGIONS else None
    if record.total_mass_mg is not None:
        quantity, unit = record.total_mass_mg, "mg"
    elif record.unit_count is not None:
        quantity, unit = float(record.unit_count), "units"
    else:
        quantity, unit = None, None
    notes = "; ".join(
        part for part in (
            f"{record.market} listing {record.title!r}",
            f"vendor {record.vendor}" if record.vendor else "",
            f"ships to {', '.join(record.ships_to)}" if record.ships_to else "",
            f"unit dose {record.unit_dose_mg:g} mg" if record.unit_dose_mg is not None else "",
            f"price {record.price_usd:.2f} USD" if record.price_usd is not None else "",
        ) if part
    )
    return [
        {
            "substance": s.name,
            "event_type": "darknet_sighting",
            "date": record.date,
            "country": country,
            "region": region,
            "quantity": quantity,
            "unit": unit,
            "notes": notes,
            "case_ref": f"{record.market}:{record.listing_id}",
            "sharing": sharing,
            "restrictions": [],
        }
        for s in record.substances
    ]


def submit_sightings(
    records: Iterable[ListingRecord], url: str, *, token: str, sharing: str = "network",
    transport: httpx.BaseTransport | None = None, timeout: float = 30.0,
) -> SubmitSummary:
    """POST every report; a refused report is counted and described, the others still go."""
    if sharing not in SHARING_LEVELS:
        raise ServiceError(f"--sharing must be one of {', '.join(SHARING_LEVELS)}, not {sharing!r}")
    if not token:
        raise ServiceError("a token is needed (--token or ANALOGWATCH_TOKEN)")
    endpoint = url.rstrip("/") + "/api/v1/reports"
    summary = SubmitSummary()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(transport=transport, timeout=timeout, headers=headers) as client:
        for rec in records:
            for report in sighting_reports(rec, sharing=sharing):
                summary.sent += 1
                try:
                    resp = client.post(endpoint, json=report)
                except httpx.HTTPError as exc:
                    summary.failed += 1
                    summary.errors.append(f"{report['case_ref']}: {type(exc).__name__}: {exc}")
                    continue
                if resp.status_code == 201:
                    summary.accepted += 1
                else:
                    summary.failed += 1
                    summary.errors.append(f"{report['case_ref']}: HTTP {resp.status_code} {resp.text[:200]}")
                    if resp.status_code in (401, 403):
                        raise ServiceError(f"the service refused the token (HTTP {resp.status_code})")
    return summary
