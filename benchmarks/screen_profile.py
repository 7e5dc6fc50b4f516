"""Per-step cost of the screening path on 5,000 MOSES molecules (process time, best of 3).

    .venv/bin/python benchmarks/screen_profile.py

Every step is timed on the same molecules, in the same process as the parse-only floor, so that
the shares can be compared on any machine. The MOSES test set is fetched as screen_bench.py does.
"""

from __future__ import annotations

import gzip
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from rdkit import Chem
from rdkit.Chem.rdMolDescriptors import CalcMolFormula

from analogwatch.checker import Checker, nearest_index
from analogwatch.chem.parse import mol_from_smiles
from analogwatch.chem.standardize import standardize
from analogwatch.screen.chunks import Chunk, process_chunk

sys.path.insert(0, str(Path(__file__).parent))
from screen_bench import moses  # noqa: E402

N = 5000
WHEN = date(2026, 1, 1)


def timed(label: str, step: Callable[[], Any]) -> float:
    """Microseconds per molecule of ``step`` (best of three), printed."""
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        step()
        best = min(best, time.process_time() - t)
    us = best / N * 1e6
    print(f"{label:42} {us:8.1f} µs")
    return us


def main() -> None:
    with gzip.open(moses("test"), "rt") as fh:
        smiles = [line.split(",")[0] for line in fh.read().splitlines()[1:N + 1]]
    checker = Checker(use_opsin=False)
    lean = Checker(checker.registry, use_opsin=False, inchikeys=False)
    floor = timed("RDKit MolFromSmiles (the floor)", lambda: [Chem.MolFromSmiles(s) for s in smiles])
    mols = [mol_from_smiles(s) for s in smiles]
    timed("parse (mol_from_smiles)", lambda: [mol_from_smiles(s) for s in smiles])
    standardised = timed("standardise", lambda: [standardize(m) for m in mols])
    stds = [standardize(m) for m in mols]
    index, _ = nearest_index(checker.registry)
    fingerprints = timed("Morgan fingerprints, packed", lambda: index.query_vectors(mols))
    vectors = index.query_vectors(mols)
    nearest = timed("3 nearest (bit-plane kernel, selection)", lambda: index.top_k_many_pairs(vectors, 3))
    formula = timed("molecular formula (registry pre-check)", lambda: [CalcMolFormula(s.mol) for s in stds])
    evaluator = checker.class_evaluators[0]
    cores = timed("class cores (one FilterCatalog call)", lambda: [evaluator.core_search(s.mol) for s in stds])  # type: ignore[attr-defined]
    timed("class definitions, cores and readings", lambda: [evaluator.evaluate(s, WHEN) for s in stds])
    canonical = timed("canonical SMILES", lambda: [Chem.MolToSmiles(s.mol) for s in stds])
    inchikey = timed("InChIKey", lambda: [Chem.MolToInchiKey(s.mol) for s in stds])
    chunk = Chunk(0, [f"m{i}" for i in range(N)], smiles, [None] * N)
    full = timed("whole chunk to Parquet", lambda: process_chunk(checker, chunk, "parquet", WHEN, {}))
    bare = timed("whole chunk to Parquet, --no-inchikey", lambda: process_chunk(lean, chunk, "parquet", WHEN, {}))
    print(f"\nshare of the floor: {floor / full:.2f} (default), {floor / bare:.2f} (--no-inchikey)")
    # What every row needs, whatever else a run saves: a parsed molecule (no faster than the floor),
    # the standardisation check, the registry formula pre-check, the class-core search, the
    # fingerprint and its nearest registry substances, and the canonical SMILES the output contract
    # gives every row; by default also the InChIKey. With RDKit's own implementations of these
    # steps, no run can reach a larger share of the floor than this.
    needed = floor + standardised + formula + cores + fingerprints + nearest + canonical
    print(f"best share any run could reach: {floor / (needed + inchikey):.2f} (default), "
          f"{floor / needed:.2f} (--no-inchikey)")


if __name__ == "__main__":
    main()
