"""Writers for screening results: CSV (flattened), JSON Lines (nested) and Parquet (flattened +
the nested verdicts as JSON), each carrying the provenance of the run."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any, Protocol

from analogwatch.verdicts import FLAT_COLUMNS, Result


class ResultWriter(Protocol):
    def write(self, result: Result) -> None: ...
    def close(self) -> None: ...


class CsvWriter:
    def __init__(self, fh: IO[str], provenance: dict[str, str]):
        self.fh = fh
        self.writer = csv.DictWriter(fh, fieldnames=FLAT_COLUMNS, lineterminator="\n")
        self.writer.writeheader()

    def write(self, result: Result) -> None:
        self.writer.writerow(result.flat())

    def close(self) -> None:
        self.fh.flush()


class JsonlWriter:
    def __init__(self, fh: IO[str], provenance: dict[str, str]):
        self.fh = fh

    def write(self, result: Result) -> None:
        self.fh.write(result.model_dump_json(exclude_none=False))
        self.fh.write("\n")

    def close(self) -> None:
        self.fh.flush()


class ParquetWriter:
    BATCH = 8192

    def __init__(self, path: Path, provenance: dict[str, str]):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        fields = [pa.field(c, pa.string()) for c in FLAT_COLUMNS] + [pa.field("verdicts_json", pa.string())]
        self.schema = pa.schema(fields, metadata={f"analogwatch.{k}": v for k, v in provenance.items()})
        self.writer = pq.ParquetWriter(str(path), self.schema)
        self.rows: list[dict[str, Any]] = []

    def write(self, result: Result) -> None:
        row = result.flat()
        row["verdicts_json"] = json.dumps(
            {j: v.model_dump(mode="json") for j, v in result.verdicts.items()}, ensure_ascii=False
        )
        self.rows.append(row)
        if len(self.rows) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.writer.write_table(self.pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


def output_format(path: Path | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if path is None:
        return "jsonl"
    ext = path.suffix.lower()
    return {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}.get(ext, "csv")
