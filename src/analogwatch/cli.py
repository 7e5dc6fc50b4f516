"""The command-line interface: thin Typer commands over the library."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from analogwatch import __version__
from analogwatch.errors import AnalogwatchError

app = typer.Typer(
    help="analogwatch: is this compound controlled, where, since when, and why?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
registry_app = typer.Typer(help="Inspect and maintain the registry of controlled substances.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")

from analogwatch.markets.cli import listings_app  # noqa: E402
from analogwatch.service.cli import admin_app, serve  # noqa: E402
from analogwatch.web.demo import demo_data  # noqa: E402

app.add_typer(admin_app, name="admin")
app.add_typer(listings_app, name="listings")
app.command("serve")(serve)
app.command("demo-data")(demo_data)

console = Console()
err_console = Console(stderr=True)

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Status on this date (YYYY-MM-DD); default today.")
]


def _as_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of must be a date YYYY-MM-DD, not {value!r}", 2)
        raise  # unreachable: _fail exits


def _fail(message: str, code: int = 1) -> None:
    """One line on stderr, then a non-zero exit."""
    typer.echo("error: " + " ".join(message.split()), err=True)
    raise typer.Exit(code)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"analogwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


def _print_result_text(res) -> None:  # type: ignore[no-untyped-def]
    console.print(f"[bold]{res.input}[/bold]  (status as of {res.as_of.isoformat()})", highlight=False)
    console.print(f"SMILES   {res.smiles or '-'}", highlight=False, markup=False)
    console.print(f"InChIKey {res.inchikey or '-'}", highlight=False, markup=False)
    table = Table(show_lines=False)
    for col in ("Jurisdiction", "Controlled", "Basis", "Schedule", "Substance / rule", "Effective", "Certainty"):
        table.add_column(col, overflow="fold")
    for jur, v in res.verdicts.items():
        ctl = "[bold red]YES[/bold red]" if v.controlled else "[green]no[/green]"
        what = v.substance or ""
        if v.basis == "class" and v.rule_id:
            what = f"{what} [{v.rule_id}]"
        table.add_row(
            jur, ctl, v.basis, v.schedule or "", what, v.effective.isoformat() if v.effective else "", v.certainty
        )
    console.print(table)
    for jur, v in res.verdicts.items():
        console.print(f"[bold]{jur}[/bold]: {v.explanation}", highlight=False)
        for m in v.matches[1:]:
            console.print(f"    also: {m.explanation}", highlight=False, markup=False)
        if v.possible_analogue_of:
            flags = ", ".join(f"{a.substance} ({a.schedule}, {a.similarity:.2f})" for a in v.possible_analogue_of)
            console.print(
                f"    possible controlled substance analogue of {flags} "
                f"[{v.possible_analogue_of[0].measure} >= {v.possible_analogue_of[0].threshold}]: "
                "a flag for review under 21 U.S.C. 802(32), not a verdict of control",
                highlight=False, markup=False,
            )
    if res.nearest_controlled:
        console.print(
            "Nearest controlled: "
            + ", ".join(f"{n.substance} ({n.similarity:.2f})" for n in res.nearest_controlled),
            highlight=False,
        )


@app.command()
def check(
    query: Annotated[str, typer.Argument(help="SMILES, InChI, molfile path or text, CAS number, name or IUPAC name.")],
    as_of: AsOf = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Control status of one compound in every jurisdiction."""
    from analogwatch.checker import Checker

    if fmt not in ("text", "json"):
        _fail("--format must be text or json", 2)
    text = query
    p = Path(query)
    if query.lower().endswith((".mol", ".sdf", ".mdl")) and p.is_file():
        text = p.read_text(encoding="utf-8", errors="replace")
    try:
        res = Checker().check(text, as_of=_as_of(as_of))
    except AnalogwatchError as exc:
        _fail(str(exc))
    if res.status == "invalid":
        _fail(res.error or "invalid input")
    if fmt == "json":
        typer.echo(res.model_dump_json(indent=2))
    else:
        _print_result_text(res)


@app.command()
def screen(
    input: Annotated[
        Path, typer.Argument(help="Input: .smi, .csv, .tsv, .sdf, .txt (names) or .parquet, gzip or not.")
    ],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file; stdout when omitted.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv, jsonl or parquet (default from -o).")] = None,
    smiles_column: Annotated[str | None, typer.Option("--smiles-column")] = None,
    id_column: Annotated[str | None, typer.Option("--id-column")] = None,
    as_of: AsOf = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0 = all cores).")] = 1,
    engine: Annotated[str, typer.Option("--engine", help="local or dask")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address; a LocalCluster when omitted.")
    ] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Records per chunk of work.")] = 5000,
    resume: Annotated[bool, typer.Option("--resume", help="Keep the chunks an interrupted run completed.")] = False,
    nearest: Annotated[int, typer.Option("--nearest", help="Most similar registry substances per row.")] = 3,
    inchikey: Annotated[
        bool,
        typer.Option(
            "--inchikey/--no-inchikey",
            help="Report every row's InChIKey (default), or only those of rows that match the registry (faster).",
        ),
    ] = True,
) -> None:
    """Screen a file of compounds; one result row per input record, in order."""
    import os

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from analogwatch.checker import Checker
    from analogwatch.screen import screen_file
    from analogwatch.screen.readers import estimate_total

    if jobs <= 0:
        jobs = os.cpu_count() or 1
    if chunk_size < 1:
        _fail("--chunk-size must be at least 1", 2)
    when = _as_of(as_of)
    show = err_console.is_terminal
    progress = Progress(
        TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
        TextColumn("[progress.data.speed]{task.fields[rate]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, disable=not show,
    )
    try:
        with progress:
            total = estimate_total(input) if show and input.exists() else None
            task = progress.add_task("screen", total=total, rate="")

            def advance(n: int) -> None:
                progress.advance(task, n)
                t = progress.tasks[0]
                if t.speed:
                    progress.update(task, rate=f"{t.speed:,.0f} compounds/s")

            summary = screen_file(
                input, output, fmt=fmt, smiles_column=smiles_column, id_column=id_column, as_of=when,
                jobs=jobs, engine=engine, scheduler=scheduler, chunk_size=chunk_size, resume=resume,
                on_progress=advance, checker=Checker(nearest=nearest, inchikeys=inchikey),
            )
    except AnalogwatchError as exc:
        _fail(str(exc))
    except ValueError as exc:
        _fail(str(exc), 2)
    except KeyboardInterrupt:
        where = f" {output}.parts/" if output else ""
        _fail(f"interrupted; completed chunks are kept in{where}; run again with --resume to finish", 130)
    resumed = f" ({summary.resumed_chunks} of {summary.chunks} chunks kept from an earlier run)" if (
        summary.resumed_chunks) else ""
    err_console.print(
        f"screened {summary.total} records: {summary.controlled} controlled somewhere, "
        f"{summary.invalid} invalid{resumed}",
        highlight=False,
    )


@app.command()
def explain(
    query: Annotated[str, typer.Argument(help="Any query `check` accepts.")],
    svg: Annotated[Path | None, typer.Option("--svg", help="Write a depiction with regions coloured.")] = None,
    as_of: AsOf = None,
) -> None:
    """Explain how each class definition reads the molecule, region by region."""
    from analogwatch.rules.explain import explain_query

    try:
        explain_query(query, svg=svg, as_of=_as_of(as_of), console=console)
    except AnalogwatchError as exc:
        _fail(str(exc))


@registry_app.command("export")
def registry_export(
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "json",
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
) -> None:
    """Export the registry: one record per substance with its listings."""
    from analogwatch.registry import default_registry

    reg = default_registry()
    fh = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    try:
        if fmt == "json":
            json.dump(
                {"registry_version": reg.version, "substances": [s.model_dump(mode="json") for s in reg.substances]},
                fh, ensure_ascii=False, indent=1,
            )
            fh.write("\n")
        elif fmt == "csv":
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["id", "name", "synonyms", "systematic_name", "cas", "smiles", "inchikey", "no_structure",
                        "jurisdiction", "list", "schedule", "citation", "effective", "end", "stereo"])
            for s in reg.substances:
                for lst in s.listings:
                    w.writerow([s.id, s.name, ";".join(s.synonyms), s.systematic_name or "", ";".join(s.cas),
                                s.smiles or "", s.inchikey or "", s.no_structure or "", lst.jurisdiction,
                                lst.list_id, lst.schedule, lst.citation, lst.effective.isoformat(),
                                lst.end.isoformat() if lst.end else "", lst.stereo])
        else:
            _fail("--format must be csv or json", 2)
    finally:
        if output:
            fh.close()


@registry_app.command("stats")
def registry_stats() -> None:
    """Counts of substances and listings per jurisdiction and list."""
    from analogwatch.registry import default_registry
    from analogwatch.registry.stats import stats

    reg = default_registry()
    st = stats(reg)
    console.print(f"registry {reg.version}: {st['substances']} substances, {st['with_structure']} with a structure, "
                  f"{st['listings']} listings", highlight=False)
    table = Table("Jurisdiction", "List", "Entries", "In force today")
    for row in st["per_list"]:
        table.add_row(row["jurisdiction"], row["title"], str(row["entries"]), str(row["in_force"]))
    console.print(table)


@registry_app.command("fill")
def registry_fill(
    files: Annotated[list[Path], typer.Argument(help="Registry CSV files to fill in place.")],
) -> None:
    """Derive structures for registry CSV files: OPSIN on systematic names, canonical SMILES, InChIKey."""
    from analogwatch.registry.build import fill_file

    bad = 0
    for f in files:
        rep = fill_file(f)
        typer.echo(f"{f}: {rep.filled} rows updated")
        for p in rep.problems or []:
            bad += 1
            typer.echo(f"  problem: {p}")
    if bad:
        raise typer.Exit(1)


@app.command()
def anticipate(
    family: Annotated[
        list[str] | None,
        typer.Option("--family", "-f", help="Family to enumerate (repeatable): fentanyl, nitazene, cannabinoid, "
                     "u-series, acylpiperazine, orphine, mt-45. The retrospective defaults to every opioid family."),
    ] = None,
    depth: Annotated[int, typer.Option("--depth", help="Transformations applied in sequence.")] = 2,
    limit: Annotated[
        int, typer.Option("--limit", help="Most analogs to enumerate and screen (0 = no limit; the "
                          "retrospective has none by default).")
    ] = -1,
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", help="Draft class-definition file to evaluate (repeatable), in the format of "
                     "docs/rules.md."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Directory for analogs.csv, summary.json and report.html "
                                  "(retrospective: retrospective.csv, .json and .svg).")
    ] = None,
    as_of: AsOf = None,
    medicines: Annotated[
        Path | None,
        typer.Option("--medicines", help="Extra reference medicines for --rules: CSV (name, smiles) or Parquet "
                     "(pref_name, smiles), e.g. ChEMBL's approved drugs."),
    ] = None,
    analogue_flags: Annotated[
        bool, typer.Option("--analogue-flags/--no-analogue-flags", help="Flag possible US controlled substance "
                           "analogues (slower).")
    ] = True,
    top: Annotated[int, typer.Option("--top", help="Rows per ranked table.")] = 5,
    retrospective: Annotated[
        bool, typer.Option("--retrospective", help="Enumerate from members listed before --before and measure "
                           "recall of those listed since.")
    ] = False,
    before: Annotated[str | None, typer.Option("--before", help="Retrospective cutoff (YYYY-MM-DD).")] = None,
    figure: Annotated[
        Path | None, typer.Option("--figure", help="Retrospective: write the recall chart (SVG) to this file.")
    ] = None,
) -> None:
    """Enumerate plausible analogs of a family, screen them everywhere, and map the gaps."""
    from analogwatch.anticipate import console as show
    from analogwatch.anticipate.pipeline import DEFAULT_LIMIT
    from analogwatch.anticipate.pipeline import anticipate as run_anticipate
    from analogwatch.anticipate.report import write_report
    from analogwatch.anticipate.retrospective import retrospective as run_retrospective
    from analogwatch.anticipate.retrospective import write_outputs

    cap = None if limit == 0 else (limit if limit > 0 else None)
    try:
        if retrospective:
            if before is None:
                _fail("--retrospective needs --before YYYY-MM-DD", 2)
            r = run_retrospective(before=_as_of(before), family_names=family, depth=depth, limit=cap,
                                  on_stage=lambda s: err_console.print(s, style="dim"))
            show.print_retrospective(r, console)
            for p in write_outputs(r, output, figure_path=figure):
                err_console.print(f"wrote {p}", highlight=False)
            return
        if not family:
            _fail("name a family with --family (or use --retrospective)", 2)
        run = run_anticipate(
            family or [], depth=depth, limit=cap if limit >= 0 else DEFAULT_LIMIT, as_of=_as_of(as_of),
            drafts=rules or [], medicines_file=medicines, analogue_flags=analogue_flags,
            on_stage=lambda s: err_console.print(s, style="dim"),
        )
    except AnalogwatchError as exc:
        _fail(str(exc))
    show.print_run(run, console, top=top)
    if output is not None:
        for p in write_report(run, output):
            err_console.print(f"wrote {p}", highlight=False)


@app.command()
def demo() -> None:
    """Run analogwatch on the built-in example: four spellings of fentanyl, then a small screen."""
    from importlib import resources

    from analogwatch.checker import Checker
    from analogwatch.screen import screen_file

    checker = Checker()
    for q in ("fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "437-38-7",
              "N-phenyl-N-[1-(2-phenylethyl)piperidin-4-yl]propanamide"):
        _print_result_text(checker.check(q))
    example = Path(str(resources.files("analogwatch") / "examples" / "compounds.smi"))
    out = Path("analogwatch-demo.csv")
    summary = screen_file(example, out, checker=checker)
    console.print(
        f"Screened {example.name}: {summary.total} records, {summary.controlled} controlled somewhere, "
        f"{summary.invalid} invalid -> {out}", highlight=False,
    )


if __name__ == "__main__":  # pragma: no cover
    app()
