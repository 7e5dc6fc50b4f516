"""The Federal Analogue Act flag: structural closeness to US Schedule I/II substances.

21 U.S.C. 802(32)(A) needs substantial structural similarity *and* a substantially similar or
greater effect, decided case by case by courts. Structure alone decides nothing, so this module
only flags a *possible* analogue with its evidence; it never makes a verdict ``controlled``.

Measure: Morgan fingerprints (radius 2, 2048 bits), exact Tanimoto >= 0.55 against every US
Schedule I or II substance in force on the date, then the maximum common connected substructure
(RDKit's RASCAL maximum common edge subgraph: ring bonds match ring bonds, aromatic rings whole)
must cover at least half of the scheduled substance's heavy atoms. RASCAL answers in milliseconds
where a classic MCS search on two morphinans takes seconds and would have to be cut off by a
timer, which would make the result depend on machine load. At most five substances are reported,
most similar first.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rdkit import Chem, rdBase
from rdkit.Chem import rdRascalMCES

from analogwatch.chem.similarity import FingerprintIndex
from analogwatch.verdicts import AnalogueFlag

if TYPE_CHECKING:
    from analogwatch.chem.standardize import StandardizedMol
    from analogwatch.registry import Registry, Substance

#: lists whose substances an analogue can be "of" (21 U.S.C. 802(32)(A): Schedule I or II)
ANALOGUE_LISTS = ("us-csa-i", "us-csa-ii")
#: Morgan-2 Tanimoto at or above which a substance is "structurally close"
THRESHOLD = 0.55
#: fraction of the scheduled substance's heavy atoms the common substructure must cover
MCS_MIN = 0.5
#: a safety limit only: RASCAL finishes in milliseconds on drug-sized pairs
MCS_TIMEOUT_S = 60
MAX_FLAGS = 5

_INDEXES: dict[str, tuple[FingerprintIndex, list[Substance]]] = {}


class AnalogueFlagger:
    """Flags possible controlled substance analogues; the fingerprint index is built on first use."""

    #: the flag's Tanimoto threshold (the Checker skips the search when nothing can reach it)
    threshold = THRESHOLD

    def __init__(self, registry: Registry):
        self.registry = registry

    def _index(self) -> tuple[FingerprintIndex, list[Substance]]:
        key = self.registry.version
        if key not in _INDEXES:
            subs = [
                s for s in self.registry.substances
                if s.smiles and any(lst.list_id in ANALOGUE_LISTS for lst in s.listings)
            ]
            index = FingerprintIndex((s.id, s.smiles or "") for s in subs)
            by_id = {s.id: s for s in subs}
            _INDEXES[key] = (index, [by_id[n] for n in index.names])
        return _INDEXES[key]

    @staticmethod
    def mcs_fraction(mol: Chem.Mol, ref: Chem.Mol) -> float | None:
        """Share of ``ref``'s heavy atoms in the maximum common connected substructure (None when the
        safety time limit is reached)."""
        opts = rdRascalMCES.RascalOptions()
        opts.similarityThreshold = 0.0  # type: ignore[assignment]  # the Tanimoto screen chose the pair
        opts.ringMatchesRingOnly = True  # type: ignore[assignment]
        opts.completeAromaticRings = True  # type: ignore[assignment]
        opts.singleLargestFrag = True  # type: ignore[assignment]
        opts.timeout = MCS_TIMEOUT_S  # type: ignore[assignment]
        with rdBase.BlockLogs():
            res = rdRascalMCES.FindMCES(mol, ref, opts)
        if not res:
            return 0.0
        if res[0].timedOut:
            return None
        return round(len(res[0].atomMatches()) / max(ref.GetNumHeavyAtoms(), 1), 3)

    def flag(self, std: StandardizedMol, as_of: date) -> list[AnalogueFlag]:
        index, subs = self._index()
        if not len(index):
            return []
        out: list[AnalogueFlag] = []
        for hit in index.above(std.mol, THRESHOLD, vector=index.vector_for(std)):
            sub = subs[hit.index]
            if sub.connectivity == std.connectivity:
                continue  # the substance itself (reported as listed, not as its own analogue)
            listing = next((lst for lst in sub.listings
                            if lst.list_id in ANALOGUE_LISTS and lst.in_force(as_of)), None)
            if listing is None:
                continue
            ref = Chem.MolFromSmiles(sub.smiles or "")
            if ref is None:
                continue
            frac = self.mcs_fraction(std.mol, ref)
            if frac is not None and frac < MCS_MIN:
                continue
            out.append(AnalogueFlag(
                substance=sub.name, schedule=listing.schedule, similarity=round(hit.similarity, 3),
                measure=index.measure,
                threshold=THRESHOLD, mcs_fraction=frac,
            ))
            if len(out) >= MAX_FLAGS:
                break
        return out
