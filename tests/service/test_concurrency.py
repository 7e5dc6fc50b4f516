"""Concurrent writers: one first sighting, one report per Idempotency-Key, whatever the timing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.service.conftest import CARFENTANIL, World, count_rows


def test_concurrent_reports_of_a_new_substance_raise_one_first_sighting(world: World) -> None:
    dea = world.agency("DEA", "US")
    body = {"substance": CARFENTANIL, "event_type": "seizure", "date": "2025-01-01", "country": "US",
            "sharing": "network"}
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda _: world.client.post("/api/v1/reports", json=body,
                                                          headers=dea.headers).status_code, range(12)))
    assert codes == [201] * 12
    feed = world.client.get("/api/v1/alerts", params={"kind": "first_sighting_network"}, headers=dea.headers)
    assert feed.json()["total"] == 1


def test_concurrent_retries_with_one_idempotency_key_store_one_report(world: World) -> None:
    dea = world.agency("DEA", "US")
    body = {"substance": CARFENTANIL, "event_type": "seizure", "date": "2025-01-01", "country": "US"}
    headers = {**dea.headers, "Idempotency-Key": "retry-me"}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: world.client.post("/api/v1/reports", json=body, headers=headers),
                                range(12)))
    assert sorted(a.status_code for a in answers) == [200] * 11 + [201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert count_rows(world, "reports") == 1


def test_concurrent_corrections_of_one_report_number_their_revisions_in_turn(world: World) -> None:
    dea = world.agency("DEA", "US")
    rep = world.client.post("/api/v1/reports", json={"substance": CARFENTANIL, "event_type": "seizure",
                                                     "date": "2025-01-01", "country": "US"},
                            headers=dea.headers).json()

    def correct(n: int) -> int:
        r = world.client.patch(f"/api/v1/reports/{rep['id']}", json={"reason": f"r{n}", "notes": f"note {n}"},
                               headers=dea.headers)
        return r.status_code

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(correct, range(12)))
    # a correction read before another one committed applies to the revision stored meanwhile: none is
    # lost, and no two revisions share a number
    assert codes == [200] * 12
    history = world.client.get(f"/api/v1/reports/{rep['id']}/revisions", headers=dea.headers).json()
    assert [i["revision"] for i in history["items"]] == list(range(1, 14))
    assert {i["reason"] for i in history["items"][1:]} == {f"r{n}" for n in range(12)}
    assert count_rows(world, "report_revisions") == 13
