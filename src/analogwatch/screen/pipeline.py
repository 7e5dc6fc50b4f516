"""Screening a file: records in, one result per record out, in order, in constant memory.

The input is streamed and cut into chunks; an engine (this process, local worker processes or a
Dask cluster) checks each chunk; completed chunks are kept as parts beside the output so that
``resume=True`` redoes only what an interrupted run had not finished; the parts are then joined
in input order.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analogwatch import __version__
from analogwatch.checker import RDKIT_VERSION, Checker
from analogwatch.screen.chunks import CHUNK_SIZE, Chunk, Manifest, PartStore, chunked
from analogwatch.screen.engines import run_dask, run_local
from analogwatch.screen.readers import read_records
from analogwatch.screen.writers import output_format


@dataclass
class ScreenSummary:
    total: int = 0
    invalid: int = 0
    controlled: int = 0
    chunks: int = 0
    resumed_chunks: int = 0


def provenance(checker: Checker, as_of: date) -> dict[str, str]:
    return {
        "analogwatch_version": __version__,
        "registry_version": checker.registry.version,
        "rdkit_version": RDKIT_VERSION,
        "rules_version": checker.rules_version,
        "as_of": as_of.isoformat(),
    }


def parts_folder(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def screen_file(
    path: Path,
    out: Path | None = None,
    *,
    fmt: str | None = None,
    smiles_column: str | None = None,
    id_column: str | None = None,
    as_of: date | None = None,
    checker: Checker | None = None,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    resume: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ScreenSummary:
    """Screen every record of ``path``; write the results to ``out`` (stdout when None)."""
    checker = checker or Checker()
    as_of = as_of or date.today()
    fmt = output_format(out, fmt)
    if fmt == "parquet" and out is None:
        raise ValueError("Parquet output needs a file name (-o)")
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}; use local or dask")
    if resume and out is None:
        raise ValueError("--resume needs an output file (-o)")
    prov = provenance(checker, as_of)
    st = path.stat() if path.exists() else None
    manifest = Manifest(
        input=str(path.resolve()), input_size=st.st_size if st else 0, input_mtime_ns=st.st_mtime_ns if st else 0,
        chunk_size=chunk_size, fmt=fmt, as_of=as_of.isoformat(), provenance=prov,
    )
    tmpdir = None
    if out is None:
        tmpdir = tempfile.TemporaryDirectory(prefix="analogwatch-screen-")
        folder = Path(tmpdir.name) / "parts"
    else:
        folder = parts_folder(out)
    records = read_records(path, smiles_column=smiles_column, id_column=id_column)
    # Read the first record now so that an unreadable input fails before any parts are written.
    first = next(records, None)

    def all_records():  # type: ignore[no-untyped-def]
        if first is not None:
            yield first
            yield from records

    store = PartStore(folder, manifest, resume=resume)
    summary = ScreenSummary()

    def todo() -> Iterator[Chunk]:
        for ch in chunked(all_records(), chunk_size):
            summary.chunks += 1
            if store.done(ch.index):
                summary.resumed_chunks += 1
                if on_progress:
                    on_progress(len(ch.ids))
                continue
            yield ch

    if engine == "dask":
        outcomes = run_dask(checker, todo(), fmt, as_of, prov, scheduler=scheduler, jobs=jobs)
    else:
        outcomes = run_local(checker, todo(), fmt, as_of, prov, jobs)
    for oc in outcomes:
        store.save(oc)
        if on_progress:
            on_progress(oc.total)
    for i in range(summary.chunks):
        s = store.stats(i)
        summary.total += s["total"]
        summary.invalid += s["invalid"]
        summary.controlled += s["controlled"]
    store.assemble(summary.chunks, out, prov)
    store.remove()
    if tmpdir is not None:
        tmpdir.cleanup()
    return summary
