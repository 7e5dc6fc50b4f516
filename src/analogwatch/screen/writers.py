"""Output formats of screening results."""

from __future__ import annotations

from pathlib import Path

FORMATS = ("csv", "jsonl", "parquet")


def output_format(path: Path | None, fmt: str | None) -> str:
    """The format asked for, else the one named by the output file's extension (CSV by default)."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    if path is None:
        return "jsonl"
    ext = path.suffix.lower()
    return {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}.get(ext, "csv")
