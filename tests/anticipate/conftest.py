"""Fixtures for the anticipation tests: a small stand-in for the Checker, and draft definitions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from rdkit import Chem

from analogwatch.chem.standardize import StandardizedMol
from analogwatch.verdicts import Result, Verdict

DATA = Path(__file__).parent / "data"


class FakeChecker:
    """Controls a structure in a jurisdiction when it matches that jurisdiction's SMARTS.

    Lets the gap-category tests state the expected outcome of every structure without depending
    on the registry's contents or on the class definitions."""

    rules_version = "fake"

    def __init__(self, controls: Mapping[str, list[str]]):
        self.controls = {j: [Chem.MolFromSmarts(s) for s in pats] for j, pats in controls.items()}
        self.calls = 0

    def evaluate(self, std: StandardizedMol, *, id: str, input: str, as_of: date) -> Result:
        self.calls += 1
        verdicts = {}
        for j in ("US", "CN", "UN"):
            hit = any(std.mol.HasSubstructMatch(p) for p in self.controls.get(j, []))
            verdicts[j] = Verdict(
                controlled=hit, basis="listed" if hit else "none", substance="test" if hit else None,
                explanation="test rule" if hit else "no test rule",
            )
        return Result(id=id, input=input, status="ok", smiles=std.smiles, as_of=as_of, verdicts=verdicts,
                      registry_version="test", rdkit_version="test")

    def invalid(self, id: str, input: str, error: str, as_of: date) -> Result:
        return Result(id=id, input=input, status="invalid", error=error, as_of=as_of,
                      registry_version="test", rdkit_version="test")


#: anilidopiperidines with a 2-arylethyl on the ring nitrogen, the kind of structure a US class covers
US_LIKE = "O=CN(c)C1CCN(CCa)CC1"
#: any N-acyl anilidopiperidine with a carbon on the ring nitrogen, broader, as China's clause 4
CN_LIKE = "O=CN(c)C1CCN([#6])CC1"


@pytest.fixture
def fake_checker() -> FakeChecker:
    # US: phenethyl-type fentanyls; CN: any N-substituted fentanyl; UN: only the acetyl ones
    return FakeChecker({"US": [US_LIKE], "CN": [CN_LIKE], "UN": ["[CH3]C(=O)N(c)C1CCNCC1"]})


@pytest.fixture
def bad_draft() -> Path:
    return DATA / "draft-us-4-arylpiperidines.yaml"


@pytest.fixture
def good_draft() -> Path:
    return DATA / "draft-us-nitazenes.yaml"
