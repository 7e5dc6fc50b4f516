"""Gap categories, screening with a stand-in Checker, and the similarity ranking."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import numpy as np
import pytest
from rdkit import Chem, DataStructs

from analogwatch.anticipate.enumeration import Analog
from analogwatch.anticipate.fingerprints import ReferenceSet, fingerprint_matrix
from analogwatch.anticipate.screening import (
    CATEGORIES,
    ONE_SIDED,
    category_of,
    gap_report,
    potent_reference,
    screen_analogs,
)
from analogwatch.chem.similarity import morgan_generator
from analogwatch.errors import InputError
from tests.anticipate.conftest import FakeChecker

AS_OF = date(2025, 1, 1)

# name, SMILES, expected category under the fake checker of conftest.py
CASES = [
    ("fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "us-cn"),
    ("acetylfentanyl", "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "everywhere"),
    ("benzylfentanyl", "CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1", "cn-only"),
    ("N-acetyl norfentanyl", "CC(=O)N(c1ccccc1)C1CCNCC1", "un-only"),
    ("loperamide", "CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1", "nowhere"),
]


def analog(i: int, name: str, smiles: str, depth: int = 1) -> Analog:
    mol = Chem.MolFromSmiles(smiles)
    return Analog(f"a{i}", smiles, Chem.MolToInchiKey(mol), depth, "fentanyl", "seed", "", "t", name, ("t",), mol)


def test_every_set_of_jurisdictions_has_one_plain_category() -> None:
    seen = set()
    for k in range(4):
        for combo in combinations(("US", "CN", "UN"), k):
            seen.add(category_of(combo))
    assert seen == {c[0] for c in CATEGORIES} and len(seen) == 8
    assert category_of([]) == "nowhere" and category_of(["CN"]) == "cn-only"
    assert category_of(["UN", "CN", "US"]) == "everywhere"
    assert set(ONE_SIDED) == {"cn-only", "cn-un", "us-only", "us-un"}  # exactly one of US and CN
    with pytest.raises(ValueError, match="unknown"):
        category_of(["UK"])


def test_screening_puts_each_analog_in_its_category(fake_checker: FakeChecker) -> None:
    analogs = [analog(i, n, s) for i, (n, s, _) in enumerate(CASES)]
    out = screen_analogs(analogs, fake_checker, as_of=AS_OF, controlled=ReferenceSet.from_pairs([]),
                         potent=potent_reference())
    assert [s.category for s in out] == [c for _, _, c in CASES]
    assert out[0].controlled_in == ("US", "CN")
    assert fake_checker.calls == len(CASES)  # one evaluation per analog


def test_rows_out_equal_rows_in_even_when_screening_fails() -> None:
    class Failing(FakeChecker):
        def evaluate(self, std, *, id, input, as_of):  # type: ignore[no-untyped-def]
            if id == "a1":
                raise InputError("cannot screen this one")
            return super().evaluate(std, id=id, input=input, as_of=as_of)

    analogs = [analog(i, n, s) for i, (n, s, _) in enumerate(CASES)]
    out = screen_analogs(analogs, Failing({}), as_of=AS_OF, controlled=ReferenceSet.from_pairs([]),
                         potent=potent_reference())
    assert len(out) == len(analogs)
    assert out[1].category == "invalid" and out[1].result.error == "cannot screen this one"
    assert gap_report(out).counts["invalid"] == 1


def test_gap_report_counts_and_ranks(fake_checker: FakeChecker) -> None:
    analogs = [analog(i, n, s) for i, (n, s, _) in enumerate(CASES)]
    analogs.append(analog(9, "fentanyl seed", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", depth=0))
    # two uncontrolled analogs: one close to fentanyl (a pyrrolidine core), one far (loperamide)
    analogs.append(analog(10, "pyrrolidine fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)C1"))
    checker = FakeChecker({"US": ["O=CN(c)C1CCN(CCa)CC1"], "CN": ["O=CN(c)C1CCN([#6])CC1"],
                           "UN": ["[CH3]C(=O)N(c)C1CCNCC1"]})
    out = screen_analogs(analogs, checker, as_of=AS_OF, controlled=ReferenceSet.from_pairs([]),
                         potent=potent_reference())
    g = gap_report(out)
    assert g.total == 6  # depth 0 (the seed) is reported by depth, not in the totals
    assert g.counts["nowhere"] == 2 and g.counts["us-cn"] == 1 and g.by_depth[0]["us-cn"] == 1
    assert sum(g.counts.values()) == g.total
    nowhere = [s.analog.root for s in g.ranked["nowhere"]]
    assert nowhere == ["pyrrolidine fentanyl", "loperamide"]
    assert g.ranked["nowhere"][0].nearest_potent == "Fentanyl"


def test_bulk_similarity_is_exact() -> None:
    refs = [("fentanyl", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"), ("etonitazene",
            "CCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCN(CC)CC)cc1"), ("benzene", "c1ccccc1")]
    queries = ["CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "CCCOc1ccc(Cc2nc3ccccc3n2CCN(CC)CC)cc1", "CCO"]
    ref = ReferenceSet.from_pairs(refs)
    idx, sims = ref.nearest(fingerprint_matrix([Chem.MolFromSmiles(q) for q in queries]))
    gen = morgan_generator()
    rfps = [gen.GetFingerprint(Chem.MolFromSmiles(s)) for _, s in refs]
    for q, i, s in zip(queries, idx, sims, strict=True):
        expected = DataStructs.BulkTanimotoSimilarity(gen.GetFingerprint(Chem.MolFromSmiles(q)), rfps)
        assert int(np.argmax(expected)) == i and max(expected) == pytest.approx(s, abs=1e-12)
    assert list(idx[:2]) == [0, 1]
