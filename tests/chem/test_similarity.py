"""The packed-fingerprint Tanimoto kernel agrees exactly with RDKit's BulkTanimotoSimilarity."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem

from analogwatch.chem.similarity import FingerprintIndex, rdkit_similarities

SMILES = [
    "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",
    "O=C(N(c1ccccc1)C1CCN(CCc2ccccc2)CC1)c1ccco1", "CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1",
    "CCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCN(CC)CC)cc1", "CCCCCn1cc(C(=O)c2cccc3ccccc23)c2ccccc21",
    "CC(=O)Oc1ccccc1C(=O)O", "CN1CCC[C@H]1c1cccnc1", "CC(N)Cc1ccccc1", "CNC(C)Cc1ccc2c(c1)OCO2",
    "C", "CCO", "c1ccccc1",
]
QUERIES = ["CCC(=O)N(c1ccccc1)C1CCN(CCc2cccs2)CC1", "CC(C)Oc1ccc(Cc2nc3ccccc3n2CCN(CC)CC)cc1", "CCN", "O"]


@pytest.fixture(scope="module")
def index() -> FingerprintIndex:
    return FingerprintIndex([(f"s{i}", s) for i, s in enumerate(SMILES)])


@pytest.mark.parametrize("query", QUERIES)
def test_exact_against_rdkit(index: FingerprintIndex, query: str) -> None:
    mol = Chem.MolFromSmiles(query)
    ours = index.similarities(mol)
    ref = np.array(rdkit_similarities(mol, SMILES))
    assert np.array_equal(ours, ref)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.55, 0.8, 1.0])
def test_above_equals_brute_force(index: FingerprintIndex, query: str, threshold: float) -> None:
    mol = Chem.MolFromSmiles(query)
    ref = rdkit_similarities(mol, SMILES)
    want = sorted(((f"s{i}", s) for i, s in enumerate(ref) if s >= threshold), key=lambda x: (-x[1], x[0]))
    got = [(h.name, h.similarity) for h in index.above(mol, threshold)]
    assert got == want


def test_top_k(index: FingerprintIndex) -> None:
    mol = Chem.MolFromSmiles(QUERIES[0])
    ref = rdkit_similarities(mol, SMILES)
    best = sorted(range(len(SMILES)), key=lambda i: (-ref[i], f"s{i}"))[:3]
    hits = index.top_k(mol, 3)
    assert [h.name for h in hits] == [f"s{i}" for i in best]
    assert [h.similarity for h in hits] == [ref[i] for i in best]
    assert index.top_k(mol, 0) == []
    assert len(index.top_k(mol, 100)) == len(SMILES)


def test_bad_smiles_skipped_and_reported() -> None:
    idx = FingerprintIndex([("good", "CCO"), ("bad", "C1CC")])
    assert idx.names == ["good"] and idx.skipped == ["bad"]
    assert idx.measure == "Morgan radius 2, 2048 bits, Tanimoto"
    with pytest.raises(ValueError):
        idx.above(Chem.MolFromSmiles("CCO"), 0.0)


def test_bare_kernel_equals_similarities_in_index_order(index: FingerprintIndex) -> None:
    mol = Chem.MolFromSmiles("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
    raw = index.kernel(index.query_vector(mol))
    assert np.array_equal(raw, index.similarities(mol)[index._order])


def test_top_k_many_equals_one_query_at_a_time(index: FingerprintIndex) -> None:
    queries = [Chem.MolFromSmiles(s) for s in QUERIES + SMILES]
    vectors = index.query_vectors(queries)
    assert np.array_equal(vectors, np.vstack([index.query_vector(m) for m in queries]))
    for k in (1, 3, 9, 100):  # 9 and 100 take the partition branch
        many = index.top_k_many(vectors, k)
        assert many == [index.top_k(m, k) for m in queries]
        for m, hits in zip(queries, many, strict=True):
            ref = rdkit_similarities(m, SMILES)
            best = sorted(range(len(SMILES)), key=lambda i: (-ref[i], f"s{i}"))[:k]
            assert [(h.name, h.similarity) for h in hits] == [(f"s{i}", ref[i]) for i in best]
    assert index.top_k_many(vectors[:0], 3) == []
    assert index.top_k_many(vectors, 0) == [[] for _ in queries]


def test_ties_at_the_kth_place_are_broken_by_name() -> None:
    # three identical structures under different names: whichever the partition leaves first,
    # the first two by name are reported
    idx = FingerprintIndex([("c", "CCO"), ("a", "CCO"), ("b", "CCO"), ("d", "c1ccccc1")])
    mol = Chem.MolFromSmiles("CCO")
    assert [h.name for h in idx.top_k(mol, 2)] == ["a", "b"]
    assert [[h.name for h in hits] for hits in idx.top_k_many(idx.query_vectors([mol, mol]), 2)] == [["a", "b"]] * 2


def test_top_k_many_in_blocks_equals_one_call(index: FingerprintIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    import analogwatch.chem.similarity as sim

    vectors = index.query_vectors([Chem.MolFromSmiles(s) for s in QUERIES + SMILES])
    whole = index.top_k_many(vectors, 3)
    monkeypatch.setattr(sim, "_QUERIES_PER_CALL", 2)
    monkeypatch.setattr(sim, "_QUERIES_PER_PASS", 3)
    assert index.top_k_many(vectors, 3) == whole


@pytest.fixture(scope="module")
def big_index() -> tuple[FingerprintIndex, list[str]]:
    """Several hundred structures: rows in several 64-row words of the bit planes."""
    from analogwatch.registry import default_registry

    smiles = [s.smiles for s in default_registry().substances if s.smiles][:300] + SMILES
    return FingerprintIndex([(f"r{i}", s) for i, s in enumerate(smiles)]), smiles


@pytest.mark.parametrize("rows_for_planes", [0, 10**9])  # bit planes / row by row
def test_both_kernels_exact_on_a_larger_index(big_index, rows_for_planes: int,  # type: ignore[no-untyped-def]
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import analogwatch.chem.similarity as sim

    monkeypatch.setattr(sim, "_ROWS_FOR_PLANES", rows_for_planes)
    index, smiles = big_index
    for query in QUERIES + ["CC(=O)OC1C=CC2C3Cc4ccc(OC(C)=O)c5c4C2(CCN3C)C1O5", "[Na+].[Cl-]"]:
        mol = Chem.MolFromSmiles(query)
        ref = np.array(rdkit_similarities(mol, smiles))
        assert np.array_equal(index.similarities(mol), ref)
        # stereoisomers share a fingerprint: ties at every rank, broken by name
        brute = sorted(((f"r{i}", s) for i, s in enumerate(ref)), key=lambda x: (-x[1], x[0]))
        for k in (1, 3, 8, 20):
            assert [(h.name, h.similarity) for h in index.top_k(mol, k)] == brute[:k]
        for t in (0.2, 0.45, 0.7):  # popcount-bound slices that start and end inside a plane word
            want = sorted(((f"r{i}", s) for i, s in enumerate(ref) if s >= t), key=lambda x: (-x[1], x[0]))
            assert [(h.name, h.similarity) for h in index.above(mol, t)] == want


def test_bit_planes_and_sliced_sum() -> None:
    from analogwatch.chem.similarity import bit_planes, read_count, sliced_sum

    rng = np.random.default_rng(7)
    fps = rng.integers(0, 2**63, size=(130, 2), dtype=np.uint64) | rng.integers(0, 2, size=(130, 2), dtype=np.uint64)
    planes = bit_planes(fps)
    assert planes.shape == (129, 3) and not planes[128].any()
    bits = np.unpackbits(fps.view(np.uint8), axis=1, bitorder="little")
    for b in (0, 1, 63, 64, 127):
        got = np.unpackbits(planes[b].view(np.uint8), bitorder="little")[:130]
        assert np.array_equal(got, bits[:, b])
    for n in (1, 2, 3, 7, 45, 128):
        chosen = list(rng.choice(128, size=n, replace=False))
        counts = read_count(sliced_sum([planes[b] for b in chosen]))[:130]
        assert np.array_equal(counts, bits[:, chosen].sum(axis=1))
