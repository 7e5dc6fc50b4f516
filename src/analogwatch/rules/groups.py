"""Classifying a substituent or an R-group into the chemical categories legal texts use.

A *group* is a connected set of atoms of a molecule hanging off the fixed core of a definition
(or nothing at all: hydrogen). ``classify`` answers, once per group, every question a rule file
can ask: is it an alkyl, alkenyl, alkoxyl, ester, ether, hydroxyl, halo, haloalkyl, amino, nitro,
acyl group; is its first ring a monocycle, an aromatic monocycle; how many carbons has its
hydrocarbyl skeleton; how many heteroatoms has its heterocycle; and, for acyclic groups, which
listed parts it is made of (an alkyl carrying a hydroxyl is neither "alkyl" nor "hydroxyl", but a
combination of both: rule files decide what such a combination is worth).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml
from rdkit import Chem, rdBase

from analogwatch.errors import RuleError

HALOGENS = frozenset({9, 17, 35, 53})
ELEMENT_NAMES = {
    1: "hydrogen", 5: "boron", 6: "carbon", 7: "nitrogen", 8: "oxygen", 9: "fluorine", 14: "silicon",
    15: "phosphorus", 16: "sulfur", 17: "chlorine", 34: "selenium", 35: "bromine", 53: "iodine",
}

#: every category name a rule file may use in ``is:`` lists; parameters in brackets
KINDS = frozenset({
    "any", "absent", "halo", "hydroxyl", "oxo", "alkyl", "alkenyl", "alkynyl", "haloalkyl", "alkoxyl",
    "ether", "ester", "amino", "amine", "amide_n", "nitro", "cyano", "acyl", "methyl", "ethyl",
    "phenyl", "benzyl", "monocycle", "aromatic_monocycle", "aromatic", "ring", "hydrocarbyl", "aryl",
    "heterocyclyl", "alkyl_heterocyclyl",
})
#: kinds that take parameters, with the parameters they accept
KIND_PARAMS = {
    "hydrocarbyl": {"carbons", "substituted"},
    "aryl": {"carbons"},
    "heterocyclyl": {"heteroatoms"},
    "alkyl_heterocyclyl": {"carbons", "heteroatoms"},
}


class MolContext:
    """Ring facts of one molecule, computed once and shared by every group of it."""

    def __init__(self, mol: Chem.Mol):
        self.mol = mol
        self.rings: list[frozenset[int]] = [frozenset(r) for r in mol.GetRingInfo().AtomRings()]
        self.atom_rings: dict[int, list[int]] = {}
        for i, r in enumerate(self.rings):
            for a in r:
                self.atom_rings.setdefault(a, []).append(i)
        # Ring systems of the whole molecule, and which of them hold a heteroatom.
        self.hetero_system_atoms: set[int] = set()
        for system in ring_systems(self, frozenset(range(mol.GetNumAtoms()))):
            if any(mol.GetAtomWithIdx(a).GetAtomicNum() != 6 for a in system):
                self.hetero_system_atoms |= system


def ring_systems(ctx: MolContext, atoms: frozenset[int]) -> list[frozenset[int]]:
    """Ring systems (rings sharing at least one atom, fused or spiro) made of rings inside ``atoms``."""
    rings = [r for r in ctx.rings if r <= atoms]
    systems: list[set[int]] = []
    for r in rings:
        merged = set(r)
        rest = []
        for s in systems:
            if s & merged:
                merged |= s
            else:
                rest.append(s)
        systems = [*rest, merged]
    return [frozenset(s) for s in systems]


def rings_in(ctx: MolContext, system: frozenset[int]) -> int:
    return sum(1 for r in ctx.rings if r <= system)


@dataclass
class Group:
    """A group of atoms attached to the core; ``root`` is the atom bonded to the core."""

    ctx: MolContext
    atoms: frozenset[int]
    root: int | None
    #: bond order of the bond from the core to ``root`` (1.0 single, 2.0 double, 1.5 aromatic)
    root_bond: float = 1.0
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def absent(self) -> bool:
        return not self.atoms

    @property
    def mol(self) -> Chem.Mol:
        return self.ctx.mol

    def atom(self, i: int) -> Chem.Atom:
        return self.ctx.mol.GetAtomWithIdx(i)

    def nbrs(self, i: int) -> list[int]:
        return [n.GetIdx() for n in self.atom(i).GetNeighbors() if n.GetIdx() in self.atoms]

    def systems(self) -> list[frozenset[int]]:
        if "systems" not in self._cache:
            self._cache["systems"] = ring_systems(self.ctx, self.atoms)
        return self._cache["systems"]  # type: ignore[no-any-return]

    def system_of(self, i: int) -> frozenset[int] | None:
        for s in self.systems():
            if i in s:
                return s
        return None

    @property
    def ring_atoms(self) -> frozenset[int]:
        return frozenset().union(*self.systems()) if self.systems() else frozenset()

    @property
    def acyclic(self) -> bool:
        return not self.systems()

    def bond_order(self, a: int, b: int) -> float:
        bond = self.mol.GetBondBetweenAtoms(a, b)
        return float(bond.GetBondTypeAsDouble()) if bond is not None else 0.0

    def elements(self) -> list[int]:
        return [self.atom(i).GetAtomicNum() for i in self.atoms]


def is_functional_carbon(g: Group, i: int) -> bool:
    """A carbon bonded to a heteroatom by a double, triple or aromatic bond (C=O, C#N, ring C-N)."""
    at = g.atom(i)
    for b in at.GetBonds():
        other = b.GetOtherAtom(at)
        if other.GetAtomicNum() != 6 and b.GetBondTypeAsDouble() != 1.0:
            return True
    return False


def in_hetero_ring(g: Group, i: int) -> bool:
    """True for an atom of a ring system that holds a heteroatom (quinoline's benzo carbons too)."""
    return i in g.ctx.hetero_system_atoms


def hydrocarbyl_skeleton(g: Group) -> frozenset[int]:
    """Carbons reachable from the root through carbon-carbon bonds, leaving out functional carbons
    (C=O, C#N) and carbons of heterocycles: the hydrocarbyl part whose carbons a text counts."""
    if g.root is None or g.atom(g.root).GetAtomicNum() != 6:
        return frozenset()
    if is_functional_carbon(g, g.root) or in_hetero_ring(g, g.root):
        return frozenset()
    seen = {g.root}
    stack = [g.root]
    while stack:
        i = stack.pop()
        for n in g.nbrs(i):
            if n in seen or g.atom(n).GetAtomicNum() != 6:
                continue
            if is_functional_carbon(g, n) or in_hetero_ring(g, n):
                continue
            seen.add(n)
            stack.append(n)
    return frozenset(seen)


@dataclass
class Classification:
    """What a group is, in the vocabulary of the rule files."""

    kinds: set[str]
    #: kinds the group is only on a broad reading, with the reason
    near: dict[str, str]
    #: for acyclic groups: the listed parts it is made of (None when it has unlisted parts)
    pieces: frozenset[str] | None
    hydrocarbyl_carbons: int | None = None
    hydrocarbyl_substituted: bool = False
    aryl_carbons: int | None = None
    hetero_ring_heteroatoms: int | None = None
    alkyl_heterocyclyl: tuple[int, int] | None = None  # (carbons in the link, ring heteroatoms)


def _bonds_within(g: Group) -> list[Chem.Bond]:
    if "bonds" not in g._cache:
        out = []
        for i in g.atoms:
            for b in g.atom(i).GetBonds():
                j = b.GetOtherAtomIdx(i)
                if j in g.atoms and i < j:
                    out.append(b)
        g._cache["bonds"] = out
    return g._cache["bonds"]  # type: ignore[no-any-return]


def _all_single(g: Group) -> bool:
    return all(b.GetBondTypeAsDouble() == 1.0 for b in _bonds_within(g))


def _has_double_o(g: Group, c: int) -> bool:
    at = g.atom(c)
    return any(
        b.GetOtherAtom(at).GetAtomicNum() == 8 and b.GetBondTypeAsDouble() == 2.0 for b in at.GetBonds()
    )


def _pieces(g: Group) -> frozenset[str] | None:
    """The named parts an acyclic group is built of, or None when a part has no name in the lists."""
    if not g.acyclic:
        return None
    parts: set[str] = set()
    for i in g.atoms:
        at = g.atom(i)
        z = at.GetAtomicNum()
        heavy = [n for n in at.GetNeighbors()]
        if z == 6:
            if at.GetFormalCharge() != 0:
                return None
            orders = [b.GetBondTypeAsDouble() for b in at.GetBonds()]
            if 3.0 in orders:
                if any(n.GetAtomicNum() == 7 for n in heavy):
                    parts.add("cyano")
                else:
                    parts.add("alkynyl")
            elif _has_double_o(g, i):
                o_single = [
                    n for n in heavy
                    if n.GetAtomicNum() == 8 and g.bond_order(i, n.GetIdx()) == 1.0
                    and n.GetDegree() == 2
                ]
                n_single = [n for n in heavy if n.GetAtomicNum() == 7]
                if o_single:
                    parts.add("ester")
                elif n_single:
                    parts.add("amide")
                else:
                    parts.add("acyl")
            elif any(b.GetBondTypeAsDouble() == 2.0 and b.GetOtherAtom(at).GetAtomicNum() == 6
                     for b in at.GetBonds()):
                parts.add("alkenyl")
            elif any(b.GetBondTypeAsDouble() == 2.0 for b in at.GetBonds()):
                return None
            else:
                parts.add("alkyl")
        elif z in HALOGENS:
            parts.add("halo")
        elif z == 8:
            carbons = [n for n in heavy if n.GetAtomicNum() == 6]
            if at.GetDegree() == 1 and g.bond_order(i, heavy[0].GetIdx()) == 2.0:
                if heavy[0].GetAtomicNum() == 7:
                    continue  # part of a nitro group
                if heavy[0].GetIdx() not in g.atoms:
                    parts.add("oxo")
                continue  # carbonyl O: counted with its carbon
            if at.GetFormalCharge() == -1 and heavy and heavy[0].GetAtomicNum() == 7:
                continue  # nitro O-
            if at.GetDegree() == 1:
                parts.add("hydroxyl")
            elif len(carbons) == 2 and len(heavy) == 2:
                if any(_has_double_o(g, c.GetIdx()) for c in carbons):
                    continue  # ester O: counted with the carbonyl
                parts.add("alkoxyl")
            else:
                return None
        elif z == 7:
            os_ = [n for n in heavy if n.GetAtomicNum() == 8]
            if len(os_) == 2:
                parts.add("nitro")
            elif any(b.GetBondTypeAsDouble() != 1.0 for b in at.GetBonds()):
                if any(n.GetAtomicNum() == 6 and g.bond_order(i, n.GetIdx()) == 3.0 for n in heavy):
                    continue  # nitrile N: counted with its carbon
                return None
            elif any(n.GetAtomicNum() == 6 and _has_double_o(g, n.GetIdx()) for n in heavy):
                continue  # amide N: counted with the carbonyl
            else:
                parts.add("amino")
        else:
            return None
    return frozenset(parts)


def _alkyl_part(g: Group, atoms: Iterable[int]) -> bool:
    return all(g.atom(i).GetAtomicNum() == 6 for i in atoms)


def classify(g: Group) -> Classification:
    """Every category of the rule-file vocabulary that the group belongs to."""
    kinds: set[str] = set()
    near: dict[str, str] = {}
    if g.absent or g.root is None:
        return Classification({"absent"}, {}, frozenset())
    kinds.add("any")
    root = g.atom(g.root)
    rz = root.GetAtomicNum()
    elems = g.elements()
    n = len(g.atoms)
    single = _all_single(g)
    acyclic = g.acyclic
    carbons_only = all(z == 6 for z in elems)
    if g.root_bond == 2.0 and n == 1 and rz == 8:
        kinds.add("oxo")
    if n == 1 and rz in HALOGENS:
        kinds.add("halo")
    if n == 1 and rz == 8 and g.root_bond == 1.0:
        kinds.add("hydroxyl")
    if acyclic and carbons_only and g.root_bond == 1.0:
        orders = {b.GetBondTypeAsDouble() for b in _bonds_within(g)}
        if orders <= {1.0}:
            kinds.add("alkyl")
            if n == 1:
                kinds.add("methyl")
            if n == 2:
                kinds.add("ethyl")
        elif 3.0 in orders:
            kinds.add("alkynyl")
        elif 2.0 in orders:
            kinds.add("alkenyl")
    if (acyclic and single and rz == 6 and g.root_bond == 1.0
            and all(z == 6 or z in HALOGENS for z in elems) and any(z in HALOGENS for z in elems)):
        kinds.add("haloalkyl")
    if (acyclic and single and rz == 8 and n > 1 and g.root_bond == 1.0
            and _alkyl_part(g, [i for i in g.atoms if i != g.root]) and len(g.nbrs(g.root)) == 1):
        kinds.update({"alkoxyl", "ether"})
    if (acyclic and single and rz == 6 and g.root_bond == 1.0 and set(elems) == {6, 8}
            and all(len([x for x in g.atom(i).GetNeighbors() if x.GetAtomicNum() == 6]) == 2
                    for i in g.atoms if g.atom(i).GetAtomicNum() == 8)):
        kinds.add("ether")
    # esters: alkoxycarbonyl (root C(=O)O-alkyl) or acyloxy (root O-C(=O)-alkyl)
    if acyclic and set(elems) <= {6, 8} and g.root_bond == 1.0:
        if rz == 6 and _has_double_o(g, g.root):
            ors = [x for x in g.nbrs(g.root) if g.atom(x).GetAtomicNum() == 8 and g.bond_order(g.root, x) == 1.0]
            if len(ors) == 1 and sum(1 for z in elems if z == 8) == 2:
                kinds.add("ester")
        if rz == 8 and len(g.nbrs(g.root)) == 1:
            c = g.nbrs(g.root)[0]
            if g.atom(c).GetAtomicNum() == 6 and _has_double_o(g, c) and sum(1 for z in elems if z == 8) == 2:
                kinds.add("ester")
    if rz == 6 and not root.IsInRing() and _has_double_o(g, g.root) and g.root_bond == 1.0:
        kinds.add("acyl")
    if n == 2 and rz == 6 and any(g.bond_order(g.root, x) == 3.0 and g.atom(x).GetAtomicNum() == 7
                                  for x in g.nbrs(g.root)):
        kinds.add("cyano")
    if rz == 7:
        os_ = [x for x in g.nbrs(g.root) if g.atom(x).GetAtomicNum() == 8]
        if len(os_) == 2 and n == 3:
            kinds.add("nitro")
        elif not root.GetIsAromatic() and all(b.GetBondTypeAsDouble() == 1.0 for b in root.GetBonds()):
            amide = any(
                g.atom(x).GetAtomicNum() in (6, 16) and (_has_double_o(g, x) or g.atom(x).GetAtomicNum() == 16)
                for x in g.nbrs(g.root)
            )
            if amide:
                kinds.add("amide_n")
            else:
                kinds.add("amine")
                if acyclic and _alkyl_part(g, [i for i in g.atoms if i != g.root]) and single:
                    kinds.add("amino")
                elif not acyclic and g.system_of(g.root) is not None and single and set(elems) <= {6, 7}:
                    near["amino"] = "a cyclic amino group counts as an amino group only on a broad reading"
    # rings
    sys_root = g.system_of(g.root)
    if sys_root is not None:
        kinds.add("ring")
        mono = rings_in(g.ctx, sys_root) == 1
        arom = all(g.atom(i).GetIsAromatic() for i in sys_root)
        if arom:
            kinds.add("aromatic")
        elif g.atom(g.root).GetIsAromatic():
            # Bound through an aromatic ring fused to a non-aromatic one (2,3-dihydrobenzofuran-5-yl,
            # 1,3-benzodioxol-5-yl, indan-5-yl): an aromatic ring carrying a fused ring.
            near["aromatic"] = (
                "an aromatic ring fused with a non-aromatic ring counts as an aromatic group only on a "
                "broad reading (a benzene ring 'substituted' by the fused ring)"
            )
        if mono:
            kinds.add("monocycle")
            if arom:
                kinds.add("aromatic_monocycle")
                if len(sys_root) == 6 and all(g.atom(i).GetAtomicNum() == 6 for i in sys_root):
                    kinds.add("phenyl")
    if rz == 6 and not root.IsInRing() and root.GetDegree() >= 1:
        ring_nbrs = [x for x in g.nbrs(g.root) if g.system_of(x) is not None]
        for x in ring_nbrs:
            s = g.system_of(x)
            assert s is not None
            benzene = len(s) == 6 and rings_in(g.ctx, s) == 1 and all(
                g.atom(i).GetIsAromatic() and g.atom(i).GetAtomicNum() == 6 for i in s)
            if benzene and all(g.bond_order(g.root, y) == 1.0 for y in g.nbrs(g.root)):
                kinds.add("benzyl")
    skeleton = hydrocarbyl_skeleton(g)
    cls = Classification(kinds, near, _pieces(g) if acyclic else None)
    if skeleton:
        kinds.add("hydrocarbyl")
        cls.hydrocarbyl_carbons = len(skeleton)
        cls.hydrocarbyl_substituted = len(skeleton) < n
    if sys_root is not None:
        if all(g.atom(i).GetIsAromatic() and g.atom(i).GetAtomicNum() == 6 for i in sys_root):
            kinds.add("aryl")
            cls.aryl_carbons = len(sys_root)
        hetero = sum(1 for i in sys_root if g.atom(i).GetAtomicNum() != 6)
        if hetero:
            kinds.add("heterocyclyl")
            cls.hetero_ring_heteroatoms = hetero
    # methyl or ethyl carrying a heterocyclyl
    if rz == 6 and not root.IsInRing():
        frontier = [(g.root, 1)]
        seen = {g.root}
        link_clean = True
        while frontier:
            i, depth = frontier.pop(0)
            for x in g.nbrs(i):
                if x in seen:
                    continue
                seen.add(x)
                s = g.system_of(x)
                if s is not None:
                    hetero = sum(1 for a in s if g.atom(a).GetAtomicNum() != 6)
                    if hetero and cls.alkyl_heterocyclyl is None:
                        cls.alkyl_heterocyclyl = (depth, hetero)
                    continue
                if g.atom(x).GetAtomicNum() == 6 and depth < 2:
                    frontier.append((x, depth + 1))
                else:
                    link_clean = False
        if cls.alkyl_heterocyclyl is not None:
            kinds.add("alkyl_heterocyclyl")
            if not link_clean:
                near_reason = "the methyl or ethyl carrying the heterocycle has further substituents"
                kinds.discard("alkyl_heterocyclyl")
                near["alkyl_heterocyclyl"] = near_reason
    return cls


@dataclass(frozen=True)
class KindSpec:
    """One entry of an ``is:`` list in a rule file: a kind with optional parameters."""

    kind: str
    params: tuple[tuple[str, object], ...] = ()

    def param(self, name: str, default: object = None) -> object:
        return dict(self.params).get(name, default)

    def label(self) -> str:
        if not self.params:
            return self.kind.replace("_", " ")
        bits = []
        for k, v in self.params:
            if isinstance(v, (list, tuple)) and len(v) == 2:
                bits.append(f"{k} {v[0]}–{v[1]}")
            else:
                bits.append(f"{k} {v}")
        return f"{self.kind.replace('_', ' ')} ({', '.join(bits)})"


def parse_kind_spec(raw: object, where: str) -> KindSpec:
    params: dict[str, object]
    if isinstance(raw, str):
        name, params = raw, {}
    elif isinstance(raw, dict) and len(raw) == 1:
        name, given = next(iter(raw.items()))
        if not isinstance(given, dict | None):
            raise RuleError(f"{where}: parameters of {name!r} must be a mapping")
        params = dict(given or {})
    else:
        raise RuleError(f"{where}: a kind must be a name or a one-key mapping, not {raw!r}")
    if name not in KINDS:
        raise RuleError(f"{where}: unknown kind {name!r} (known: {', '.join(sorted(KINDS))})")
    allowed = KIND_PARAMS.get(name, set())
    for k, v in params.items():
        if k not in allowed:
            raise RuleError(f"{where}: kind {name!r} takes no parameter {k!r}")
        if k in ("carbons", "heteroatoms") and not (
            isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v) and v[0] <= v[1]
        ):
            raise RuleError(f"{where}: {name}.{k} must be a range [min, max] of integers")
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return KindSpec(name, frozen)


def _in_range(value: int | None, rng: object) -> bool:
    if value is None:
        return False
    if rng is None:
        return True
    lo, hi = rng  # type: ignore[misc]
    return bool(int(lo) <= value <= int(hi))  # type: ignore[has-type]


def kind_holds(cls: Classification, spec: KindSpec) -> bool:
    """True when the classified group is, definitely, of the kind ``spec`` (with its parameters)."""
    k = spec.kind
    if k == "any":
        return "absent" not in cls.kinds
    if k not in cls.kinds:
        return False
    if k == "hydrocarbyl":
        if spec.param("substituted") is False and cls.hydrocarbyl_substituted:
            return False
        return _in_range(cls.hydrocarbyl_carbons, spec.param("carbons"))
    if k == "aryl":
        return _in_range(cls.aryl_carbons, spec.param("carbons"))
    if k == "heterocyclyl":
        return _in_range(cls.hetero_ring_heteroatoms, spec.param("heteroatoms"))
    if k == "alkyl_heterocyclyl":
        if cls.alkyl_heterocyclyl is None:
            return False
        link, het = cls.alkyl_heterocyclyl
        return _in_range(link, spec.param("carbons")) and _in_range(het, spec.param("heteroatoms"))
    return True


def describe_kinds(cls: Classification) -> str:
    """A short phrase for what the group is (for explanations)."""
    order = [
        "absent", "nitro", "cyano", "oxo", "halo", "hydroxyl", "haloalkyl", "methyl", "ethyl", "alkyl",
        "alkenyl", "alkynyl", "alkoxyl", "ester", "ether", "acyl", "amino", "amide_n", "amine",
        "phenyl", "benzyl", "aromatic_monocycle", "monocycle", "aryl", "heterocyclyl", "aromatic", "ring",
        "hydrocarbyl",
    ]
    for k in order:
        if k in cls.kinds:
            if k == "absent":
                return "hydrogen"
            if k == "hydrocarbyl" and cls.hydrocarbyl_carbons is not None:
                sub = ", substituted" if cls.hydrocarbyl_substituted else ""
                return f"C{cls.hydrocarbyl_carbons} hydrocarbyl{sub}"
            if k == "aryl" and cls.aryl_carbons is not None:
                return f"C{cls.aryl_carbons} aryl"
            if k == "heterocyclyl":
                return f"heterocyclyl with {cls.hetero_ring_heteroatoms} ring heteroatom(s)"
            if k in ("ring", "aromatic"):
                return "polycyclic ring system" if k == "ring" else "aromatic polycycle"
            return k.replace("_", " ")
    if cls.pieces:
        return "group made of " + " + ".join(sorted(cls.pieces))
    return "group"


def summary(cls: Classification) -> str:
    """What the group is, with its hydrocarbyl carbon count when it has one."""
    desc = describe_kinds(cls)
    if cls.hydrocarbyl_carbons is not None and "hydrocarbyl" not in desc:
        sub = ", substituted" if cls.hydrocarbyl_substituted else ""
        desc += f"; C{cls.hydrocarbyl_carbons} hydrocarbyl{sub}"
    return desc


def describe_as(cls: Classification, spec: KindSpec) -> str:
    """How the group satisfies ``spec``: 'C5 hydrocarbyl, substituted', 'C10 aryl', ..."""
    k = spec.kind
    if k == "hydrocarbyl":
        sub = ", substituted" if cls.hydrocarbyl_substituted else ""
        return f"C{cls.hydrocarbyl_carbons} hydrocarbyl{sub}"
    if k == "aryl":
        return f"C{cls.aryl_carbons} aryl"
    if k == "heterocyclyl":
        return f"heterocyclyl, {cls.hetero_ring_heteroatoms} ring heteroatom(s)"
    if k == "alkyl_heterocyclyl" and cls.alkyl_heterocyclyl:
        link, het = cls.alkyl_heterocyclyl
        return f"{'methyl' if link == 1 else 'ethyl'} carrying a heterocyclyl ({het} ring heteroatom(s))"
    if k == "absent":
        return "hydrogen"
    if k == "any":
        return describe_kinds(cls)
    return k.replace("_", " ")


# -- names and signatures --------------------------------------------------------------------------

class _FragmentMemo(threading.local):
    """Fragments already written for the molecule being read (per thread): readings of several
    mappings and scaffolds of one molecule ask for the same fragments again."""

    mol: Chem.Mol | None = None
    answers: dict[tuple[frozenset[int], tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], str]


_memo = _FragmentMemo()


def fragment_smiles(mol: Chem.Mol, keep: Iterable[int], dummies: dict[int, int] | None = None,
                    labels: dict[int, int] | None = None) -> str:
    """Canonical SMILES of the atoms ``keep`` with ``dummies`` (atom -> map number, 0 for none)
    turned into attachment points ``*``; ``labels`` put map numbers on kept atoms (positions).

    Hydrogen counts are frozen as in ``mol`` (leaving out a neighbour adds no hydrogen), except on
    labelled core atoms, whose hydrogens follow from the substituents the fragment already shows."""
    dummies = dummies or {}
    labels = labels or {}
    key = (frozenset(keep), tuple(sorted(dummies.items())), tuple(sorted(labels.items())))
    if _memo.mol is not mol:  # the memo holds the molecule itself, so its identity cannot be reused
        _memo.mol, _memo.answers = mol, {}
    smiles = _memo.answers.get(key)
    if smiles is None:
        smiles = _memo.answers[key] = _fragment_smiles(mol, key[0], dummies, labels)
    return smiles


def _fragment_smiles(mol: Chem.Mol, keep: Iterable[int], dummies: dict[int, int], labels: dict[int, int]) -> str:
    atoms = sorted(set(keep) | set(dummies))
    em = Chem.RWMol()
    new: dict[int, int] = {}
    for i in atoms:
        src = mol.GetAtomWithIdx(i)
        if i in dummies:
            a = Chem.Atom(0)
            a.SetAtomMapNum(dummies[i])
        else:
            a = Chem.Atom(src.GetAtomicNum())
            a.SetFormalCharge(src.GetFormalCharge())
            a.SetIsAromatic(src.GetIsAromatic())
            a.SetNumExplicitHs(0 if i in labels else src.GetTotalNumHs())
            if i in labels:
                a.SetAtomMapNum(labels[i])
        a.SetNoImplicit(True)
        new[i] = em.AddAtom(a)
    for i in atoms:
        for b in mol.GetAtomWithIdx(i).GetBonds():
            j = b.GetOtherAtomIdx(i)
            if j not in new or j < i or (i in dummies and j in dummies):
                continue
            bt = b.GetBondType()
            arom = b.GetIsAromatic()
            if arom and (i in dummies or j in dummies):
                bt, arom = Chem.BondType.SINGLE, False
            em.AddBond(new[i], new[j], bt)
            if arom:
                em.GetBondBetweenAtoms(new[i], new[j]).SetIsAromatic(True)
    m = em.GetMol()
    with rdBase.BlockLogs():
        m.UpdatePropertyCache(strict=False)
        Chem.FastFindRings(m)
        return str(Chem.MolToSmiles(m, isomericSmiles=False))


def canonical_fragment(smiles: str) -> str:
    with rdBase.BlockLogs():
        m = Chem.MolFromSmiles(smiles)
    if m is None:
        raise RuleError(f"group-names.yaml: SMILES {smiles!r} does not parse")
    return str(Chem.MolToSmiles(m, isomericSmiles=False))


@lru_cache(maxsize=1)
def group_names() -> dict[str, str]:
    """Names of common groups and rings, keyed by canonical SMILES with ``*`` at the attachment."""
    path = resources.files("analogwatch.rules") / "group-names.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, str] = {}
    for smi, name in raw.items():
        out[canonical_fragment(str(smi))] = str(name)
    return out


def name_of(smiles: str) -> str:
    """A name for a fragment SMILES when one is known, else the SMILES itself."""
    return group_names().get(smiles, smiles)
