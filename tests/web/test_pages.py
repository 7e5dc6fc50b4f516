"""The dashboard's pages through the app itself: sign-in, the sharing rules on every page that
shows reports, report submission, the check page's depiction, screening jobs, alerts, audit."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest

from tests.service.conftest import BUTYRYLFENTANYL, FENTANYL, World, count_rows
from tests.web.conftest import FOUR_FLUORO

PAGES = ["/", "/check", "/screen", "/reports", "/substances", "/alerts", "/gaps", "/markets"]


def test_every_page_needs_a_sign_in(world: World) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(world.app, follow_redirects=False)
    for path in [*PAGES, "/reports/" + "0" * 32, "/substances/PJMPHNIQZUBGLI-UHFFFAOYSA-N", "/check?q=fentanyl"]:
        r = client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=")
    assert client.get("/alerts/feed.json").status_code == 401
    assert client.post("/reports", data={"substance": FENTANYL}).status_code == 303
    assert count_rows(world, "reports") == 0
    # a forged cookie is no sign-in either
    client.cookies.set("aw_session", "aw_0000_" + "x" * 43)
    r = client.get("/reports")
    assert r.status_code == 303 and "reason=invalid" in r.headers["location"]
    # assets hold no data
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/login").status_code == 200


def test_sign_in_sets_an_httponly_cookie_and_sign_out_clears_it(world: World, sign_in: Any) -> None:
    from fastapi.testclient import TestClient

    dea = world.agency("DEA", "US")
    client = TestClient(world.app, follow_redirects=False)
    bad = client.post("/login", data={"token": "aw_nope_nope", "next": "/reports"})
    assert bad.status_code == 401 and "not known to this service" in bad.text
    r = client.post("/login", data={"token": dea.token, "next": "/reports"})
    assert r.status_code == 303 and r.headers["location"] == "/reports"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    page = client.get("/reports")
    assert page.status_code == 200 and "DEA" in page.text
    assert "content-security-policy" in page.headers
    # an open redirect is not possible through ?next=
    r = client.post("/login", data={"token": dea.token, "next": "//evil.example/"})
    assert r.headers["location"] == "/"
    b = sign_in(dea)
    r = b.client.post("/logout", data={"csrf": b.csrf()})
    assert r.status_code == 303
    assert b.get("/reports").status_code == 303


def test_a_revoked_token_signs_out_at_the_next_page(world: World, sign_in: Any) -> None:
    from analogwatch.service.store import crud
    from analogwatch.service.store.db import begin_write

    dea = world.agency("DEA", "US")
    b = sign_in(dea)
    assert b.get("/").status_code == 200
    with world.app.state.sessions() as s:
        begin_write(s)
        crud.revoke_token(s, token_id=dea.token)
        s.commit()
    r = b.get("/")
    assert r.status_code == 303 and "token%20revoked" in r.headers["location"]


def test_a_partner_sees_a_partners_report_and_an_outsider_does_not(world: World, sign_in: Any) -> None:
    dea, nncc, nca = world.agency("DEA", "US"), world.agency("NNCC", "CN"), world.agency("NCA", "GB")
    world.agree(dea, nncc)
    b_dea, b_nncc, b_nca = sign_in(dea), sign_in(nncc), sign_in(nca)
    r = b_dea.submit(substance=FOUR_FLUORO, case_ref="OH-25-0099", sharing="partners",
                     restrictions="not for use in prosecution\nlaw enforcement use only", quantity="1.5", unit="kg")
    assert r.status_code == 303, r.text
    report_url = r.headers["location"].split("?")[0]
    report_id = report_url.rsplit("/", 1)[1]
    inchikey = "LSSHGONYDWDTQM-UHFFFAOYSA-N"
    created = b_dea.get(r.headers["location"])
    assert "The report is stored" in created.text and "First sighting in the network" in created.text

    for page in (b_nncc.get("/reports").text, b_nncc.get(report_url).text, b_nncc.get(f"/substances/{inchikey}").text):
        assert "not for use in prosecution" in page
    assert "OH-25-0099" in b_nncc.get("/reports").text
    assert "Partners" in b_nncc.get(report_url).text

    assert "OH-25-0099" not in b_nca.get("/reports").text
    assert "0 reports" in b_nca.get("/reports").text.replace("<strong>0</strong>", "0")
    hidden = b_nca.get(report_url)
    missing = b_nca.get("/reports/" + "0" * 32)
    assert hidden.status_code == missing.status_code == 404
    assert "No report with this id is visible to your agency" in hidden.text
    assert b_nca.get(f"/substances/{inchikey}").status_code == 404
    assert inchikey not in b_nca.get("/substances").text
    assert "OH-25-0099" not in b_nca.get("/reports/export.csv").text
    assert "OH-25-0099" in b_nncc.get("/reports/export.csv").text
    assert b_nca.get("/").status_code == 200 and "LSSHGONYDWDTQM" not in b_nca.get("/").text
    # The partner's alerts: a first sighting in its network, with the restrictions.
    alerts = b_nncc.get("/alerts").text
    assert "First sighting in the network" in alerts and "law enforcement use only" in alerts
    assert report_id in alerts
    assert report_id not in b_nca.get("/alerts").text


def test_the_submission_form_refuses_bad_input_and_stores_nothing(world: World, sign_in: Any) -> None:
    dea = world.agency("DEA", "US")
    b = sign_in(dea)
    r = b.submit(substance="surely-not-a-drug-xyz")
    assert r.status_code == 422 and "not stored" in r.text and "surely-not-a-drug-xyz" in r.text
    r = b.submit(substance=FENTANYL, quantity="3")
    assert r.status_code == 422 and "quantity and unit go together" in r.text
    r = b.submit(substance=FENTANYL, date="2999-01-01")
    assert r.status_code == 422 and "future" in r.text
    r = b.client.post("/reports", data={"substance": FENTANYL, "event_type": "seizure", "date": "2025-03-01",
                                        "country": "US"})
    assert r.status_code == 403  # no CSRF value
    assert count_rows(world, "reports") == 0


def test_the_same_form_sent_twice_stores_one_report(world: World, sign_in: Any) -> None:
    dea = world.agency("DEA", "US")
    b = sign_in(dea)
    page = b.get("/reports").text
    from tests.web.conftest import _CSRF, _FORM_ID

    form = {"csrf": _CSRF.search(page).group(1), "form_id": _FORM_ID.search(page).group(1),  # type: ignore[union-attr]
            "substance": FENTANYL, "event_type": "seizure", "date": "2025-03-01", "country": "US"}
    first = b.client.post("/reports", data=form)
    second = b.client.post("/reports", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"].split("?")[0] == second.headers["location"]
    assert count_rows(world, "reports") == 1


def test_a_read_only_token_reads_but_cannot_submit(world: World, sign_in: Any) -> None:
    world.agency("DEA", "US")
    reader = world.token("DEA", "read-only")
    b = sign_in(reader)
    page = b.get("/reports").text
    assert "can read reports but not submit them" in page and 'action="/reports" class="form-grid"' not in page
    r = b.client.post("/reports", data={"csrf": b.csrf(), "substance": FENTANYL, "event_type": "seizure",
                                        "date": "2025-03-01", "country": "US"})
    assert r.status_code == 403
    assert count_rows(world, "reports") == 0


def test_filters_and_substance_searches(world: World, sign_in: Any) -> None:
    dea = world.agency("DEA", "US")
    world.report(dea, FENTANYL, country="US", date="2024-01-05")
    world.report(dea, BUTYRYLFENTANYL, country="MX", date="2025-02-01", event_type="poisoning")
    b = sign_in(dea)
    assert "<strong>2</strong>" in b.get("/reports").text
    assert "<strong>1</strong>" in b.get("/reports?country=MX").text
    assert "<strong>1</strong>" in b.get("/reports?event_type=poisoning").text
    assert "<strong>1</strong>" in b.get("/reports?date_from=2025-01-01").text
    sub = b.get("/reports?substance=C(=O)N(c1ccccc1)C1CCNCC1&match=substructure").text
    assert "<strong>2</strong>" in sub
    assert "export.csv?substance=C%28%3DO%29N%28c1ccccc1%29C1CCNCC1&amp;match=substructure" in sub
    assert "<strong>1</strong>" in b.get("/reports?substance=fentanyl").text
    bad = b.get("/reports?date_from=yesterday")
    assert bad.status_code == 200 and "date from must be a date" in bad.text


def test_check_draws_the_matched_regions(world: World, sign_in: Any) -> None:
    b = sign_in(world.agency("DEA", "US"))
    page = b.get("/check", params={"q": FOUR_FLUORO}).text
    assert '<svg class="structure"' in page
    assert page.count('class="swatch"') >= 3  # one legend entry per region of the class definition
    assert "Fentanyl-related substances" in page and "Controlled since" in page
    assert "not controlled" in page  # UN
    assert "Nearest controlled substances" in page
    assert '<svg class="reading"' in page  # the explain picture
    listed = b.get("/check", params={"q": FENTANYL}).text
    assert "the whole structure: listed as Fentanyl" in listed
    bad = b.get("/check", params={"q": "C1CC"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    posted = b.client.post("/check", data={"q": "437-38-7"})
    assert posted.status_code == 200 and "Fentanyl" in posted.text


def test_substance_page_shows_the_lag_to_control(world: World, sign_in: Any) -> None:
    dea = world.agency("DEA", "US")
    world.report(dea, BUTYRYLFENTANYL, country="US", date="2015-06-01", restrictions=["law enforcement use only"])
    world.report(dea, BUTYRYLFENTANYL, country="MX", date="2016-02-01")
    b = sign_in(dea)
    page = b.get("/substances/QQOMYEQLWQJRKK-UHFFFAOYSA-N").text
    # the test registry lists butyrylfentanyl in the US from 2016-05-12: 346 days after 2015-06-01
    assert "346 days after" in page
    assert "United States: controlled 11 months after the first sighting" in page
    assert "law enforcement use only" in page
    assert "Sightings and control on one timeline" in page and "first sighting 2015-06-01" in page
    assert "Mexico" in page
    index = b.get("/substances").text
    assert "Lag from first sighting to control" in index and "Butyrylfentanyl" in index


def test_alert_feed_returns_alerts_after_a_time(world: World, sign_in: Any) -> None:
    dea, nncc = world.agency("DEA", "US"), world.agency("NNCC", "CN")
    world.agree(dea, nncc)
    b = sign_in(nncc)
    t0 = b.get("/alerts/feed.json").json()
    assert t0["items"] == []
    page = b.get("/alerts").text
    since = page.split('data-since="', 1)[1].split('"', 1)[0]
    world.report(dea, FENTANYL, sharing="partners", restrictions=["not for use in prosecution"])
    items = b.get("/alerts/feed.json", params={"since": since}).json()["items"]
    assert {a["kind"] for a in items} >= {"first_sighting_network"}
    assert all(a["restrictions"] == ["not for use in prosecution"] for a in items)
    assert b.get("/alerts/feed.json", params={"since": items[-1]["created_at"]}).json()["items"] == []
    nav = b.get("/reports").text
    assert 'class="count"' not in nav  # seen through the feed


def test_screening_a_file_in_the_background(world: World, sign_in: Any) -> None:
    dea = world.agency("DEA", "US")
    b = sign_in(dea)
    smi = f"{FENTANYL} fentanyl\nnot_a_smiles broken\n{FOUR_FLUORO} analogue\nCCO ethanol\n"
    r = b.client.post("/screen", data={"csrf": b.csrf("/screen")},
                      files={"file": ("batch.smi", smi.encode(), "text/plain")})
    assert r.status_code == 303, r.text
    job_url = r.headers["location"]
    deadline = time.monotonic() + 60
    while (status := b.get(job_url + "/status.json").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert status["status"] == "done", status
    assert (status["done"], status["invalid"], status["controlled"]) == (4, 1, 2)
    page = b.get(job_url + "?show=invalid").text
    assert "broken" in page and "invalid" in page
    rows = list(csv.DictReader(io.StringIO(b.get(job_url + "/results.csv").text)))
    assert [r["id"] for r in rows] == ["fentanyl", "broken", "analogue", "ethanol"]  # rows out == rows in, in order
    assert "batch.smi" in b.get("/screen").text
    # another agency can neither see nor fetch the job
    other = sign_in(world.agency("NCA", "GB"))
    assert other.get(job_url).status_code == 404
    assert other.get(job_url + "/results.csv").status_code == 404
    assert "batch.smi" not in other.get("/screen").text
    refused = b.client.post("/screen", data={"csrf": b.csrf("/screen")},
                            files={"file": ("notes.docx", b"x", "application/octet-stream")})
    assert refused.status_code == 422 and "is not a file analogwatch screens" in refused.text


def test_empty_gaps_and_markets_pages_say_what_to_run(world: World, sign_in: Any) -> None:
    b = sign_in(world.agency("DEA", "US"))
    assert "analogwatch anticipate --family" in b.get("/gaps").text
    assert "analogwatch listings ingest" in b.get("/markets").text


def test_dashboard_reads_are_audited(world: World, sign_in: Any) -> None:
    from analogwatch.service.store.models import AuditEntry

    dea = world.agency("DEA", "US")
    report = world.report(dea, FENTANYL)
    b = sign_in(dea)
    b.get(f"/reports/{report['id']}")
    b.get("/reports/" + "f" * 32)
    with world.app.state.sessions() as s:
        entries = [(e.action, e.object_id, e.status) for e in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert ("dashboard_get_report", report["id"], 200) in entries
    assert ("dashboard_get_report", "f" * 32, 404) in entries
    assert ("dashboard_sign_in", None, 303) in entries


def test_the_dashboard_adds_nothing_to_the_api_schema(world: World) -> None:
    assert all(p.startswith("/api/v1/") for p in world.app.openapi()["paths"])


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_a_new_agency(world: World, sign_in: Any, path: str) -> None:
    b = sign_in(world.agency("DEA", "US"))
    r = b.get(path)
    assert r.status_code == 200
    assert '<main id="main"' in r.text and 'aria-current="page"' in r.text


def _correction_form(b: Any, report_url: str, **changes: str) -> dict[str, str]:
    """The correction form of a report's page as the browser would send it, with ``changes``."""
    import re

    page = b.get(report_url).text
    form = page.split('action="' + report_url + '/correct"', 1)[1].split("</form>", 1)[0]
    data = {"csrf": b.csrf(report_url)}
    for name, value in re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form):
        if name != "sharing":
            data[name] = value
    for name in ("reason", "substance", "restrictions", "notes"):
        data[name] = form.split(f'name="{name}"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    for name in ("event_type", "country", "unit"):
        select = form.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        m = re.search(r'<option value="([^"]*)" selected>', select)
        data[name] = m.group(1) if m else ""
    data["sharing"] = re.search(r'name="sharing" value="([a-z]+)" checked', form).group(1)  # type: ignore[union-attr]
    import html

    data = {k: html.unescape(v) for k, v in data.items()}
    data.update(changes)
    return data


def test_the_reporting_agency_corrects_and_withdraws_on_the_report_page(world: World, sign_in: Any) -> None:
    dea, nncc, nca = world.agency("DEA", "US"), world.agency("NNCC", "CN"), world.agency("NCA", "GB")
    world.agree(dea, nncc)
    rep = world.report(dea, FENTANYL, sharing="partners", quantity=1, unit="g", case_ref="OH-1",
                       notes="field test & weighing")
    url = f"/reports/{rep['id']}"
    b_dea, b_nncc, b_nca = sign_in(dea), sign_in(nncc), sign_in(nca)
    page = b_dea.get(url).text
    assert "Correct this report" in page and "Withdraw this report" in page
    partner_page = b_nncc.get(url).text
    assert "Correct this report" not in partner_page and "History" not in partner_page  # nothing to show yet
    # a correction needs a reason and a valid report, and a CSRF value
    r = b_dea.client.post(url + "/correct", data=_correction_form(b_dea, url, quantity="2.5"))
    assert r.status_code == 422 and "say why the report is corrected" in r.text
    r = b_dea.client.post(url + "/correct", data=_correction_form(b_dea, url, reason="x", unit=""))
    assert r.status_code == 422 and "quantity and unit go together" in r.text
    r = b_dea.client.post(url + "/correct", data={**_correction_form(b_dea, url, reason="x"), "csrf": "forged"})
    assert r.status_code == 403
    assert count_rows(world, "report_revisions") == 0
    # the form sent back unchanged changes nothing
    r = b_dea.client.post(url + "/correct", data=_correction_form(b_dea, url, reason="checked"))
    assert r.status_code == 303 and r.headers["location"] == url
    assert count_rows(world, "report_revisions") == 0
    r = b_dea.client.post(url + "/correct", data=_correction_form(b_dea, url, reason="weighed at the laboratory",
                                                                  quantity="2.5"))
    assert r.status_code == 303 and r.headers["location"] == url + "?corrected=1"
    page = b_dea.get(r.headers["location"]).text
    assert "The correction is stored as a new revision" in page and "Revision 2" in page
    assert "weighed at the laboratory" in page and "2.5 g" in page
    got = world.client.get(f"/api/v1/reports/{rep['id']}", headers=dea.headers).json()
    assert (got["quantity"], got["notes"], got["case_ref"], got["revision"]) == (2.5, "field test & weighing",
                                                                                 "OH-1", 2)
    # the partner sees that it changed, what it said before and why; the outsider sees nothing
    partner_page = b_nncc.get(url).text
    assert "History" in partner_page and "weighed at the laboratory" in partner_page
    assert "Corrected by DEA" in partner_page and "Correct this report" not in partner_page
    assert b_nca.get(url).status_code == 404
    # others may not correct or withdraw it
    r = b_nncc.client.post(url + "/correct", data=_correction_form(b_dea, url, reason="x", csrf=b_nncc.csrf()))
    assert r.status_code == 403
    assert b_nncc.client.post(url + "/withdraw", data={"csrf": b_nncc.csrf(), "reason": "x"}).status_code == 403
    assert b_nca.client.post(url + "/withdraw", data={"csrf": b_nca.csrf(), "reason": "x"}).status_code == 404
    # withdrawal: a reason, then the report is marked and left out of the list
    r = b_dea.client.post(url + "/withdraw", data={"csrf": b_dea.csrf(), "reason": " "})
    assert r.status_code == 422 and "Say why the report is withdrawn" in r.text
    r = b_dea.client.post(url + "/withdraw", data={"csrf": b_dea.csrf(), "reason": "a training exercise"})
    assert r.status_code == 303
    page = b_dea.get(url).text
    assert "Withdrawn" in page and "a training exercise" in page and "Correct this report" not in page
    assert "a training exercise" in b_nncc.get(url).text
    assert "OH-1" not in b_dea.get("/reports").text
    listed = b_dea.get("/reports?include_withdrawn=1").text
    assert "OH-1" in listed and 'class="state withdrawn"' in listed
    assert "OH-1" not in b_dea.get("/reports/export.csv").text
    assert "OH-1" in b_dea.get("/reports/export.csv?include_withdrawn=1").text
    assert "Report withdrawn" in b_nncc.get("/alerts").text
    from analogwatch.service.store.models import AuditEntry

    with world.app.state.sessions() as s:
        actions = {(e.action, e.status) for e in s.query(AuditEntry).filter(AuditEntry.object_id == rep["id"])}
    assert {("dashboard_correct_report", 303), ("dashboard_withdraw_report", 303),
            ("dashboard_correct_report", 422)} <= actions


def test_a_read_only_token_sees_the_history_but_no_correction_form(world: World, sign_in: Any) -> None:
    dea = world.agency("DEA", "US")
    reader = world.token("DEA", "read-only")
    rep = world.report(dea, FENTANYL, notes="before")
    world.client.patch(f"/api/v1/reports/{rep['id']}", json={"reason": "typo", "notes": "after"},
                       headers=dea.headers)
    b = sign_in(reader)
    page = b.get(f"/reports/{rep['id']}").text
    assert "History" in page and "before" in page and "after" in page
    assert "Correct this report" not in page and "Withdraw this report" not in page
    r = b.client.post(f"/reports/{rep['id']}/withdraw", data={"csrf": b.csrf(), "reason": "x"})
    assert r.status_code == 403
