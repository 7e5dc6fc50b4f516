"""Screening a file: records in, one result per record out, in order."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analogwatch import __version__
from analogwatch.checker import RDKIT_VERSION, Checker
from analogwatch.screen.readers import Record, read_records
from analogwatch.screen.writers import CsvWriter, JsonlWriter, ParquetWriter, ResultWriter, output_format
from analogwatch.verdicts import Result


@dataclass
class ScreenSummary:
    total: int = 0
    invalid: int = 0
    controlled: int = 0


def provenance(checker: Checker, as_of: date) -> dict[str, str]:
    return {
        "analogwatch_version": __version__,
        "registry_version": checker.registry.version,
        "rdkit_version": RDKIT_VERSION,
        "rules_version": getattr(checker, "rules_version", "none"),
        "as_of": as_of.isoformat(),
    }


#: records resolved together (one OPSIN call per batch for systematic names)
BATCH = 256


def _check_batch(checker: Checker, batch: list[Record], as_of: date) -> list[Result]:
    good = [(r.id, r.text) for r in batch if not r.error]
    checked = iter(checker.check_many(good, as_of=as_of))
    return [checker.invalid(r.id, r.text, r.error, as_of) if r.error else next(checked) for r in batch]


def check_records(checker: Checker, records: Iterable[Record], as_of: date) -> Iterator[Result]:
    """Results for ``records`` in order, one per record."""
    batch: list[Record] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= BATCH:
            yield from _check_batch(checker, batch, as_of)
            batch = []
    if batch:
        yield from _check_batch(checker, batch, as_of)


def open_writer(stack: ExitStack, out: Path | None, fmt: str, prov: dict[str, str]) -> ResultWriter:
    if fmt == "parquet":
        if out is None:
            raise ValueError("Parquet output needs a file name (-o)")
        return ParquetWriter(out, prov)
    fh = stack.enter_context(open(out, "w", encoding="utf-8", newline="")) if out else sys.stdout  # noqa: SIM115
    return CsvWriter(fh, prov) if fmt == "csv" else JsonlWriter(fh, prov)


def screen_file(
    path: Path,
    out: Path | None = None,
    *,
    fmt: str | None = None,
    smiles_column: str | None = None,
    id_column: str | None = None,
    as_of: date | None = None,
    checker: Checker | None = None,
    on_result: Callable[[Result], None] | None = None,
) -> ScreenSummary:
    """Screen every record of ``path``; write results to ``out`` (stdout when None)."""
    checker = checker or Checker()
    as_of = as_of or date.today()
    fmt = output_format(out, fmt)
    summary = ScreenSummary()
    records = read_records(path, smiles_column=smiles_column, id_column=id_column)
    with ExitStack() as stack:
        writer = open_writer(stack, out, fmt, provenance(checker, as_of))
        try:
            for res in check_records(checker, records, as_of):
                writer.write(res)
                summary.total += 1
                if res.status == "invalid":
                    summary.invalid += 1
                elif any(v.controlled for v in res.verdicts.values()):
                    summary.controlled += 1
                if on_result:
                    on_result(res)
        finally:
            writer.close()
    return summary
