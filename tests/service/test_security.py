"""Security: authentication on every route, tokens that expire and can be revoked, roles, the
isolation of private reports on every read path, and injection attempts in every parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from tests.service.conftest import BUTYRYLFENTANYL, CARFENTANIL, FENTANYL, Member, World, count_rows

SAMPLE_PATH_VALUES = {"report_id": "0" * 32, "inchikey": "PJMPHNIQZUBGLI-UHFFFAOYSA-N"}


def every_operation(world: World) -> list[tuple[str, str]]:
    """(method, path) of every API operation, from the OpenAPI document (so a new route is covered)."""
    ops = []
    for path, item in world.app.openapi()["paths"].items():
        for method in item:
            concrete = path
            for name, value in SAMPLE_PATH_VALUES.items():
                concrete = concrete.replace("{" + name + "}", value)
            assert "{" not in concrete, f"add a sample value for {path}"
            ops.append((method.upper(), concrete))
    return ops


def test_every_api_operation_is_under_api_and_listed(world: World) -> None:
    ops = every_operation(world)
    assert len(ops) >= 10
    assert all(path.startswith("/api/v1/") for _, path in ops)


@pytest.mark.parametrize(
    "auth",
    [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer aw_0000_" + "x" * 43, "bearer " + "y" * 500],
)
def test_every_operation_without_a_valid_token_is_401(world: World, auth: str | None) -> None:
    world.agency("DEA", "US")
    headers = {"Authorization": auth} if auth is not None else {}
    for method, path in every_operation(world):
        r = world.client.request(method, path, headers=headers, json={"substance": "fentanyl"})
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.headers.get("www-authenticate") == "Bearer"
    assert count_rows(world, "reports") == 0


def test_docs_and_schema_are_public(world: World) -> None:
    assert world.client.get("/openapi.json").status_code == 200
    assert world.client.get("/docs").status_code == 200


def test_revoked_token_is_refused_at_once(world: World) -> None:
    from analogwatch.service.store import crud

    dea = world.agency("DEA", "US")
    assert world.client.get("/api/v1/reports", headers=dea.headers).status_code == 200
    with world.app.state.sessions() as s:
        crud.revoke_token(s, token_id=dea.token)  # the token text or its id both name it
        s.commit()
    r = world.client.get("/api/v1/reports", headers=dea.headers)
    assert (r.status_code, r.json()["detail"]) == (401, "token revoked")


def test_expired_token_is_refused(world: World) -> None:
    from analogwatch.service.auth import hash_token
    from analogwatch.service.store.models import ApiToken

    world.agency("DEA", "US")
    short = world.token("DEA", "analyst", expires_days=1)
    assert world.client.get("/api/v1/reports", headers=short.headers).status_code == 200
    with world.app.state.sessions() as s:
        s.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(short.token))
                  .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        s.commit()
    r = world.client.get("/api/v1/reports", headers=short.headers)
    assert (r.status_code, r.json()["detail"]) == (401, "token expired")


def test_roles(world: World) -> None:
    world.agency("DEA", "US", role="admin")
    reader = world.token("DEA", "read-only")
    analyst = world.token("DEA", "analyst")
    admin = world.members["DEA"]
    body = {"substance": "fentanyl", "event_type": "seizure", "date": "2025-03-01", "country": "US"}
    assert world.client.post("/api/v1/reports", json=body, headers=reader.headers).status_code == 403
    files = {"file": ("r.csv", b"substance,event_type,date,country\nfentanyl,seizure,2025-03-01,US\n")}
    assert world.client.post("/api/v1/reports/import", files=files, headers=reader.headers).status_code == 403
    assert count_rows(world, "reports") == 0
    assert world.client.post("/api/v1/reports", json=body, headers=analyst.headers).status_code == 201
    assert world.client.get("/api/v1/reports", headers=reader.headers).json()["total"] == 1
    assert world.client.get("/api/v1/reports/export", headers=reader.headers).status_code == 200
    for who in (reader, analyst):
        assert world.client.get("/api/v1/audit", headers=who.headers).status_code == 403
        assert world.client.put("/api/v1/agency/webhook", json={"url": "http://127.0.0.1:9/x"},
                                headers=who.headers).status_code == 403
    assert world.client.get("/api/v1/audit", headers=admin.headers).status_code == 200


# -- isolation ------------------------------------------------------------------------------------

SECRET = "SECRET-CASE-7731"


def _isolation_world(world: World) -> dict[str, Any]:
    """DEA (US) keeps carfentanil and fentanyl private and shares butyrylfentanyl with its partner
    NNCC (CN); FIOD (NL) has no agreement with DEA and shares nothing with it."""
    dea = world.agency("DEA", "US", role="admin")
    fiod = world.agency("FIOD", "NL", role="admin")
    nncc = world.agency("NNCC", "CN", role="admin")
    world.agree(dea, nncc)
    private = [
        world.report(dea, CARFENTANIL, date="2025-01-05", country="MX", notes=SECRET, case_ref=SECRET,
                     event_type="poisoning", region="Sonora"),
        world.report(dea, FENTANYL, date="2025-02-05", country="US", notes=SECRET, case_ref=SECRET),
    ]
    partners = world.report(dea, BUTYRYLFENTANYL, date="2025-03-05", country="US", sharing="partners",
                            case_ref="shared-with-partners")
    own = world.report(fiod, "CCO", date="2025-01-06", country="NL")  # FIOD's own private report
    return {"dea": dea, "fiod": fiod, "nncc": nncc, "private": private, "partners": partners, "own": own}


def _assert_no_leak(text: str, s: dict[str, Any], *, partners_visible: bool) -> None:
    assert SECRET not in text
    for rep in s["private"]:
        assert rep["id"] not in text
    assert CARFENTANIL not in text and "Carfentanil" not in text
    if not partners_visible:
        assert s["partners"]["id"] not in text
        assert "shared-with-partners" not in text


def _list_params() -> list[dict[str, Any]]:
    return [
        {}, {"substance": CARFENTANIL}, {"substance": FENTANYL}, {"substance": "fentanyl"},
        {"substance": "C(=O)N(c1ccccc1)C1CCNCC1", "match": "substructure"},
        {"substance": "COC(=O)C", "match": "substructure"}, {"substance": CARFENTANIL, "match": "similarity",
                                                              "threshold": 0.1},
        {"country": "MX"}, {"country": "US"}, {"event_type": "poisoning"}, {"date_from": "2025-01-01"},
        {"date_to": "2025-12-31"}, {"agency": "DEA"}, {"sharing": "private"}, {"sharing": "partners"},
        {"limit": 1000, "offset": 0},
    ]


def test_another_agency_can_never_see_private_reports_on_any_path(world: World) -> None:
    s = _isolation_world(world)
    for who, partners_visible in ((s["fiod"], False), (s["nncc"], True)):
        h = who.headers
        for rep in s["private"]:
            r = world.client.get(f"/api/v1/reports/{rep['id']}", headers=h)
            assert r.status_code == 404
            # the answer is word for word the one for an id that does not exist
            assert r.json() == world.client.get("/api/v1/reports/" + "f" * 32, headers=h).json()
        expected_total = (1 if who is s["fiod"] else 0) + (1 if partners_visible else 0)
        for params in _list_params():
            r = world.client.get("/api/v1/reports", params=params, headers=h)
            assert r.status_code == 200, (params, r.text)
            body = r.json()
            assert body["total"] <= expected_total, params
            assert body["total"] == len(body["items"])
            _assert_no_leak(r.text, s, partners_visible=partners_visible)
            for fmt in ("csv", "jsonl"):
                r = world.client.get("/api/v1/reports/export", params={**params, "format": fmt}, headers=h)
                assert r.status_code == 200
                _assert_no_leak(r.text, s, partners_visible=partners_visible)
                rows = [ln for ln in r.text.splitlines() if ln.strip()]
                assert len(rows) - (fmt == "csv") == body["total"], (params, fmt)
        for rep in s["private"]:
            r = world.client.get(f"/api/v1/substances/{rep['substance']['inchikey']}", headers=h)
            assert r.status_code == 404
        r = world.client.get(f"/api/v1/substances/{s['partners']['substance']['inchikey']}", headers=h)
        assert r.status_code == (200 if partners_visible else 404)
        if partners_visible:
            page = r.json()
            assert page["reports"] == 1 and [c["country"] for c in page["countries"]] == ["US"]
        for kind in (None, "first_sighting_network", "first_sighting_country", "not_controlled_at_home",
                     "controlled_by_partner"):
            r = world.client.get("/api/v1/alerts", params={"kind": kind} if kind else {}, headers=h)
            assert r.status_code == 200
            _assert_no_leak(r.text, s, partners_visible=partners_visible)
            for a in r.json()["items"]:
                assert a["report_id"] not in {rep["id"] for rep in s["private"]}
        r = world.client.get("/api/v1/audit", params={"limit": 1000}, headers=h)
        assert r.status_code == 200
        assert SECRET not in r.text
        entries = r.json()["items"]
        assert {e["agency"] for e in entries} == {who.name}
        # its probes of hidden reports read exactly like its probes of ids that do not exist
        assert {e["detail"] for e in entries if e["status"] == 404 and e["action"] == "get_report"} == {"not found"}


def test_a_first_sighting_stays_first_when_the_earlier_report_is_private(world: World) -> None:
    s = _isolation_world(world)
    rep = world.client.post("/api/v1/reports", json={
        "substance": CARFENTANIL, "event_type": "seizure", "date": "2025-06-01", "country": "MX",
        "sharing": "private"}, headers=s["fiod"].headers).json()
    kinds = {a["kind"] for a in rep["alerts"]}
    # FIOD cannot see DEA's earlier private carfentanil report: this is its first sighting, and
    # the first in Mexico, exactly as if DEA's report did not exist
    assert {"first_sighting_network", "first_sighting_country"} <= kinds
    page = world.client.get(f"/api/v1/substances/{rep['substance']['inchikey']}", headers=s["fiod"].headers).json()
    assert page["reports"] == 1
    assert page["countries"] == [{"country": "MX", "first_sighting": "2025-06-01", "last_sighting": "2025-06-01",
                                  "reports": 1}]


def test_private_reports_raise_alerts_only_for_their_own_agency(world: World) -> None:
    s = _isolation_world(world)
    private_ids = {rep["id"] for rep in s["private"]}
    for who in (s["fiod"], s["nncc"]):
        items = world.client.get("/api/v1/alerts", headers=who.headers).json()["items"]
        assert not private_ids & {a["report_id"] for a in items}
    mine = world.client.get("/api/v1/alerts", headers=s["dea"].headers).json()["items"]
    assert private_ids <= {a["report_id"] for a in mine}


# -- injection ------------------------------------------------------------------------------------

PAYLOADS = [
    "' OR '1'='1", "' OR 1=1 --", "DEA' OR 'x'='x", "1; DROP TABLE reports; --", "%' OR agency_id > 0 --",
    "\") OR 1=1 --", "US' UNION SELECT * FROM api_tokens --", "' || (SELECT token_hash FROM api_tokens) || '",
    "*", "%", "_", "null", "$where: '1 == 1'", "{{7*7}}", "\u0000", "é' OR 'é'='é", "-1", "2025-01-01' OR '1'='1",
]
REPORT_PARAMS = ["substance", "match", "threshold", "date_from", "date_to", "country", "event_type", "agency",
                 "sharing", "limit", "offset"]


def _tables_intact(world: World, counts: dict[str, int]) -> None:
    for table, n in counts.items():
        assert count_rows(world, table) == n, table


def _check(world: World, s: dict[str, Any], r: Any, who: Member) -> None:
    assert r.status_code in (200, 404, 422), (r.request.url, r.status_code, r.text)
    _assert_no_leak(r.text, s, partners_visible=False)
    if r.status_code == 200 and r.headers["content-type"].startswith("application/json"):
        body = r.json()
        if "total" in body and "items" in body and r.request.url.path == "/api/v1/reports":
            assert body["total"] <= 1  # FIOD's own report at most


def test_injection_attempts_in_every_parameter(world: World) -> None:
    s = _isolation_world(world)
    fiod = s["fiod"]
    counts = {t: count_rows(world, t) for t in ("agencies", "api_tokens", "reports", "alerts", "agreements")}
    for payload in PAYLOADS:
        for param in REPORT_PARAMS:
            for extra in ({}, {"match": "substructure", "substance": "C"}, {"match": "similarity", "substance": "CCO"}):
                params = {**extra, param: payload}
                _check(world, s, world.client.get("/api/v1/reports", params=params, headers=fiod.headers), fiod)
            _check(world, s, world.client.get("/api/v1/reports/export", params={param: payload},
                                              headers=fiod.headers), fiod)
        _check(world, s, world.client.get("/api/v1/reports/export", params={"format": payload},
                                          headers=fiod.headers), fiod)
        for param in ("since", "kind", "limit", "offset"):
            _check(world, s, world.client.get("/api/v1/alerts", params={param: payload}, headers=fiod.headers), fiod)
        for param in ("since", "until", "action", "limit", "offset"):
            _check(world, s, world.client.get("/api/v1/audit", params={param: payload}, headers=fiod.headers), fiod)
        from urllib.parse import quote

        quoted = quote(payload, safe="")
        _check(world, s, world.client.get(f"/api/v1/reports/{quoted}", headers=fiod.headers), fiod)
        _check(world, s, world.client.get(f"/api/v1/substances/{quoted}", headers=fiod.headers), fiod)
    _tables_intact(world, counts)


def test_injection_attempts_in_submitted_fields_are_stored_as_text(world: World) -> None:
    dea = world.agency("DEA", "US")
    payload = "x'); DELETE FROM reports; --"
    rep = world.report(dea, notes=payload, case_ref=payload, region=payload, restrictions=[payload])
    got = world.client.get(f"/api/v1/reports/{rep['id']}", headers=dea.headers).json()
    assert (got["notes"], got["case_ref"], got["region"], got["restrictions"]) == (payload, payload, payload,
                                                                                   [payload])
    r = world.client.post("/api/v1/reports", json={"substance": "fentanyl'; DROP TABLE reports; --",
                                                   "event_type": "seizure", "date": "2025-01-01", "country": "US"},
                          headers=dea.headers)
    assert r.status_code == 422
    assert count_rows(world, "reports") == 1
