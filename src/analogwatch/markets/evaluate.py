"""Measured quality: extraction against hand labels (tests/markets/data/labels.jsonl).

Each label names a listing (market, source file, listing id), the substances it offers and its
total mass, unit count and unit dose. Substances are compared as registry substances: a label
name and an extracted name are the same when they resolve to the same registry entry (or, for
names outside the registry, when their normalised spellings agree). Quantities are compared on
labelled listings that offer a substance; "exact" means equal to 0.1 % (ounce conversions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from analogwatch.errors import InputError
from analogwatch.markets.extract import Extractor
from analogwatch.markets.ingest import DEFAULT_SLANG, plan, read_all
from analogwatch.markets.lexicon import Vocabulary
from analogwatch.markets.model import ListingRecord
from analogwatch.markets.rates import RateTable
from analogwatch.registry.names import normalize_name


@dataclass
class Evaluation:
    listings: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    quantity_listings: int = 0
    mass_ok: int = 0
    count_ok: int = 0
    dose_ok: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-3 * max(abs(a), abs(b), 1e-9)


def substance_key(name: str, vocabulary: Vocabulary) -> str:
    """A name's identity: its registry substance when the vocabulary knows it, else its spelling."""
    term = vocabulary.index.get(normalize_name(name))
    if term is not None:
        return term.substance_id or normalize_name(term.name)
    return normalize_name(name)


def load_labels(path: Path) -> list[dict]:
    labels = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                labels.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{i}: not JSON ({exc.msg})") from exc
    return labels


def evaluate(labels_path: Path, data_dir: Path, *, extractor: Extractor | None = None) -> Evaluation:
    """Re-extract every labelled listing from the original dumps and score it."""
    labels = load_labels(labels_path)
    files = sorted({(lab["market"], lab["source_file"]) for lab in labels})
    paths = []
    for _, name in files:
        found = sorted(data_dir.rglob(name))
        if not found:
            raise InputError(f"{name} (labelled) not found under {data_dir}")
        paths.append(found[0])
    p = plan(paths)
    raws = read_all(p)
    if extractor is None:
        btc = sorted(data_dir.rglob("btc_usd*.csv"))
        extractor = Extractor(
            slang_path=DEFAULT_SLANG if DEFAULT_SLANG.is_file() else None,
            rates=RateTable.load(btc[0] if btc else None), verdicts=False,
        )
    extractor.prepare(raws)
    by_id: dict[tuple[str, str, str], ListingRecord] = {}
    for raw in raws:
        key = (raw.market, Path(raw.source).name, raw.text("listing_id"))
        if key not in by_id:
            by_id[key] = extractor.listing(raw)
    ev = Evaluation()
    voc = extractor.vocabulary
    for lab in labels:
        rec = by_id.get((lab["market"], lab["source_file"], lab["listing_id"]))
        if rec is None:
            raise InputError(f"labelled listing {lab['listing_id']} not found in {lab['source_file']}")
        ev.listings += 1
        want = {substance_key(n, voc): n for n in lab["substances"]}
        got = {(s.inchikey and voc.index.get(normalize_name(s.name)) and substance_key(s.name, voc))
               or substance_key(s.name, voc): s.name for s in rec.substances}
        tp = want.keys() & got.keys()
        ev.tp += len(tp)
        for k in got.keys() - want.keys():
            ev.fp += 1
            ev.errors.append(f"FP {got[k]!r} in {lab['title']!r}")
        for k in want.keys() - got.keys():
            ev.fn += 1
            ev.errors.append(f"FN {want[k]!r} in {lab['title']!r}")
        if lab["substances"]:
            ev.quantity_listings += 1
            for fld, attr in (("total_mass_mg", "mass_ok"), ("unit_count", "count_ok"), ("unit_dose_mg", "dose_ok")):
                if _same(lab[fld], getattr(rec, fld)):
                    setattr(ev, attr, getattr(ev, attr) + 1)
                else:
                    ev.errors.append(f"{fld}: want {lab[fld]} got {getattr(rec, fld)} in {lab['title']!r}")
    return ev


def print_evaluation(ev: Evaluation, console: Console, *, show_errors: bool = False) -> None:
    table = Table(title=f"Extraction against {ev.listings} hand-labelled listings")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("counts", justify="right")
    table.add_row("substance precision", f"{ev.precision:.1%}", f"{ev.tp} / {ev.tp + ev.fp}")
    table.add_row("substance recall", f"{ev.recall:.1%}", f"{ev.tp} / {ev.tp + ev.fn}")
    table.add_row("substance F1", f"{ev.f1:.3f}", "")
    n = ev.quantity_listings or 1
    table.add_row("total mass exact", f"{ev.mass_ok / n:.1%}", f"{ev.mass_ok} / {ev.quantity_listings}")
    table.add_row("unit count exact", f"{ev.count_ok / n:.1%}", f"{ev.count_ok} / {ev.quantity_listings}")
    table.add_row("unit dose exact", f"{ev.dose_ok / n:.1%}", f"{ev.dose_ok} / {ev.quantity_listings}")
    console.print(table)
    if show_errors:
        for e in ev.errors:
            console.print(e, highlight=False, markup=False)
