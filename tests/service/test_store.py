"""The store: migrations create the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from analogwatch.service.settings import Settings, normalise_database_url
from analogwatch.service.store.db import current_revision, downgrade, make_engine, migrate
from analogwatch.service.store.models import Base


def test_models_match_the_migrations(database_url: str) -> None:
    engine = make_engine(Settings(database_url=database_url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    engine = make_engine(Settings(database_url=database_url))
    assert current_revision(engine) == "0002"
    downgrade(engine, "base")
    assert "reports" not in inspect(engine).get_table_names()
    migrate(engine)
    migrate(engine)  # a second start finds the schema current
    assert current_revision(engine) == "0002"
    assert {"agencies", "api_tokens", "agreements", "reports", "alerts", "webhook_deliveries", "audit_log",
            "report_revisions"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_revisions_migration_goes_down_and_up_with_reports_stored(world) -> None:  # type: ignore[no-untyped-def]
    """0002 on a store with reports (and alerts pointing at them): down to 0001 and up again, the
    reports stay as they were last corrected, at revision 1 and with no history (a downgrade drops it)."""
    from sqlalchemy import text

    from tests.service.conftest import FENTANYL

    dea = world.agency("DEA", "US")
    rep = world.report(dea, FENTANYL, notes="as submitted")
    r = world.client.patch(f"/api/v1/reports/{rep['id']}", json={"reason": "typo", "notes": "corrected"},
                           headers=dea.headers)
    assert r.status_code == 200, r.text
    engine = world.app.state.engine
    downgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert "report_revisions" not in inspect(engine).get_table_names()
    assert "withdrawn_at" not in {c["name"] for c in inspect(engine).get_columns("reports")}
    migrate(engine)
    assert current_revision(engine) == "0002"
    with engine.connect() as conn:
        row = conn.execute(text("SELECT notes, revision, withdrawn_at FROM reports")).one()
        alerts = conn.execute(text("SELECT count(*) FROM alerts")).scalar_one()
    assert tuple(row) == ("corrected", 1, None) and alerts > 0
    got = world.client.get(f"/api/v1/reports/{rep['id']}", headers=dea.headers).json()
    assert (got["revision"], got["withdrawn"], got["notes"]) == (1, False, "corrected")
    history = world.client.get(f"/api/v1/reports/{rep['id']}/revisions", headers=dea.headers).json()
    assert [i["revision"] for i in history["items"]] == [1]


def test_first_start_creates_the_schema(tmp_path: Path, checker) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from analogwatch.service.app import create_app

    db = tmp_path / "fresh.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{db}", webhooks_enabled=False), checker=checker)
    with TestClient(app):
        pass
    assert current_revision(make_engine(Settings(database_url=f"sqlite:///{db}"))) == "0002"


def test_head_revision_constant_is_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    from analogwatch.service.store.db import HEAD_REVISION, alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_database_url_spellings() -> None:
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_default_database_is_sqlite_in_the_user_data_dir(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("ANALOGWATCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url = Settings().resolved_database_url()
    assert url == f"sqlite:///{tmp_path / 'analogwatch' / 'service.sqlite3'}"
    monkeypatch.setenv("ANALOGWATCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/x")
    assert Settings().resolved_database_url() == "postgresql+psycopg://postgres@127.0.0.1/x"
