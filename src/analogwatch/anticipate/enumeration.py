"""Enumeration of analogs by depth: every transformation on every structure of the previous depth.

Products are sanitised (a product RDKit cannot sanitise, or one that falls apart into several
fragments, is counted as invalid and skipped), written as canonical SMILES, and deduplicated by
InChIKey across all depths and families: an analog is reported once, at the lowest depth that
produced it. Under a ``limit``, each depth keeps its new analogs in round-robin order over their
parents, so that every parent is represented before any parent gets a second analog.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from rdkit import Chem, rdBase

from analogwatch.anticipate.families import Seed
from analogwatch.anticipate.vocabulary import Transformation
from analogwatch.chem.standardize import inchikey as _inchikey
from analogwatch.errors import StructureError


@dataclass(eq=False)
class Analog:
    """One structure of the enumerated space (depth 0: a seed)."""

    id: str
    smiles: str
    inchikey: str
    depth: int
    family: str
    #: id of the structure it was made from ("" for a seed)
    parent: str
    parent_smiles: str
    #: id of the transformation that made it ("" for a seed)
    transformation: str
    #: the seed it descends from
    root: str
    #: transformation ids from the seed, in order
    path: tuple[str, ...]
    mol: Chem.Mol = field(repr=False)

    @property
    def connectivity(self) -> str:
        return self.inchikey[:14]


@dataclass
class DepthCount:
    """What one depth of one family's enumeration produced."""

    family: str
    depth: int
    parents: int = 0
    #: raw products of every transformation at every site, as far as the enumeration went
    #: (products = invalid + duplicates + new)
    products: int = 0
    #: products that could not be sanitised or fell apart into fragments
    invalid: int = 0
    #: valid products already seen (same canonical SMILES or InChIKey, at this or a lower depth)
    duplicates: int = 0
    #: new distinct structures (canonical SMILES)
    new: int = 0
    #: new analogs kept (all of them unless the limit was reached)
    kept: int = 0


@dataclass
class Enumeration:
    analogs: list[Analog]
    counts: list[DepthCount]
    #: True when a limit stopped some analogs from being kept
    truncated: bool = False

    def per_depth(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for a in self.analogs:
            out[a.depth] = out.get(a.depth, 0) + 1
        return dict(sorted(out.items()))


def _raw_smiles(product: Chem.Mol) -> str | None:
    """SMILES of a sanitised raw reaction product, or None when it is not a valid single molecule."""
    try:
        with rdBase.BlockLogs():
            Chem.SanitizeMol(product)
    except (ValueError, RuntimeError):
        return None
    if len(Chem.GetMolFrags(product)) != 1:
        return None
    return str(Chem.MolToSmiles(product))


def _canonical(smiles: str) -> tuple[str, Chem.Mol] | None:
    """Canonical SMILES and molecule after a round trip through SMILES, which catches valences a
    reaction left wrong; None when the round trip fails."""
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return None
    return str(Chem.MolToSmiles(mol)), mol


def sanitized_smiles(product: Chem.Mol) -> str | None:
    """Canonical SMILES of a raw reaction product, or None when it is not a valid single molecule."""
    raw = _raw_smiles(product)
    if raw is None:
        return None
    got = _canonical(raw)
    return got[0] if got else None


def _interleave(runs: Sequence[tuple[Transformation, list[Chem.Mol]]]) -> Iterator[tuple[Transformation, Chem.Mol]]:
    """(transformation, product) pairs taking one product of each transformation in turn."""
    longest = max((len(p) for _, p in runs), default=0)
    for i in range(longest):
        for t, products in runs:
            if i < len(products):
                yield t, products[i]


class Enumerator:
    """Enumerates one or several families into a single space deduplicated by InChIKey."""

    def __init__(self, *, limit: int | None = None):
        if limit is not None and limit < 0:
            raise ValueError("limit must be at least 0")
        self.limit = limit
        self.analogs: list[Analog] = []
        self.counts: list[DepthCount] = []
        self.truncated = False
        self._by_key: dict[str, Analog] = {}
        self._smiles: set[str] = set()
        self._next = 0

    @property
    def n_enumerated(self) -> int:
        """Analogs kept so far, seeds excluded (the number the limit caps)."""
        return sum(1 for a in self.analogs if a.depth > 0)

    def _new_id(self, family: str, depth: int) -> str:
        self._next += 1
        return f"{family}-d{depth}-{self._next:06d}"

    def add_seeds(self, family: str, seeds: Sequence[Seed]) -> list[Analog]:
        out = []
        for s in seeds:
            if s.inchikey in self._by_key:
                continue
            a = Analog(s.name, s.smiles, s.inchikey, 0, family, "", "", "", s.name, (), s.mol)
            self._by_key[s.inchikey] = a
            self._smiles.add(s.smiles)
            self.analogs.append(a)
            out.append(a)
        self.counts.append(DepthCount(family, 0, new=len(out), kept=len(out)))
        return out

    def _stream(self, parent: Analog, transformations: Sequence[Transformation], count: DepthCount,
                family: str, depth: int) -> Iterator[Analog]:
        """New analogs made from ``parent``: the first site of every transformation, then the second
        site of every transformation, and so on, so that a limit cuts across kinds of change."""
        runs = [(t, t.run(parent.mol)) for t in transformations]
        for t, raw in _interleave(runs):
            count.products += 1
            rsmi = _raw_smiles(raw)
            if rsmi is None:
                count.invalid += 1
                continue
            if rsmi in self._smiles:  # the cheap check first: most products are repeats
                count.duplicates += 1
                continue
            self._smiles.add(rsmi)
            got = _canonical(rsmi)
            if got is None:
                count.invalid += 1
                continue
            smi, mol = got
            if smi != rsmi:
                if smi in self._smiles:
                    count.duplicates += 1
                    continue
                self._smiles.add(smi)
            try:
                key = _inchikey(mol)
            except StructureError:
                count.invalid += 1
                continue
            if key in self._by_key:  # same InChIKey, different SMILES (a tautomer or charge form)
                count.duplicates += 1
                continue
            a = Analog(self._new_id(family, depth), smi, key, depth, family, parent.id, parent.smiles, t.id,
                       parent.root, (*parent.path, t.id), mol)
            self._by_key[key] = a
            count.new += 1
            yield a

    def expand(self, family: str, frontier: Sequence[Analog], transformations: Sequence[Transformation],
               depth: int) -> list[Analog]:
        """Apply every transformation to every structure of ``frontier``; return the new analogs kept.

        Parents are served in turns (one new analog each per turn), and products are made only as
        they are needed, so a run under a limit costs in proportion to the limit."""
        count = DepthCount(family, depth, parents=len(frontier))
        room = None if self.limit is None else max(0, self.limit - self.n_enumerated)
        active = [self._stream(p, transformations, count, family, depth) for p in frontier]
        kept: list[Analog] = []
        full = False
        while active and not full:
            still: list[Iterator[Analog]] = []
            for stream in active:
                if room is not None and len(kept) >= room:
                    full = True
                    break
                a = next(stream, None)
                if a is not None:
                    kept.append(a)
                    still.append(stream)
            active = still
        if full:
            self.truncated = True
        self.analogs.extend(kept)
        count.kept = len(kept)
        self.counts.append(count)
        return kept

    def run_family(self, family: str, seeds: Sequence[Seed], transformations: Sequence[Transformation],
                   depth: int) -> None:
        frontier = self.add_seeds(family, seeds)
        # Seeds already present from another family still seed this one.
        frontier = [self._by_key[s.inchikey] for s in seeds]
        for d in range(1, depth + 1):
            if not frontier:
                break
            frontier = self.expand(family, frontier, transformations, d)

    def result(self) -> Enumeration:
        return Enumeration(list(self.analogs), list(self.counts), self.truncated)


def enumerate_analogs(seeds: Sequence[Seed], transformations: Sequence[Transformation], *, depth: int,
                      family: str = "family", limit: int | None = None) -> Enumeration:
    """Enumerate one family's analogs to ``depth`` from ``seeds`` (a thin call over Enumerator)."""
    if depth < 0:
        raise ValueError("depth must be at least 0")
    en = Enumerator(limit=limit)
    en.run_family(family, seeds, transformations, depth)
    return en.result()
