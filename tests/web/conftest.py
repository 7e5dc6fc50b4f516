"""Fixtures of the dashboard tests.

The page tests run the app in process (``TestClient``) on the service tests' databases (SQLite,
and PostgreSQL when it is reachable), with a Checker on the small test registry that keeps the
shipped class definitions, so that class matches (and their highlighted regions) appear. The
browser tests start ``analogwatch serve`` itself on a free port, after ``analogwatch
demo-data``, and drive Debian's Chromium with Playwright.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analogwatch.checker import Checker
from analogwatch.registry import Registry
from tests.service import conftest as service
from tests.service.conftest import Member, World

# the service tests' fixtures: a fresh database per test (SQLite, and PostgreSQL when reachable), an app
template = service.template
database_url = service.database_url
make_world = service.make_world
world = service.world



def pytest_configure(config: pytest.Config) -> None:
    # Starlette suggests another HTTP client package for its TestClient; httpx is what is pinned.
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2.*")


FOUR_FLUORO = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccc(F)cc2)CC1"  # a fentanyl-related substance (class), not UN


class _NoAnalogueFlags:
    def flag(self, std: Any, as_of: Any) -> list[Any]:
        return []


@pytest.fixture(scope="session")
def checker(mini_registry: Registry) -> Checker:
    """The test registry's listings plus the shipped class definitions (no analogue flag: speed)."""
    return Checker(mini_registry, use_opsin=False, analogue_flagger=_NoAnalogueFlags())


@pytest.fixture(autouse=True)
def dashboard_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every app made in a test keeps its dashboard files in the test's folder."""
    folder = tmp_path / "dashboard"
    monkeypatch.setenv("ANALOGWATCH_DASHBOARD_DIR", str(folder))
    return folder


_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
_FORM_ID = re.compile(r'name="form_id" value="([0-9a-f]+)"')


class Browser:
    """A signed-in TestClient session of one agency (its own cookie jar)."""

    def __init__(self, world: World, member: Member):
        from fastapi.testclient import TestClient

        self.member = member
        self.client = TestClient(world.app, follow_redirects=False)
        r = self.client.post("/login", data={"token": member.token, "next": "/"})
        assert r.status_code == 303, r.text

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def csrf(self, path: str = "/reports") -> str:
        m = _CSRF.search(self.get(path).text)
        assert m, "no CSRF value on the page"
        return m.group(1)

    def submit(self, **fields: Any) -> Any:
        page = self.get("/reports").text
        form = {"csrf": _CSRF.search(page).group(1), "form_id": _FORM_ID.search(page).group(1),  # type: ignore[union-attr]
                "event_type": "seizure", "date": "2025-03-01", "country": self.member.country,
                "sharing": "private"}
        form.update(fields)
        return self.client.post("/reports", data=form)


@pytest.fixture
def sign_in(world: World) -> Iterator[Any]:
    browsers: list[Browser] = []

    def make(member: Member) -> Browser:
        b = Browser(world, member)
        browsers.append(b)
        return b

    yield make
    for b in browsers:
        b.client.close()
