"""Writers for resolved listings: JSON Lines, CSV or Parquet, chosen by the output's extension."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from analogwatch.errors import InputError
from analogwatch.markets.model import FLAT_COLUMNS, ListingRecord

OutFormat = Literal["jsonl", "csv", "parquet"]


def output_format(path: Path | None) -> OutFormat:
    if path is None:
        return "jsonl"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError(f"-o {path}: the extension must be .jsonl, .csv or .parquet")


def write_records(records: Iterable[ListingRecord], path: Path | None) -> int:
    """Write every record in order; return how many were written."""
    fmt = output_format(path)
    n = 0
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        assert path is not None
        rows = [r.flat() for r in records]
        n = len(rows)
        table = pa.Table.from_pylist(rows) if rows else pa.table({c: pa.array([], pa.string()) for c in FLAT_COLUMNS})
        pq.write_table(table, path)
        return n
    fh = open(path, "w", encoding="utf-8", newline="") if path else sys.stdout  # noqa: SIM115
    try:
        if fmt == "csv":
            w = csv.DictWriter(fh, fieldnames=FLAT_COLUMNS, lineterminator="\n")
            w.writeheader()
            for r in records:
                w.writerow(r.flat())
                n += 1
        else:
            for r in records:
                fh.write(r.model_dump_json(exclude_none=False) + "\n")
                n += 1
    finally:
        if path:
            fh.close()
    return n


def read_records(path: Path) -> list[ListingRecord]:
    """Read back records written by ``write_records`` (any of the three formats)."""
    import json

    fmt = output_format(path)
    if fmt == "jsonl":
        with open(path, encoding="utf-8") as fh:
            return [ListingRecord.model_validate_json(line) for line in fh if line.strip()]
    if fmt == "csv":
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
    out = []
    for row in rows:
        d = {k: (None if v in ("", None) else v) for k, v in row.items() if k in ListingRecord.model_fields}
        d["substances"] = json.loads(row.get("substances") or "[]")
        for k in ("ships_to", "ships_to_excluded", "notes"):
            d[k] = [x for x in str(row.get(k) or "").split(";") if x]
        d["listing_id"] = str(row.get("listing_id") or "")
        d["title"] = str(row.get("title") or "")
        out.append(ListingRecord.model_validate(d))
    return out
