"""Converting listing prices to US dollars on the listing date.

Bitcoin prices use a daily BTC/USD history (a CSV of date and close price, loaded at run time:
the shared CoinDesk history for 2010-2020 data, or any file given with --rates); fiat currencies
use the annual averages of data/rates.yaml, whose source the file states.
"""

from __future__ import annotations

import bisect
import csv
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from analogwatch.errors import InputError

_PRICE = re.compile(r"(?P<pre>[^\d\s.,-]{1,4})?\s*(?P<n>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<post>[A-Za-z$€£฿]{1,8})?")


@lru_cache(maxsize=1)
def _fiat() -> tuple[dict[str, dict[str, float]], dict[str, str], str]:
    path = resources.files("analogwatch.markets") / "data" / "rates.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    table = {cur: {str(k): float(v) for k, v in years.items()} for cur, years in data["usd_per_unit"].items()}
    aliases = {str(k).upper(): str(v) for k, v in data["aliases"].items()}
    return table, aliases, str(data["source"])


def currency_code(text: str | None) -> str | None:
    if not text:
        return None
    return _fiat()[1].get(text.strip().upper())


@dataclass
class RateTable:
    """BTC/USD by day plus the annual fiat table; ``usd`` converts an amount on a date."""

    btc_days: list[date] = field(default_factory=list)
    btc_usd: list[float] = field(default_factory=list)
    btc_source: str | None = None

    @classmethod
    def load(cls, btc_csv: Path | None) -> RateTable:
        table = cls()
        if btc_csv is not None:
            table.add_btc_history(btc_csv)
        return table

    def add_btc_history(self, path: Path) -> None:
        """Read a CSV whose first column is a date (YYYY-MM-DD...) and second a USD price."""
        rows: dict[date, float] = {}
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for i, row in enumerate(csv.reader(fh)):
                if len(row) < 2:
                    continue
                try:
                    day = date.fromisoformat(row[0].strip()[:10])
                    rows[day] = float(row[1])
                except ValueError:
                    if i == 0:
                        continue  # header
                    raise InputError(f"{path}:{i + 1}: not a date and a price: {row[:2]}") from None
        merged = dict(zip(self.btc_days, self.btc_usd, strict=True))
        merged.update(rows)
        self.btc_days = sorted(merged)
        self.btc_usd = [merged[d] for d in self.btc_days]
        self.btc_source = str(path)

    def btc_rate(self, on: date) -> float | None:
        """Close of the listing day, or of the last day before it; None outside the history."""
        if not self.btc_days or on < self.btc_days[0]:
            return None
        i = bisect.bisect_right(self.btc_days, on) - 1
        if (on - self.btc_days[i]).days > 7:
            return None
        return self.btc_usd[i]

    def usd(self, amount: float, currency: str, on: date | None) -> tuple[float | None, str | None]:
        """(USD amount, None) or (None, reason)."""
        code = currency_code(currency) or currency.upper()
        if code == "USD":
            return amount, None
        if on is None:
            return None, f"no listing date to convert {code}"
        if code == "BTC":
            rate = self.btc_rate(on)
            if rate is None:
                return None, f"no BTC/USD rate for {on.isoformat()} (give --rates)"
            return amount * rate, None
        table = _fiat()[0]
        if code not in table:
            return None, f"no rate for currency {code}"
        years = table[code]
        rate = years.get(str(on.year)) or years.get("default")
        if rate is None:
            return None, f"no {code} rate for {on.year}"
        return amount * rate, None


def parse_price(value: object, currency: str | None = None) -> tuple[float | None, str | None]:
    """A price field to (amount, currency code): 0.0534, "200.00000000 USD", "35 EUR", "฿0.0060"."""
    if value is None:
        return None, currency_code(currency)
    if isinstance(value, int | float):
        return float(value), currency_code(currency)
    s = str(value).strip()
    if not s or s.upper() in ("NA", "N/A", "NONE", "NULL"):
        return None, currency_code(currency)
    m = _PRICE.search(s)
    if not m:
        return None, currency_code(currency)
    try:
        amount = float(m.group("n").replace(",", ""))
    except ValueError:
        return None, currency_code(currency)
    cur = currency_code(currency) or currency_code(m.group("post")) or currency_code(m.group("pre"))
    return amount, cur
