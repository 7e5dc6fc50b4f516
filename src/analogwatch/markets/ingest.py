"""Ingestion: files and folders of market dumps to resolved records, one per input listing, in order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from analogwatch.errors import InputError
from analogwatch.markets.extract import Extractor
from analogwatch.markets.model import ListingRecord, RawListing
from analogwatch.markets.profiles import EXTENSIONS, Format, Profile, find_profile, generic_profile, profile_for
from analogwatch.markets.rates import RateTable
from analogwatch.markets.readers import read_listings

#: run-time data looked for beside the project when no path is given (never shipped)
DEFAULT_SLANG = Path("../shared/data/lexicons/dea_drug_slang_code_words_2017.txt")
DEFAULT_BTC = Path("../shared/data/darknet/agora-2014/btc_usd_daily_coindesk.csv")
BTC_PATTERNS = ("btc_usd*.csv", "btcusd*.csv")


@dataclass
class IngestPlan:
    """Which files are read with which profile and format; what was skipped and why."""

    files: list[tuple[Path, Profile, Format]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    btc_histories: list[Path] = field(default_factory=list)


def _is_rate_file(path: Path) -> bool:
    import fnmatch

    return any(fnmatch.fnmatch(path.name.lower(), p) for p in BTC_PATTERNS)


def plan(
    paths: Iterable[Path], *, fmt: Format | None = None, market: str | None = None,
    mapping: dict[str, str] | None = None,
) -> IngestPlan:
    """Walk files and folders; pick each file's profile by --market, else by its name, else generic."""
    out = IngestPlan()
    forced = find_profile(market) if market else None
    for root in paths:
        if not root.exists():
            raise InputError(f"{root}: no such file or folder")
        explicit = root.is_file()
        candidates = [root] if explicit else sorted(p for p in root.rglob("*") if p.is_file())
        for p in candidates:
            if _is_rate_file(p):
                out.btc_histories.append(p)
                if not explicit:
                    continue
            file_fmt = fmt or EXTENSIONS.get(p.suffix.lower())
            if file_fmt is None:
                if explicit:
                    raise InputError(f"{p}: unknown extension; give --format csv|jsonl|json|html")
                out.skipped.append((p, "not a csv, json, jsonl or html file"))
                continue
            prof = forced or profile_for(p)
            if prof is None:
                if file_fmt == "html" and not mapping:
                    msg = "HTML page matched by no market profile (give --market NAME or --map FIELD=css:SEL)"
                    if explicit:
                        raise InputError(f"{p}: {msg}")
                    out.skipped.append((p, msg))
                    continue
                prof = generic_profile(file_fmt, market=market or p.stem)
            if mapping:
                prof = prof.with_map(mapping)
            if prof.format and fmt is None and prof.format != file_fmt and not (
                {prof.format, file_fmt} <= {"json", "jsonl"}
            ):
                file_fmt = prof.format
            out.files.append((p, prof, file_fmt))
    return out


def default_rates(plan_: IngestPlan, rates_path: Path | None) -> RateTable:
    """--rates if given; else BTC histories found among the inputs; else the shared history."""
    table = RateTable()
    if rates_path is not None:
        table.add_btc_history(rates_path)
        return table
    for p in plan_.btc_histories:
        table.add_btc_history(p)
    if not plan_.btc_histories and DEFAULT_BTC.is_file():
        table.add_btc_history(DEFAULT_BTC)
    return table


def read_all(plan_: IngestPlan, *, on_skip: Callable[[Path, str], None] | None = None) -> list[RawListing]:
    raws: list[RawListing] = []
    for path, prof, file_fmt in plan_.files:
        try:
            raws.extend(read_listings(path, prof, file_fmt, strict=True))
        except InputError as exc:
            if len(plan_.files) == 1:
                raise
            # A file that cannot be read at all inside a folder walk (a price history, a file of
            # another kind) is reported and skipped; it has no listings to keep in order.
            plan_.skipped.append((path, str(exc)))
            if on_skip:
                on_skip(path, str(exc))
    return raws


def ingest(
    paths: Iterable[Path], *, fmt: Format | None = None, market: str | None = None,
    mapping: dict[str, str] | None = None, default_date: date | None = None, rates_path: Path | None = None,
    slang_path: Path | None = None, extractor: Extractor | None = None, use_opsin: bool = True,
    on_record: Callable[[ListingRecord], None] | None = None,
) -> tuple[list[ListingRecord], IngestPlan]:
    """Read, extract and resolve every listing of ``paths``; records come back in input order."""
    p = plan(paths, fmt=fmt, market=market, mapping=mapping)
    raws = read_all(p)
    if extractor is None:
        slang = slang_path if slang_path is not None else (DEFAULT_SLANG if DEFAULT_SLANG.is_file() else None)
        extractor = Extractor(slang_path=slang, rates=default_rates(p, rates_path), use_opsin=use_opsin,
                              as_of=default_date)
    extractor.prepare(raws)
    records = []
    for raw in raws:
        rec = extractor.listing(raw, default_date=default_date)
        records.append(rec)
        if on_record:
            on_record(rec)
    return records, p
