"""Vendor tracking across dumps and dates, from ingested listings.

Per vendor and market: first and last seen, listings, substances offered on each date, shipping
origins, price history (USD per mg by substance and date) and the same vendor name on other
markets. Two flags per listing and substance, from the Checker's verdicts on the listing date:

* controlled in the origin: ships from a country where the substance is controlled;
* uncontrolled in a destination: ships to a place where the substance is not controlled.

Jurisdictions: a US origin or destination is judged by US law, CN by China's lists; every other
country, EU and the rest of the world by the UN conventions alone, as the floor that parties to the
conventions must control (national law there may control more; that is not modelled). "Worldwide"
as a destination covers the US, China and every other country, so it is judged by all three.
"""

from __future__ import annotations

import html
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from analogwatch.errors import InputError
from analogwatch.markets.model import ListingRecord
from analogwatch.markets.writers import read_records

INPUT_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet")


def jurisdictions_for(code: str | None, *, destination: bool) -> list[str]:
    """The modelled jurisdictions that judge a place (see the module docstring)."""
    if code is None:
        return []
    if code == "US":
        return ["US"]
    if code == "CN":
        return ["CN"]
    if code == "WW":
        return ["US", "CN", "UN"] if destination else []
    return ["UN"]


@dataclass
class Flag:
    kind: str  # "controlled_in_origin" | "uncontrolled_in_destination"
    substance: str
    where: str
    jurisdiction: str
    listing_id: str
    date: str | None


@dataclass
class VendorSummary:
    vendor: str
    market: str
    first_seen: str | None = None
    last_seen: str | None = None
    listings: set[str] = field(default_factory=set)
    rows: int = 0
    substances: Counter[str] = field(default_factory=Counter)
    substances_by_date: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    origins: Counter[str] = field(default_factory=Counter)
    #: (substance, date) -> USD per mg of each listing seen that day
    prices: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))
    flags: list[Flag] = field(default_factory=list)
    other_markets: list[str] = field(default_factory=list)

    def price_history(self) -> list[tuple[str, str, float]]:
        return sorted((s, d, statistics.median(v)) for (s, d), v in self.prices.items())

    def flag_counts(self) -> Counter[str]:
        return Counter(f.kind for f in self.flags)


@dataclass
class VendorReport:
    vendors: list[VendorSummary]
    cross_market: dict[str, list[str]]
    records: int
    note: str = " ".join(__doc__.split("Jurisdictions:")[1].split()) if __doc__ else ""


def load_records(path: Path) -> list[ListingRecord]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in INPUT_SUFFIXES)
        if not files:
            raise InputError(f"{path}: no ingested listings (.jsonl, .csv, .parquet) found")
    elif path.is_file():
        files = [path]
    else:
        raise InputError(f"{path}: no such file or folder")
    out: list[ListingRecord] = []
    for f in files:
        try:
            out.extend(read_records(f))
        except (ValueError, KeyError) as exc:
            raise InputError(f"{f}: not a file written by `analogwatch listings ingest` ({exc})") from exc
    return out


def _vendor_key(name: str) -> str:
    return " ".join(name.casefold().split())


def build_report(records: list[ListingRecord], *, only: str | None = None) -> VendorReport:
    by: dict[tuple[str, str], VendorSummary] = {}
    for r in records:
        if r.status != "ok" or not r.vendor:
            continue
        if only and _vendor_key(r.vendor) != _vendor_key(only):
            continue
        key = (_vendor_key(r.vendor), r.market)
        v = by.get(key)
        if v is None:
            v = by[key] = VendorSummary(vendor=r.vendor.strip(), market=r.market)
        v.rows += 1
        v.listings.add(r.listing_id.split("__")[-1])
        if r.date:
            v.first_seen = min(v.first_seen or r.date, r.date)
            v.last_seen = max(v.last_seen or r.date, r.date)
        if r.ships_from:
            v.origins[r.ships_from] += 1
        for s in r.substances:
            v.substances[s.name] += 1
            v.substances_by_date[r.date or "undated"].add(s.name)
            if r.price_usd_per_mg is not None and len(r.substances) == 1:
                v.prices[(s.name, r.date or "undated")].append(r.price_usd_per_mg)
            for jur in jurisdictions_for(r.ships_from, destination=False):
                verdict = s.verdicts.get(jur)
                if verdict is not None and verdict.controlled:
                    v.flags.append(Flag("controlled_in_origin", s.name, r.ships_from or "", jur, r.listing_id, r.date))
            for dest in r.ships_to:
                for jur in jurisdictions_for(dest, destination=True):
                    verdict = s.verdicts.get(jur)
                    if verdict is not None and not verdict.controlled:
                        v.flags.append(Flag("uncontrolled_in_destination", s.name, dest, jur, r.listing_id, r.date))
    markets_of: dict[str, set[str]] = defaultdict(set)
    for (vkey, market) in by:
        markets_of[vkey].add(market)
    cross = {vkey: sorted(m) for vkey, m in markets_of.items() if len(m) > 1}
    for (vkey, market), v in by.items():
        v.other_markets = [m for m in cross.get(vkey, []) if m != market]
    vendors = sorted(by.values(), key=lambda v: (-len(v.listings), v.vendor.casefold(), v.market))
    return VendorReport(vendors=vendors, cross_market=cross, records=len(records))


def _top(counter: Counter[str], n: int = 4) -> str:
    return ", ".join(f"{k} ({c})" for k, c in counter.most_common(n))


def print_report(report: VendorReport, console: Console, *, top: int = 25) -> None:
    table = Table(title=f"Vendors ({len(report.vendors)} vendor-markets from {report.records} listings)")
    for col in ("Vendor", "Market", "First seen", "Last seen", "Listings", "Substances", "Ships from", "Flags"):
        table.add_column(col, overflow="fold")
    for v in report.vendors[:top]:
        fc = v.flag_counts()
        flags = ", ".join(f"{k.replace('_', ' ')}: {c}" for k, c in sorted(fc.items()))
        name = v.vendor + (f" (also on {', '.join(v.other_markets)})" if v.other_markets else "")
        table.add_row(name, v.market, v.first_seen or "", v.last_seen or "", str(len(v.listings)),
                      _top(v.substances), _top(v.origins, 3), flags)
    console.print(table)
    if report.cross_market:
        console.print(f"Same vendor name on several markets: {len(report.cross_market)}", highlight=False)
        for name, markets in sorted(report.cross_market.items())[:top]:
            console.print(f"  {name}: {', '.join(markets)}", highlight=False, markup=False)
    console.print(report.note, highlight=False, markup=False)


def _markdown(report: VendorReport) -> str:
    lines = ["# Vendor report", "", f"{len(report.vendors)} vendor-markets from {report.records} listings.", "",
             "| Vendor | Market | First seen | Last seen | Listings | Substances | Ships from | Flags |",
             "|---|---|---|---|---|---|---|---|"]
    for v in report.vendors:
        fc = v.flag_counts()
        lines.append("| " + " | ".join(x.replace("|", "/") for x in (
            v.vendor, v.market, v.first_seen or "", v.last_seen or "", str(len(v.listings)), _top(v.substances, 6),
            _top(v.origins, 3), ", ".join(f"{k.replace('_', ' ')}: {c}" for k, c in sorted(fc.items())),
        )) + " |")
    lines += ["", "## Same vendor name on several markets", ""]
    lines += [f"- {name}: {', '.join(m)}" for name, m in sorted(report.cross_market.items())] or ["none"]
    lines += ["", "## Substances over time and price history", ""]
    for v in report.vendors:
        if not v.substances:
            continue
        lines.append(f"### {v.vendor} ({v.market})")
        for d in sorted(v.substances_by_date):
            lines.append(f"- {d}: {', '.join(sorted(v.substances_by_date[d]))}")
        for s, d, p in v.price_history():
            lines.append(f"- price {s} on {d}: {p:.4g} USD/mg")
        lines.append("")
    lines += ["## How flags are judged", "", report.note, ""]
    return "\n".join(lines)


def _html(report: VendorReport) -> str:
    e = html.escape
    rows = []
    for v in report.vendors:
        fc = v.flag_counts()
        hist = "<br>".join(e(f"{d}: {', '.join(sorted(s))}") for d, s in sorted(v.substances_by_date.items()))
        prices = "<br>".join(e(f"{s} {d}: {p:.4g} USD/mg") for s, d, p in v.price_history()[:12])
        rows.append(
            "<tr>" + "".join(f"<td>{x}</td>" for x in (
                e(v.vendor) + (f"<br><small>also on {e(', '.join(v.other_markets))}</small>"
                               if v.other_markets else ""),
                e(v.market), e(v.first_seen or ""), e(v.last_seen or ""), str(len(v.listings)),
                e(_top(v.substances, 6)), e(_top(v.origins, 3)),
                e(", ".join(f"{k.replace('_', ' ')}: {c}" for k, c in sorted(fc.items()))), hist, prices,
            )) + "</tr>"
        )
    cross = "".join(f"<li>{e(n)}: {e(', '.join(m))}</li>" for n, m in sorted(report.cross_market.items()))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>analogwatch vendor report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top}}th{{background:#eee;position:sticky;top:0}}
small{{color:#666}}</style></head><body>
<h1>Vendor report</h1><p>{len(report.vendors)} vendor-markets from {report.records} listings.</p>
<table><thead><tr><th>Vendor</th><th>Market</th><th>First seen</th><th>Last seen</th><th>Listings</th>
<th>Substances</th><th>Ships from</th><th>Flags</th><th>Substances over time</th><th>Price history</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Same vendor name on several markets</h2><ul>{cross or '<li>none</li>'}</ul>
<h2>How flags are judged</h2><p>{e(report.note)}</p></body></html>
"""


def write_report(report: VendorReport, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        text = _html(report)
    elif suffix in (".md", ".markdown"):
        text = _markdown(report)
    else:
        raise InputError(f"-o {path}: the report is written as .html or .md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
