"""Corrections and withdrawal of reports by their agency, their history, and who may see it."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.service.conftest import BUTYRYLFENTANYL, CARFENTANIL, FENTANYL, FENTANYL_KEY, World, count_rows

CARFENTANIL_KEY = "YDSDEBIZUNNPOB-UHFFFAOYSA-N"


def patch(world: World, member: Any, rep: dict[str, Any], **body: Any) -> Any:
    return world.client.patch(f"/api/v1/reports/{rep['id']}", json=body, headers=member.headers)


def withdraw(world: World, member: Any, rep: dict[str, Any], reason: str = "submitted in error") -> Any:
    return world.client.post(f"/api/v1/reports/{rep['id']}/withdraw", json={"reason": reason},
                             headers=member.headers)


def revisions(world: World, member: Any, rep: dict[str, Any]) -> Any:
    return world.client.get(f"/api/v1/reports/{rep['id']}/revisions", headers=member.headers)


def feed(world: World, member: Any) -> list[dict[str, Any]]:
    return list(world.client.get("/api/v1/alerts", params={"limit": 1000}, headers=member.headers).json()["items"])


def test_the_owner_corrects_a_report_and_its_history_keeps_every_version(world: World) -> None:
    dea = world.agency("DEA", "US")
    rep = world.report(dea, quantity=1, unit="g", notes="field test", region="Arizona")
    assert (rep["revision"], rep["updated_at"], rep["withdrawn"]) == (1, None, False)
    r = patch(world, dea, rep, reason="weighed at the laboratory", quantity=1.25, region=None)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["changed"] == ["region", "quantity"]
    assert (got["quantity"], got["unit"], got["region"], got["notes"]) == (1.25, "g", None, "field test")
    assert got["revision"] == 2 and got["updated_at"] and got["submitted_at"] == rep["submitted_at"]
    assert got["alerts"] == []  # the same substance in the same country: nothing new to say
    # the report reads as corrected everywhere
    again = world.client.get(f"/api/v1/reports/{rep['id']}", headers=dea.headers).json()
    assert {k: v for k, v in again.items()} == {k: v for k, v in got.items() if k not in ("alerts", "changed")}
    listed = world.client.get("/api/v1/reports", headers=dea.headers).json()["items"]
    assert [(i["id"], i["quantity"]) for i in listed] == [(rep["id"], 1.25)]
    hist = revisions(world, dea, rep).json()
    assert (hist["report_id"], hist["agency"], hist["revision"], hist["withdrawn"]) == (rep["id"], "DEA", 2, False)
    first, second = hist["items"]
    assert (first["revision"], first["kind"], first["reason"], first["changed"]) == (1, "submitted", None, [])
    assert first["at"] == rep["submitted_at"]
    assert (first["report"]["quantity"], first["report"]["region"]) == (1.0, "Arizona")
    assert (second["revision"], second["kind"], second["reason"]) == (2, "corrected", "weighed at the laboratory")
    assert second["changed"] == ["region", "quantity"]
    assert (second["report"]["quantity"], second["report"]["region"]) == (1.25, None)
    assert first["token_id"] and second["token_id"]  # the agency's own tokens
    # a second correction adds a third revision
    assert patch(world, dea, rep, reason="typo", notes="field test, blue tablets").json()["revision"] == 3
    assert [i["revision"] for i in revisions(world, dea, rep).json()["items"]] == [1, 2, 3]
    assert count_rows(world, "report_revisions") == 3


def test_a_correction_that_changes_nothing_stores_nothing(world: World) -> None:
    dea = world.agency("DEA", "US")
    rep = world.report(dea, quantity=2, unit="g")
    r = patch(world, dea, rep, reason="checked", quantity=2.0, unit="g", country="us", substance=FENTANYL)
    assert r.status_code == 200, r.text
    assert (r.json()["changed"], r.json()["revision"]) == ([], 1)
    assert count_rows(world, "report_revisions") == 0
    assert [i["kind"] for i in revisions(world, dea, rep).json()["items"]] == ["submitted"]


def test_a_corrected_substance_is_resolved_and_judged_again_and_alerts_as_a_new_one_would(world: World) -> None:
    dea = world.agency("DEA", "US")
    world.report(dea, CARFENTANIL, country="MX")  # carfentanil was seen before, in Mexico
    rep = world.report(dea, FENTANYL, country="US", event_type="seizure")
    # the field test said fentanyl; the laboratory says carfentanil (not controlled in the test registry)
    r = patch(world, dea, rep, reason="laboratory result", substance="carfentanil-free SMILES: " + CARFENTANIL)
    assert r.status_code == 422  # not something check resolves: nothing stored
    assert r.json()["detail"][0]["loc"] == ["body", "substance"]
    r = patch(world, dea, rep, reason="laboratory result", substance=CARFENTANIL,
              event_type="laboratory_identification")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["changed"] == ["substance", "event_type"]
    assert (got["substance"]["input"], got["substance"]["inchikey"]) == (CARFENTANIL, CARFENTANIL_KEY)
    assert got["substance"]["verdicts"]["US"]["controlled"] is False
    kinds = {a["kind"] for a in got["alerts"]}
    # first in the US (the Mexican report came first in the network), and not controlled at home
    assert kinds == {"first_sighting_country", "not_controlled_at_home"}
    assert all("corrected report, revision 2" in a["message"] and a["details"]["revision"] == 2
               for a in got["alerts"])
    assert all(a["report_id"] == rep["id"] for a in got["alerts"])
    # the earlier alerts about the fentanyl version stay as they were
    mine = [a for a in feed(world, dea) if a["report_id"] == rep["id"]]
    assert {a["inchikey"] for a in mine} == {FENTANYL_KEY, CARFENTANIL_KEY}
    first = revisions(world, dea, rep).json()["items"][0]["report"]
    assert first["substance"]["inchikey"] == FENTANYL_KEY
    assert first["substance"]["verdicts"]["US"]["controlled"] is True
    # the substance pages count the report under its corrected substance only
    assert world.client.get(f"/api/v1/substances/{FENTANYL_KEY}", headers=dea.headers).status_code == 404
    assert world.client.get(f"/api/v1/substances/{CARFENTANIL_KEY}", headers=dea.headers).json()["reports"] == 2


def test_a_correction_raises_no_alert_twice(world: World) -> None:
    fiod = world.agency("FIOD", "NL")
    rep = world.report(fiod, FENTANYL, country="NL")
    assert {a["kind"] for a in rep["alerts"]} == {"first_sighting_network", "first_sighting_country",
                                                  "not_controlled_at_home"}
    before = count_rows(world, "alerts")
    r = patch(world, fiod, rep, reason="date", date="2025-02-27")
    assert r.json()["alerts"] == [] and count_rows(world, "alerts") == before
    # another country is a first sighting there, and only that is new
    r = patch(world, fiod, rep, reason="it was seized in Belgium", country="BE")
    assert [a["kind"] for a in r.json()["alerts"]] == ["first_sighting_country"]


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        ({"quantity": 3}, None, "quantity and unit go together"),
        ({"date": "2999-01-01"}, "date", "in the future"),
        ({"country": "XX"}, "country", "ISO 3166-1"),
        ({"substance": None}, "substance", "valid string"),
        ({"substance": "Opium"}, "substance", "without a defined chemical structure"),
        ({"sharing": "everyone"}, "sharing", "network"),
        ({"colour": "blue"}, "colour", "Extra inputs"),
        ({"reason": ""}, "reason", "at least 1 character"),
        ({"reason": None}, "reason", "valid string"),
    ],
)
def test_a_correction_is_validated_like_a_submission(
    world: World, body: dict[str, Any], where: str | None, words: str
) -> None:
    dea = world.agency("DEA", "US")
    rep = world.report(dea)
    r = patch(world, dea, rep, **{"reason": "r", **body})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert any(words in d["msg"] for d in detail), detail
    if where:
        assert any(d["loc"][-1] == where for d in detail), detail
    assert world.client.get(f"/api/v1/reports/{rep['id']}", headers=dea.headers).json() == {
        k: v for k, v in rep.items() if k != "alerts"}
    assert count_rows(world, "report_revisions") == 0
    r = world.client.patch(f"/api/v1/reports/{rep['id']}", json={"notes": "no reason"}, headers=dea.headers)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "reason"]


def test_only_the_reporting_agency_may_correct_or_withdraw(world: World) -> None:
    dea = world.agency("DEA", "US", role="admin")
    reader = world.token("DEA", "read-only")
    nncc, fiod = world.agency("NNCC", "CN"), world.agency("FIOD", "NL")
    world.agree(dea, nncc)
    rep = world.report(dea, sharing="partners", notes="original")
    missing = {"id": "f" * 32}
    # a read-only token of the same agency may not write
    assert patch(world, reader, rep, reason="x", notes="y").status_code == 403
    assert withdraw(world, reader, rep).status_code == 403
    # a partner that reads the report may not change it
    r = patch(world, nncc, rep, reason="x", notes="y")
    assert (r.status_code, r.json()["detail"]) == (
        403, "only the agency that submitted a report may correct or withdraw it")
    assert withdraw(world, nncc, rep).status_code == 403
    # an agency that cannot see it is told it does not exist, word for word as for a missing id
    for call in (patch(world, fiod, rep, reason="x", notes="y"), withdraw(world, fiod, rep)):
        assert call.status_code == 404
        assert call.json() == patch(world, fiod, missing, reason="x", notes="y").json()
    assert withdraw(world, fiod, missing).status_code == 404
    got = world.client.get(f"/api/v1/reports/{rep['id']}", headers=dea.headers).json()
    assert (got["notes"], got["revision"], got["withdrawn"]) == ("original", 1, False)
    assert count_rows(world, "report_revisions") == 0
    # every attempt is in the audit log; the owner sees the others' attempts on its report
    entries = world.client.get("/api/v1/audit", params={"limit": 1000}, headers=dea.headers).json()["items"]
    others = {(e["agency"], e["action"], e["status"]) for e in entries if e["object_id"] == rep["id"]}
    assert {("NNCC", "correct_report", 403), ("NNCC", "withdraw_report", 403), ("FIOD", "correct_report", 404),
            ("FIOD", "withdraw_report", 404)} <= others
    # the role is refused before the report is looked at, as for a submission
    own = {(e["role"], e["action"], e["status"]) for e in entries if rep["id"] in e["path"] and e["agency"] == "DEA"}
    assert {("read-only", "correct_report", 403), ("read-only", "withdraw_report", 403)} <= own


def test_a_partner_sees_the_history_and_an_outsider_does_not(world: World) -> None:
    dea, nncc, fiod = world.agency("DEA", "US"), world.agency("NNCC", "CN"), world.agency("FIOD", "NL")
    world.agree(dea, nncc)
    rep = world.report(dea, sharing="partners", case_ref="CASE-1")
    assert patch(world, dea, rep, reason="wrong case number", case_ref="CASE-2").status_code == 200
    hist = revisions(world, nncc, rep)
    assert hist.status_code == 200
    items = hist.json()["items"]
    assert [(i["report"]["case_ref"], i["reason"]) for i in items] == [("CASE-1", None),
                                                                      ("CASE-2", "wrong case number")]
    assert all(i["token_id"] is None for i in items)  # another agency's token ids are its own business
    got = world.client.get(f"/api/v1/reports/{rep['id']}", headers=nncc.headers).json()
    assert (got["revision"], got["case_ref"]) == (2, "CASE-2")
    hidden = revisions(world, fiod, rep)
    assert hidden.status_code == 404
    assert hidden.json() == revisions(world, fiod, {"id": "f" * 32}).json()
    assert "CASE-1" not in hidden.text
    # a report narrowed to private is gone, history and all, for the partner
    assert patch(world, dea, rep, reason="not to be shared", sharing="private").status_code == 200
    assert revisions(world, nncc, rep).status_code == 404
    assert world.client.get(f"/api/v1/reports/{rep['id']}", headers=nncc.headers).status_code == 404


def test_every_revision_route_needs_a_token(world: World) -> None:
    dea = world.agency("DEA", "US")
    rep = world.report(dea)
    base = f"/api/v1/reports/{rep['id']}"
    for method, path, body in (("PATCH", base, {"reason": "x", "notes": "y"}),
                               ("POST", base + "/withdraw", {"reason": "x"}), ("GET", base + "/revisions", None)):
        for headers in ({}, {"Authorization": "Bearer aw_0000_" + "x" * 43}):
            r = world.client.request(method, path, json=body, headers=headers)
            assert r.status_code == 401, (method, path)
    assert count_rows(world, "report_revisions") == 0
    assert world.client.get(base, headers=dea.headers).json()["revision"] == 1


def test_withdrawn_reports_are_kept_but_not_counted(world: World) -> None:
    dea, fiod = world.agency("DEA", "US"), world.agency("FIOD", "NL")
    keep = world.report(dea, BUTYRYLFENTANYL, sharing="network", date="2025-01-02")
    wrong = world.report(dea, BUTYRYLFENTANYL, sharing="network", date="2025-01-05", country="MX")
    r = withdraw(world, dea, wrong, reason="duplicate of the January 2 seizure")
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["withdrawn"], out["withdrawal_reason"], out["revision"]) == (
        True, "duplicate of the January 2 seizure", 2)
    assert out["withdrawn_at"] and out["updated_at"] == out["withdrawn_at"]
    for who in (dea, fiod):
        listed = world.client.get("/api/v1/reports", headers=who.headers).json()
        assert (listed["total"], [i["id"] for i in listed["items"]]) == (1, [keep["id"]])
        everything = world.client.get("/api/v1/reports", params={"include_withdrawn": "true"},
                                      headers=who.headers).json()
        assert everything["total"] == 2
        assert {i["id"]: i["withdrawn"] for i in everything["items"]} == {keep["id"]: False, wrong["id"]: True}
        assert world.client.get("/api/v1/reports", params={"country": "MX"}, headers=who.headers).json()[
            "total"] == 0
        # still answered by id, marked
        by_id = world.client.get(f"/api/v1/reports/{wrong['id']}", headers=who.headers).json()
        assert (by_id["withdrawn"], by_id["withdrawal_reason"]) == (True, "duplicate of the January 2 seizure")
        page = world.client.get("/api/v1/substances/QQOMYEQLWQJRKK-UHFFFAOYSA-N", headers=who.headers).json()
        assert page["reports"] == 1 and [c["country"] for c in page["countries"]] == ["US"]
        exported = world.client.get("/api/v1/reports/export", params={"format": "jsonl"}, headers=who.headers)
        assert [json.loads(x)["id"] for x in exported.text.splitlines()] == [keep["id"]]
    hist = revisions(world, fiod, wrong).json()
    assert hist["withdrawn"] is True
    assert [(i["kind"], i["reason"]) for i in hist["items"]] == [
        ("submitted", None), ("withdrawn", "duplicate of the January 2 seizure")]
    # withdrawn for good: a second withdrawal changes nothing, a correction is refused
    again = withdraw(world, dea, wrong, reason="again")
    assert again.status_code == 200 and again.json()["withdrawal_reason"] == "duplicate of the January 2 seizure"
    r = patch(world, dea, wrong, reason="x", notes="y")
    assert r.status_code == 409 and "withdrawn" in r.json()["detail"]
    assert count_rows(world, "report_revisions") == 2
    assert count_rows(world, "reports") == 2  # nothing is deleted


def test_a_withdrawn_report_is_no_earlier_sighting(world: World) -> None:
    dea, fiod = world.agency("DEA", "US"), world.agency("FIOD", "NL")
    wrong = world.report(dea, CARFENTANIL, sharing="network", country="NL")
    assert withdraw(world, dea, wrong).status_code == 200
    rep = world.report(fiod, CARFENTANIL, country="NL")
    assert {"first_sighting_network", "first_sighting_country"} <= {a["kind"] for a in rep["alerts"]}


def test_agencies_alerted_about_a_report_are_told_of_its_correction_and_withdrawal(world: World) -> None:
    dea, nncc, fiod = world.agency("DEA", "US"), world.agency("NNCC", "CN"), world.agency("FIOD", "NL")
    world.agree(dea, nncc)
    rep = world.report(dea, CARFENTANIL, sharing="partners", restrictions=["intelligence only"])
    earlier = feed(world, nncc)
    assert earlier and {a["report_id"] for a in earlier} == {rep["id"]}
    r = patch(world, dea, rep, reason="the laboratory weighed it", quantity=40, unit="g")
    assert r.status_code == 200
    told = [a for a in feed(world, nncc) if a["kind"] == "report_corrected"]
    assert len(told) == 1
    assert told[0]["details"] == {"reporting_agency": "DEA", "revision": 2, "changed": ["quantity", "unit"],
                                  "reason": "the laboratory weighed it"}
    assert "the laboratory weighed it" in told[0]["message"] and told[0]["restrictions"] == ["intelligence only"]
    assert not [a for a in feed(world, dea) if a["kind"] == "report_corrected"]  # the agency that made it knows
    assert feed(world, fiod) == []
    assert withdraw(world, dea, rep, reason="not carfentanil after all").status_code == 200
    gone = [a for a in feed(world, nncc) if a["kind"] == "report_withdrawn"]
    assert len(gone) == 1 and "not carfentanil after all" in gone[0]["message"]
    # the alerts already raised stay, as they were
    still = feed(world, nncc)
    assert [a for a in still if a["id"] in {e["id"] for e in earlier}] == earlier
    only = world.client.get("/api/v1/alerts", params={"kind": "report_withdrawn"}, headers=nncc.headers).json()
    assert only["total"] == 1


def test_widening_the_sharing_alerts_the_new_readers_as_a_new_report_would(world: World) -> None:
    dea, fiod = world.agency("DEA", "US"), world.agency("FIOD", "NL")
    rep = world.report(dea, FENTANYL, sharing="private")
    assert feed(world, fiod) == []
    assert patch(world, dea, rep, reason="cleared for the network", sharing="network").status_code == 200
    kinds = {a["kind"] for a in feed(world, fiod) if a["report_id"] == rep["id"]}
    assert kinds == {"first_sighting_network", "first_sighting_country", "not_controlled_at_home"}
    assert world.client.get(f"/api/v1/reports/{rep['id']}/revisions", headers=fiod.headers).status_code == 200


def test_base_revision_guards_against_a_lost_update(world: World) -> None:
    dea = world.agency("DEA", "US")
    rep = world.report(dea)
    assert patch(world, dea, rep, reason="a", notes="one", base_revision=1).status_code == 200
    r = patch(world, dea, rep, reason="b", notes="two", base_revision=1)
    assert r.status_code == 409 and "revision 2" in r.json()["detail"]
    assert patch(world, dea, rep, reason="b", notes="two", base_revision=2).json()["revision"] == 3


def test_corrections_and_withdrawals_are_audited(world: World) -> None:
    admin = world.agency("DEA", "US", role="admin")
    analyst = world.token("DEA", "analyst")
    nncc = world.agency("NNCC", "CN")
    world.agree(admin, nncc)
    rep = world.report(analyst, sharing="partners")
    patch(world, analyst, rep, reason="wrong date", date="2025-02-28")
    withdraw(world, analyst, rep, reason="a test seizure")
    revisions(world, nncc, rep)
    entries = world.client.get("/api/v1/audit", params={"limit": 1000}, headers=admin.headers).json()["items"]
    by_action = {e["action"]: e for e in entries}
    c = by_action["correct_report"]
    assert (c["agency"], c["role"], c["method"], c["status"], c["object_id"]) == (
        "DEA", "analyst", "PATCH", 200, rep["id"])
    assert "revision 2: date" in c["detail"] and "wrong date" in c["detail"] and c["token_id"]
    w = by_action["withdraw_report"]
    assert (w["method"], w["status"], w["object_id"]) == ("POST", 200, rep["id"])
    assert "revision 3" in w["detail"] and "a test seizure" in w["detail"]
    read = by_action["list_report_revisions"]
    assert (read["agency"], read["object_id"], read["status"]) == ("NNCC", rep["id"], 200)
    # the revisions record who made them too
    items = revisions(world, admin, rep).json()["items"]
    assert items[1]["token_id"] == c["token_id"] == items[2]["token_id"]


def test_revisions_are_append_only_in_the_database(world: World) -> None:
    dea = world.agency("DEA", "US")
    rep = world.report(dea)
    patch(world, dea, rep, reason="r", notes="n")
    engine = world.app.state.engine
    for stmt in ("UPDATE report_revisions SET reason = 'forged'", "DELETE FROM report_revisions"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(stmt))
    assert count_rows(world, "report_revisions") == 2
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("TRUNCATE report_revisions"))


def test_export_carries_revision_and_withdrawal_and_still_imports(world: World) -> None:
    dea, fiod = world.agency("DEA", "US"), world.agency("FIOD", "NL")
    kept = world.report(dea, FENTANYL, case_ref="KEPT")
    patch(world, dea, kept, reason="typo", region="Yuma")
    gone = world.report(dea, CARFENTANIL, case_ref="GONE")
    withdraw(world, dea, gone, reason="=HYPERLINK(\"x\")")
    text_csv = world.client.get("/api/v1/reports/export", headers=dea.headers).text
    rows = list(csv.DictReader(io.StringIO(text_csv)))
    assert [(r["case_ref"], r["revision"], r["withdrawn_at"]) for r in rows] == [("KEPT", "2", "")]
    assert rows[0]["updated_at"]
    assert world.client.post("/api/v1/reports/import", files={"file": ("r.csv", text_csv.encode())},
                             headers=fiod.headers).status_code == 201
    jl = world.client.get("/api/v1/reports/export", params={"format": "jsonl"}, headers=dea.headers).content
    assert world.client.post("/api/v1/reports/import", files={"file": ("r.jsonl", jl)},
                             headers=fiod.headers).status_code == 201
    # with the withdrawn ones, the export says so, and import refuses them rather than revive them
    full = world.client.get("/api/v1/reports/export", params={"include_withdrawn": "true"}, headers=dea.headers).text
    rows = {r["case_ref"]: r for r in csv.DictReader(io.StringIO(full))}
    assert rows["GONE"]["withdrawn_at"] and rows["GONE"]["withdrawal_reason"] == "'=HYPERLINK(\"x\")"
    for name, data in (("r.csv", full.encode()), ("r.jsonl", world.client.get(
            "/api/v1/reports/export", params={"format": "jsonl", "include_withdrawn": "true"},
            headers=dea.headers).content)):
        r = world.client.post("/api/v1/reports/import", files={"file": (name, data)}, headers=fiod.headers)
        assert r.status_code == 422, name
        assert [e["message"] for e in r.json()["errors"]] == [
            "a withdrawn report cannot be imported (export without include_withdrawn, or drop the row)"]
    assert world.client.get("/api/v1/reports", params={"agency": "FIOD"}, headers=fiod.headers).json()["total"] == 2
