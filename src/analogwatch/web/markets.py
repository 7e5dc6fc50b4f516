"""The Markets page's data: listings written by ``analogwatch listings ingest -o FILE`` into the
dashboard's ``listings/`` folder, read once per change of the files, and the vendor report of
``analogwatch.markets.vendors`` built from them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analogwatch.errors import InputError
from analogwatch.markets.model import ListingRecord
from analogwatch.markets.vendors import INPUT_SUFFIXES, VendorReport, build_report, load_records


@dataclass(frozen=True)
class MarketData:
    files: tuple[Path, ...]
    records: tuple[ListingRecord, ...]
    report: VendorReport
    error: str | None = None

    @property
    def monthly(self) -> list[tuple[str, int]]:
        """Listings per month of their date (undated listings are not counted)."""
        c: Counter[str] = Counter(r.date[:7] for r in self.records if r.status == "ok" and r.date
                                  and len(r.date) >= 7)
        return sorted(c.items())


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    if not root.is_dir():
        return ()
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*")
                        if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES))


@lru_cache(maxsize=2)
def _load(root: Path, signature: tuple[tuple[str, int, int], ...]) -> MarketData:
    files = tuple(Path(s[0]) for s in signature)
    if not files:
        return MarketData((), (), build_report([]))
    try:
        records = load_records(root)
    except InputError as exc:
        return MarketData(files, (), build_report([]), str(exc))
    return MarketData(files, tuple(records), build_report(records))


def load(root: Path) -> MarketData:
    return _load(root, _signature(root))
