"""`analogwatch serve` and `analogwatch admin ...` (heavy imports stay inside the commands)."""

from __future__ import annotations

import typer

admin_app = typer.Typer(help="Administer the intelligence service: agencies, tokens, agreements.", no_args_is_help=True)


def serve() -> None:
    """Run the intelligence service."""
    raise typer.Exit(1)
