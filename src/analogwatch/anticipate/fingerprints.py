"""Exact Tanimoto between many analogs and a reference set, one fingerprint per structure.

Uses the fingerprints of :mod:`analogwatch.chem.similarity` (Morgan radius 2, 2048 bits, packed
into uint64 words), so scores equal the FingerprintIndex's and RDKit's own. Each analog's
fingerprint is computed once and compared with every reference in one vectorised pass per chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rdkit import Chem, rdBase

from analogwatch.chem.similarity import DEFAULT_BITS, DEFAULT_RADIUS, morgan_generator, pack

#: queries per vectorised block: 256 x 600 references x 32 words is a few tens of MB at most
CHUNK = 256


def fingerprint_matrix(mols: Sequence[Chem.Mol], radius: int = DEFAULT_RADIUS, bits: int = DEFAULT_BITS) -> np.ndarray:
    """Packed fingerprints, one row per molecule."""
    gen = morgan_generator(radius, bits)
    if not mols:
        return np.zeros((0, bits // 64), dtype=np.uint64)
    return np.vstack([pack(gen.GetFingerprint(m), bits) for m in mols])


@dataclass(frozen=True)
class ReferenceSet:
    """Named reference structures with their packed fingerprints."""

    names: tuple[str, ...]
    smiles: tuple[str, ...]
    fps: np.ndarray
    counts: np.ndarray

    @classmethod
    def from_pairs(cls, items: Iterable[tuple[str, str]]) -> ReferenceSet:
        """Build from (name, SMILES) pairs; structures that do not parse are left out."""
        names: list[str] = []
        smiles: list[str] = []
        mols: list[Chem.Mol] = []
        with rdBase.BlockLogs():
            for name, smi in items:
                m = Chem.MolFromSmiles(smi) if smi else None
                if m is None:
                    continue
                names.append(name)
                smiles.append(smi)
                mols.append(m)
        fps = fingerprint_matrix(mols)
        return cls(tuple(names), tuple(smiles), fps, np.bitwise_count(fps).sum(axis=1).astype(np.int64))

    def __len__(self) -> int:
        return len(self.names)

    def nearest(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each query row: the index of the most similar reference and that similarity.

        Ties go to the lower index. With no references every index is -1 and every score 0."""
        n = queries.shape[0]
        best_idx = np.full(n, -1, dtype=np.int64)
        best_sim = np.zeros(n, dtype=np.float64)
        if n == 0 or len(self) == 0:
            return best_idx, best_sim
        qcounts = np.bitwise_count(queries).sum(axis=1).astype(np.int64)
        for lo in range(0, n, CHUNK):
            q = queries[lo:lo + CHUNK]
            common = np.bitwise_count(q[:, None, :] & self.fps[None, :, :]).sum(axis=2).astype(np.int64)
            union = qcounts[lo:lo + CHUNK, None] + self.counts[None, :] - common
            sims = np.where(union > 0, common / np.maximum(union, 1), 0.0)
            idx = np.argmax(sims, axis=1)
            best_idx[lo:lo + CHUNK] = idx
            best_sim[lo:lo + CHUNK] = sims[np.arange(len(idx)), idx]
        return best_idx, best_sim
