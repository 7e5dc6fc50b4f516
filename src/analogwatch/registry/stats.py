"""Counts over the registry, for `registry stats` and docs/coverage.md."""

from __future__ import annotations

from datetime import date
from typing import Any

from analogwatch.registry.loader import Registry


def stats(reg: Registry, on: date | None = None) -> dict[str, Any]:
    on = on or date.today()
    per: dict[str, dict[str, Any]] = {}
    for lid, lst in reg.lists.items():
        per[lid] = {"list": lid, "jurisdiction": lst.jurisdiction, "title": lst.title, "entries": 0, "in_force": 0}
    n_listings = 0
    for s in reg.substances:
        for li in s.listings:
            n_listings += 1
            per[li.list_id]["entries"] += 1
            per[li.list_id]["in_force"] += int(li.in_force(on))
    return {
        "substances": len(reg.substances),
        "with_structure": sum(1 for s in reg.substances if s.smiles),
        "listings": n_listings,
        "per_list": list(per.values()),
    }
