"""`analogwatch serve` and `analogwatch admin ...` (heavy imports stay inside the commands).

Every command takes ``--database URL``; without it, ``ANALOGWATCH_DATABASE_URL``; without that,
the SQLite file in the user's data directory. The schema is created or upgraded first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

admin_app = typer.Typer(help="Administer the intelligence service: agencies, tokens, agreements.", no_args_is_help=True)

Database = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL (default: $ANALOGWATCH_DATABASE_URL, else an SQLite file in "
                                    "the user data directory)."),
]


def _fail(message: str, code: int = 1) -> None:
    typer.echo("error: " + " ".join(message.split()), err=True)
    raise typer.Exit(code)


def _settings(database: str | None):  # type: ignore[no-untyped-def]
    from analogwatch.service.settings import Settings

    return Settings().with_database(database)


def _session(database: str | None) -> Session:
    """A session on a migrated database, its transaction opened for writing."""
    from sqlalchemy.exc import SQLAlchemyError

    from analogwatch.service.store.db import begin_write, ensure_schema, make_engine, make_sessionmaker

    settings = _settings(database)
    try:
        engine = make_engine(settings)
        ensure_schema(engine)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        _fail(f"cannot open the database {settings.resolved_database_url()}: {exc}")
        raise
    session = make_sessionmaker(engine)()
    begin_write(session)
    return session


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Interface to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="TCP port (default 8000).")] = None,
    database: Database = None,
) -> None:
    """Run the intelligence service (API at /api/v1, documentation at /docs)."""
    import uvicorn

    from analogwatch.service.app import create_app

    settings = _settings(database)
    if host:
        settings = settings.model_copy(update={"host": host})
    if port:
        settings = settings.model_copy(update={"port": port})
    url = settings.resolved_database_url()
    shown = url.split("@")[-1] if "@" in url else url
    typer.echo(f"analogwatch service on http://{settings.host}:{settings.port} (database {shown})", err=True)
    # Every API request is in the audit log; the per-request access log would only repeat it.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info", access_log=False)


@admin_app.command("create-agency")
def create_agency(
    name: Annotated[str, typer.Argument(help="Agency name, unique in the network.")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166-1 alpha-2 code (US, CN, MX...).")],
    database: Database = None,
) -> None:
    """Add a member agency."""
    from analogwatch.errors import ServiceError
    from analogwatch.service.jurisdiction import jurisdiction_of
    from analogwatch.service.store import crud

    with _session(database) as s:
        try:
            agency = crud.create_agency(s, name=name, country=country)
        except (ServiceError, ValueError) as exc:
            _fail(str(exc))
            raise
        s.commit()
        typer.echo(f"created agency {agency.name} ({agency.country}, jurisdiction {jurisdiction_of(agency.country)})")


@admin_app.command("issue-token")
def issue_token(
    agency: Annotated[str, typer.Option("--agency", help="Agency name.")],
    role: Annotated[str, typer.Option("--role", help="admin, analyst or read-only.")] = "analyst",
    expires_days: Annotated[int | None, typer.Option("--expires-days", help="Valid for N days (default: until "
                                                                             "revoked).")] = None,
    database: Database = None,
) -> None:
    """Issue a bearer token: printed once on stdout, only its hash is stored."""
    from analogwatch.errors import ServiceError
    from analogwatch.service.auth import Role
    from analogwatch.service.store import crud

    if role not in {r.value for r in Role}:
        _fail(f"--role must be admin, analyst or read-only, not {role!r}", 2)
    with _session(database) as s:
        try:
            row, token = crud.issue_token(s, agency=crud.require_agency(s, name=agency), role=role,
                                          expires_days=expires_days)
        except (ServiceError, ValueError) as exc:
            _fail(str(exc))
            raise
        s.commit()
        expires = row.expires_at.isoformat(timespec="seconds") if row.expires_at else "never"
        typer.echo(f"token id {row.id} for {agency} ({row.role}), expires {expires}", err=True)
        typer.echo(token)


@admin_app.command("revoke-token")
def revoke_token(
    token_id: Annotated[str, typer.Argument(help="The token id (shown by issue-token and list-tokens).")],
    database: Database = None,
) -> None:
    """Revoke a token at once."""
    from analogwatch.errors import ServiceError
    from analogwatch.service.store import crud

    with _session(database) as s:
        try:
            row = crud.revoke_token(s, token_id=token_id)
        except ServiceError as exc:
            _fail(str(exc))
            raise
        s.commit()
        typer.echo(f"revoked token {row.id}")


@admin_app.command("list-tokens")
def list_tokens(
    agency: Annotated[str | None, typer.Option("--agency", help="Only this agency's tokens.")] = None,
    database: Database = None,
) -> None:
    """Token ids, roles and states (never the tokens themselves)."""
    from analogwatch.errors import ServiceError
    from analogwatch.service.store import crud
    from analogwatch.service.store.models import Agency, utcnow

    with _session(database) as s:
        try:
            only = crud.require_agency(s, name=agency) if agency else None
        except ServiceError as exc:
            _fail(str(exc))
            raise
        names = {a.id: a.name for a in s.query(Agency)}
        now = utcnow()
        for t in crud.list_tokens(s, agency=only):
            state = ("revoked" if t.revoked_at else "expired" if t.expires_at and t.expires_at <= now else "active")
            exp = t.expires_at.date().isoformat() if t.expires_at else "-"
            typer.echo(f"{t.id}\t{names[t.agency_id]}\t{t.role}\t{state}\texpires {exp}")


@admin_app.command("create-agreement")
def create_agreement(
    agency_a: Annotated[str, typer.Argument(help="One agency.")],
    agency_b: Annotated[str, typer.Argument(help="The other agency.")],
    database: Database = None,
) -> None:
    """Let two agencies see each other's `partners` reports."""
    from analogwatch.errors import ServiceError
    from analogwatch.service.store import crud

    with _session(database) as s:
        try:
            crud.create_agreement(s, agency_a=crud.require_agency(s, name=agency_a),
                                  agency_b=crud.require_agency(s, name=agency_b))
        except (ServiceError, ValueError) as exc:
            _fail(str(exc))
            raise
        s.commit()
        typer.echo(f"agreement: {agency_a} and {agency_b} share their partners reports")


@admin_app.command("list-agencies")
def list_agencies(database: Database = None) -> None:
    """Member agencies with country, jurisdiction, partners and active tokens."""
    from rich.console import Console
    from rich.table import Table

    from analogwatch.service.jurisdiction import jurisdiction_of
    from analogwatch.service.store import crud
    from analogwatch.service.store.models import utcnow

    with _session(database) as s:
        table = Table("Agency", "Country", "Jurisdiction", "Partners", "Active tokens")
        now = utcnow()
        for a in crud.list_agencies(s):
            partners = ", ".join(p.name for p in crud.partners_of(s, agency_id=a.id)) or "-"
            active = sum(1 for t in crud.list_tokens(s, agency=a)
                         if t.revoked_at is None and (t.expires_at is None or t.expires_at > now))
            table.add_row(a.name, a.country, jurisdiction_of(a.country), partners, str(active))
        Console(width=120).print(table)
