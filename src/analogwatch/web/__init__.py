"""The web dashboard served by ``analogwatch serve``: server-rendered pages over the same store,
sharing rules and Checker as the API, with bundled static assets (no CDN, no internet needed).

``mount(app)`` adds the pages to the service app; ``analogwatch demo-data`` loads example data.
Imports stay inside ``mount`` so that the command line starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Add the dashboard (pages, static assets, error pages) to the service app."""
    from analogwatch.web.app import mount_dashboard

    mount_dashboard(app)
