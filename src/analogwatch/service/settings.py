"""Service settings: read from ``ANALOGWATCH_*`` environment variables, overridable in code and on the CLI."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: file name of the embedded SQLite store inside the user data directory
SQLITE_FILE = "service.sqlite3"


def default_database_url() -> str:
    """An SQLite file in the user's data directory (created on first start)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("analogwatch", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / SQLITE_FILE}"


def normalise_database_url(url: str) -> str:
    """Accept the spellings people type: ``postgresql://`` and ``postgres://`` mean psycopg 3."""
    url = url.strip()
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Settings(BaseSettings):
    """Everything the service can be told; ``ANALOGWATCH_DATABASE_URL`` selects the store."""

    model_config = SettingsConfigDict(env_prefix="ANALOGWATCH_", extra="ignore")

    database_url: str = Field(default="", description="SQLAlchemy URL; empty means the SQLite file in the data dir")
    host: str = "127.0.0.1"
    port: int = 8000
    #: registry folder for the Checker (default: the registry shipped with analogwatch)
    registry_dir: Path | None = None
    #: resolve systematic names with OPSIN (needs Java)
    opsin: bool = True
    #: run the Alembic migrations to head when the app starts (creates the schema on first start)
    migrate_on_start: bool = True
    #: SQLite waits this long for the write lock before giving up
    sqlite_busy_timeout_ms: int = 30_000
    #: pool size per process for PostgreSQL (the threadpool serving requests has 40 threads)
    pool_size: int = 10
    max_overflow: int = 20

    # -- bulk import ---------------------------------------------------------------------------
    max_import_rows: int = 10_000
    max_upload_bytes: int = 20 * 1024 * 1024

    # -- webhooks ------------------------------------------------------------------------------
    webhooks_enabled: bool = True
    webhook_timeout_s: float = 10.0
    #: attempts before a delivery is given up (1 + retries)
    webhook_max_attempts: int = 8
    #: delay before retry n is base * 2**(n-1), capped at webhook_backoff_max_s
    webhook_backoff_base_s: float = 2.0
    webhook_backoff_max_s: float = 3600.0
    #: deliveries posted at once by the worker
    webhook_concurrency: int = 4
    #: how often the delivery worker looks for due deliveries when nothing wakes it
    webhook_poll_interval_s: float = 1.0

    @field_validator("database_url")
    @classmethod
    def _normalise(cls, v: str) -> str:
        return normalise_database_url(v) if v else v

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

    def with_database(self, url: str | None) -> Settings:
        """A copy pointing at ``url`` when given (the CLI's ``--database``)."""
        if not url:
            return self
        return self.model_copy(update={"database_url": normalise_database_url(url)})
