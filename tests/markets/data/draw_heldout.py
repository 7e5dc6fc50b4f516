"""Draw a held-out evaluation sample from the shared darknet dumps.

    .venv/bin/python tests/markets/data/draw_heldout.py ../shared/data/darknet > draft.jsonl
    .venv/bin/python tests/markets/data/draw_heldout.py ../shared/data/darknet --seed 20250601 \
        --exclude labels.jsonl labels-heldout.jsonl --drugs 100 --other 15 --agartha 35 > draft.jsonl

The defaults draw labels-heldout.jsonl: seed 20200331 (the development sample used 20140301),
excluding labels.jsonl; the second command draws labels-blind.jsonl. Listings of the excluded
files are left out by listing id and by (vendor, title), so that no listing is scored again
under another crawl date. Agora: one row per distinct (vendor, title); drug listings drawn per
category (cat/subcat) in proportion to its size with at least four each; non-drug listings;
Agartha listings. The draft carries ids and titles; the labels (substances, total mass, unit
count, unit dose) are written by hand.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

from analogwatch.markets.ingest import plan, read_all

SEED = 20200331
AGORA_DRUGS, AGORA_OTHER, AGARTHA = 170, 30, 60
MIN_PER_CATEGORY = 4
HERE = Path(__file__).parent


def _norm(title: str) -> str:
    return " ".join(title.split()).casefold()


def main(data_dir: Path, *, seed: int = SEED, exclude: tuple[str, ...] = ("labels.jsonl",), drugs: int = AGORA_DRUGS,
         other: int = AGORA_OTHER, agartha: int = AGARTHA) -> None:
    dev = [json.loads(line) for name in exclude
           for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line]
    dev_ids = {(d["source_file"], d["listing_id"]) for d in dev}
    dev_titles = {_norm(d["title"]) for d in dev}
    raws = read_all(plan([data_dir / "agora-2014", data_dir / "anita-2020" / "agartha_products_2020-03-31.json"]))
    pools: dict[str, list] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    excluded_pairs = set()
    for r in raws:
        if (Path(r.source).name, r.text("listing_id")) in dev_ids:
            excluded_pairs.add((r.market, r.text("vendor").strip(), _norm(r.text("title"))))
    for r in raws:
        key = (r.market, r.text("vendor").strip(), _norm(r.text("title")))
        if key in seen or key in excluded_pairs or key[2] in dev_titles or not key[2]:
            continue
        seen.add(key)
        if r.market == "agartha":
            pools["agartha"].append(r)
        elif r.text("category").split("/")[0] == "Drugs":
            pools["drug:" + "/".join(r.text("category").split("/")[:2])].append(r)
        else:
            pools["other"].append(r)
    rng = random.Random(seed)
    drug_cats = sorted(k for k in pools if k.startswith("drug:"))
    total = sum(len(pools[k]) for k in drug_cats)
    quota = {k: min(len(pools[k]), max(MIN_PER_CATEGORY, round(drugs * len(pools[k]) / total)))
             for k in drug_cats}
    # trim or pad the largest categories so that the quotas add up to AGORA_DRUGS
    by_size = sorted(drug_cats, key=lambda k: -len(pools[k]))
    i = 0
    while sum(quota.values()) != drugs:
        k = by_size[i % 3]
        quota[k] += 1 if sum(quota.values()) < drugs else -1
        i += 1
    picked = []
    for k in drug_cats:
        picked += rng.sample(pools[k], quota[k])
    picked += rng.sample(pools["other"], other)
    picked += rng.sample(pools["agartha"], agartha)
    for r in picked:
        print(json.dumps({
            "market": r.market, "source_file": Path(r.source).name, "listing_id": r.text("listing_id"),
            "title": " ".join(r.text("title").split()), "substances": [], "total_mass_mg": None,
            "unit_count": None, "unit_dose_mg": None,
        }, ensure_ascii=False))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", default="../shared/data/darknet")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--exclude", nargs="+", default=["labels.jsonl"])
    ap.add_argument("--drugs", type=int, default=AGORA_DRUGS)
    ap.add_argument("--other", type=int, default=AGORA_OTHER)
    ap.add_argument("--agartha", type=int, default=AGARTHA)
    a = ap.parse_args()
    main(Path(a.data), seed=a.seed, exclude=tuple(a.exclude), drugs=a.drugs, other=a.other, agartha=a.agartha)
