"""Fixtures of the service tests: every test runs against SQLite and against PostgreSQL.

A migrated template database is made once per session and backend; each test gets a fresh copy
(a file copy for SQLite, ``CREATE DATABASE ... TEMPLATE`` for PostgreSQL), dropped afterwards.
The Checker reads the small test registry of tests/conftest.py without class definitions, so
verdicts do not move when the shipped registry and rules grow: fentanyl is controlled in US and
CN but not UN; butyrylfentanyl in all three; carfentanil in none.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from analogwatch.checker import Checker
from analogwatch.registry import Registry
from analogwatch.service.settings import Settings
from analogwatch.service.store.db import begin_write, make_engine, migrate


def pytest_configure(config: pytest.Config) -> None:
    # Starlette suggests another HTTP client package for its TestClient; httpx is what is pinned.
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2.*")

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"

FENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
FENTANYL_KEY = "PJMPHNIQZUBGLI-UHFFFAOYSA-N"
BUTYRYLFENTANYL = "CCCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
CARFENTANIL = "CCC(=O)N(c1ccccc1)C1(C(=O)OC)CCN(CCc2ccccc2)CC1"


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True)


def _pg_unreachable() -> str | None:
    try:
        with _pg_admin() as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "skip with the reason"
        return f"PostgreSQL on 127.0.0.1:5432 is unreachable: {exc}"
    return None


@dataclass
class Template:
    backend: str
    make_db: Callable[[], str]
    drop_db: Callable[[str], None]


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite")
        tmpl = folder / "template.sqlite3"
        engine = make_engine(Settings(database_url=f"sqlite:///{tmpl}"))
        migrate(engine)
        engine.dispose()
        counter = iter(range(1_000_000))

        def make_sqlite() -> str:
            path = folder / f"test{next(counter)}.sqlite3"
            shutil.copyfile(tmpl, path)
            return f"sqlite:///{path}"

        def drop_sqlite(url: str) -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)

        yield Template("sqlite", make_sqlite, drop_sqlite)
        return

    reason = _pg_unreachable()
    if reason:
        pytest.skip(reason)
    run = f"analogwatch_test_{secrets.token_hex(4)}"
    with _pg_admin() as conn:
        conn.execute(f"CREATE DATABASE {run}_tmpl")
    engine = make_engine(Settings(database_url=PG_URL.format(db=f"{run}_tmpl")))
    migrate(engine)
    engine.dispose()
    counter = iter(range(1_000_000))

    def make_pg() -> str:
        name = f"{run}_{next(counter)}"
        with _pg_admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {run}_tmpl")
        return PG_URL.format(db=name)

    def drop_pg(url: str) -> None:
        with _pg_admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    try:
        yield Template("postgres", make_pg, drop_pg)
    finally:
        with _pg_admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {run}_tmpl WITH (FORCE)")


@pytest.fixture
def database_url(template: Template) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    url = template.make_db()
    yield url
    template.drop_db(url)


@pytest.fixture
def backend(template: Template) -> str:
    return template.backend


class _NoAnalogueFlags:
    def flag(self, std: Any, as_of: Any) -> list[Any]:
        return []


@pytest.fixture(scope="session")
def checker(mini_registry: Registry) -> Checker:
    """Listings only: class definitions are left out so that verdicts rest on the test registry alone."""
    return Checker(mini_registry, use_opsin=False, class_evaluators=[], analogue_flagger=_NoAnalogueFlags())


def settings_for(database_url: str, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "database_url": database_url, "webhook_backoff_base_s": 0.05, "webhook_backoff_max_s": 0.2,
        "webhook_poll_interval_s": 0.05, "webhook_timeout_s": 2.0, "webhook_max_attempts": 3,
    }
    base.update(overrides)
    return Settings(**base)


@dataclass
class Member:
    """An agency with a token of one role."""

    name: str
    country: str
    token: str
    role: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """A running app, its test client, and helpers to set up agencies and reports."""

    app: Any
    client: Any
    members: dict[str, Member] = field(default_factory=dict)

    def agency(self, name: str, country: str, role: str = "analyst") -> Member:
        from analogwatch.service.store import crud

        with self.app.state.sessions() as s:
            begin_write(s)
            agency = crud.get_agency(s, name=name) or crud.create_agency(s, name=name, country=country)
            _, token = crud.issue_token(s, agency=agency, role=role)
            s.commit()
        m = Member(name, country, token, role)
        self.members.setdefault(name, m)
        return m

    def token(self, name: str, role: str, expires_days: int | None = None) -> Member:
        """Another token for an existing agency."""
        from analogwatch.service.store import crud

        with self.app.state.sessions() as s:
            begin_write(s)
            _, token = crud.issue_token(s, agency=crud.require_agency(s, name=name), role=role,
                                        expires_days=expires_days)
            s.commit()
        return Member(name, self.members[name].country, token, role)

    def agree(self, a: Member, b: Member) -> None:
        from analogwatch.service.store import crud

        with self.app.state.sessions() as s:
            begin_write(s)
            crud.create_agreement(s, agency_a=crud.require_agency(s, name=a.name),
                                  agency_b=crud.require_agency(s, name=b.name))
            s.commit()

    def report(self, member: Member, substance: str = FENTANYL, **fields: Any) -> dict[str, Any]:
        body = {"substance": substance, "event_type": "seizure", "date": "2025-03-01", "country": member.country,
                "sharing": "private"}
        body.update(fields)
        r = self.client.post("/api/v1/reports", json=body, headers=member.headers)
        assert r.status_code == 201, r.text
        return dict(r.json())


@pytest.fixture
def make_world(database_url: str, checker: Checker) -> Iterator[Callable[..., World]]:
    """Start an app (optionally with a webhook transport or settings overrides)."""
    from fastapi.testclient import TestClient

    from analogwatch.service.app import create_app

    clients: list[Any] = []

    def make(transport: httpx.BaseTransport | None = None, *, network: bool = False, **overrides: Any) -> World:
        """``network=True`` lets webhooks reach real addresses (tests post only to 127.0.0.1);
        otherwise a transport that answers 503 stands in, so that no test sends traffic out."""
        if transport is None and not network:
            transport = httpx.MockTransport(lambda request: httpx.Response(503))
        app = create_app(settings_for(database_url, **overrides), checker=checker, webhook_transport=transport)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return World(app, client)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()


def count_rows(world: World, table: str) -> int:
    from sqlalchemy import text

    with world.app.state.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
