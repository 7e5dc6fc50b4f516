"""What-if drafting: a draft class definition is loaded through analogwatch.rules and judged on the
enumerated space, the known analogs and the reference medicines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rdkit import Chem

from analogwatch.anticipate.enumeration import Analog
from analogwatch.anticipate.families import default_families
from analogwatch.anticipate.fingerprints import ReferenceSet
from analogwatch.anticipate.reference import Medicine, shipped_medicines
from analogwatch.anticipate.screening import potent_reference, screen_analogs
from analogwatch.anticipate.whatif import evaluate_draft, load_draft
from analogwatch.errors import RuleError
from analogwatch.registry import Registry, load_registry
from tests.anticipate.conftest import FakeChecker
from tests.conftest import HEADER, MINI_LISTS

AS_OF = date(2025, 8, 1)
LOPERAMIDE = "CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1"
PETHIDINE = "CCOC(=O)C1(c2ccccc2)CCN(C)CC1"
NITAZENES = {
    "butonitazene": "CCCCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCN(CC)CC)cc1",
    "etodesnitazene": "CCOc1ccc(Cc2nc3ccccc3n2CCN(CC)CC)cc1",
    "N1-propylene etonitazene": "CCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCCN(CC)CC)cc1",
}


def _key(smiles: str) -> str:
    return Chem.MolToInchiKey(Chem.MolFromSmiles(smiles))


@pytest.fixture
def nitazene_registry(tmp_path: Path) -> Registry:
    """Metonitazene listed in the US, isotonitazene listed in China only (InChIKeys from RDKit)."""
    meto = "CCN(CC)CCn1c(Cc2ccc(OC)cc2)nc2cc([N+](=O)[O-])ccc21"
    iso = "CCN(CC)CCn1c(Cc2ccc(OC(C)C)cc2)nc2cc([N+](=O)[O-])ccc21"
    (tmp_path / "mini").mkdir()
    (tmp_path / "lists.yaml").write_text(MINI_LISTS, encoding="utf-8")
    (tmp_path / "mini" / "files.yaml").write_text("""
files:
  - {path: us1.csv, list: us-csa-i, citation: "21 CFR 1308.11", effective: 2022-04-12, source: test}
  - {path: cn.csv, list: cn-nonmedical, citation: "CN notice 2021", effective: 2021-07-01, source: test}
""", encoding="utf-8")
    (tmp_path / "mini" / "us1.csv").write_text(HEADER + f"1,Metonitazene,,,,{meto},{_key(meto)},,,,,,,,\n",
                                                encoding="utf-8")
    (tmp_path / "mini" / "cn.csv").write_text(HEADER + f"1,Isotonitazene,,,,{iso},{_key(iso)},,,,,,,,\n",
                                               encoding="utf-8")
    return load_registry(tmp_path)


def _screened(smiles: dict[str, str], checker: FakeChecker):  # type: ignore[no-untyped-def]
    analogs = []
    for i, (name, smi) in enumerate(smiles.items()):
        mol = Chem.MolFromSmiles(smi)
        analogs.append(Analog(f"a{i}", smi, _key(smi), 1, "nitazene", "Etonitazene", "", "t", name, ("t",), mol))
    return screen_analogs(analogs, checker, as_of=AS_OF, controlled=ReferenceSet.from_pairs([]),
                          potent=potent_reference())


def test_a_draft_that_covers_loperamide_is_a_bad_definition(bad_draft: Path, nitazene_registry: Registry) -> None:
    draft = load_draft(bad_draft, nitazene_registry, as_of=AS_OF)
    assert (draft.id, draft.jurisdiction, draft.in_force) == ("draft-us-4-arylpiperidines", "US", date(2030, 1, 1))
    w = evaluate_draft(draft, [], checker=FakeChecker({}), registry=nitazene_registry, families=[],
                       medicines=list(shipped_medicines()), as_of=AS_OF)
    assert w.bad
    assert "Loperamide" in [m.name for m in w.bad_catches]
    assert "loperamide" in w.verdict().lower() and w.verdict().startswith("bad definition")


def test_catching_a_medicine_already_controlled_there_is_an_overlap_not_a_bad_catch(
        bad_draft: Path, nitazene_registry: Registry) -> None:
    draft = load_draft(bad_draft, nitazene_registry, as_of=AS_OF)
    checker = FakeChecker({"US": ["CCOC(=O)C1(c2ccccc2)CCN(C)CC1"]})  # pethidine is controlled in the US
    meds = [Medicine("Pethidine", PETHIDINE, "test"), Medicine("Ibuprofen", "CC(C)Cc1ccc(C(C)C(=O)O)cc1", "test")]
    w = evaluate_draft(draft, [], checker=checker, registry=nitazene_registry, families=[], medicines=meds,
                       as_of=AS_OF)
    assert [m.name for m in w.medicines] == ["Pethidine"] and w.medicines[0].controlled
    assert not w.bad and w.medicines_checked == 2
    assert "overlaps" in w.verdict()


def test_a_good_draft_newly_covers_analogs_and_catches_no_medicine(
        good_draft: Path, nitazene_registry: Registry) -> None:
    draft = load_draft(good_draft, nitazene_registry, as_of=AS_OF)
    # the US controls metonitazene only (by its listing); nothing else here is controlled anywhere
    checker = FakeChecker({"US": ["[CH3]Oc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCN(CC)CC)cc1"]})
    screened = _screened(NITAZENES, checker)
    w = evaluate_draft(draft, screened, checker=checker, registry=nitazene_registry,
                       families=[default_families()["nitazene"]], medicines=list(shipped_medicines()), as_of=AS_OF)
    assert not w.bad and w.medicines == [] and w.medicines_checked == len(shipped_medicines())
    # butonitazene (clause 3) and etodesnitazene (clause 1) are newly covered; the N1-propylene
    # homolog is outside: the N1-ethylene linker of the text is fixed
    assert (w.space, w.covered, w.newly_covered, w.uncontrolled) == (3, 2, 2, 3)
    assert (w.nowhere, w.nowhere_covered) == (3, 2)
    assert w.newly_covered_ids == {"a0", "a1"}
    # known analogs: isotonitazene is listed in China only, so it is a known US gap that the draft closes
    assert [(k.name, k.covered) for k in w.known] == [("Isotonitazene", True)]


def test_a_malformed_draft_fails_loudly(tmp_path: Path, good_draft: Path, nitazene_registry: Registry) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(good_draft.read_text(encoding="utf-8").replace("core: \"[#6;X4;!R:11]", "core: \"[#6;X4;!R:11"),
                      encoding="utf-8")
    with pytest.raises(RuleError, match="broken.yaml"):
        load_draft(broken, nitazene_registry, as_of=AS_OF)
