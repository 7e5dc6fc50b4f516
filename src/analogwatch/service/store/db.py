"""Engines, sessions and migrations for SQLite (embedded) and PostgreSQL (production).

SQLite runs in WAL mode so that readers never wait; a write transaction starts with
``BEGIN IMMEDIATE`` (see :func:`begin_write`) so that it takes the write lock before it reads,
instead of failing with "database is locked" when it later tries to upgrade a read snapshot.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from analogwatch.service.settings import Settings

#: execution option marking a transaction that will write
WRITE_OPTION = "analogwatch_write"
#: key of the advisory lock held while migrating PostgreSQL (several processes may start at once)
_MIGRATION_LOCK = 0x616E616C6F67  # "analog"


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        busy = int(settings.sqlite_busy_timeout_ms)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, emit BEGIN (SQLAlchemy SQLite docs,
            # "Transactions with SQLite and the sqlite3 driver").
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {busy}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")

        return engine
    return create_engine(
        url, pool_size=settings.pool_size, max_overflow=settings.max_overflow, pool_pre_ping=True
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Open the session's transaction as a write transaction; call before its first statement."""
    session.connection(execution_options={WRITE_OPTION: True})


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"


def lock_key(text_key: str) -> int:
    """A signed 64-bit advisory-lock key for a text (PostgreSQL's bigint)."""
    return int.from_bytes(hashlib.sha256(text_key.encode()).digest()[:8], "big", signed=True)


def advisory_lock(session: Session, key: str) -> None:
    """Serialise concurrent transactions about the same key (PostgreSQL; SQLite writers are serial anyway)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(key)})


def alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "analogwatch.service:migrations")
    return cfg


#: the newest migration (a test checks it against the migration scripts)
HEAD_REVISION = "0002"


def ensure_schema(engine: Engine) -> None:
    """Migrate unless the schema is already at head (checked without loading Alembic, so that
    admin commands start fast)."""
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as conn:
            if conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION:
                return
    except DBAPIError:
        pass  # no schema yet
    migrate(engine)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (creating it on an empty database)."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
