"""Readers for screening inputs. Every record of the input yields exactly one Record, in order:
a line that cannot be used becomes a Record with an error, never a skipped line."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from analogwatch.errors import InputError

SMILES_COLUMN_GUESSES = ("smiles", "canonical_smiles", "smi", "structure", "query", "name", "input")
ID_COLUMN_GUESSES = ("id", "identifier", "name", "compound_id", "mol_id")


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    error: str | None = None


def _open_text(path: Path) -> IO[str]:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    head = raw.peek(4096)[:4096] if hasattr(raw, "peek") else b""
    if b"\x00" in head:
        raw.close()
        raise InputError(f"{path} looks like a binary file, not text")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")


def input_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    ext = suffixes[-1] if suffixes else ""
    return {".smi": "smi", ".smiles": "smi", ".csv": "csv", ".tsv": "tsv", ".sdf": "sdf", ".sd": "sdf",
            ".txt": "txt", ".parquet": "parquet"}.get(ext, "txt")


def read_smi(fh: IO[str]) -> Iterator[Record]:
    for n, line in enumerate(fh, start=1):
        line = line.rstrip("\r\n")
        parts = line.split(None, 1)
        if not parts:
            yield Record(str(n), "", "empty line")
            continue
        rid = parts[1].strip() if len(parts) > 1 else str(n)
        yield Record(rid, parts[0])


def read_txt(fh: IO[str]) -> Iterator[Record]:
    """One query per line (names, CAS numbers, SMILES): the whole line is the query."""
    for n, line in enumerate(fh, start=1):
        q = line.strip()
        yield Record(str(n), q, None if q else "empty line")


def read_table(
    fh: IO[str], *, delimiter: str, smiles_column: str | None, id_column: str | None
) -> Iterator[Record]:
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    lower = [h.strip().lower() for h in header]
    if smiles_column is not None:
        if smiles_column not in header:
            raise InputError(f"column {smiles_column!r} not found; the columns are {header}")
        s_idx = header.index(smiles_column)
    else:
        guess = next((g for g in SMILES_COLUMN_GUESSES if g in lower), None)
        if guess is None:
            raise InputError(f"no structure column found among {header}; name it with --smiles-column")
        s_idx = lower.index(guess)
    i_idx: int | None = None
    if id_column is not None:
        if id_column not in header:
            raise InputError(f"column {id_column!r} not found; the columns are {header}")
        i_idx = header.index(id_column)
    else:
        i_idx = next((lower.index(g) for g in ID_COLUMN_GUESSES if g in lower and lower.index(g) != s_idx), None)
    for n, row in enumerate(reader, start=1):
        rid = row[i_idx].strip() if i_idx is not None and i_idx < len(row) and row[i_idx].strip() else str(n)
        if s_idx >= len(row):
            yield Record(rid, "", f"row {n + 1} has {len(row)} fields; the structure column is missing")
            continue
        q = row[s_idx].strip()
        yield Record(rid, q, None if q else "empty structure field")


def read_sdf(fh: IO[str]) -> Iterator[Record]:
    """Each $$$$-terminated block is one record; its title line (or _Name) is the id."""
    block: list[str] = []
    n = 0
    for line in fh:
        if line.strip() == "$$$$":
            n += 1
            text = "".join(block)
            title = block[0].strip() if block else ""
            yield Record(title or str(n), text, None if "M  END" in text else "record has no M  END line")
            block = []
        else:
            block.append(line)
    if any(b.strip() for b in block):
        n += 1
        text = "".join(block)
        title = block[0].strip()
        yield Record(title or str(n), text, None if "M  END" in text else "record has no M  END line")


def read_parquet(path: Path, *, smiles_column: str | None, id_column: str | None) -> Iterator[Record]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    lower = [c.lower() for c in names]
    s_col = smiles_column or next((names[lower.index(g)] for g in SMILES_COLUMN_GUESSES if g in lower), None)
    if s_col is None or s_col not in names:
        raise InputError(f"no structure column found among {names}; name it with --smiles-column")
    i_col = id_column or next(
        (names[lower.index(g)] for g in ID_COLUMN_GUESSES if g in lower and names[lower.index(g)] != s_col), None
    )
    if i_col is not None and i_col not in names:
        raise InputError(f"column {i_col!r} not found; the columns are {names}")
    n = 0
    cols = [s_col] + ([i_col] if i_col else [])
    for batch in pf.iter_batches(batch_size=65536, columns=cols):
        smis = batch.column(0).to_pylist()
        ids = batch.column(1).to_pylist() if i_col else [None] * len(smis)
        for s, i in zip(smis, ids, strict=True):
            n += 1
            q = (s or "").strip() if isinstance(s, str) else ""
            yield Record(str(i) if i is not None else str(n), q, None if q else "empty structure field")


def read_records(
    path: Path, *, smiles_column: str | None = None, id_column: str | None = None, fmt: str | None = None
) -> Iterator[Record]:
    """Stream the records of ``path`` (gzip or not) in order."""
    fmt = fmt or input_format(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if fmt == "parquet":
        yield from read_parquet(path, smiles_column=smiles_column, id_column=id_column)
        return
    with _open_text(path) as fh:
        if fmt == "smi":
            yield from read_smi(fh)
        elif fmt in ("csv", "tsv"):
            yield from read_table(
                fh, delimiter="\t" if fmt == "tsv" else ",", smiles_column=smiles_column, id_column=id_column
            )
        elif fmt == "sdf":
            yield from read_sdf(fh)
        else:
            yield from read_txt(fh)


def estimate_total(path: Path, fmt: str | None = None) -> int | None:
    """Number of records in ``path`` for a progress bar's ETA (a quick count of lines or records)."""
    fmt = fmt or input_format(path)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        opener = gzip.open if path.suffix == ".gz" else open
        n = 0
        marker = b"$$$$" if fmt == "sdf" else b"\n"
        with opener(path, "rb") as fh:
            while block := fh.read(1 << 20):
                n += block.count(marker)
        return max(0, n - 1) if fmt in ("csv", "tsv") else n
    except OSError:
        return None
