"""`analogwatch listings ...` (heavy imports stay inside the commands)."""

from __future__ import annotations

import typer

listings_app = typer.Typer(help="Ingest darknet-market listings and track vendors.", no_args_is_help=True)
