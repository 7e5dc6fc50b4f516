"""The screening fast paths never change a verdict: each is compared with its slow path."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from analogwatch.checker import Checker
from analogwatch.chem import standardize, to_mol
from analogwatch.registry import Substance, default_registry

# Structures chosen to exercise every branch of the standardiser: salts, charges, zwitterions,
# hypervalent and charge-separated nitro, N-oxides, metals, isotopes, stereo.
SAMPLES = [
    "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "CCC(=O)N(c1ccccc1)C1CC[NH+](CCc2ccccc2)CC1.[Cl-]",
    "CCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCN(CC)CC)cc1", "CCOc1ccc(Cc2nc3cc(N(=O)=O)ccc3n2CCN(CC)CC)cc1",
    "C[N+](C)(C)CC(=O)[O-]", "[O-][n+]1ccccc1", "[Na+].CC(=O)[O-]", "C[C@H](N)Cc1ccccc1",
    "[2H]C([2H])([2H])N1CCC[C@H]1c1cccnc1", "OC(=O)CC(O)(CC(O)=O)C(O)=O.CN1CCC23C4Oc5c3c(ccc5O)CC1C2C=CC4O",
    "O.O.Cl.CN(C)CCC=C1c2ccccc2CCc2ccccc12", "C1=CC=CC=C1", "N#N", "CS(C)=O", "C[S+](C)[O-]",
    "CN=[N+]=[N-]", "C=[N+]=[N-]", "CP(C)(C)=O", "O=S(=O)(C)C", "C[Se](C)=O", "CC=[N+]([O-])C", "CON(=O)=O",
]


def test_standardize_fast_path_equals_full_recipe() -> None:
    reg = default_registry()
    smiles = SAMPLES + [s.smiles for s in reg.substances if s.smiles]
    for smi in smiles:
        mol = to_mol(smi)
        fast, full = standardize(mol), standardize(mol, always_full=True)
        assert (fast.smiles, fast.inchikey) == (full.smiles, full.inchikey), smi


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SAMPLES), st.sampled_from(["", ".Cl", ".O", ".[Na+].[Cl-]", ".OS(=O)(=O)O"]))
def test_standardize_paths_agree_with_counter_ions(smi: str, extra: str) -> None:
    mol = to_mol(smi + extra)
    assert standardize(mol).inchikey == standardize(mol, always_full=True).inchikey


class _NoFormulaScreen(Checker):
    """The slow path: look every structure up by InChIKey, without the formula pre-check."""

    def _registry_candidates(self, std) -> list[Substance]:  # type: ignore[no-untyped-def]
        return self.registry.by_connectivity.get(std.connectivity, [])


def test_formula_precheck_never_changes_a_verdict() -> None:
    reg = default_registry()
    fast = Checker(reg, class_evaluators=[], analogue_flagger=None, use_opsin=False)
    slow = _NoFormulaScreen(reg, class_evaluators=[], analogue_flagger=None, use_opsin=False)
    queries = SAMPLES + [s.smiles + ".Cl" for s in reg.substances if s.smiles][:400]
    when = date(2025, 7, 1)
    for q in queries:
        a, b = fast.check(q, as_of=when), slow.check(q, as_of=when)
        assert a.model_dump() == b.model_dump(), q


def test_without_inchikeys_only_unmatched_rows_lose_the_key() -> None:
    reg = default_registry()
    lean = Checker(reg, class_evaluators=[], analogue_flagger=None, use_opsin=False, inchikeys=False)
    full = Checker(reg, class_evaluators=[], analogue_flagger=None, use_opsin=False)
    when = date(2025, 7, 1)
    for q in SAMPLES:
        a, b = lean.check(q, as_of=when), full.check(q, as_of=when)
        assert a.verdicts == b.verdicts
        assert a.inchikey in (None, b.inchikey)
        if any(v.basis in ("listed", "precursor") for v in b.verdicts.values()):
            assert a.inchikey == b.inchikey


def test_nearest_neighbour_bound_never_drops_an_analogue_flag() -> None:
    """The analogue search is skipped when the nearest registry structure is below its threshold;
    with the nearest-neighbour search switched off it always runs. Both must flag the same."""
    reg = default_registry()
    with_bound = Checker(reg, use_opsin=False, nearest=3)
    without = Checker(reg, use_opsin=False, nearest=0)
    when = date(2025, 7, 1)
    # Close analogues of scheduled opioids (should flag) and unrelated structures (should not).
    queries = [
        "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1C#N", "CCC(=O)N(c1ccc(C#N)cc1)C1CCN(Cc2ccccc2)CC1",
        "CCOC(=O)C1(c2ccccc2)CCN(C)CC1C", "CN1CCC23c4c5ccc(O)c4OC2C(O)C=CC3C1C5", "CCO", "c1ccccc1",
        "CC(C)Cc1ccc(C(C)C(=O)O)cc1", "O=C(O)c1ccccc1O", "CCN(CC)C(=O)C1CN(C)C2Cc3c[nH]c4cccc(c34)C2=C1C",
    ] + [s.smiles for s in reg.substances if s.smiles][:150]
    for q in queries:
        a = with_bound.check(q, as_of=when).verdicts
        b = without.check(q, as_of=when).verdicts
        if a:
            assert a["US"].possible_analogue_of == b["US"].possible_analogue_of, q


def test_unmatched_rows_serialise_like_full_results() -> None:
    """screen_many answers most structures with a light Unmatched row written from a template; in
    every output format the bytes equal those of the full Result the one-at-a-time path builds."""
    import csv
    import io

    import pyarrow.parquet as pq

    from analogwatch.checker import Unmatched
    from analogwatch.screen.chunks import Chunk, process_chunk
    from analogwatch.verdicts import FLAT_COLUMNS

    reg = default_registry()
    checker = Checker(reg, use_opsin=False)
    when = date(2025, 7, 1)
    texts = SAMPLES + [
        "CCCCCn1cc(C(=O)NC(Cc2ccccc2)C(N)=O)c2ccccc21", "CC(C)Cc1ccc(C(C)C(=O)O)cc1", "not a smiles",
        "fentanyl", "O=C(O)c1ccccc1O", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1C#N", "Cc1ccc(C(=O)c2cn(C)c(C)c2)cc1",
    ]
    records = [(f"r{i}", t) for i, t in enumerate(texts)]
    rows = checker.screen_many(records, as_of=when)
    assert any(isinstance(r, Unmatched) for r in rows) and not all(isinstance(r, Unmatched) for r in rows)
    one_by_one = [checker.check(t, id=i, as_of=when) for i, t in records]
    assert [checker.as_result(r, when).model_dump() for r in rows] == [r.model_dump() for r in one_by_one]
    chunk = Chunk(0, [i for i, _ in records], texts, [None] * len(texts))
    prov = {"analogwatch_version": "test"}
    got = process_chunk(checker, chunk, "jsonl", when, prov).data.decode()
    assert got == "".join(r.model_dump_json() + "\n" for r in one_by_one)
    got_csv = list(csv.DictReader(io.StringIO(process_chunk(checker, chunk, "csv", when, prov).data.decode()),
                                  fieldnames=FLAT_COLUMNS))
    assert got_csv == [{k: str(v) for k, v in r.flat().items()} for r in one_by_one]
    table = pq.read_table(io.BytesIO(process_chunk(checker, chunk, "parquet", when, prov).data))
    assert table.drop_columns(["verdicts_json"]).to_pylist() == [r.flat() for r in one_by_one]
    import json

    assert [json.loads(v) for v in table.column("verdicts_json").to_pylist()] == [
        {j: v.model_dump(mode="json") for j, v in r.verdicts.items()} for r in one_by_one
    ]


def test_core_catalog_finds_the_cores_one_search_per_core_finds() -> None:
    """The class definitions' cores are searched in one FilterCatalog call; the answer equals one
    substructure search per core, also after the evaluator has been pickled (as workers get it)."""
    import pickle

    from analogwatch.rules import default_evaluators

    reg = default_registry()
    evaluator = default_evaluators(reg)[0]  # the class definitions (the second reads positional isomers)
    copy = pickle.loads(pickle.dumps(evaluator))
    smiles = SAMPLES + [s.smiles for s in reg.substances if s.smiles] + [
        ex.smiles for d in evaluator.definitions for ex in d.spec.examples
    ]
    found_any = 0
    for smi in smiles:
        mol = to_mol(smi)
        one_by_one = {core: mol.HasSubstructMatch(q) for core, q in evaluator._cores.items()}
        assert copy.core_search(mol) == one_by_one == evaluator.core_search(mol), smi
        found_any += any(one_by_one.values())
    assert found_any > 50  # the sample exercises matches, not only misses
