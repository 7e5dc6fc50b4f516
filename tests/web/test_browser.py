"""End to end in a real browser: Debian's Chromium driven by Playwright, against ``analogwatch
serve`` started here on a free port after ``analogwatch demo-data``, on a temporary SQLite store.

Sign-in, a check with its highlighted depiction, a report shared with partners that the partner
sees and the outsider does not, an alert that appears in an open inbox, a screening job, the
structure editor, and every page on a laptop and a tablet screen. With
``ANALOGWATCH_SCREENSHOTS=1`` the run also saves a screenshot of each main page into
docs/screenshots/ (on the shipped registry rather than the test registry, so that they show
real verdicts).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI, ROOT, free_port, wait_for_http, write_mini_registry
from tests.web.conftest import FOUR_FLUORO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = os.environ.get("ANALOGWATCH_SCREENSHOTS", "") not in ("", "0")
SHOTS_DIR = ROOT / "docs" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
#: a substance the example data does not hold: its report is a first sighting in the network
NEW_SUBSTANCE = "CCCC(=O)N(c1ccc(F)cc1)C1CCN(CCc2ccccc2)CC1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(scripts/install-system-deps.sh installs it)"),
]


@dataclass
class Server:
    base: str
    tokens: dict[str, str]
    dashboard_dir: Path
    proc: subprocess.Popen[str]
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("dashboard-e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALOGWATCH_")}
    env.update({
        "ANALOGWATCH_OPSIN": "0", "ANALOGWATCH_WEBHOOKS_ENABLED": "0",
        "ANALOGWATCH_DASHBOARD_DIR": str(folder / "dashboard"), "ANALOGWATCH_ALERT_POLL_SECONDS": "1",
    })
    if not SCREENSHOTS:  # verdicts that do not move when the shipped registry grows
        env["ANALOGWATCH_REGISTRY_DIR"] = str(write_mini_registry(folder / "registry"))
    db = f"sqlite:///{folder / 'service.sqlite3'}"
    demo = subprocess.run([str(CLI), "demo-data", "--database", db], env=env, capture_output=True, text=True,
                          timeout=300)
    assert demo.returncode == 0, demo.stderr
    tokens = dict(re.findall(r"^\s+(\S+)\s+[A-Z]{2}\s+analyst\s+(aw_\S+)$", demo.stdout, re.M))
    assert set(tokens) == {"DEA", "NNCC", "NCA"}, demo.stdout
    port = free_port()
    proc = subprocess.Popen([str(CLI), "serve", "--port", str(port), "--database", db], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(f"{base}/login", proc)
    yield Server(base, tokens, folder / "dashboard", proc)
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser(playwright: Any, server: Server) -> Iterator[Callable[..., Any]]:
    """Open a fresh Chromium (own profile, own cookies) signed in as an agency; yields its page."""
    contexts: list[Any] = []
    folders: list[str] = []

    def open_as(agency: str | None, viewport: dict[str, int] = LAPTOP) -> Any:
        profile = tempfile.mkdtemp(prefix="aw-chromium-")
        folders.append(profile)
        ctx = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, viewport=viewport,
        )
        contexts.append(ctx)
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: server.errors.append(str(exc)))
        if agency is not None:
            page.goto(server.base + "/")
            assert "/login" in page.url
            page.get_by_label("Agency token").fill(server.tokens[agency])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(server.base + "/")
        return page

    yield open_as
    for ctx in contexts:
        ctx.close()
    for f in folders:
        shutil.rmtree(f, ignore_errors=True)
    assert not server.errors, server.errors


def _shot(page: Any, name: str, *, max_height: int = 1800) -> None:
    if not SCREENSHOTS:
        return
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    height = min(max_height, int(page.evaluate("document.documentElement.scrollHeight")))
    width = int(page.evaluate("window.innerWidth"))
    page.screenshot(path=str(SHOTS_DIR / f"{name}.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": width, "height": height})


def test_sign_in_then_every_page_by_keyboard_and_mouse(browser: Callable[..., Any], server: Server) -> None:
    page = browser(None)
    page.goto(server.base + "/reports")
    assert "/login" in page.url
    _shot(page, "sign-in", max_height=700)
    page.get_by_label("Agency token").fill("aw_wrong_token")
    page.keyboard.press("Enter")
    assert "not known to this service" in page.locator("[role=alert]").inner_text()
    page.get_by_label("Agency token").fill(server.tokens["DEA"])
    page.keyboard.press("Enter")
    page.wait_for_url(server.base + "/reports")
    # the HttpOnly cookie is invisible to scripts
    assert "aw_session" not in page.evaluate("document.cookie")
    # keyboard: the first Tab reaches the skip link, which moves focus to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    nav = page.get_by_role("navigation", name="Main")
    for label, heading in [("Overview", "Overview"), ("Check", "Check a compound"), ("Screen", "Screen a file"),
                           ("Reports", "Reports"), ("Substances", "Substances"), ("Alerts", "Alerts"),
                           ("Gaps", "Gaps"), ("Markets", "Markets")]:
        nav.get_by_role("link", name=re.compile(f"^{label}")).click()
        assert page.locator("h1").inner_text() == heading
        assert nav.locator("[aria-current=page]").inner_text().startswith(label)
    # the example data reaches every page: charts, listings, the anticipation report
    page.goto(server.base + "/")
    assert page.locator("svg.chart").count() >= 2
    _shot(page, "overview")
    page.goto(server.base + "/gaps")
    assert page.locator("ul.analogs li").count() > 0
    _shot(page, "gaps")
    assert page.request.get(server.base + "/gaps/example-nitazene/report.html").status == 200
    page.goto(server.base + "/markets")
    assert page.locator("text=BenzoBarn").count() > 0
    _shot(page, "markets")
    page.goto(server.base + "/substances")
    _shot(page, "substances")
    named = page.locator("table a", has_text=re.compile("desethyl isotonitazene", re.I))  # shipped registry
    (named if named.count() else page.locator("table tbody a")).first.click()
    assert page.locator("text=Sightings and control on one timeline").count() == 1
    _shot(page, "substance")
    page.goto(server.base + "/reports")
    _shot(page, "reports")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/login\?signed_out=1"))
    page.goto(server.base + "/alerts")
    assert "/login" in page.url


def test_check_shows_the_matched_regions_on_the_structure(browser: Callable[..., Any], server: Server) -> None:
    page = browser("DEA")
    page.goto(server.base + "/check")
    page.get_by_label("SMILES, name, CAS number, InChI or molfile").fill(FOUR_FLUORO)
    page.get_by_role("button", name="Check", exact=True).click()
    depiction = page.locator("figure.depiction svg.structure")
    depiction.wait_for()
    # RDKit draws highlighted regions as filled paths in the region colours of the legend
    colours = page.locator("ul.legend .swatch").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(colours) >= 3
    svg = depiction.evaluate("e => e.outerHTML").lower()
    legend_hex = page.locator("ul.legend .swatch").evaluate_all(
        "els => els.map(e => e.getAttribute('style').split(':')[1].trim())")
    assert sum(1 for h in legend_hex if h.lower() in svg) >= 3, legend_hex
    us = page.locator("article.verdict", has=page.get_by_role("heading", name="United States"))
    assert "controlled" in us.locator(".badge").inner_text()
    assert "Fentanyl-related substances" in us.inner_text()
    un = page.locator("article.verdict", has=page.get_by_role("heading", name="UN conventions"))
    assert un.locator(".badge").inner_text() == "not controlled"
    assert page.locator("ol.nearest li").count() >= 1
    _shot(page, "check")


def test_a_partners_report_reaches_the_partner_not_the_outsider(browser: Callable[..., Any],
                                                               server: Server) -> None:
    partner = browser("NNCC")
    partner.goto(server.base + "/alerts")
    before = partner.locator("#alert-list > li").count()

    dea = browser("DEA")
    dea.goto(server.base + "/reports?new=1")
    form = dea.locator("form.form-grid")
    form.get_by_label("Substance").fill(NEW_SUBSTANCE)
    form.get_by_label("Event", exact=True).select_option("laboratory_identification")
    form.get_by_label("Date of the event").fill("2025-10-02")
    form.get_by_label("Case reference").fill("E2E-2025-0001")
    form.get_by_role("radio", name=re.compile("Partners")).check()
    form.get_by_label(re.compile("^Purpose restrictions")).fill("not for use in prosecution")
    form.get_by_role("button", name="Submit the report").click()
    dea.wait_for_url(re.compile(r".*/reports/[0-9a-f]{32}\?created=1"))
    assert "The report is stored" in dea.locator("[role=status]").first.inner_text()
    report_url = dea.url.split("?")[0]

    # the partner's open inbox shows the new alert without a reload
    partner.locator("#alert-list > li.fresh").first.wait_for(timeout=20_000)
    assert partner.locator("#alert-list > li").count() > before
    fresh = partner.locator("#alert-list > li.fresh").first.inner_text()
    assert "not for use in prosecution" in fresh
    assert "First sighting in the network" in partner.locator("#alert-list > li.fresh").all_inner_texts().__str__()
    _shot(partner, "alerts", max_height=1200)
    partner.goto(server.base + "/reports?sharing=partners")
    row = partner.locator("tr", has_text="E2E-2025-0001")
    assert row.count() == 1 and "not for use in prosecution" in row.inner_text()
    assert "Partners" in row.inner_text()

    outsider = browser("NCA")
    outsider.goto(server.base + "/reports")
    assert outsider.locator("text=E2E-2025-0001").count() == 0
    response = outsider.goto(report_url)
    assert response.status == 404
    assert "No report with this id is visible to your agency" in outsider.locator("main").inner_text()
    outsider.goto(server.base + "/alerts")
    assert outsider.locator("text=E2E").count() == 0


def test_screen_upload_progress_and_results(browser: Callable[..., Any], server: Server, tmp_path: Path) -> None:
    lines = [f"{FOUR_FLUORO} analogue", "not_a_smiles broken"]
    lines += [f"{'C' * (n % 9 + 1)}O alcohol{n}" for n in range(300)]
    upload = tmp_path / "batch.smi"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    page = browser("DEA")
    page.goto(server.base + "/screen")
    page.get_by_label(re.compile("^File")).set_input_files(str(upload))
    page.get_by_role("button", name="Screen").click()
    page.wait_for_url(re.compile(r".*/screen/[0-9a-f]{24}$"))
    page.locator("a", has_text="Download the results").wait_for(timeout=60_000)
    assert "302 records screened" in page.locator("#job-text").inner_text()
    page.get_by_role("link", name=re.compile(r"^Invalid")).click()
    assert "broken" in page.locator("table.screen-rows").inner_text()
    with page.expect_download() as dl:
        page.get_by_role("link", name="Download the results (CSV)").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert len(text.strip().splitlines()) == 1 + len(lines)  # a header, then one row per record
    page.goto(page.url.split("?")[0])
    _shot(page, "screen", max_height=1200)


def test_the_bundled_structure_editor_draws_a_query(browser: Callable[..., Any], server: Server) -> None:
    page = browser("DEA")
    page.goto(server.base + "/check")
    query = page.get_by_label("SMILES, name, CAS number, InChI or molfile")
    query.fill("c1ccccc1CCN")
    page.get_by_role("button", name="Draw a structure").click()
    # the editor loads from the bundled files and reads the query in; its drawing becomes the query
    page.locator("#jsme-container canvas, #jsme-container svg").first.wait_for(timeout=30_000)
    page.wait_for_function("document.getElementById('editor-status').textContent === ''")
    query.fill("")
    page.get_by_role("button", name="Use this structure").click()
    drawn = query.input_value()
    assert drawn.count("N") == 1 and drawn.lower().count("c") == 8, drawn  # phenethylamine, as the editor writes it
    assert page.locator("#editor-panel").is_hidden()
    page.get_by_role("button", name="Check", exact=True).click()
    assert page.locator("h2#h-result").count() == 1


def test_usable_on_a_tablet(browser: Callable[..., Any], server: Server) -> None:
    page = browser("NNCC", viewport=TABLET)
    for path in ("/", "/reports", "/substances", "/alerts", "/markets", "/gaps", "/check?q=fentanyl"):
        page.goto(server.base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)  # wide tables and charts scroll inside their cards
        assert page.get_by_role("navigation", name="Main").is_visible()
    page.goto(server.base + "/check?q=" + FOUR_FLUORO.replace("(", "%28").replace(")", "%29").replace("=", "%3D"))
    _shot(page, "check-tablet", max_height=1600)
