"""``analogwatch demo-data``: example agencies, tokens, reports, market listings and an anticipation
report, so that a new user reaches every page of the dashboard.

Three agencies: DEA (US) and NNCC (CN), which have a sharing agreement, and NCA (GB), which has
none. The reports come from ``examples/reports.csv`` (hand-written: substances as SMILES, with a
``name`` column for the reader that the loader ignores), submitted in date order through the
service's own submission function, so that the alerts are those the service would have raised.
The listings come from ``examples/example-market.csv`` (a made-up market, ingested like any dump).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from analogwatch.service.cli import Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from analogwatch.checker import Checker
    from analogwatch.service.auth import Principal

#: (name, country) of the example agencies; the first two have a sharing agreement
AGENCIES = (("DEA", "US"), ("NNCC", "CN"), ("NCA", "GB"))
PARTNERS = ("DEA", "NNCC")
#: the family enumerated for the Gaps page, and how far (a run of seconds, not minutes)
ANTICIPATION_FAMILY = "nitazene"
ANTICIPATION_LIMIT = 400


def example_file(name: str) -> Path:
    return Path(str(resources.files("analogwatch.web") / "examples" / name))


@dataclass
class Loaded:
    reports: int = 0
    alerts: int = 0
    skipped: bool = False


def _agencies(session: Session) -> dict[str, tuple[int, str]]:
    from analogwatch.service.store import crud

    out = {}
    for name, country in AGENCIES:
        agency = crud.get_agency(session, name=name) or crud.create_agency(session, name=name, country=country)
        out[name] = (agency.id, agency.country)
    a, b = (crud.require_agency(session, name=n) for n in PARTNERS)
    if b.id not in crud.partner_ids(session, agency_id=a.id):
        crud.create_agreement(session, agency_a=a, agency_b=b)
    return out


def load_reports(session: Session, principals: dict[str, Principal], checker: Checker, path: Path) -> Loaded:
    """Submit every row of ``path`` in date order; a database that already holds reports of the
    example agencies is left as it is."""
    from sqlalchemy import func, select

    from analogwatch.errors import ServiceError
    from analogwatch.service.reports import submit, substance_problem
    from analogwatch.service.schemas import ReportIn
    from analogwatch.service.store.models import Report
    from analogwatch.service.substances import SubstanceResolver

    ids = [p.agency_id for p in principals.values()]
    if session.scalar(select(func.count(Report.id)).where(Report.agency_id.in_(ids))):
        return Loaded(skipped=True)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows.sort(key=lambda r: r["date"])
    resolver = SubstanceResolver(checker)
    loaded = Loaded()
    for n, row in enumerate(rows, start=2):
        agency = row.pop("agency")
        row.pop("name", None)
        body = {k: v for k, v in row.items() if v}
        body["restrictions"] = [r for r in row.get("restrictions", "").split("|") if r]
        data = ReportIn.model_validate(body)
        result = resolver.check(data.substance)
        problem = substance_problem(result)
        if problem:
            raise ServiceError(f"{path.name} line {n}: {problem}")
        _, alerts = submit(session, principal=principals[agency], data=data, result=result)
        loaded.reports += 1
        loaded.alerts += len(alerts)
    return loaded


def write_listings(checker: Checker, folder: Path) -> tuple[Path, int]:
    """Ingest the example market dump into ``folder`` (as ``analogwatch listings ingest`` would)."""
    from analogwatch.markets.extract import Extractor
    from analogwatch.markets.ingest import ingest
    from analogwatch.markets.rates import RateTable
    from analogwatch.markets.writers import write_records

    extractor = Extractor(checker.registry, slang_path=None, rates=RateTable(), use_opsin=False)
    records, _ = ingest([example_file("example-market.csv")], extractor=extractor)
    out = folder / "example-market.jsonl"
    write_records(records, out)
    return out, len(records)


def write_anticipation(checker: Checker, folder: Path) -> tuple[Path, int]:
    """A small anticipation run written where the Gaps page looks (``analogwatch anticipate -o``)."""
    from analogwatch.anticipate.pipeline import anticipate
    from analogwatch.anticipate.report import write_report

    run = anticipate([ANTICIPATION_FAMILY], depth=1, limit=ANTICIPATION_LIMIT, registry=checker.registry,
                     analogue_flags=False)
    out = folder / f"example-{ANTICIPATION_FAMILY}"
    write_report(run, out)
    return out, run.gaps.total


def demo_data(
    database: Database = None,
    dashboard_dir: Annotated[Path | None, typer.Option(
        "--dashboard-dir", help="Folder of the dashboard's files (default: $ANALOGWATCH_DASHBOARD_DIR, else "
                                "'dashboard' in the user data directory).")] = None,
    anticipation: Annotated[bool, typer.Option(
        "--anticipation/--no-anticipation", help="Write an example anticipation report for the Gaps page.")] = True,
) -> None:
    """Load example agencies, reports, market listings and an anticipation report; print a sign-in
    token for each agency."""
    from sqlalchemy.exc import SQLAlchemyError

    from analogwatch.errors import AnalogwatchError
    from analogwatch.service.app import build_checker
    from analogwatch.service.auth import Principal, Role
    from analogwatch.service.jurisdiction import jurisdiction_of
    from analogwatch.service.settings import Settings
    from analogwatch.service.store import crud
    from analogwatch.service.store.db import begin_write, ensure_schema, make_engine, make_sessionmaker
    from analogwatch.web.settings import WebSettings

    settings = Settings().with_database(database)
    web = WebSettings()
    if dashboard_dir is not None:
        web = web.model_copy(update={"dashboard_dir": dashboard_dir})
    url = settings.resolved_database_url()
    try:
        engine = make_engine(settings)
        ensure_schema(engine)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        typer.echo(f"error: cannot open the database {url}: {exc}", err=True)
        raise typer.Exit(1) from None
    checker = build_checker(settings)
    tokens: list[tuple[str, str, str]] = []
    try:
        with make_sessionmaker(engine)() as session:
            begin_write(session)
            agencies = _agencies(session)
            principals = {}
            for name, (agency_id, country) in agencies.items():
                row, token = crud.issue_token(session, agency=crud.require_agency(session, name=name),
                                              role=Role.ANALYST)
                tokens.append((name, country, token))
                principals[name] = Principal(agency_id, name, country, jurisdiction_of(country), row.id, Role.ANALYST)
            loaded = load_reports(session, principals, checker, example_file("reports.csv"))
            session.commit()
    except (AnalogwatchError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    shown = url.split("@")[-1] if "@" in url else url
    typer.echo(f"analogwatch example data in {shown}")
    typer.echo(f"  agencies  {PARTNERS[0]} (US) and {PARTNERS[1]} (CN) share their 'partners' reports; "
               "NCA (GB) has no agreement")
    if loaded.skipped:
        typer.echo("  reports   already loaded earlier; new tokens issued")
    else:
        typer.echo(f"  reports   {loaded.reports} loaded from examples/reports.csv, {loaded.alerts} alerts raised")
    try:
        web.listings_dir.mkdir(parents=True, exist_ok=True)
        path, n = write_listings(checker, web.listings_dir)
        typer.echo(f"  markets   {n} listings -> {path}")
    except (AnalogwatchError, OSError) as exc:
        typer.echo(f"  markets   not written: {exc}")
    if anticipation:
        try:
            web.anticipation_dir.mkdir(parents=True, exist_ok=True)
            path, n = write_anticipation(checker, web.anticipation_dir)
            typer.echo(f"  gaps      {n} {ANTICIPATION_FAMILY} analogs -> {path}")
        except (AnalogwatchError, OSError) as exc:
            typer.echo(f"  gaps      not written: {exc}")
    typer.echo("")
    typer.echo("Start the service (analogwatch serve) and sign in at http://127.0.0.1:8000/ with a token:")
    width = max(len(n) for n, _, _ in tokens)
    for name, country, token in tokens:
        typer.echo(f"  {name:<{width}}  {country}  analyst  {token}")
