"""`analogwatch listings ...` (heavy imports stay inside the commands)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

listings_app = typer.Typer(help="Ingest darknet-market listings and track vendors.", no_args_is_help=True)


def _fail(message: str, code: int = 1) -> None:
    typer.echo("error: " + " ".join(message.split()), err=True)
    raise typer.Exit(code)


def _parse_map(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            _fail(f"--map takes FIELD=COLUMN, not {item!r}", 2)
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


@listings_app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Dump files or folders (walked; profiles picked by file name).")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, jsonl, json or html (default: by extension).")
    ] = None,
    market: Annotated[str | None, typer.Option("--market", help="Market profile name or a profile .yaml file.")] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN (JSON: FIELD=a.b.path; HTML: FIELD=css:SELECTOR). Repeatable."),
    ] = None,
    when: Annotated[str | None, typer.Option("--date", help="Listing date YYYY-MM-DD when the data has none.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help=".jsonl, .csv or .parquet; stdout: JSONL.")
    ] = None,
    rates: Annotated[Path | None, typer.Option("--rates", help="BTC/USD daily history CSV (date, close).")] = None,
    slang: Annotated[
        Path | None, typer.Option("--slang", help="DEA slang code-word list (loaded at run time).")
    ] = None,
    no_opsin: Annotated[bool, typer.Option("--no-opsin", help="Do not parse systematic names with OPSIN.")] = False,
    to_service: Annotated[
        str | None, typer.Option("--to-service", help="Submit resolved listings as darknet sightings to this URL.")
    ] = None,
    token: Annotated[str | None, typer.Option("--token", help="Service token (default: $ANALOGWATCH_TOKEN).")] = None,
    sharing: Annotated[str, typer.Option("--sharing", help="Sharing level of submitted reports.")] = "network",
) -> None:
    """Turn market dumps into resolved listings: one output row per input listing, in order."""
    from rich.console import Console

    from analogwatch.errors import AnalogwatchError
    from analogwatch.markets.ingest import ingest
    from analogwatch.markets.writers import output_format, write_records

    err = Console(stderr=True)
    if fmt is not None and fmt not in ("csv", "jsonl", "json", "html"):
        _fail("--format must be csv, jsonl, json or html", 2)
    default_date = None
    if when:
        try:
            default_date = date.fromisoformat(when)
        except ValueError:
            _fail(f"--date must be YYYY-MM-DD, not {when!r}", 2)
    try:
        output_format(output)
        records, plan = ingest(
            paths, fmt=fmt, market=market, mapping=_parse_map(mapping), default_date=default_date,  # type: ignore[arg-type]
            rates_path=rates, slang_path=slang, use_opsin=not no_opsin,
        )
        n = write_records(records, output)
    except AnalogwatchError as exc:
        _fail(str(exc))
        return
    for path, why in plan.skipped:
        err.print(f"skipped {path}: {why}", highlight=False, markup=False)
    invalid = sum(r.status == "invalid" for r in records)
    with_sub = sum(bool(r.substances) for r in records)
    err.print(
        f"{len(plan.files)} files, {n} listings in, {n} out: {with_sub} with substances, {invalid} invalid"
        + (f" -> {output}" if output else ""),
        highlight=False,
    )
    if to_service:
        from analogwatch.markets.service import submit_sightings

        tok = token or os.environ.get("ANALOGWATCH_TOKEN")
        if not tok:
            _fail("--to-service needs --token or ANALOGWATCH_TOKEN")
        try:
            summary = submit_sightings(records, to_service, token=tok or "", sharing=sharing)
        except AnalogwatchError as exc:
            _fail(str(exc))
            return
        err.print(f"service: {summary.sent} reports sent, {summary.accepted} accepted, "
                  f"{summary.failed} failed", highlight=False)
        for msg in summary.errors[:10]:
            err.print(f"  {msg}", highlight=False, markup=False)
        if summary.failed:
            raise typer.Exit(1)


@listings_app.command("vendors")
def vendors_cmd(
    db_or_dir: Annotated[Path, typer.Argument(help="Ingested listings (.jsonl/.csv/.parquet) or a folder of them.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the report as .html or .md.")] = None,
    top: Annotated[int, typer.Option("--top", help="Vendors shown in the terminal table.")] = 25,
    vendor: Annotated[str | None, typer.Option("--vendor", help="Only this vendor (case-insensitive).")] = None,
) -> None:
    """Vendor tracking: first/last seen, listings, substances over time, origins, prices, flags."""
    from rich.console import Console

    from analogwatch.errors import AnalogwatchError
    from analogwatch.markets.vendors import build_report, load_records, print_report, write_report

    try:
        records = load_records(db_or_dir)
        report = build_report(records, only=vendor)
    except AnalogwatchError as exc:
        _fail(str(exc))
        return
    print_report(report, Console(), top=top)
    if output is not None:
        try:
            write_report(report, output)
        except AnalogwatchError as exc:
            _fail(str(exc))
        Console(stderr=True).print(f"report -> {output}", highlight=False)


@listings_app.command("evaluate")
def evaluate_cmd(
    labels: Annotated[Path, typer.Argument(help="Hand labels (JSON Lines), e.g. tests/markets/data/labels.jsonl.")],
    data: Annotated[Path, typer.Option("--data", help="Folder with the labelled dumps.")] = Path(
        "../shared/data/darknet"
    ),
    show_errors: Annotated[bool, typer.Option("--errors", help="List every disagreement.")] = False,
) -> None:
    """Precision and recall of substance extraction, accuracy of mass, count and dose, against hand labels."""
    from rich.console import Console

    from analogwatch.errors import AnalogwatchError
    from analogwatch.markets.evaluate import evaluate, print_evaluation

    try:
        result = evaluate(labels, data)
    except AnalogwatchError as exc:
        _fail(str(exc))
        return
    print_evaluation(result, Console(), show_errors=show_errors)
