"""Exact Tanimoto search on packed bit fingerprints, vectorised with numpy.

Fingerprints are Morgan bit vectors packed into uint64 words, and the index keeps them twice:
row by row (one fingerprint per row of words) and as *bit planes* (plane ``b`` packs bit ``b`` of
64 consecutive fingerprints into each word). ``|a & q|`` for many rows ``a`` is then either the
popcount of ``a & q`` row by row, or, over the planes, the sum of the planes of the query's bits
(about 45 of 2048 for a drug-like molecule), added with bit-sliced carry-save adders so that one
word operation adds 64 rows at once; the counts are read back exactly from the sum's bit planes.
The planes win on large indexes and on batches of queries, the rows on a single query against a
few thousand structures. Candidates whose bit counts make a threshold unreachable are pruned
first with the popcount bound ``t * |a| <= |b| <= |a| / t`` (Swamidass and Baldi, J. Chem. Inf.
Model. 2007), which holds because ``|a & b| <= min(|a|, |b|)``. Scores are exact, equal to
RDKit's TanimotoSimilarity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rdkit import Chem, DataStructs, rdBase
from rdkit.Chem import rdFingerprintGenerator

#: rows per block of the Tanimoto kernel (fits the working set in L2 cache)
_BLOCK = 8192

#: the fingerprint every index uses unless told otherwise
DEFAULT_RADIUS = 2
DEFAULT_BITS = 2048


@dataclass(frozen=True)
class Hit:
    index: int
    name: str
    similarity: float


def morgan_generator(radius: int = DEFAULT_RADIUS, bits: int = DEFAULT_BITS):  # type: ignore[no-untyped-def]
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=bits)


def pack(fp: DataStructs.ExplicitBitVect, bits: int) -> np.ndarray:
    """One fingerprint as ``bits // 64`` little-endian uint64 words."""
    arr = np.zeros((bits,), dtype=np.uint8)
    DataStructs.ConvertToNumpyArray(fp, arr)
    return np.packbits(arr, bitorder="little").view(np.uint64)


class FingerprintIndex:
    """An in-memory index of named structures for exact Tanimoto search.

    Build it once from ``(name, smiles)`` pairs (unparsable SMILES are skipped and listed in
    ``skipped``); then ``top_k`` and ``above`` answer queries with a single vectorised pass.
    """

    def __init__(
        self,
        items: Iterable[tuple[str, str]],
        *,
        radius: int = DEFAULT_RADIUS,
        bits: int = DEFAULT_BITS,
    ):
        if bits % 64:
            raise ValueError("bits must be a multiple of 64")
        self.radius = radius
        self.bits = bits
        self._gen = morgan_generator(radius, bits)
        names: list[str] = []
        blocks: list[np.ndarray] = []
        mols: list[Chem.Mol] = []
        self.skipped: list[str] = []
        with rdBase.BlockLogs():
            for name, smiles in items:
                mol = Chem.MolFromSmiles(smiles) if smiles else None
                if mol is None:
                    self.skipped.append(name)
                    continue
                names.append(name)
                mols.append(mol)
                if len(mols) == 4096:  # fingerprinted in blocks: few molecules held at once
                    blocks.append(self.query_vectors(mols))
                    mols = []
        blocks.append(self.query_vectors(mols))
        fps = np.vstack(blocks)
        counts = np.bitwise_count(fps).sum(axis=1).astype(np.int64)
        # Sorted by bit count so that the popcount bound selects one contiguous slice.
        order = np.argsort(counts, kind="stable")
        self._order = order
        self._fps = np.ascontiguousarray(fps[order])
        self._counts = counts[order]
        self._planes = bit_planes(self._fps)
        rank = np.empty(len(names), dtype=np.float64)
        rank[np.argsort(np.array([names[i] for i in order], dtype=object), kind="stable")] = np.arange(len(names))
        self._name_tiebreak = rank * (1.0 / (2 * bits) ** 2 / (2 * (len(names) + 1)))
        self.names: list[str] = names

    @property
    def measure(self) -> str:
        return f"Morgan radius {self.radius}, {self.bits} bits, Tanimoto"

    def __len__(self) -> int:
        return len(self.names)

    def query_vector(self, mol: Chem.Mol) -> np.ndarray:
        # The generator's numpy output packs in one step (no intermediate bit-vector object).
        return np.packbits(self._gen.GetFingerprintAsNumPy(mol), bitorder="little").view(np.uint64)

    def query_vectors(self, mols: Sequence[Chem.Mol]) -> np.ndarray:
        """Packed query vectors of many molecules at once (one row each): the fingerprints are
        generated in one call and packed in one numpy pass."""
        words = self.bits // 64
        if not mols:
            return np.zeros((0, words), dtype=np.uint64)
        fps = self._gen.GetFingerprints(list(mols), numThreads=1)
        text = "".join(fp.ToBitString() for fp in fps).encode("ascii")
        bits = np.frombuffer(text, dtype=np.uint8).reshape(len(fps), self.bits) - ord("0")
        return np.packbits(bits, axis=1, bitorder="little").view(np.uint64).reshape(len(fps), words)

    def vector_for(self, holder: Any) -> np.ndarray:
        """The query vector of ``holder.mol``, computed once per holder (e.g. a StandardizedMol shared
        by the nearest-neighbour search and the analogue flag)."""
        cache = holder.__dict__
        key = ("_fp", self.radius, self.bits)
        if key not in cache:
            cache[key] = self.query_vector(holder.mol)
        return cache[key]  # type: ignore[no-any-return]

    def _common(self, q: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """popcount(a & q) for rows lo..hi: over the bit planes for a long range, else row by row
        in cache-sized blocks, the per-word counts summed by a matrix-vector product (BLAS,
        several times faster than numpy's small-axis sum; float32 sums of at most ``bits`` per row
        are exact)."""
        n = hi - lo
        if n > _ROWS_FOR_PLANES:
            return self._common_planes(q, lo, hi)
        out = np.empty(n, dtype=np.float32)
        block = min(n, _BLOCK)
        words = self._fps.shape[1]
        tmp = np.empty((block, words), dtype=np.uint64)
        cnt = np.empty((block, words), dtype=np.uint8)
        cntf = np.empty((block, words), dtype=np.float32)
        ones = np.ones(words, dtype=np.float32)
        for i in range(lo, hi, _BLOCK):
            j = min(hi, i + _BLOCK)
            b = j - i
            np.bitwise_and(self._fps[i:j], q, out=tmp[:b])
            np.bitwise_count(tmp[:b], out=cnt[:b])
            np.copyto(cntf[:b], cnt[:b], casting="unsafe")  # into a reused buffer: no allocation per block
            np.matmul(cntf[:b], ones, out=out[i - lo:j - lo])
        return out

    def _common_planes(self, q: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """popcount(a & q) for rows lo..hi from the bit planes of the query's bits."""
        bits = np.flatnonzero(np.unpackbits(q.view(np.uint8), bitorder="little"))
        if not len(bits):
            return np.zeros(hi - lo, dtype=np.float32)
        wlo, whi = lo // 64, (hi + 63) // 64
        counts = read_count(sliced_sum([self._planes[b, wlo:whi] for b in bits]))
        off = lo - wlo * 64
        return counts[off:off + hi - lo].astype(np.float32)

    def _scores(self, q: np.ndarray, lo: int, hi: int) -> np.ndarray:
        qc = int(np.bitwise_count(q).sum())
        common = self._common(q, lo, hi)
        # union = |a| + |b| - |a & b|; it is 0 only when both are empty, and then common is 0 too,
        # so dividing by max(union, 1) gives the similarity 0 that RDKit reports.
        sims = (self._counts[lo:hi] + qc).astype(np.float64)
        sims -= common
        np.maximum(sims, 1.0, out=sims)
        np.divide(common, sims, out=sims)
        return sims

    def kernel(self, vector: np.ndarray) -> np.ndarray:
        """The bare kernel: exact Tanimoto of a packed query vector to every indexed structure, in
        the index's internal order (by bit count). Used by the benchmark to time the kernel alone."""
        return self._scores(vector, 0, len(self.names))

    def similarities(self, mol: Chem.Mol) -> np.ndarray:
        """Tanimoto to every indexed structure, in the order the items were given."""
        sims = self._scores(self.query_vector(mol), 0, len(self.names))
        out = np.empty_like(sims)
        out[self._order] = sims
        return out

    def above(self, mol: Chem.Mol, threshold: float, *, vector: np.ndarray | None = None) -> list[Hit]:
        """Every structure with Tanimoto >= ``threshold``, best first (ties by name)."""
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        q = self.query_vector(mol) if vector is None else vector
        qc = int(np.bitwise_count(q).sum())
        lo = int(np.searchsorted(self._counts, np.ceil(threshold * qc - 1e-9), side="left"))
        hi = int(np.searchsorted(self._counts, np.floor(qc / threshold + 1e-9), side="right"))
        if hi <= lo:
            return []
        sims = self._scores(q, lo, hi)
        keep = np.nonzero(sims >= threshold - 1e-12)[0]
        hits = [Hit(int(self._order[lo + i]), self.names[self._order[lo + i]], float(sims[i])) for i in keep]
        return sorted(hits, key=lambda h: (-h.similarity, h.name))

    def top_k(self, mol: Chem.Mol, k: int, *, vector: np.ndarray | None = None) -> list[Hit]:
        """The ``k`` most similar structures, best first (ties by name)."""
        if k <= 0 or not self.names:
            return []
        sims = self._scores(self.query_vector(mol) if vector is None else vector, 0, len(self.names))
        return [Hit(i, self.names[i], s) for i, s in self._best_pairs(sims[None, :], k)[0]]

    def _best_pairs(self, sims: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """(item index, similarity) of the ``k`` best of each row of scores (internal order), best
        first, ties by name. The scores are ranked after lowering each by a name-rank tiebreak
        smaller than any gap between two distinct Tanimoto values (a/b - c/d >= 1/(b*d), with
        b, d <= 2 * bits): equal scores come out in name order, unequal ones keep their order, and
        the choice never depends on the order numpy happens to leave equal scores in."""
        k = min(k, sims.shape[1])
        ranked = sims - self._name_tiebreak
        if k <= _ARGMAX_K:
            # k argmax passes: several times faster than a partition for the few neighbours reported
            rows_all = np.arange(len(sims))
            picks = np.empty((len(sims), k), dtype=np.intp)
            for j in range(k):
                picks[:, j] = ranked.argmax(axis=1)
                ranked[rows_all, picks[:, j]] = -2.0
        else:
            picks = np.argpartition(-ranked, k - 1, axis=1)[:, :k]
            best_first = np.argsort(-np.take_along_axis(ranked, picks, axis=1), axis=1, kind="stable")
            picks = np.take_along_axis(picks, best_first, axis=1)
        values = np.take_along_axis(sims, picks, axis=1)
        order = self._order
        return [[(int(order[c]), float(v)) for c, v in zip(p, vals, strict=True)]
                for p, vals in zip(picks, values, strict=True)]

    def top_k_many_pairs(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """``top_k_many`` as (item index, similarity) pairs, without building Hit objects."""
        n = len(vectors)
        if k <= 0 or not self.names or n == 0:
            return [[] for _ in range(n)]
        if n > _QUERIES_PER_CALL:  # bounded memory: the score matrix is n x len(index)
            return [pairs for i in range(0, n, _QUERIES_PER_CALL)
                    for pairs in self.top_k_many_pairs(vectors[i:i + _QUERIES_PER_CALL], k)]
        qc = np.bitwise_count(vectors).sum(axis=1).astype(np.int64)
        common = np.empty((n, len(self.names)), dtype=np.float32)
        # Queries with similar bit counts go together, so that padding their bit lists to the
        # same length wastes little.
        by_count = np.argsort(qc, kind="stable")
        for i in range(0, n, _QUERIES_PER_PASS):
            rows = by_count[i:i + _QUERIES_PER_PASS]
            common[rows] = self._common_many(vectors[rows])
        union = (qc[:, None] + self._counts[None, :]).astype(np.float64)
        union -= common
        np.maximum(union, 1.0, out=union)
        return self._best_pairs(common / union, k)

    def top_k_many(self, vectors: np.ndarray, k: int) -> list[list[Hit]]:
        """``top_k`` for many packed query vectors (rows of ``vectors``) in a few numpy passes: the
        same exact scores and order as one ``top_k`` call per row."""
        return [[Hit(i, self.names[i], s) for i, s in row] for row in self.top_k_many_pairs(vectors, k)]

    def _common_many(self, vectors: np.ndarray) -> np.ndarray:
        """popcount(a & q) of every indexed row a for each query q (rows of ``vectors``): the
        planes of each query's bits, padded with the empty plane to the longest bit list, are
        summed for all queries at once."""
        onbits = np.unpackbits(vectors.view(np.uint8), axis=1, bitorder="little")
        rows, cols = np.nonzero(onbits)
        per_row = np.bincount(rows, minlength=len(vectors))
        width = int(per_row.max()) if len(rows) else 0
        if width == 0:
            return np.zeros((len(vectors), len(self.names)), dtype=np.float32)
        starts = np.concatenate(([0], np.cumsum(per_row)[:-1]))
        chosen = np.full((width, len(vectors)), self.bits, dtype=np.intp)  # self.bits: the empty plane
        chosen[np.arange(len(rows)) - starts[rows], rows] = cols
        gathered = self._planes[chosen]  # (width, queries, words of planes)
        counts = read_count(sliced_sum(list(gathered)))
        return counts[:, :len(self.names)].astype(np.float32)


def bit_planes(fps: np.ndarray) -> np.ndarray:
    """Packed fingerprints (rows x words) as bit planes: ``planes[b, j]`` holds bit ``b`` of rows
    64j..64j+63 (row 64j + i in bit i). One extra plane, all zero, pads bit lists."""
    n, words = fps.shape
    bits = words * 64
    planes = np.zeros((bits + 1, ((n + 63) // 64) * 8), dtype=np.uint8)
    step = 64 * 256  # rows unpacked at a time (a few MB)
    for lo in range(0, n, step):
        block = np.unpackbits(fps[lo:lo + step].view(np.uint8), axis=1, bitorder="little")
        if len(block) % 64:
            block = np.vstack([block, np.zeros((64 - len(block) % 64, bits), dtype=np.uint8)])
        planes[:bits, lo // 8:lo // 8 + len(block) // 8] = np.packbits(block.T, axis=1, bitorder="little")
    return planes.view(np.uint64)


def sliced_sum(vectors: list[np.ndarray]) -> list[np.ndarray]:
    """The bitwise sum of equally shaped uint64 arrays, as bit planes of the count, least
    significant first: carry-save adders (three inputs of one weight give their sum at that
    weight and their carry at the next), about five word operations per input array."""
    out: list[np.ndarray] = []
    level = list(vectors)
    while level:
        carries: list[np.ndarray] = []
        while len(level) >= 3:
            a, b, c = level.pop(), level.pop(), level.pop()
            t = a ^ b
            level.append(t ^ c)
            carries.append((a & b) | (t & c))
        if len(level) == 2:
            a, b = level
            level = [a ^ b]
            carries.append(a & b)
        out.append(level[0])
        level = carries
    return out


def read_count(planes: list[np.ndarray]) -> np.ndarray:
    """The counts held in bit planes (as from ``sliced_sum``): one uint16 per bit position."""
    total: np.ndarray | None = None
    for k, plane in enumerate(planes):
        digits = np.unpackbits(np.ascontiguousarray(plane).view(np.uint8), axis=-1, bitorder="little")
        weighted = digits.astype(np.uint16) << k
        total = weighted if total is None else total + weighted
    assert total is not None
    return total


#: up to this many neighbours, ``_best_pairs`` selects them by repeated argmax
_ARGMAX_K = 8

#: queries scored together by one ``top_k_many`` call
_QUERIES_PER_CALL = 2048

#: queries summed together over the bit planes by ``top_k_many``
_QUERIES_PER_PASS = 256

#: above this many rows, one query is counted over the bit planes rather than row by row
_ROWS_FOR_PLANES = 8192


def rdkit_similarities(mol: Chem.Mol, smiles: Sequence[str], radius: int = DEFAULT_RADIUS,
                       bits: int = DEFAULT_BITS) -> list[float]:
    """RDKit's own BulkTanimotoSimilarity over the same fingerprints (the reference for tests)."""
    gen = morgan_generator(radius, bits)
    fps = [gen.GetFingerprint(Chem.MolFromSmiles(s)) for s in smiles]
    return list(DataStructs.BulkTanimotoSimilarity(gen.GetFingerprint(mol), fps))
