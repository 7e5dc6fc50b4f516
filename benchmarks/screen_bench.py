"""Screening benchmark: analogwatch against a parse-only floor and a naive baseline, side by side.

    .venv/bin/python benchmarks/screen_bench.py --quick     # MOSES test set, 176,074 molecules
    .venv/bin/python benchmarks/screen_bench.py             # MOSES train set, 1,584,663 molecules

The MOSES library comes from the PyPI package molsets 0.3.1 (fetched with `pip download --no-deps`
into .bench/, never installed). A few hundred planted positives (registry substances, their salts,
stereoisomers and class members) are mixed into the input at fixed random positions. Every engine
runs over the same file in this one invocation; the script prints compounds/s and ratios, checks
that every planted positive is found and that all engines give identical output, and reports the
peak memory of the largest process of each run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench"
CLI = Path(sys.executable).parent / "analogwatch"
SEED = 20261130


def moses(split: str) -> Path:
    """Path of MOSES ``split`` (test or train) as .csv.gz, fetched once into .bench/."""
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"moses-{split}.csv.gz"
    if out.exists():
        return out
    wheels = list(CACHE.glob("molsets-0.3.1-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(CACHE), "molsets==0.3.1"],
            check=True,
        )
        wheels = list(CACHE.glob("molsets-0.3.1-*.whl"))
    with zipfile.ZipFile(wheels[0]) as z:
        out.write_bytes(z.read(f"moses/dataset/data/{split}.csv.gz"))
    return out


ACYLS = ["C", "CC", "CCC", "C(C)C", "C1CC1", "C1CCC1", "C1CCCC1", "COC", "C=C", "c1ccco1", "C1CCOC1", "c1cccs1",
         "CC(C)C", "CCCC", "OC", "OCC", "CF", "C(F)(F)F", "c1ccccc1", "CCOC"]
RINGS = ["c1ccccc1", "c1ccc(F)cc1", "c1ccc(Cl)cc1", "c1ccc(C)cc1", "c1ccc(OC)cc1", "c1cccc(F)c1", "c1ccccc1F",
         "c1ccncc1", "c1ccsc1"]
ALKOXY = ["OC", "OCC", "OCCC", "OC(C)C", "OCCCC", "OCC(C)C", "Cl", "F", "C"]
AMINES = ["N(CC)CC", "N9CCCC9", "N9CCCCC9", "N(C)C", "NCC", "N9CCOCC9"]


def planted_positives(limit: int) -> list[tuple[str, str]]:
    """(id, SMILES) pairs that analogwatch must report controlled somewhere."""
    from rdkit import Chem
    from rdkit.Chem.EnumerateStereoisomers import EnumerateStereoisomers

    from analogwatch.registry import default_registry

    rng = random.Random(SEED)
    reg = default_registry()
    subs = [s for s in reg.substances if s.smiles and any(li.kind == "controlled" for li in s.listings)]
    rng.shuffle(subs)
    out: list[tuple[str, str]] = []
    for s in subs[: limit // 3]:
        out.append((f"planted:listed:{s.id}", s.smiles))
    for s in subs[limit // 3: limit // 3 + limit // 6]:
        out.append((f"planted:salt:{s.id}", f"{s.smiles}.Cl"))
    n_stereo = 0
    for s in subs[limit // 2:]:
        if n_stereo >= limit // 6:
            break
        mol = Chem.MolFromSmiles(s.smiles)
        isomers = list(EnumerateStereoisomers(mol))
        if len(isomers) > 1:
            out.append((f"planted:stereo:{s.id}", Chem.MolToSmiles(isomers[-1])))
            n_stereo += 1
    # Class members: fentanyl acyl/anilide swaps (CN 2019 clauses 1-2, US (D)-(E)) and nitazenes
    # (CN 2025 clauses 3-4).
    members = [f"O=C({a})N({r})C1CCN(CCc2ccccc2)CC1" for a in ACYLS for r in RINGS]
    members += [f"CCN(CC)CCn1c(Cc2ccc({x})cc2)nc2cc([N+](=O)[O-])ccc21" for x in ALKOXY]
    members += [f"CCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CC{n})cc1" for n in AMINES]
    rng.shuffle(members)
    for i, smi in enumerate(members[: max(0, limit - len(out))]):
        out.append((f"planted:class:{i}", smi))
    return out


def build_input(split: str, n_planted: int, limit: int | None) -> tuple[Path, list[str], set[str]]:
    src = moses(split)
    with gzip.open(src, "rt") as fh:
        next(fh)
        smiles = [line.split(",", 1)[0].strip() for line in fh]
    if limit:
        smiles = smiles[:limit]
    planted = planted_positives(n_planted)
    rng = random.Random(SEED)
    positions = sorted(rng.sample(range(len(smiles) + len(planted)), len(planted)))
    rows: list[tuple[str, str]] = []
    it = iter(planted)
    pos = set(positions)
    k = 0
    for i in range(len(smiles) + len(planted)):
        if i in pos:
            rows.append(next(it))
        else:
            rows.append((f"moses:{k}", smiles[k]))
            k += 1
    path = CACHE / f"bench-{split}.smi"
    with open(path, "w", encoding="utf-8") as fh:
        for rid, smi in rows:
            fh.write(f"{smi} {rid}\n")
    return path, [smi for _, smi in rows], {rid for rid, _ in planted}


def floor(smiles: list[str]) -> float:
    from rdkit import Chem, rdBase

    with rdBase.BlockLogs():
        t = time.perf_counter()
        for s in smiles:
            Chem.MolFromSmiles(s)
        return time.perf_counter() - t


def naive(smiles: list[str]) -> float:
    """Per molecule: standardise, InChIKey lookup, every class rule by plain substructure matching,
    and BulkTanimotoSimilarity against the whole registry."""
    from rdkit import Chem, DataStructs, rdBase
    from rdkit.Chem import rdFingerprintGenerator
    from rdkit.Chem.MolStandardize import rdMolStandardize

    from analogwatch.registry import default_registry
    from analogwatch.rules.evaluator import default_definitions

    reg = default_registry()
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    reg_fps = [gen.GetFingerprint(Chem.MolFromSmiles(s.smiles)) for s in reg.substances if s.smiles]
    keys = set(reg.by_connectivity)
    cores = [Chem.MolFromSmarts(sc.spec.core) for d in default_definitions() for sc in d.scaffolds]
    with rdBase.BlockLogs():
        t = time.perf_counter()
        for s in smiles:
            m = Chem.MolFromSmiles(s)
            if m is None:
                continue
            m = rdMolStandardize.ChargeParent(m)
            _ = Chem.MolToInchiKey(m)[:14] in keys
            _ = [m.HasSubstructMatch(c) for c in cores]
            DataStructs.BulkTanimotoSimilarity(gen.GetFingerprint(m), reg_fps)
        return time.perf_counter() - t


def run_cli(args: list[str]) -> tuple[float, int]:
    """Run the CLI; return wall seconds and the peak RSS (kB) of the largest process it started."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter(); p = subprocess.run(sys.argv[1:]); dt = time.perf_counter() - t\n"
        "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, str(CLI), *args], capture_output=True, text=True)
    last = out.stdout.strip().splitlines()[-1].split()
    if last[2] != "0":
        raise SystemExit(f"analogwatch failed: {out.stderr[-2000:]}")
    return float(last[0]), int(last[1])


def kernel_speed() -> tuple[float, float]:
    """Tanimoto comparisons per second: analogwatch's packed kernel vs RDKit's BulkTanimotoSimilarity,
    each timed on ready fingerprints (query fingerprinting excluded from both)."""
    from rdkit import Chem, DataStructs

    from analogwatch.chem.similarity import FingerprintIndex
    from analogwatch.registry import default_registry

    reg = default_registry()
    items = [(s.name, s.smiles) for s in reg.substances if s.smiles]
    # Grow the target set to a size where per-call overhead no longer dominates.
    items = (items * (200_000 // len(items) + 1))[:200_000]
    index = FingerprintIndex(items)
    queries = [Chem.MolFromSmiles(s) for _, s in items[:50]]
    vectors = [index.query_vector(q) for q in queries]
    t = time.perf_counter()
    for v in vectors:
        index.kernel(v)
    ours = len(vectors) * len(index) / (time.perf_counter() - t)
    fps = [index._gen.GetFingerprint(Chem.MolFromSmiles(s)) for _, s in items[:20_000]]
    qfps = [index._gen.GetFingerprint(q) for q in queries[:20]]
    t = time.perf_counter()
    for qf in qfps:
        DataStructs.BulkTanimotoSimilarity(qf, fps)
    theirs = len(qfps) * len(fps) / (time.perf_counter() - t)
    return ours, theirs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="MOSES test set (176,074) instead of train (1,584,663)")
    ap.add_argument("--planted", type=int, default=300)
    ap.add_argument("--naive-sample", type=int, default=20_000, help="molecules timed for the naive baseline")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N MOSES molecules (a smoke run)")
    args = ap.parse_args()
    split = "test" if args.quick else "train"
    print(f"preparing MOSES {split} with {args.planted} planted positives ...", flush=True)
    path, smiles, planted = build_input(split, args.planted, args.limit)
    n = len(smiles)
    cpus = os.cpu_count() or 1
    print(f"{n:,} molecules; {cpus} cores; RDKit parse-only floor ...", flush=True)
    t_floor = floor(smiles)
    r_floor = n / t_floor
    print(f"naive baseline on {args.naive_sample:,} molecules ...", flush=True)
    sample = smiles[:: max(1, n // args.naive_sample)][: args.naive_sample]
    r_naive = len(sample) / naive(sample)
    runs: dict[str, tuple[float, int]] = {}
    outs: dict[str, Path] = {}
    variants = [("analogwatch 1 core", ["--jobs", "1"]), (f"analogwatch {cpus} cores", ["--jobs", str(cpus)])]
    lean = ("analogwatch 1 core --no-inchikey", ["--jobs", "1", "--no-inchikey"])
    if not args.no_dask:
        variants.append(("analogwatch dask 2 workers", ["--engine", "dask", "--jobs", "2"]))
    for label, extra in variants:
        out = CACHE / f"out-{split}-{len(runs)}.parquet"
        print(f"{label} ...", flush=True)
        runs[label] = run_cli(["screen", str(path), "-o", str(out), "--as-of", "2026-01-01", *extra])
        outs[label] = out
    print(f"{lean[0]} ...", flush=True)
    lean_out = CACHE / f"out-{split}-lean.parquet"
    lean_run = run_cli(["screen", str(path), "-o", str(lean_out), "--as-of", "2026-01-01", *lean[1]])
    import pyarrow.parquet as pq

    tables = {k: pq.read_table(v) for k, v in outs.items()}
    # The lean run differs from the others only in the InChIKeys of rows that match nothing.
    lean_t = pq.read_table(lean_out)
    lean_agree = lean_t.drop_columns(["inchikey"]).equals(next(iter(tables.values())).drop_columns(["inchikey"]))
    first = next(iter(tables.values()))
    agree = all(t.equals(first) for t in tables.values())
    ids = first.column("id").to_pylist()
    controlled = [
        any(c == "true" for c in row)
        for row in zip(*(first.column(f"{j}_controlled").to_pylist() for j in ("US", "CN", "UN")), strict=True)
    ]
    found = {i for i, c in zip(ids, controlled, strict=True) if c}
    missed = sorted(planted - found)
    rows = []
    rows.append(("RDKit parse only (floor)", r_floor, 1.0, None))
    rows.append(("naive baseline (1 core)", r_naive, r_naive / r_floor, None))
    for label, (secs, rss) in [*runs.items(), (lean[0], lean_run)]:
        rows.append((label, n / secs, (n / secs) / r_floor, rss))
    print()
    print(f"{'engine':32} {'compounds/s':>12} {'x floor':>8} {'x naive':>8} {'peak RSS':>10}")
    for label, rate, ratio, rss in rows:
        mem = f"{rss / 1024:,.0f} MB" if rss else ""
        print(f"{label:32} {rate:12,.0f} {ratio:8.2f} {rate / r_naive:8.1f} {mem:>10}")
    one = n / runs["analogwatch 1 core"][0]
    many = n / runs[f"analogwatch {cpus} cores"][0]
    print(f"\n{cpus} cores / 1 core: {many / one:.2f}x")
    if not args.no_dask:
        d = n / runs["analogwatch dask 2 workers"][0]
        print(f"dask / local {cpus} cores: {d / many:.2f}")
    ours, theirs = kernel_speed()
    print(f"similarity kernel: {ours / 1e6:.1f} M Tanimoto/s (RDKit BulkTanimotoSimilarity: {theirs / 1e6:.1f} M/s)")
    print(f"engines agree row for row: {agree}; --no-inchikey agrees apart from InChIKeys: {lean_agree}")
    print(f"planted positives found: {len(planted) - len(missed)}/{len(planted)}")
    if missed:
        print("missed:", ", ".join(missed[:20]))
    print(f"main-process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    summary = {"n": n, "floor": r_floor, "naive": r_naive, "runs": {k: [n / v[0], v[1]] for k, v in runs.items()},
               "lean": [n / lean_run[0], lean_run[1]],
               "kernel": [ours, theirs], "agree": agree, "planted": len(planted), "missed": missed}
    (CACHE / f"summary-{split}.json").write_text(json.dumps(summary, indent=1))
    if missed or not agree or not lean_agree:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
