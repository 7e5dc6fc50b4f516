"""The one engine that reads every class-definition file.

For each scaffold of a definition: match the fixed core (a SMARTS, compiled once) onto the
molecule in every way it fits, symmetry included; give every other atom to a named region; read
each region against what the text allows there; keep the most favourable mapping.

A region owns core atoms (``atoms``) and may have an attachment point (``attach``): a core atom
where a whole group hangs (the acyl group, the phenethyl group, R1...). Atoms outside the core
belong to the region of the core atom they hang from. Something hanging from two regions at once
(a new ring joining them) is outside every definition encoded so far.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from rdkit import Chem, rdBase

from analogwatch.errors import RuleError
from analogwatch.rules.groups import (
    ELEMENT_NAMES,
    Classification,
    Group,
    KindSpec,
    MolContext,
    classify,
    describe_as,
    describe_kinds,
    fragment_smiles,
    kind_holds,
    name_of,
    rings_in,
    summary,
)
from analogwatch.rules.model import GroupRule, Region, RingPath, Scaffold, SubstituentRule

Certainty = Literal["definite", "interpretive"]
NUMBER_WORDS = {0: "no atom", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


@dataclass
class Outcome:
    """The verdict of one rule on one group or substituent."""

    ok: bool
    clauses: list[str] = field(default_factory=list)
    certainty: Certainty = "definite"
    notes: list[str] = field(default_factory=list)
    reason: str | None = None
    stage: int = 0
    detail: str = ""

    @property
    def score(self) -> tuple[int, int, int]:
        return (0 if self.ok else 1, 0 if self.certainty == "definite" else 1, -self.stage)


@dataclass
class RegionReading:
    name: str
    label: str
    status: Literal["unchanged", "changed", "outside"]
    text: str
    parent_text: str | None
    clauses: list[str]
    certainty: Certainty
    notes: list[str]
    reason: str | None
    atoms: list[int]
    changed_atoms: list[int]

    def sentence(self, word: str = "clause") -> str:
        """One line: 'acyl group: propanoyl → furan-2-carbonyl, clause (E)'."""
        if self.status == "unchanged":
            return f"{self.label}: {self.text}, unchanged"
        if self.status == "outside":
            return f"{self.label}: {self.reason}"
        arrow = f"{self.parent_text} → {self.text}" if self.parent_text is not None else self.text
        cl = ""
        if self.clauses:
            cl = f", {word}{'s' if len(self.clauses) > 1 else ''} {', '.join(self.clauses)}"
        return f"{self.label}: {arrow}{cl}"


@dataclass
class ScaffoldReading:
    scaffold_id: str
    scaffold_label: str
    covered: bool
    clauses: list[str]
    certainty: Certainty
    regions: list[RegionReading]
    reason: str | None
    mapping: dict[int, int]

    @property
    def notes(self) -> list[str]:
        out: list[str] = []
        for r in self.regions:
            for n in r.notes:
                if n not in out:
                    out.append(n)
        return out

    def sort_key(self) -> tuple[int, int, int, int]:
        outside = sum(1 for r in self.regions if r.status == "outside")
        return (0 if self.covered else 1, 0 if self.certainty == "definite" else 1, outside, len(self.clauses))


@dataclass
class _Comp:
    atoms: frozenset[int]
    #: (core atom, component atom, bond order) for every bond to the core
    anchors: list[tuple[int, int, float]]


def _components(mol: Chem.Mol, core: frozenset[int]) -> list[_Comp]:
    seen: set[int] = set()
    out: list[_Comp] = []
    for a in mol.GetAtoms():
        i = a.GetIdx()
        if i in core or i in seen:
            continue
        comp = {i}
        anchors: list[tuple[int, int, float]] = []
        q = deque([i])
        seen.add(i)
        while q:
            x = q.popleft()
            for b in mol.GetAtomWithIdx(x).GetBonds():
                y = b.GetOtherAtomIdx(x)
                if y in core:
                    anchors.append((y, x, float(b.GetBondTypeAsDouble())))
                elif y not in seen:
                    seen.add(y)
                    comp.add(y)
                    q.append(y)
        out.append(_Comp(frozenset(comp), anchors))
    return out


def _symbol(z: int) -> str:
    return str(Chem.GetPeriodicTable().GetElementSymbol(z))


def _length_words(n: int, atoms: list[int], mol: Chem.Mol) -> str:
    if n == 0:
        return "absent (the ring is attached directly)"
    zs = {mol.GetAtomWithIdx(i).GetAtomicNum() for i in atoms}
    if zs == {6}:
        return f"{NUMBER_WORDS.get(n, str(n))} carbon{'s' if n > 1 else ''}"
    return f"{NUMBER_WORDS.get(n, str(n))} atom{'s' if n > 1 else ''} long"


def vocab_outcome(cls: Classification, specs: list[KindSpec]) -> tuple[bool, Certainty, str | None]:
    """Whether a classified group is one of ``specs``: definitely, on a broad reading, or not."""
    ok, cert, why, _spec = vocab_match(cls, specs)
    return ok, cert, why


def vocab_match(cls: Classification, specs: list[KindSpec]
                ) -> tuple[bool, Certainty, str | None, KindSpec | None]:
    """As vocab_outcome, with the spec that matched (None for a combination of listed groups)."""
    for s in specs:
        if kind_holds(cls, s):
            return True, "definite", None, s
    for s in specs:
        if s.kind in cls.near:
            return True, "interpretive", cls.near[s.kind], s
    names = {s.kind for s in specs}
    if cls.pieces and len(cls.pieces) > 1 and cls.pieces <= names:
        parts = " + ".join(sorted(cls.pieces))
        return True, "interpretive", (
            f"the group is a combination of listed groups ({parts}); the text names each, not the combination"
        ), None
    return False, "definite", None, None


class CompiledScaffold:
    """One scaffold of a definition, with its core compiled and its parent read once."""

    def __init__(self, spec: Scaffold, source: str, definition_id: str, clauses: list[str]):
        self.spec = spec
        self.known_clauses = set(clauses)
        self.clause_order = {c: i for i, c in enumerate(clauses)}
        self.where = f"{source}: rule {definition_id}: scaffold {spec.id}"
        with rdBase.BlockLogs():
            q = Chem.MolFromSmarts(spec.core)
        if q is None:
            raise RuleError(f"{self.where}: core SMARTS does not parse: {spec.core!r}")
        self.query = q
        self.map_to_q: dict[int, int] = {}
        for a in q.GetAtoms():
            m = a.GetAtomMapNum()
            if m:
                if m in self.map_to_q:
                    raise RuleError(f"{self.where}: core map number {m} is used twice")
                self.map_to_q[m] = a.GetIdx()
        unmapped = [a.GetIdx() for a in q.GetAtoms() if not a.GetAtomMapNum()]
        if unmapped:
            raise RuleError(f"{self.where}: every core atom needs a map number (atoms {unmapped} have none)")
        self.owner: dict[int, str] = {}
        self.attach: dict[int, str] = {}
        for name, reg in spec.regions.items():
            for m in reg.atoms:
                if m not in self.map_to_q:
                    raise RuleError(f"{self.where}: region {name}: core has no atom with map number {m}")
                if m in self.owner:
                    raise RuleError(f"{self.where}: region {name}: atom {m} already belongs to {self.owner[m]}")
                self.owner[m] = name
            if reg.attach is not None:
                if reg.attach not in self.map_to_q:
                    raise RuleError(f"{self.where}: region {name}: core has no attach atom {reg.attach}")
                if reg.attach in self.attach:
                    raise RuleError(f"{self.where}: region {name}: attach atom {reg.attach} is used twice")
                self.attach[reg.attach] = name
            for rule in [*reg.group, *reg.substituents]:
                self._check_clause(name, rule.clause)
                if isinstance(rule, GroupRule) and rule.ring_path is not None:
                    self._check_clause(name, rule.ring_path.linker.clause)
                    self._check_clause(name, rule.ring_path.ring.clause)
                    for sub in [*rule.ring_path.linker.substituents, *rule.ring_path.ring_substituents]:
                        self._check_clause(name, sub.clause)
            if reg.fused is not None:
                self._check_clause(name, reg.fused.clause)
        self._check_clause("-", spec.clause)
        q_to_map = {v: k for k, v in self.map_to_q.items()}
        self.core_bonds = {
            frozenset((q_to_map[b.GetBeginAtomIdx()], q_to_map[b.GetEndAtomIdx()])) for b in q.GetBonds()
        }
        missing = sorted(set(self.map_to_q) - set(self.owner))
        if missing:
            raise RuleError(f"{self.where}: core atoms {missing} belong to no region")
        self.parent_mol: Chem.Mol | None = None
        self.parent_reading: ScaffoldReading | None = None
        self._parent_sigs: dict[str, str] = {}
        self._parent_group_sig: dict[str, str] = {}
        self._parent_parts: dict[str, tuple[str, str, str, str]] = {}
        self._parent_text: dict[str, str] = {}

    def _check_clause(self, region: str, clause: str | None) -> None:
        if clause is not None and clause not in self.known_clauses:
            raise RuleError(f"{self.where}: region {region}: unknown clause {clause!r}")

    # -- the parent ----------------------------------------------------------------------------------
    def read_parent(self) -> None:
        """Read the parent once: its region signatures are what 'unchanged' means."""
        spec = self.spec
        if spec.parent is None:
            return
        with rdBase.BlockLogs():
            pm = Chem.MolFromSmiles(spec.parent.smiles)
        if pm is None:
            raise RuleError(f"{self.where}: parent SMILES does not parse")
        pm_maps = {a.GetIdx(): a.GetAtomMapNum() for a in pm.GetAtoms()}
        for a in pm.GetAtoms():
            a.SetAtomMapNum(0)
        self.parent_mol = pm
        matches = pm.GetSubstructMatches(self.query, uniquify=False, maxMatches=spec.max_mappings)
        if not matches:
            raise RuleError(f"{self.where}: the core does not match the parent {spec.parent.name}")
        ctx = MolContext(pm)
        mapping = self._mapping(matches[0])
        assign = self._assign(pm, mapping)
        # The regions the file declares on the parent must be the ones the engine finds.
        for name, reg in spec.regions.items():
            if not reg.parent_atoms:
                continue
            want = sorted(reg.parent_atoms)
            found_idx = assign.region_atoms[name]
            got = sorted(pm_maps[i] for i in found_idx)
            if want != got:
                raise RuleError(
                    f"{self.where}: region {name}: parent atoms {want} declared, the core assigns {got}"
                )
        for name in spec.regions:
            self._parent_sigs[name] = self._region_sig(pm, name, mapping, assign)
            self._parent_text[name] = self._region_text(ctx, name, mapping, assign)
            g = assign.group.get(name)
            if g is not None:
                grp = self._group(ctx, g)
                self._parent_group_sig[name] = self._group_sig(pm, grp, mapping)
                for rule in spec.regions[name].group:
                    if rule.ring_path is not None and not grp.absent:
                        cands = self._ring_candidates(grp)
                        if cands:
                            linker, system = min(cands, key=lambda c: len(c[0]))
                            self._parent_parts[name] = self._parts_sigs(grp, linker, system)
                        break
        self.parent_reading = self.read(pm, ctx, limit=1)[0] if matches else None

    # -- mapping and assignment --------------------------------------------------------------------
    def _mapping(self, match: tuple[int, ...]) -> dict[int, int]:
        return {m: match[qi] for m, qi in self.map_to_q.items()}

    @dataclass
    class _Assign:
        region_atoms: dict[str, set[int]]
        group: dict[str, _Comp | None]
        extra_groups: dict[str, int]
        subs: dict[str, list[_Comp]]
        fused: dict[str, list[_Comp]]
        bridges: dict[str, list[tuple[_Comp, list[str]]]]

    def _assign(self, mol: Chem.Mol, mapping: dict[int, int]) -> CompiledScaffold._Assign:
        idx_to_map = {v: k for k, v in mapping.items()}
        core = frozenset(mapping.values())
        regions = self.spec.regions
        a = CompiledScaffold._Assign(
            region_atoms={n: {mapping[m] for m in r.atoms} for n, r in regions.items()},
            group={n: None for n, r in regions.items() if r.attach is not None},
            extra_groups={},
            subs={n: [] for n in regions},
            fused={n: [] for n in regions},
            bridges={n: [] for n in regions},
        )
        for comp in _components(mol, core):
            owners: list[tuple[str, str]] = []
            for c, _x, _o in comp.anchors:
                m = idx_to_map[c]
                key = ("group", self.attach[m]) if m in self.attach else ("sub", self.owner[m])
                if key not in owners:
                    owners.append(key)
            names = []
            for _role, n in owners:
                if n not in names:
                    names.append(n)
            if len(owners) > 1:
                for n in names:
                    a.bridges[n].append((comp, names))
                    a.region_atoms[n] |= comp.atoms
                continue
            role, n = owners[0]
            a.region_atoms[n] |= comp.atoms
            if role == "group":
                if a.group[n] is None:
                    a.group[n] = comp
                else:
                    a.extra_groups[n] = a.extra_groups.get(n, 1) + 1
                    prev = a.group[n]
                    assert prev is not None
                    a.group[n] = _Comp(prev.atoms | comp.atoms, prev.anchors + comp.anchors)
            elif len(comp.anchors) > 1:
                a.fused[n].append(comp)
            else:
                a.subs[n].append(comp)
        return a

    def _group(self, ctx: MolContext, comp: _Comp | None) -> Group:
        if comp is None:
            return Group(ctx, frozenset(), None)
        _c, root, order = comp.anchors[0]
        return Group(ctx, comp.atoms, root, order)

    def _dummies_for(self, mol: Chem.Mol, keep: set[int] | frozenset[int], mapping: dict[int, int],
                     label: bool) -> dict[int, int]:
        idx_to_map = {v: k for k, v in mapping.items()}
        d: dict[int, int] = {}
        for i in keep:
            for n in mol.GetAtomWithIdx(i).GetNeighbors():
                j = n.GetIdx()
                if j not in keep:
                    d[j] = idx_to_map.get(j, 0) if label else 0
        return d

    def _group_sig(self, mol: Chem.Mol, grp: Group, mapping: dict[int, int]) -> str:
        if grp.absent:
            return ""
        return fragment_smiles(mol, grp.atoms, self._dummies_for(mol, grp.atoms, mapping, True))

    def _region_sig(self, mol: Chem.Mol, name: str, mapping: dict[int, int], a: _Assign) -> str:
        """The region with its core atoms labelled by position; neighbouring core atoms become
        labelled attachment points, and groups of other regions are left out."""
        keep = a.region_atoms[name]
        idx_to_map = {v: k for k, v in mapping.items()}
        labels = {i: idx_to_map[i] for i in keep if i in idx_to_map}
        dummies = {i: m for i, m in self._dummies_for(mol, keep, mapping, True).items() if i in idx_to_map}
        return fragment_smiles(mol, keep | set(dummies), dummies, labels)

    def _region_text(self, ctx: MolContext, name: str, mapping: dict[int, int], a: _Assign) -> str:
        reg = self.spec.regions[name]
        mol = ctx.mol
        if reg.attach is not None:
            comp = a.group.get(name)
            keep = set(a.region_atoms[name]) if reg.atoms else set(comp.atoms if comp else ())
            if comp is None and not reg.atoms:
                return "hydrogen"
            if not keep:
                return "hydrogen"
            return name_of(fragment_smiles(mol, keep, self._dummies_for(mol, keep, mapping, False)))
        subs = a.subs[name] + a.fused[name]
        if not subs:
            return "no substituents"
        idx_to_map = {v: k for k, v in mapping.items()}
        bits = []
        for comp in subs:
            locs = [reg.positions.get(idx_to_map[c], "") for c, _x, _o in comp.anchors]
            sname = name_of(fragment_smiles(mol, comp.atoms, self._dummies_for(mol, comp.atoms, mapping, False)))
            loc = ",".join(x for x in locs if x)
            bits.append(f"{loc}-{sname}" if loc else sname)
        return ", ".join(sorted(bits))

    # -- ring paths --------------------------------------------------------------------------------
    def _ring_candidates(self, grp: Group) -> list[tuple[list[int], frozenset[int]]]:
        """(linker atoms from the root, ring system) for every ring system reachable from the root
        through acyclic atoms of the group."""
        if grp.absent or grp.root is None:
            return []
        s = grp.system_of(grp.root)
        if s is not None:
            return [([], s)]
        out: list[tuple[list[int], frozenset[int]]] = []
        prev: dict[int, int | None] = {grp.root: None}
        q = deque([grp.root])
        found: set[frozenset[int]] = set()
        while q:
            x = q.popleft()
            for y in grp.nbrs(x):
                if y in prev:
                    continue
                sy = grp.system_of(y)
                if sy is not None:
                    if sy not in found:
                        found.add(sy)
                        path = [x]
                        p = prev[x]
                        while p is not None:
                            path.append(p)
                            p = prev[p]
                        out.append((list(reversed(path)), sy))
                    continue
                prev[y] = x
                q.append(y)
        return out

    def _split(self, grp: Group, linker: list[int], system: frozenset[int]
               ) -> tuple[list[Group], list[Group], list[frozenset[int]]]:
        """Substituents of the linker, substituents of the ring, and parts touching both."""
        rest = grp.atoms - set(linker) - system
        lset = set(linker)
        seen: set[int] = set()
        lsubs: list[Group] = []
        rsubs: list[Group] = []
        both: list[frozenset[int]] = []
        for start in rest:
            if start in seen:
                continue
            comp = {start}
            q = deque([start])
            seen.add(start)
            touch_l: list[tuple[int, int]] = []
            touch_r: list[tuple[int, int]] = []
            while q:
                x = q.popleft()
                for y in grp.atom(x).GetNeighbors():
                    j = y.GetIdx()
                    if j in lset:
                        touch_l.append((j, x))
                    elif j in system:
                        touch_r.append((j, x))
                    elif j in rest and j not in seen:
                        seen.add(j)
                        comp.add(j)
                        q.append(j)
            fc = frozenset(comp)
            if (touch_l and touch_r) or len(touch_l) + len(touch_r) > 1:
                both.append(fc)
            elif touch_l:
                a, x = touch_l[0]
                lsubs.append(Group(grp.ctx, fc, x, grp.bond_order(a, x)))
            elif touch_r:
                a, x = touch_r[0]
                rsubs.append(Group(grp.ctx, fc, x, grp.bond_order(a, x)))
        return lsubs, rsubs, both

    def _parts_sigs(self, grp: Group, linker: list[int], system: frozenset[int]) -> tuple[str, str, str, str]:
        mol = grp.mol
        lsubs, rsubs, _ = self._split(grp, linker, system)
        lkeep = set(linker)
        lfull = lkeep | set().union(*(s.atoms for s in lsubs)) if lsubs else set(lkeep)
        rfull = set(system) | set().union(*(s.atoms for s in rsubs)) if rsubs else set(system)
        return (
            fragment_smiles(mol, lkeep, self._plain_dummies(mol, lkeep)) if lkeep else "",
            fragment_smiles(mol, lfull, self._plain_dummies(mol, lfull)) if lfull else "",
            fragment_smiles(mol, system, {}),
            fragment_smiles(mol, rfull, self._plain_dummies(mol, rfull)),
        )

    @staticmethod
    def _plain_dummies(mol: Chem.Mol, keep: set[int] | frozenset[int]) -> dict[int, int]:
        d: dict[int, int] = {}
        for i in keep:
            for n in mol.GetAtomWithIdx(i).GetNeighbors():
                if n.GetIdx() not in keep:
                    d[n.GetIdx()] = 0
        return d

    def _ring_desc(self, grp: Group, system: frozenset[int]) -> str:
        smi = fragment_smiles(grp.mol, system, {})
        nm = name_of(smi)
        n = rings_in(grp.ctx, system)
        arom = all(grp.atom(i).GetIsAromatic() for i in system)
        shape = "a monocycle" if n == 1 else f"{NUMBER_WORDS.get(n, str(n))} fused rings"
        return f"{nm} ({shape}, {'aromatic' if arom else 'not aromatic'})"

    def _subst_outcome(self, rules: list[SubstituentRule], g: Group, where: str, fallback: str) -> Outcome:
        cls = classify(g)
        best: Outcome | None = None
        for rule in rules:
            if rule.first_atom is not None and (g.root is None or _symbol(g.atom(g.root).GetAtomicNum())
                                                not in rule.first_atom):
                continue
            ok, cert, why = vocab_outcome(cls, rule.is_)
            if not ok:
                continue
            certainty: Certainty = "interpretive" if "interpretive" in (cert, rule.certainty) else "definite"
            notes = [n for n in (why, rule.reason if rule.certainty == "interpretive" else None, rule.note) if n]
            out = Outcome(True, [rule.clause] if rule.clause else [], certainty, notes)
            if best is None or out.score < best.score:
                best = out
        if best is not None:
            return best
        sname = name_of(fragment_smiles(g.mol, g.atoms, self._plain_dummies(g.mol, g.atoms)))
        kind = describe_kinds(cls)
        what = sname if kind in (sname, "group") else f"{sname} ({kind})"
        return Outcome(False, reason=f"{what} {where}: {fallback}")

    def _ring_path_outcome(self, rp: RingPath, grp: Group, region: str, formula: bool) -> Outcome:
        if grp.absent:
            return Outcome(False, reason="there is no group here (hydrogen)", stage=0)
        cands = self._ring_candidates(grp)
        if not cands:
            return Outcome(False, reason="there is no ring in the group", stage=0)
        parent = self._parent_parts.get(region)
        best: Outcome | None = None
        for linker, system in cands:
            o = self._one_path(rp, grp, linker, system, parent, formula)
            if best is None or o.score < best.score:
                best = o
        assert best is not None
        return best

    def _one_path(self, rp: RingPath, grp: Group, linker: list[int], system: frozenset[int],
                  parent: tuple[str, str, str, str] | None, formula: bool) -> Outcome:
        mol = grp.mol
        lo, hi = rp.linker.length
        n = len(linker)
        if not lo <= n <= hi:
            return Outcome(False, reason=f"the {rp.linker.label} is {_length_words(n, linker, mol)}; {rp.linker.rule}",
                           stage=1)
        bad = [i for i in linker if _symbol(grp.atom(i).GetAtomicNum()) not in rp.linker.atoms]
        if bad:
            el = ELEMENT_NAMES.get(grp.atom(bad[0]).GetAtomicNum(), "a heteroatom")
            return Outcome(False, reason=f"the {rp.linker.label} contains {el}; {rp.linker.rule}", stage=2)
        if rp.linker.saturated:
            chain = [*linker]
            for x, y in zip(chain, chain[1:], strict=False):
                if grp.bond_order(x, y) != 1.0:
                    return Outcome(False, reason=f"the {rp.linker.label} has a multiple bond; {rp.linker.rule}",
                                   stage=2)
        sigs = self._parts_sigs(grp, linker, system)
        lsubs, rsubs, both = self._split(grp, linker, system)
        if both:
            return Outcome(False, reason=f"a ring joins the {rp.linker.label} and the ring; {rp.linker.rule}",
                           stage=3)
        clauses: list[str] = []
        notes: list[str] = []
        certainty: Certainty = "definite"
        changed_linker = parent is None or sigs[0] != parent[0]
        if changed_linker and rp.linker.clause and parent is not None:
            clauses.append(rp.linker.clause)
        for s in lsubs:
            o = self._subst_outcome(rp.linker.substituents, s, f"on the {rp.linker.label}", rp.linker.rule)
            if not o.ok:
                o.stage = 3
                return o
            if parent is None or sigs[1] != parent[1]:
                clauses += o.clauses
            notes += o.notes
            certainty = "interpretive" if o.certainty == "interpretive" else certainty
        if linker:
            ring_root = next(x for x in system if mol.GetBondBetweenAtoms(linker[-1], x) is not None)
        else:
            assert grp.root is not None
            ring_root = grp.root
        ring_grp = Group(grp.ctx, system, ring_root)
        ring_cls = classify(ring_grp)
        ok, cert, why = vocab_outcome(ring_cls, rp.ring.is_)
        same = parent is not None and sigs[2] == parent[2]
        if not ok or (rp.ring.other_than_parent and same) or (rp.ring.same_as_parent and parent is not None
                                                              and not same):
            desc = self._ring_desc(grp, system)
            if rp.ring.other_than_parent and same and ok:
                desc = f"{desc}, as in the parent"
            return Outcome(False, reason=f"the ring is {desc}; {rp.ring.rule}", stage=4)
        if why:
            notes.append(why)
            certainty = "interpretive"
        if cert == "interpretive":
            certainty = "interpretive"
        if parent is not None and not same and rp.ring.clause:
            clauses.append(rp.ring.clause)
        ring_full_changed = parent is None or sigs[3] != parent[3]
        for s in rsubs:
            o = self._subst_outcome(rp.ring_substituents, s, "on the ring", rp.ring_substituents_rule)
            if not o.ok:
                o.stage = 5
                return o
            if ring_full_changed:
                clauses += o.clauses
            notes += o.notes
            certainty = "interpretive" if o.certainty == "interpretive" else certainty
        if ring_full_changed and rp.ring.clause and not clauses:
            # The ring's substituents changed only by removal (4-ethoxyphenyl -> phenyl): the clause
            # that governs the ring ("a substituted or unsubstituted aromatic group") covers that.
            clauses.append(rp.ring.clause)
        return Outcome(True, clauses, certainty, notes, stage=6)

    def _group_outcome(self, rule: GroupRule, grp: Group, region: str, formula: bool) -> Outcome:
        detail = ""
        g = grp
        if rule.z is not None:
            z, g = self._split_z(grp)
            if z not in rule.z:
                return Outcome(False, reason=f"Z is {z}; the formula allows {', '.join(rule.z)}")
            r3 = name_of(fragment_smiles(g.mol, g.atoms, self._plain_dummies(g.mol, g.atoms))) if g.atoms else "H"
            detail = f"Z = {z}, R3 = {r3}"
        if rule.first_atom is not None:
            z_root = 1 if g.root is None else g.atom(g.root).GetAtomicNum()
            sym = "H" if g.root is None else _symbol(z_root)
            if sym not in rule.first_atom:
                return Outcome(False, reason=f"the group is bound through {ELEMENT_NAMES.get(z_root, sym)}")
        if rule.ring_path is not None:
            o = self._ring_path_outcome(rule.ring_path, g, region, formula)
        else:
            cls = classify(g)
            ok, cert, why, spec = vocab_match(cls, rule.is_)
            if not ok:
                gname = detail or ("hydrogen" if g.absent else
                                   name_of(fragment_smiles(g.mol, g.atoms, self._plain_dummies(g.mol, g.atoms))))
                what = summary(cls)
                return Outcome(False, reason=f"{gname} ({what})" if what != gname else gname)
            o = Outcome(True, [], cert, [why] if why else [])
            o.detail = describe_as(cls, spec) if spec is not None else describe_kinds(cls)
        if not o.ok:
            return o
        if rule.clause:
            o.clauses = [rule.clause, *o.clauses]
        if rule.certainty == "interpretive":
            o.certainty = "interpretive"
            assert rule.reason
            o.notes.append(rule.reason)
        if rule.note:
            o.notes.append(rule.note)
        if detail:
            o.detail = f"{detail} ({o.detail})" if o.detail else detail
        return o

    def _split_z(self, grp: Group) -> tuple[str, Group]:
        if grp.absent or grp.root is None:
            return "none", grp
        at = grp.atom(grp.root)
        nb = grp.nbrs(grp.root)
        if not at.IsInRing() and len(nb) == 1 and all(b.GetBondTypeAsDouble() == 1.0 for b in at.GetBonds()):
            rest = Group(grp.ctx, grp.atoms - {grp.root}, nb[0], grp.bond_order(grp.root, nb[0]))
            if at.GetAtomicNum() == 8:
                return "O", rest
            if at.GetAtomicNum() == 7 and at.GetTotalNumHs() == 1:
                return "NH", rest
        return "none", grp

    # -- reading -------------------------------------------------------------------------------------
    def read(self, mol: Chem.Mol, ctx: MolContext | None = None, limit: int | None = None) -> list[ScaffoldReading]:
        """One reading per mapping of the core (at most ``max_mappings``), best first."""
        matches = mol.GetSubstructMatches(self.query, uniquify=False, maxMatches=self.spec.max_mappings)
        if not matches:
            return []
        ctx = ctx or MolContext(mol)
        out: list[ScaffoldReading] = []
        seen: set[tuple[int, ...]] = set()
        for match in matches:
            if match in seen:
                continue
            seen.add(match)
            out.append(self._read_mapping(ctx, self._mapping(match)))
        # Equal readings under the core's symmetry: prefer the lowest locants in the wording.
        out.sort(key=lambda r: (r.sort_key(), tuple(x.text for x in r.regions)))
        return out[:limit] if limit else out

    def _read_mapping(self, ctx: MolContext, mapping: dict[int, int]) -> ScaffoldReading:
        mol = ctx.mol
        spec = self.spec
        formula = spec.mode == "formula"
        a = self._assign(mol, mapping)
        readings: list[RegionReading] = []
        for name, reg in spec.regions.items():
            readings.append(self._read_region(ctx, name, reg, mapping, a, formula))
        extra = self._extra_core_bond(mol, mapping)
        if extra is not None:
            reg_name = self.owner[extra[0]]
            for i, r in enumerate(readings):
                if r.name == reg_name:
                    r.status = "outside"
                    r.reason = (f"an extra bond closes a ring inside the fixed core; "
                                f"{spec.regions[reg_name].fixed}")
                    readings.insert(0, readings.pop(i))
                    break
        outside = [r for r in readings if r.status == "outside"]
        clauses: list[str] = []
        if spec.clause:
            clauses.append(spec.clause)
        for r in readings:
            for c in r.clauses:
                if c not in clauses:
                    clauses.append(c)
        clauses.sort(key=lambda c: self.clause_order.get(c, 0))
        certainty: Certainty = "interpretive" if any(
            r.certainty == "interpretive" for r in readings if r.status != "outside") else "definite"
        if outside:
            first = outside[0]
            return ScaffoldReading(spec.id, spec.label, False, [], "definite", readings,
                                   f"{first.label}: {first.reason}", mapping)
        if not formula and all(r.status == "unchanged" for r in readings):
            assert spec.parent is not None
            return ScaffoldReading(spec.id, spec.label, False, [], "definite", readings,
                                   f"the structure is {spec.parent.name} itself, which the definition "
                                   f"compares against (it is listed under its own entry)", mapping)
        return ScaffoldReading(spec.id, spec.label, True, clauses, certainty, readings, None, mapping)

    def _extra_core_bond(self, mol: Chem.Mol, mapping: dict[int, int]) -> tuple[int, int] | None:
        idx_to_map = {v: k for k, v in mapping.items()}
        for m, i in mapping.items():
            for nb in mol.GetAtomWithIdx(i).GetNeighbors():
                j = nb.GetIdx()
                if j in idx_to_map and frozenset((m, idx_to_map[j])) not in self.core_bonds:
                    return m, idx_to_map[j]
        return None

    def _read_region(self, ctx: MolContext, name: str, reg: Region, mapping: dict[int, int],
                     a: _Assign, formula: bool) -> RegionReading:
        mol = ctx.mol
        atoms = sorted(a.region_atoms[name])
        core_atoms = {mapping[m] for m in reg.atoms}
        changed = sorted(set(atoms) - core_atoms)
        text = self._region_text(ctx, name, mapping, a)
        parent_text = self._parent_text.get(name)

        def outside(reason: str) -> RegionReading:
            return RegionReading(name, reg.label, "outside", text, parent_text, [], "definite", [], reason,
                                 atoms, changed)

        if a.bridges[name]:
            _comp, names = a.bridges[name][0]
            labels = [self.spec.regions[n].label for n in names]
            return outside(f"a ring or chain joins the {' and the '.join(labels)}; no clause allows that")
        if a.extra_groups.get(name):
            return outside(f"{a.extra_groups[name]} groups are attached where the definition has one; {reg.fixed}")
        if not formula and self._parent_sigs and self._region_sig(mol, name, mapping, a) == self._parent_sigs[name]:
            return RegionReading(name, reg.label, "unchanged", text, parent_text, [], "definite", [], None,
                                 atoms, [])
        clauses: list[str] = []
        notes: list[str] = []
        certainty: Certainty = "definite"
        if reg.attach is not None:
            grp = self._group(ctx, a.group.get(name))
            group_same = (not formula and name in self._parent_group_sig
                          and self._group_sig(mol, grp, mapping) == self._parent_group_sig[name])
            if not group_same:
                best: Outcome | None = None
                for rule in reg.group:
                    o = self._group_outcome(rule, grp, name, formula)
                    if best is None or o.score < best.score:
                        best = o
                assert best is not None
                if not best.ok:
                    return outside(f"{best.reason}" + ("" if best.stage else f"; {reg.fixed}"))
                clauses += best.clauses
                notes += best.notes
                if best.certainty == "interpretive":
                    certainty = "interpretive"
                if best.detail and formula:
                    if best.detail.startswith("Z = "):
                        text = best.detail
                    elif best.detail != text:
                        text = f"{text} ({best.detail})"
        for comp in a.subs[name]:
            _c, root, order = comp.anchors[0]
            g = Group(ctx, comp.atoms, root, order)
            o = self._subst_outcome(reg.substituents, g, f"on the {reg.label}", reg.fixed)
            if not o.ok:
                return outside(o.reason or reg.fixed)
            clauses += o.clauses
            notes += o.notes
            if o.certainty == "interpretive":
                certainty = "interpretive"
        for comp in a.fused[name]:
            if reg.fused is None:
                sname = name_of(fragment_smiles(mol, comp.atoms, self._plain_dummies(mol, comp.atoms)))
                return outside(f"a ring ({sname}) is fused or bridged onto the {reg.label}; {reg.fixed}")
            if reg.fused.clause:
                clauses.append(reg.fused.clause)
            notes.append(reg.fused.reason)
            if reg.fused.certainty == "interpretive":
                certainty = "interpretive"
        uniq: list[str] = []
        for c in clauses:
            if c not in uniq:
                uniq.append(c)
        status: Literal["unchanged", "changed"] = "changed"
        if formula:
            if reg.attach is None and not a.subs[name] and not a.fused[name]:
                status = "unchanged"
        elif not uniq:
            # Changed against the parent, yet no rule named a clause: a substituent of the parent
            # was removed (etodesnitazene) or changed in a way only the region's clause covers.
            if reg.clause is None:
                return outside(f"differs from {self.spec.parent.name if self.spec.parent else 'the parent'} "
                               f"({parent_text} → {text}); {reg.fixed}")
            uniq.append(reg.clause)
        return RegionReading(name, reg.label, status, text, parent_text, uniq, certainty, notes, None, atoms,
                             changed if status == "changed" else [])
