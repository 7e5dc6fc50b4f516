import json

import httpx
import pytest

from analogwatch.errors import ServiceError
from analogwatch.markets.model import ListingRecord, SubstanceMention
from analogwatch.markets.service import sighting_reports, submit_sightings


def record(**kw):
    base = dict(row=0, market="agora", source_file="f", listing_id="L1", title="1g 4-FIBF", vendor="v",
                date="2014-01-01", total_mass_mg=1000.0, ships_from="CN", ships_to=["WW"],
                substances=[SubstanceMention(name="4-Fluoroisobutyrylfentanyl", matched_text="4-FIBF",
                                             source="lexicon", in_registry=True)])
    base.update(kw)
    return ListingRecord(**base)


def test_reports_follow_the_service_contract():
    (r,) = sighting_reports(record(), sharing="agency")
    assert r == {
        "substance": "4-Fluoroisobutyrylfentanyl", "event_type": "darknet_sighting", "date": "2014-01-01",
        "country": "CN", "region": None, "quantity": 1000.0, "unit": "mg", "notes": r["notes"],
        "case_ref": "agora:L1", "sharing": "agency", "restrictions": [],
    }
    (eu,) = sighting_reports(record(ships_from="EU", total_mass_mg=None, unit_count=5))
    assert eu["country"] is None and eu["region"] == "EU" and (eu["quantity"], eu["unit"]) == (5.0, "units")
    assert sighting_reports(record(status="invalid")) == [] and sighting_reports(record(substances=[])) == []


def test_submit_with_mock_transport():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = json.loads(request.content)
        if body["case_ref"] == "agora:bad":
            return httpx.Response(422, json={"detail": "bad substance"})
        return httpx.Response(201, json={"id": len(seen)})

    summary = submit_sightings([record(), record(listing_id="bad"), record(status="invalid")],
                               "http://svc.test/", token="tok", transport=httpx.MockTransport(handler))
    assert (summary.sent, summary.accepted, summary.failed) == (2, 1, 1)
    assert seen[0].url == "http://svc.test/api/v1/reports"
    assert seen[0].headers["authorization"] == "Bearer tok"
    assert "HTTP 422" in summary.errors[0]


def test_refused_token_stops():
    transport = httpx.MockTransport(lambda request: httpx.Response(401))
    with pytest.raises(ServiceError, match="refused the token"):
        submit_sightings([record()], "http://svc.test", token="bad", transport=transport)
    with pytest.raises(ServiceError):
        submit_sightings([record()], "http://svc.test", token="t", sharing="everyone")
