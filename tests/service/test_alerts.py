"""Alerts: the four kinds, computed per recipient from what it can see, and the feed."""

from __future__ import annotations

from tests.service.conftest import BUTYRYLFENTANYL, CARFENTANIL, FENTANYL, World


def kinds(rep: dict) -> set[str]:  # type: ignore[type-arg]
    return {a["kind"] for a in rep["alerts"]}


def test_first_sightings_anywhere_and_per_country(world: World) -> None:
    dea = world.agency("DEA", "US")
    first = world.report(dea, BUTYRYLFENTANYL, country="US")
    assert kinds(first) == {"first_sighting_network", "first_sighting_country"}
    again = world.report(dea, BUTYRYLFENTANYL, country="US")
    assert kinds(again) == set()  # controlled at home, seen before, in this country too
    elsewhere = world.report(dea, BUTYRYLFENTANYL, country="MX")
    assert kinds(elsewhere) == {"first_sighting_country"}
    msg = next(a for a in first["alerts"] if a["kind"] == "first_sighting_network")["message"]
    assert "Butyrylfentanyl" in msg and "DEA" in msg and "United States" in msg


def test_not_controlled_in_the_reporting_agencys_jurisdiction(world: World) -> None:
    # NL maps to the UN conventions; fentanyl is not in the test registry's UN list
    fiod = world.agency("FIOD", "NL")
    rep = world.report(fiod, FENTANYL, country="NL")
    assert "not_controlled_at_home" in kinds(rep)
    alert = next(a for a in rep["alerts"] if a["kind"] == "not_controlled_at_home")
    assert alert["details"]["home_jurisdiction"] == "UN"
    assert "not controlled in UN" in alert["message"].lower() or "Not controlled in UN" in alert["message"]
    # the same substance reported in the US jurisdiction raises no such alert
    dea = world.agency("DEA", "US")
    assert "not_controlled_at_home" not in kinds(world.report(dea, FENTANYL, country="US"))
    cn = world.agency("NNCC", "CN")
    assert "not_controlled_at_home" not in kinds(world.report(cn, FENTANYL, country="CN"))
    assert "not_controlled_at_home" in kinds(world.report(cn, CARFENTANIL, country="CN"))


def test_controlled_by_a_partner_but_not_at_home(world: World) -> None:
    fiod, dea, nncc = world.agency("FIOD", "NL"), world.agency("DEA", "US"), world.agency("NNCC", "CN")
    # without an agreement, another country's control raises nothing
    assert "controlled_by_partner" not in kinds(world.report(fiod, FENTANYL))
    world.agree(fiod, dea)
    world.agree(fiod, nncc)
    rep = world.report(fiod, FENTANYL)
    alert = next(a for a in rep["alerts"] if a["kind"] == "controlled_by_partner")
    assert alert["details"]["controlled_in"] == ["CN", "US"]
    assert alert["details"]["partners"] == {"CN": ["NNCC"], "US": ["DEA"]}
    assert "not_controlled_at_home" in kinds(rep)
    # carfentanil is controlled nowhere in the test registry: no partner controls it either
    assert "controlled_by_partner" not in kinds(world.report(fiod, CARFENTANIL))


def test_recipients_are_the_agencies_that_can_see_the_report(world: World) -> None:
    dea, fiod, nncc = world.agency("DEA", "US"), world.agency("FIOD", "NL"), world.agency("NNCC", "CN")
    world.agree(dea, nncc)

    def feed(m):  # type: ignore[no-untyped-def]
        return world.client.get("/api/v1/alerts", headers=m.headers).json()["items"]

    world.report(dea, CARFENTANIL, sharing="private")
    assert feed(fiod) == [] and feed(nncc) == []
    shared = world.report(dea, BUTYRYLFENTANYL, sharing="partners")
    assert {a["report_id"] for a in feed(nncc)} == {shared["id"]}
    assert feed(fiod) == []
    net = world.report(dea, FENTANYL, sharing="network")
    fiod_alerts = {(a["report_id"], a["kind"]) for a in feed(fiod)}
    # FIOD's home is UN, where fentanyl is not controlled: it is told so, about DEA's report
    assert (net["id"], "not_controlled_at_home") in fiod_alerts
    assert (net["id"], "first_sighting_network") in fiod_alerts
    nncc_kinds = {a["kind"] for a in feed(nncc) if a["report_id"] == net["id"]}
    assert "not_controlled_at_home" not in nncc_kinds  # controlled in CN


def test_feed_filters_and_polling(world: World) -> None:
    fiod = world.agency("FIOD", "NL")
    world.report(fiod, FENTANYL)
    feed = world.client.get("/api/v1/alerts", headers=fiod.headers).json()
    # first in the network, first in NL, not controlled under UN: in the order they are raised
    assert [a["kind"] for a in feed["items"]] == [
        "first_sighting_network", "first_sighting_country", "not_controlled_at_home"]
    last = feed["items"][-1]["created_at"]
    assert world.client.get("/api/v1/alerts", params={"since": last}, headers=fiod.headers).json()["total"] == 0
    world.report(fiod, CARFENTANIL)
    newer = world.client.get("/api/v1/alerts", params={"since": last}, headers=fiod.headers).json()
    assert newer["total"] == 3
    only = world.client.get("/api/v1/alerts", params={"kind": "not_controlled_at_home"}, headers=fiod.headers)
    assert only.json()["total"] == 2
