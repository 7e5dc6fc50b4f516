"""Settings of the dashboard, read from ``ANALOGWATCH_*`` environment variables like the service's."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

#: folder of the dashboard's files inside the user data directory (beside the service's SQLite file)
DASHBOARD_FOLDER = "dashboard"


def default_dashboard_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("analogwatch", appauthor=False)) / DASHBOARD_FOLDER


class WebSettings(BaseSettings):
    """Where the dashboard finds anticipation reports and market listings, and keeps screening jobs.

    ``dashboard_dir`` holds ``anticipation/`` (folders written by ``analogwatch anticipate -o``),
    ``listings/`` (files written by ``analogwatch listings ingest -o``) and ``screens/``."""

    model_config = SettingsConfigDict(env_prefix="ANALOGWATCH_", extra="ignore")

    dashboard_dir: Path | None = None
    #: how often an open Alerts page asks for new alerts
    alert_poll_seconds: float = 20.0
    #: mark the sign-in cookie Secure even on plain HTTP (behind a proxy that terminates TLS)
    secure_cookies: bool = False
    #: records per chunk of a dashboard screening job (progress is reported per chunk)
    screen_chunk_size: int = 100

    def resolved_dashboard_dir(self) -> Path:
        return self.dashboard_dir or default_dashboard_dir()

    @property
    def anticipation_dir(self) -> Path:
        return self.resolved_dashboard_dir() / "anticipation"

    @property
    def listings_dir(self) -> Path:
        return self.resolved_dashboard_dir() / "listings"

    @property
    def screens_dir(self) -> Path:
        return self.resolved_dashboard_dir() / "screens"
