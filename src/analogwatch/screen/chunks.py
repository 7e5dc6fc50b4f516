"""Chunked screening: records are cut into numbered chunks; each chunk is checked by a worker and
comes back as the bytes of one output part; parts are kept on disk so that an interrupted run
can resume, and are joined in order at the end. Workers receive plain strings, never molecules."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from analogwatch.checker import Checker, Unmatched
from analogwatch.errors import InputError
from analogwatch.screen.readers import Record
from analogwatch.verdicts import FLAT_COLUMNS, Result

#: default records per chunk: large enough to amortise task overhead, small enough that a
#: crash loses little work and a worker's memory stays small
CHUNK_SIZE = 5000


@dataclass
class Chunk:
    index: int
    ids: list[str]
    texts: list[str]
    errors: list[str | None]


@dataclass
class ChunkOutcome:
    index: int
    data: bytes
    total: int
    invalid: int
    controlled: int


@dataclass
class Manifest:
    """What a parts folder was made from; a resume must match it exactly."""

    input: str
    input_size: int
    input_mtime_ns: int
    chunk_size: int
    fmt: str
    as_of: str
    provenance: dict[str, str] = field(default_factory=dict)

    def key(self) -> str:
        d = dict(self.__dict__)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


def chunked(records: Iterable[Record], size: int) -> Iterator[Chunk]:
    ids: list[str] = []
    texts: list[str] = []
    errors: list[str | None] = []
    index = 0
    for r in records:
        ids.append(r.id)
        texts.append(r.text)
        errors.append(r.error)
        if len(ids) >= size:
            yield Chunk(index, ids, texts, errors)
            index += 1
            ids, texts, errors = [], [], []
    if ids:
        yield Chunk(index, ids, texts, errors)


def _nearest_text(nearest: list[tuple[str, str, float]]) -> str:
    return ";".join(f"{name} ({sim:.2f})" for name, _, sim in nearest)


def _serialise(rows: list[Result | Unmatched], checker: Checker, as_of: date, fmt: str,
               provenance: dict[str, str]) -> bytes:
    """One chunk's rows as bytes of ``fmt``. An Unmatched row is written from the date's template
    (the same bytes a full Result would give, without building one)."""
    if fmt == "jsonl":
        return "".join(checker.as_result(r, as_of).model_dump_json() + "\n" for r in rows).encode("utf-8")
    template = checker.unmatched_template(as_of)
    base = template.flat()
    flat_rows: list[dict[str, Any]] = []
    for r in rows:
        if isinstance(r, Result):
            flat_rows.append(r.flat())
            continue
        row = dict(base)
        row["id"], row["input"], row["smiles"] = r.id, r.input, r.smiles
        row["inchikey"] = r.inchikey or ""
        row["nearest_controlled"] = _nearest_text(r.nearest)
        flat_rows.append(row)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerows([row[c] for c in FLAT_COLUMNS] for row in flat_rows)
        return buf.getvalue().encode("utf-8")
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        base_json = _verdicts_json(template)
        columns = {c: [row[c] for row in flat_rows] for c in FLAT_COLUMNS}
        columns["verdicts_json"] = [base_json if isinstance(r, Unmatched) else _verdicts_json(r) for r in rows]
        table = pa.Table.from_pydict(columns, schema=parquet_schema(provenance))
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return sink.getvalue()
    raise ValueError(f"unknown output format {fmt!r}")


def _verdicts_json(result: Result) -> str:
    return json.dumps({j: v.model_dump(mode="json") for j, v in result.verdicts.items()}, ensure_ascii=False)


def parquet_schema(provenance: dict[str, str]):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    fields = [pa.field(c, pa.string()) for c in FLAT_COLUMNS] + [pa.field("verdicts_json", pa.string())]
    return pa.schema(fields, metadata={f"analogwatch.{k}": v for k, v in provenance.items()})


def process_chunk(checker: Checker, chunk: Chunk, fmt: str, as_of: date, provenance: dict[str, str]) -> ChunkOutcome:
    """Check one chunk and serialise it: the unit of work of every engine."""
    good = [(i, t) for i, t, e in zip(chunk.ids, chunk.texts, chunk.errors, strict=True) if e is None]
    checked = iter(checker.screen_many(good, as_of=as_of))
    rows = [
        checker.invalid(i, t, e, as_of) if e is not None else next(checked)
        for i, t, e in zip(chunk.ids, chunk.texts, chunk.errors, strict=True)
    ]
    invalid = sum(1 for r in rows if isinstance(r, Result) and r.status == "invalid")
    controlled = sum(1 for r in rows if isinstance(r, Result) and any(v.controlled for v in r.verdicts.values()))
    return ChunkOutcome(chunk.index, _serialise(rows, checker, as_of, fmt, provenance), len(rows), invalid, controlled)


class PartStore:
    """Completed chunks as files ``part-NNNNNNNN.<fmt>`` in a folder beside the output."""

    def __init__(self, folder: Path, manifest: Manifest, *, resume: bool):
        self.folder = folder
        self.manifest = manifest
        mf = folder / "manifest.json"
        if folder.exists() and resume:
            if not mf.exists():
                raise InputError(f"{folder} has no manifest; cannot resume")
            old = json.loads(mf.read_text(encoding="utf-8"))
            if old.get("key") != manifest.key():
                raise InputError(
                    f"cannot resume: {folder} was made from a different input, format, date or version "
                    "(start again without --resume)"
                )
        else:
            if folder.exists():
                for p in folder.iterdir():
                    p.unlink()
            folder.mkdir(parents=True, exist_ok=True)
            mf.write_text(json.dumps({"key": manifest.key(), **manifest.__dict__}, indent=1), encoding="utf-8")

    def path(self, index: int) -> Path:
        return self.folder / f"part-{index:08d}.{self.manifest.fmt}"

    def stats_path(self, index: int) -> Path:
        return self.folder / f"part-{index:08d}.json"

    def done(self, index: int) -> bool:
        return self.path(index).exists() and self.stats_path(index).exists()

    def save(self, out: ChunkOutcome) -> None:
        """Write atomically: a part either exists whole or not at all."""
        tmp = self.path(out.index).with_suffix(".tmp")
        tmp.write_bytes(out.data)
        os.replace(tmp, self.path(out.index))
        st = {"total": out.total, "invalid": out.invalid, "controlled": out.controlled}
        tmp = self.stats_path(out.index).with_suffix(".jtmp")
        tmp.write_text(json.dumps(st), encoding="utf-8")
        os.replace(tmp, self.stats_path(out.index))

    def stats(self, index: int) -> dict[str, int]:
        return dict(json.loads(self.stats_path(index).read_text(encoding="utf-8")))

    def assemble(self, n_chunks: int, out: Path | None, provenance: dict[str, str]) -> None:
        """Join parts 0..n-1 in order into ``out`` (stdout for text formats when None)."""
        fmt = self.manifest.fmt
        if fmt == "parquet":
            import pyarrow.parquet as pq

            assert out is not None
            tmp = out.with_name(out.name + ".tmp")
            with pq.ParquetWriter(str(tmp), parquet_schema(provenance)) as writer:
                for i in range(n_chunks):
                    writer.write_table(pq.read_table(self.path(i)))
            os.replace(tmp, out)
            return
        header = b""
        if fmt == "csv":
            buf = io.StringIO()
            csv.DictWriter(buf, fieldnames=FLAT_COLUMNS, lineterminator="\n").writeheader()
            header = buf.getvalue().encode()
        if out is None:
            import sys

            sys.stdout.buffer.write(header)
            for i in range(n_chunks):
                sys.stdout.buffer.write(self.path(i).read_bytes())
            sys.stdout.flush()
            return
        tmp = out.with_name(out.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(header)
            for i in range(n_chunks):
                with open(self.path(i), "rb") as part:
                    while block := part.read(1 << 20):
                        fh.write(block)
        os.replace(tmp, out)

    def remove(self) -> None:
        for p in self.folder.iterdir():
            p.unlink()
        self.folder.rmdir()
