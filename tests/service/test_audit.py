"""The audit log: every read and write, queryable by agency admins, append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.service.conftest import FENTANYL_KEY, World, count_rows
from tests.service.test_security import every_operation


def test_every_operation_is_audited(world: World) -> None:
    admin = world.agency("DEA", "US", role="admin")
    rep = world.report(admin)
    ops = every_operation(world)
    for method, path in ops:
        path = path.replace("0" * 32, rep["id"]).replace("PJMPHNIQZUBGLI-UHFFFAOYSA-N", FENTANYL_KEY)
        before = count_rows(world, "audit_log")
        kwargs: dict = {}  # type: ignore[type-arg]
        if path.endswith("/import"):
            csv_file = b"substance,event_type,date,country\nfentanyl,seizure,2025-01-01,US\n"
            kwargs["files"] = {"file": ("r.csv", csv_file)}
        elif path.endswith("/webhook") and method == "PUT":
            kwargs["json"] = {"url": "https://receiver.example/hook"}
        elif path.endswith("/withdraw"):
            kwargs["json"] = {"reason": "submitted in error"}
        elif method == "PATCH":
            kwargs["json"] = {"reason": "weighed again", "quantity": 2, "unit": "g"}
        elif method == "POST":
            kwargs["json"] = {"substance": "fentanyl", "event_type": "seizure", "date": "2025-01-01", "country": "US"}
        r = world.client.request(method, path, headers=admin.headers, **kwargs)
        assert r.status_code < 400, (method, path, r.text)
        assert count_rows(world, "audit_log") == before + 1, (method, path)


def test_refused_requests_are_audited_too(world: World) -> None:
    admin = world.agency("DEA", "US", role="admin")
    reader = world.token("DEA", "read-only")
    world.client.post("/api/v1/reports", json={"substance": "fentanyl"}, headers=admin.headers)  # 422
    world.client.post("/api/v1/reports", json={"substance": "xyz-unknown", "event_type": "seizure",
                                               "date": "2025-01-01", "country": "US"}, headers=admin.headers)
    world.client.get("/api/v1/reports/" + "a" * 32, headers=admin.headers)  # 404
    world.client.get("/api/v1/audit", headers=reader.headers)  # 403
    entries = world.client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    seen = [(e["action"], e["status"]) for e in reversed(entries)]
    assert seen[:4] == [("create_report", 422), ("create_report", 422), ("get_report", 404), ("list_audit", 403)]
    assert entries[-1]["role"] == "admin" and entries[-1]["token_id"]
    assert "event_type" in entries[-1]["detail"]


def test_audit_entries_say_who_when_what(world: World) -> None:
    admin = world.agency("DEA", "US", role="admin")
    analyst = world.token("DEA", "analyst")
    rep = world.report(analyst)
    world.client.get(f"/api/v1/reports/{rep['id']}", headers=analyst.headers)
    world.client.get("/api/v1/reports", params={"country": "US"}, headers=analyst.headers)
    items = world.client.get("/api/v1/audit", headers=admin.headers).json()["items"]
    create = next(e for e in items if e["action"] == "create_report")
    assert (create["agency"], create["role"], create["method"], create["status"]) == ("DEA", "analyst", "POST", 201)
    assert create["object_id"] == rep["id"] and create["at"]
    read = next(e for e in items if e["action"] == "get_report")
    assert read["object_id"] == rep["id"]
    listing = next(e for e in items if e["action"] == "list_reports")
    assert listing["query"] == "country=US"
    only = world.client.get("/api/v1/audit", params={"action": "get_report"}, headers=admin.headers).json()
    assert {e["action"] for e in only["items"]} == {"get_report"}


def test_owners_see_who_read_their_shared_reports(world: World) -> None:
    dea, fiod = world.agency("DEA", "US", role="admin"), world.agency("FIOD", "NL", role="admin")
    rep = world.report(dea, sharing="network")
    world.client.get(f"/api/v1/reports/{rep['id']}", headers=fiod.headers)
    items = world.client.get("/api/v1/audit", headers=dea.headers).json()["items"]
    theirs = [e for e in items if e["agency"] == "FIOD"]
    assert [(e["action"], e["object_id"]) for e in theirs] == [("get_report", rep["id"])]
    assert theirs[0]["token_id"] is None  # another agency's token ids are not shown


def test_audit_log_is_append_only_in_the_database(world: World) -> None:
    dea = world.agency("DEA", "US")
    world.report(dea)
    engine = world.app.state.engine
    for stmt in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(stmt))
    assert count_rows(world, "audit_log") >= 1
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
