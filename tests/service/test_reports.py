"""Submitting, reading and searching reports."""

from __future__ import annotations

import pytest

from tests.service.conftest import (
    BUTYRYLFENTANYL,
    CARFENTANIL,
    FENTANYL,
    FENTANYL_KEY,
    World,
    count_rows,
)

FULL = {
    "substance": "fentanyl citrate salt as SMILES",  # replaced below
    "event_type": "laboratory_identification",
    "date": "2025-04-02",
    "country": "mx",
    "region": "Sinaloa",
    "quantity": 12.5,
    "unit": "g",
    "notes": "blue tablets marked M30",
    "case_ref": "CASE-2025-0042",
    "sharing": "network",
    "restrictions": ["not for use in prosecution", "intelligence only"],
}


def test_submit_stores_standardised_structure_verdicts_and_every_field(world: World) -> None:
    dea = world.agency("DEA", "US")
    body = dict(FULL, substance="CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1.OC(=O)CC(O)(CC(=O)O)C(=O)O")
    r = world.client.post("/api/v1/reports", json=body, headers=dea.headers)
    assert r.status_code == 201, r.text
    rep = r.json()
    assert len(rep["id"]) == 32
    assert rep["substance"]["smiles"] == FENTANYL  # the citrate is stripped: the parent is stored
    assert rep["substance"]["inchikey"] == FENTANYL_KEY
    assert rep["substance"]["input"] == body["substance"]
    verdicts = rep["substance"]["verdicts"]
    assert (verdicts["US"]["controlled"], verdicts["US"]["schedule"]) == (True, "Schedule II")
    assert verdicts["UN"]["controlled"] is False
    for key in ("event_type", "date", "region", "quantity", "unit", "notes", "case_ref", "sharing", "restrictions"):
        assert rep[key] == body[key], key
    assert rep["country"] == "MX"
    assert rep["agency"] == "DEA"
    got = world.client.get(f"/api/v1/reports/{rep['id']}", headers=dea.headers).json()
    assert {k: v for k, v in got.items()} == {k: v for k, v in rep.items() if k != "alerts"}


@pytest.mark.parametrize("query", ["fentanyl", "437-38-7", FENTANYL,
                                   "InChI=1S/C22H28N2O/c1-2-22(25)24(20-11-7-4-8-12-20)21-14-17-23(18-15-21)"
                                   "16-13-19-9-5-3-6-10-19/h3-12,21H,2,13-18H2,1H3"])
def test_any_input_check_accepts_resolves_to_the_same_substance(world: World, query: str) -> None:
    dea = world.agency("DEA", "US")
    rep = world.report(dea, query)
    assert rep["substance"]["inchikey"] == FENTANYL_KEY


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"substance": "not-a-compound-xyz"}, "substance", "not a known name"),
        ({"substance": "C1CC"}, "substance", "SMILES"),
        ({"substance": "Opium"}, "substance", "without a defined chemical structure"),
        ({"substance": ""}, "substance", "at least 1 character"),
        ({"event_type": "rumour"}, "event_type", "seizure"),
        ({"date": "2025-02-30"}, "date", "date"),
        ({"date": "2999-01-01"}, "date", "in the future"),
        ({"country": "XX"}, "country", "ISO 3166-1"),
        ({"sharing": "everyone"}, "sharing", "network"),
        ({"quantity": -1, "unit": "g"}, "quantity", "greater than 0"),
        ({"quantity": 3}, None, "quantity and unit go together"),
        ({"quantity": 3, "unit": "lb"}, "unit", "kg"),
        ({"restrictions": [1]}, "restrictions", "string"),
        ({"colour": "blue"}, "colour", "Extra inputs"),
    ],
)
def test_malformed_submission_is_422_with_a_precise_message_and_stores_nothing(
    world: World, change: dict[str, object], where: str | None, words: str
) -> None:
    dea = world.agency("DEA", "US")
    body = {"substance": "fentanyl", "event_type": "seizure", "date": "2025-03-01", "country": "US"}
    body.update(change)
    r = world.client.post("/api/v1/reports", json=body, headers=dea.headers)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert any(words in d["msg"] for d in detail), detail
    if where:
        assert any(d["loc"][-1] == where for d in detail), detail
    assert count_rows(world, "reports") == 0
    assert count_rows(world, "alerts") == 0


def test_missing_required_fields_are_named(world: World) -> None:
    dea = world.agency("DEA", "US")
    r = world.client.post("/api/v1/reports", json={"substance": "fentanyl"}, headers=dea.headers)
    assert r.status_code == 422
    missing = {d["loc"][-1] for d in r.json()["detail"] if d["type"] == "missing"}
    assert missing == {"event_type", "date", "country"}
    r = world.client.post("/api/v1/reports", content=b"{not json", headers={**dea.headers,
                                                                          "Content-Type": "application/json"})
    assert r.status_code == 422
    assert count_rows(world, "reports") == 0


def test_idempotency_key_stores_a_retried_submission_once(world: World) -> None:
    dea = world.agency("DEA", "US")
    body = {"substance": "fentanyl", "event_type": "seizure", "date": "2025-03-01", "country": "US"}
    h = {**dea.headers, "Idempotency-Key": "case-42-try"}
    first = world.client.post("/api/v1/reports", json=body, headers=h)
    again = world.client.post("/api/v1/reports", json=body, headers=h)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert count_rows(world, "reports") == 1


def test_get_unknown_or_malformed_id(world: World) -> None:
    dea = world.agency("DEA", "US")
    assert world.client.get("/api/v1/reports/" + "0" * 32, headers=dea.headers).status_code == 404
    assert world.client.get("/api/v1/reports/nothex", headers=dea.headers).status_code == 422


def test_list_filters(world: World) -> None:
    dea = world.agency("DEA", "US")
    world.report(dea, "fentanyl", date="2024-01-10", country="US", event_type="seizure")
    world.report(dea, BUTYRYLFENTANYL, date="2024-06-01", country="MX", event_type="poisoning")
    world.report(dea, CARFENTANIL, date="2025-02-01", country="CA", event_type="darknet_sighting")

    def total(**params: object) -> int:
        r = world.client.get("/api/v1/reports", params=params, headers=dea.headers)
        assert r.status_code == 200, r.text
        return int(r.json()["total"])

    assert total() == 3
    assert total(substance="fentanyl") == 1
    assert total(substance="fentanyl", match="exact") == 1
    assert total(country="mx") == 1
    assert total(event_type="darknet_sighting") == 1
    assert total(date_from="2024-03-01") == 2
    assert total(date_to="2024-06-01") == 2
    assert total(date_from="2024-01-11", date_to="2024-12-31") == 1
    assert total(agency="DEA") == 3
    assert total(agency="Nobody") == 0
    assert total(sharing="private") == 3
    # the 4-anilidopiperidine core of the fentanyls, as SMARTS and as SMILES
    assert total(substance="O=C(*)N(c1ccccc1)C1CCNCC1", match="substructure") == 3
    assert total(substance="CC(=O)OC", match="substructure") == 1  # the ester of carfentanil
    assert total(substance="[#6]C(=O)O[CH3]", match="substructure") == 1
    assert total(substance="fentanyl", match="substructure") == 3  # a name gives its structure
    assert total(substance="fentanyl", match="similarity", threshold=0.99) == 1
    assert total(substance="fentanyl", match="similarity", threshold=0.5) >= 2
    assert total(substance="c1ccccc1", match="substructure", country="US") == 1


def test_list_orders_newest_event_first_and_pages(world: World) -> None:
    dea = world.agency("DEA", "US")
    for day in ("2025-01-01", "2025-01-03", "2025-01-02"):
        world.report(dea, date=day)
    r = world.client.get("/api/v1/reports", params={"limit": 2}, headers=dea.headers).json()
    assert [i["date"] for i in r["items"]] == ["2025-01-03", "2025-01-02"]
    assert r["total"] == 3
    r = world.client.get("/api/v1/reports", params={"limit": 2, "offset": 2}, headers=dea.headers).json()
    assert [i["date"] for i in r["items"]] == ["2025-01-01"]


@pytest.mark.parametrize(
    "params",
    [{"country": "XX"}, {"date_from": "2025-13-01"}, {"date_from": "2025-02-01", "date_to": "2025-01-01"},
     {"event_type": "rumour"}, {"match": "fuzzy", "substance": "x"}, {"threshold": "0"}, {"threshold": "1.5"},
     {"limit": "0"}, {"limit": "100000"}, {"offset": "-1"}, {"substance": "not-a-compound-xyz"},
     {"substance": "((((", "match": "substructure"}, {"substance": "   "}],
)
def test_bad_filters_are_422(world: World, params: dict[str, str]) -> None:
    dea = world.agency("DEA", "US")
    r = world.client.get("/api/v1/reports", params=params, headers=dea.headers)
    assert r.status_code == 422, r.text


def test_substance_page(world: World) -> None:
    dea = world.agency("DEA", "US")
    world.report(dea, date="2024-01-10", country="US", restrictions=["intelligence only"])
    world.report(dea, date="2024-01-20", country="US")
    world.report(dea, date="2024-03-05", country="MX")
    r = world.client.get(f"/api/v1/substances/{FENTANYL_KEY}", headers=dea.headers)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["reports"] == 3
    assert (page["first_sighting"], page["last_sighting"]) == ("2024-01-10", "2024-03-05")
    assert page["countries"] == [
        {"country": "US", "first_sighting": "2024-01-10", "last_sighting": "2024-01-20", "reports": 2},
        {"country": "MX", "first_sighting": "2024-03-05", "last_sighting": "2024-03-05", "reports": 1},
    ]
    assert page["monthly"] == [{"month": "2024-01", "reports": 2}, {"month": "2024-03", "reports": 1}]
    assert page["verdicts"]["US"]["controlled"] is True
    assert page["restrictions"] == ["intelligence only"]
    assert world.client.get("/api/v1/substances/" + "A" * 14 + "-" + "B" * 10 + "-N",
                            headers=dea.headers).status_code == 404
    assert world.client.get("/api/v1/substances/fentanyl", headers=dea.headers).status_code == 422


def test_restrictions_travel_with_the_record_to_every_reader(world: World) -> None:
    dea, fiod = world.agency("DEA", "US"), world.agency("FIOD", "NL")
    rep = world.report(dea, sharing="network", restrictions="not for use in prosecution")
    assert rep["restrictions"] == ["not for use in prosecution"]
    seen = world.client.get(f"/api/v1/reports/{rep['id']}", headers=fiod.headers).json()
    assert seen["restrictions"] == ["not for use in prosecution"]
    listed = world.client.get("/api/v1/reports", headers=fiod.headers).json()["items"][0]
    assert listed["restrictions"] == ["not for use in prosecution"]
    alert = world.client.get("/api/v1/alerts", headers=fiod.headers).json()["items"][0]
    assert alert["restrictions"] == ["not for use in prosecution"]
    exported = world.client.get("/api/v1/reports/export", params={"format": "jsonl"}, headers=fiod.headers).text
    assert "not for use in prosecution" in exported


def test_agency_endpoint(world: World) -> None:
    dea, fiod = world.agency("DEA", "US"), world.agency("FIOD", "NL")
    world.agree(dea, fiod)
    me = world.client.get("/api/v1/agency", headers=fiod.headers).json()
    assert (me["name"], me["country"], me["jurisdiction"], me["role"]) == ("FIOD", "NL", "UN", "analyst")
    assert me["partners"] == [{"name": "DEA", "country": "US", "jurisdiction": "US"}]
