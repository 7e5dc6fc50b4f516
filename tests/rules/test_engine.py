"""The engine and its place in the Checker: symmetry, precedence, exclusions, dates, explanations."""

from __future__ import annotations

import time
from datetime import date

from rdkit import Chem

from analogwatch.checker import Checker
from analogwatch.chem.parse import mol_from_smiles
from analogwatch.chem.standardize import standardize
from analogwatch.rules import ClassDefinitionEvaluator, load_definitions
from analogwatch.rules.groups import Group, MolContext, classify

DEFS = {d.id: d for d in load_definitions()}
DAY = date(2026, 1, 1)


def _group(smiles: str) -> Group:
    """The group of ``smiles`` behind its first dummy atom."""
    m = Chem.MolFromSmiles(smiles)
    dummy = next(a for a in m.GetAtoms() if a.GetAtomicNum() == 0)
    root = dummy.GetNeighbors()[0].GetIdx()
    atoms = frozenset(a.GetIdx() for a in m.GetAtoms() if a.GetIdx() != dummy.GetIdx())
    order = m.GetBondBetweenAtoms(dummy.GetIdx(), root).GetBondTypeAsDouble()
    return Group(MolContext(m), atoms, root, order)


def test_classifier_vocabulary() -> None:
    cases = {
        "*C": {"alkyl", "methyl"}, "*CC=C": {"alkenyl"}, "*OC": {"alkoxyl"}, "*COC": {"ether"},
        "*C(=O)OC": {"ester", "acyl"}, "*O": {"hydroxyl"}, "*F": {"halo"}, "*C(F)(F)F": {"haloalkyl"},
        "*N(C)C": {"amino", "amine"}, "*[N+](=O)[O-]": {"nitro"}, "*C#N": {"cyano"},
        "*c1ccccc1": {"phenyl", "aromatic_monocycle", "monocycle", "aryl"},
        "*C1CCCCC1": {"monocycle"}, "*c1cccs1": {"aromatic_monocycle", "heterocyclyl"},
        "*c1cccc2ccccc12": {"aryl", "aromatic"}, "*Cc1ccccc1": {"benzyl", "hydrocarbyl"},
    }
    for smi, kinds in cases.items():
        got = classify(_group(smi)).kinds
        assert kinds <= got, (smi, got)
    assert "monocycle" not in classify(_group("*c1cccc2ccccc12")).kinds
    assert "aromatic_monocycle" not in classify(_group("*C1CCCCC1")).kinds
    assert "alkyl" not in classify(_group("*CO")).kinds  # hydroxymethyl: a combination
    assert classify(_group("*CO")).pieces == frozenset({"alkyl", "hydroxyl"})
    assert classify(_group("*CCCCC#N")).hydrocarbyl_carbons == 4  # nitrile carbon is a substituent
    assert classify(_group("*c1cccc2cccnc12")).hydrocarbyl_carbons is None  # quinolinyl: heterocyclyl


def test_all_core_mappings_are_read_symmetry_included() -> None:
    sc = DEFS["us-frs"].scaffolds[0]
    mol = mol_from_smiles("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1C")  # 3-methylfentanyl
    readings = sc.read(mol)
    assert len(readings) == 2  # the piperidine read both ways round
    assert all(r.covered for r in readings)
    best = readings[0]
    assert "3-methyl" in next(r.text for r in best.regions if r.name == "piperidine")


def test_region_atoms_cover_the_molecule() -> None:
    mol = mol_from_smiles("COCC(=O)N(c1ccccc1F)C1CCN(CCc2ccccc2)CC1")
    best = DEFS["us-frs"].read(mol).best  # type: ignore[union-attr]
    atoms = sorted(i for r in best.regions for i in r.atoms)
    assert atoms == list(range(mol.GetNumAtoms()))


def test_fentanyl_is_listed_not_class(checker: Checker) -> None:
    res = checker.check("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", as_of=DAY)
    us = res.verdicts["US"]
    assert us.basis == "listed" and us.substance == "Fentanyl"
    assert not [m for m in us.matches if m.basis == "class"]


def test_us_class_does_not_claim_otherwise_listed(checker: Checker, small_registry) -> None:
    res = checker.check("CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", as_of=DAY)  # acetylfentanyl
    us = res.verdicts["US"]
    assert us.basis == "listed" and us.schedule == "Schedule I"
    assert not [m for m in us.matches if m.basis == "class"]
    ev = ClassDefinitionEvaluator([DEFS["us-frs"]], small_registry)
    std = standardize(mol_from_smiles("CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"))
    [(jur, m)] = ev.evaluate(std, DAY)
    assert jur == "US" and m.basis == "none" and "otherwise controlled" in m.explanation


def test_controlled_in_china_by_class_not_in_us(checker: Checker) -> None:
    res = checker.check("CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1", as_of=DAY)  # benzylfentanyl
    assert res.verdicts["CN"].controlled and res.verdicts["CN"].basis == "class"
    assert res.verdicts["CN"].rule_id == "cn-fentanyl-2019:4"
    us = res.verdicts["US"]
    assert not us.controlled and us.basis == "none"
    assert "linker between the piperidine nitrogen and the ring is one carbon" in us.explanation


def test_citation_follows_the_date(checker: Checker) -> None:
    smi = "O=C(N(c1ccccc1)C1CCN(CCc2ccccc2)CC1)C1CCCC1"  # not in the small registry
    before = checker.check(smi, as_of=date(2020, 1, 1)).verdicts["US"]
    after = checker.check(smi, as_of=date(2025, 8, 1)).verdicts["US"]
    assert before.basis == after.basis == "class"
    assert "1308.11(h)(30)" in (before.citation or "") and before.effective == date(2018, 2, 6)
    assert "HALT" in (after.citation or "") and after.effective == date(2025, 7, 16)
    assert before.rule_id == "us-frs:(E)"
    not_yet = checker.check(smi, as_of=date(2017, 1, 1)).verdicts["US"]
    assert not not_yet.controlled and "only from 2018-02-06" in not_yet.explanation


def test_explanation_names_region_change(checker: Checker) -> None:
    v = checker.check("O=C(N(c1ccccc1)C1CCN(CCc2ccccc2)CC1)c1ccco1", as_of=DAY).verdicts["US"]
    assert "acyl group: propanoyl → furan-2-carbonyl, modification (E)" in v.explanation
    m = v.matches[0]
    assert m.regions is not None and set(m.regions) >= {"acyl", "piperidine", "phenethyl"}


def test_interpretive_reason_is_given(checker: Checker) -> None:
    v = checker.check("CCC(=O)N(c1ccccc1)C1(c2ccccc2)CCN(CCc2ccccc2)CC1", as_of=DAY).verdicts["CN"]
    assert v.controlled and v.certainty == "interpretive"
    assert "etc." in v.explanation


def test_non_matching_molecules_are_rejected_quickly() -> None:
    # The screening issue needs well over 1,000 molecules/s per core; a molecule without any
    # core must cost only the substructure prefilter. 2,000 molecules in under 2 s is a loose bound.
    ev = ClassDefinitionEvaluator(list(DEFS.values()))
    mols = [standardize(mol_from_smiles(s)) for s in
            ("CC(=O)Oc1ccccc1C(=O)O", "CN1CCC[C@H]1c1cccnc1", "CC(C)Cc1ccc(C(C)C(=O)O)cc1",
             "CN1C(=O)CN=C(c2ccccc2)c2cc(Cl)ccc21")]
    start = time.perf_counter()
    for _ in range(500):
        for m in mols:
            assert ev.evaluate(m, DAY) == []
    assert time.perf_counter() - start < 2.0
