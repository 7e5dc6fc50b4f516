"""Definitions loaded from their files, and the ClassEvaluator the Checker calls."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rdkit import Chem, rdBase
from rdkit.Chem import FilterCatalog

from analogwatch.errors import RuleError
from analogwatch.rules.engine import CompiledScaffold, ScaffoldReading
from analogwatch.rules.groups import MolContext
from analogwatch.rules.model import DefinitionFile, Instrument, read_definition_file
from analogwatch.verdicts import Match

if TYPE_CHECKING:
    from analogwatch.chem.standardize import StandardizedMol
    from analogwatch.registry import Registry


def definitions_dir() -> Path:
    return Path(str(resources.files("analogwatch.rules") / "definitions"))


@dataclass
class Reading:
    """The best reading of one definition for one molecule (None when no core was found)."""

    definition: Definition
    best: ScaffoldReading
    #: best reading of every scaffold whose core was found
    per_scaffold: list[ScaffoldReading]


class Definition:
    """One legal text's class definition, compiled once."""

    def __init__(self, spec: DefinitionFile, source: str, digest: str):
        self.spec = spec
        self.source = source
        self.digest = digest
        self.instruments: dict[str, Instrument] = {}
        for inst in spec.instruments:
            if inst.id in self.instruments:
                raise RuleError(f"{source}: rule {spec.id}: instrument {inst.id} is defined twice")
            self.instruments[inst.id] = inst
        for cid, clause in spec.clauses.items():
            for iid in clause.instruments:
                if iid not in self.instruments:
                    raise RuleError(f"{source}: rule {spec.id}: clause {cid} names unknown instrument {iid}")
        ids = [s.id for s in spec.scaffolds]
        if len(set(ids)) != len(ids):
            raise RuleError(f"{source}: rule {spec.id}: scaffold ids must be unique")
        self.scaffolds = [CompiledScaffold(s, source, spec.id, list(spec.clauses)) for s in spec.scaffolds]
        for sc in self.scaffolds:
            sc.read_parent()
        self.excluded_connectivity: dict[str, str] = {}
        for smi, why in spec.exclusions.structures.items():
            with rdBase.BlockLogs():
                m = Chem.MolFromSmiles(smi)
            if m is None:
                raise RuleError(f"{source}: rule {spec.id}: exclusion SMILES {smi!r} does not parse")
            self.excluded_connectivity[Chem.MolToInchiKey(m).split("-")[0]] = why
        for ex in spec.examples:
            with rdBase.BlockLogs():
                if Chem.MolFromSmiles(ex.smiles) is None:
                    raise RuleError(f"{source}: rule {spec.id}: example {ex.name!r}: SMILES does not parse")
            for c in ex.clauses:
                if c not in spec.clauses:
                    raise RuleError(f"{source}: rule {spec.id}: example {ex.name!r}: unknown clause {c!r}")

    @property
    def id(self) -> str:
        return self.spec.id

    def read(self, mol: Chem.Mol, cores: dict[str, bool] | None = None) -> Reading | None:
        """The best reading of ``mol``, or None when no scaffold's core is found. ``cores``: which
        cores the molecule holds, already searched (``ClassDefinitionEvaluator.core_search``)."""
        ctx: MolContext | None = None
        per: list[ScaffoldReading] = []
        for sc in self.scaffolds:
            found = cores[sc.spec.core] if cores is not None else mol.HasSubstructMatch(sc.query)
            if not found:
                continue  # the prefilter: most molecules stop here, in microseconds
            ctx = ctx or MolContext(mol)
            got = sc.read(mol, ctx, limit=1)
            if got:
                per.append(got[0])
        if not per:
            return None
        best = min(per, key=lambda r: r.sort_key())
        return Reading(self, best, per)

    # -- dates ---------------------------------------------------------------------------------------
    def instrument_for(self, clauses: list[str], on: date) -> Instrument | None:
        """The instrument in force on ``on`` for all of ``clauses``, or None."""
        common: list[str] | None = None
        for c in clauses:
            ids = self.spec.clauses[c].instruments
            common = list(ids) if common is None else [i for i in common if i in ids]
        for iid in common or []:
            inst = self.instruments[iid]
            if inst.in_force(on):
                return inst
        return None

    def first_effective(self, clauses: list[str]) -> date:
        dates = [self.instruments[i].effective for c in clauses for i in self.spec.clauses[c].instruments]
        return min(dates) if dates else min(i.effective for i in self.instruments.values())

    def next_effective(self, clauses: list[str], on: date) -> Instrument | None:
        later = [self.instruments[i] for c in clauses for i in self.spec.clauses[c].instruments
                 if self.instruments[i].effective > on]
        return min(later, key=lambda i: i.effective) if later else None

    def citation(self, inst: Instrument, clauses: list[str]) -> str:
        word = self.spec.clause_word
        plural = "s" if len(clauses) > 1 else ""
        return f"{inst.citation}, {word}{plural} {', '.join(clauses)}"


def _sentences(reading: ScaffoldReading, word: str) -> str:
    parts = [r.sentence(word) for r in reading.regions if r.status == "changed"]
    return "; ".join(parts)


class ClassDefinitionEvaluator:
    """Applies class definitions for the Checker.

    ``evaluate`` returns a ``basis="class"`` Match per definition that covers the molecule, and a
    ``basis="none"`` Match (an explanation, not a ground of control) per definition whose core the
    molecule contains but which does not cover it, or not on that date.
    """

    def __init__(self, definitions: list[Definition], registry: Registry | None = None):
        self.definitions = definitions
        self.registry = registry
        self.version = rules_version(definitions)
        #: distinct scaffold cores (the US and Chinese fentanyl definitions share theirs)
        self._cores = {sc.spec.core: sc.query for d in definitions for sc in d.scaffolds}
        self._catalog = self._core_catalog()

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_catalog"]  # an RDKit object: rebuilt where the evaluator is unpickled
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._catalog = self._core_catalog()

    def _core_catalog(self) -> FilterCatalog.FilterCatalog:
        """Every distinct scaffold core as one entry of an RDKit FilterCatalog (described by its SMARTS)."""
        catalog = FilterCatalog.FilterCatalog()
        for core, query in self._cores.items():
            catalog.AddEntry(FilterCatalog.FilterCatalogEntry(core, FilterCatalog.SmartsMatcher(core, query, 1)))
        return catalog

    def core_search(self, mol: Chem.Mol) -> dict[str, bool]:
        """Which scaffold cores ``mol`` contains, keyed by core SMARTS: every core is searched in
        one RDKit FilterCatalog call, instead of one substructure search per core from Python.
        Most screened molecules contain none, and no definition is read for them."""
        found = dict.fromkeys(self._cores, False)
        for entry in self._catalog.GetMatches(mol):
            found[entry.GetDescription()] = True
        return found

    def readings(self, mol: Chem.Mol) -> list[Reading]:
        out = []
        cores = self.core_search(mol)
        for d in self.definitions:
            r = d.read(mol, cores)
            if r is not None:
                out.append(r)
        return out

    def _otherwise_listed(self, d: Definition, std: StandardizedMol, as_of: date) -> str | None:
        ex = d.spec.exclusions.otherwise_listed
        if ex is None or self.registry is None:
            return None
        for sub in self.registry.by_connectivity.get(std.connectivity, []):
            for lst in sub.listings:
                if lst.list_id in ex.lists and lst.in_force(as_of):
                    return f"{sub.name} is listed in {lst.list_title} ({lst.citation}); {ex.reason}"
        return None

    def evaluate(self, std: StandardizedMol, as_of: date) -> list[tuple[str, Match]]:
        out: list[tuple[str, Match]] = []
        cores = self.core_search(std.mol)
        if not any(cores.values()):
            return out
        for d in self.definitions:
            r = d.read(std.mol, cores)
            if r is None:
                continue
            m = self.match_for(d, r.best, std, as_of)
            out.append((d.spec.jurisdiction, m))
        return out

    def match_for(self, d: Definition, best: ScaffoldReading, std: StandardizedMol | None, as_of: date) -> Match:
        spec = d.spec
        regions = {r.name: r.atoms for r in best.regions}
        word = spec.clause_word
        if not best.covered:
            return Match(
                basis="none", substance=spec.title, rule_id=f"{spec.id}:outside", list_name=spec.list_name,
                explanation=(f"Contains the core of the {spec.title} definition ({spec.jurisdiction}) but falls "
                             f"outside it: {best.reason}."),
                regions=regions,
            )
        excluded = None
        if std is not None:
            excluded = self._otherwise_listed(d, std, as_of) or d.excluded_connectivity.get(std.connectivity)
        if excluded:
            return Match(
                basis="none", substance=spec.title, rule_id=f"{spec.id}:excluded", list_name=spec.list_name,
                explanation=f"Not claimed by the {spec.title} definition: {excluded}.", regions=regions,
            )
        inst = d.instrument_for(best.clauses, as_of)
        changes = _sentences(best, word)
        if inst is None:
            nxt = d.next_effective(best.clauses, as_of)
            when = (f"only from {nxt.effective.isoformat()} ({nxt.citation})" if nxt is not None
                    else "at no date in force on this day")
            return Match(
                basis="none", substance=spec.title, rule_id=f"{spec.id}:not-in-force", list_name=spec.list_name,
                explanation=(f"Would be covered by the {spec.title} definition ({changes}), which applies "
                             f"{when}; not on {as_of.isoformat()}."),
                regions=regions,
            )
        since = d.first_effective(best.clauses)
        history = ""
        if since < inst.effective:
            history = f" The class has been controlled since {since.isoformat()}."
        notes = best.notes
        note_text = ""
        if best.certainty == "interpretive":
            note_text = " Interpretive: " + " ".join(n.rstrip(".") + "." for n in notes)
        elif notes:
            note_text = " " + " ".join(n.rstrip(".") + "." for n in notes)
        clauses = best.clauses
        plural = "s" if len(clauses) > 1 else ""
        return Match(
            basis="class",
            schedule=spec.schedule,
            list_name=spec.list_name,
            substance=spec.title,
            rule_id=f"{spec.id}:{'+'.join(clauses)}",
            clause=", ".join(clauses),
            citation=d.citation(inst, clauses),
            effective=inst.effective,
            certainty=best.certainty,
            explanation=(f"Covered by the {spec.title} definition, {word}{plural} {', '.join(clauses)} "
                         f"({best.scaffold_label}): {changes}.{note_text} In force since "
                         f"{inst.effective.isoformat()} ({inst.citation}).{history}"),
            regions=regions,
        )


def rules_version(definitions: list[Definition]) -> str:
    h = hashlib.sha256()
    for d in sorted(definitions, key=lambda d: d.id):
        h.update(d.digest.encode())
    return h.hexdigest()[:12]


def load_definitions(root: Path | None = None) -> list[Definition]:
    """Every ``*.yaml`` file of ``root`` (default: the shipped definitions), in name order."""
    root = root or definitions_dir()
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise RuleError(f"{root}: no definition files")
    out: list[Definition] = []
    seen: dict[str, str] = {}
    for path in files:
        spec = read_definition_file(path)
        if spec.id in seen:
            raise RuleError(f"{path.name}: rule {spec.id}: the same id is used by {seen[spec.id]}")
        seen[spec.id] = path.name
        out.append(Definition(spec, path.name, hashlib.sha256(path.read_bytes()).hexdigest()))
    return out


@lru_cache(maxsize=1)
def default_definitions() -> tuple[Definition, ...]:
    """The shipped definitions, loaded and compiled once per process."""
    return tuple(load_definitions())
