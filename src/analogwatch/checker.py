"""The one library call behind `check`, `screen`, the service and the dashboard.

A Checker resolves a query, standardises it, and decides per jurisdiction whether the
structure is listed, a listed precursor, covered by a class definition, or none of these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple, Protocol

from rdkit import Chem, rdBase
from rdkit.Chem.EnumerateStereoisomers import EnumerateStereoisomers, StereoEnumerationOptions

from analogwatch.chem.parse import ParsedQuery
from analogwatch.chem.similarity import FingerprintIndex
from analogwatch.chem.standardize import StandardizedMol, inchikey, standardize
from analogwatch.errors import InputError
from analogwatch.registry import JURISDICTIONS, Registry, Resolver, Substance, default_registry
from analogwatch.verdicts import BASIS_ORDER, AnalogueFlag, Match, NearestControlled, Result, Verdict

RDKIT_VERSION = rdBase.rdkitVersion


class ClassEvaluator(Protocol):
    """Anything that applies class-wide definitions: returns (jurisdiction, Match) pairs."""

    def evaluate(self, std: StandardizedMol, as_of: date) -> list[tuple[str, Match]]: ...


class AnalogueFlagger(Protocol):
    """Flags possible US controlled substance analogues (never a verdict of control)."""

    def flag(self, std: StandardizedMol, as_of: date) -> list[AnalogueFlag]: ...


def _listing_explanation(sub: Substance, m_list: str, citation: str, eff: date, scope: str) -> str:
    return f"{sub.name} is listed in {m_list}, in force since {eff.isoformat()} ({citation}); {scope}"


_NEAREST: dict[str, tuple[FingerprintIndex, list[Substance]]] = {}

#: most stereoisomers enumerated to settle a stereo-less query (2**5 covers every listed substance
#: with stereo-specific listings; beyond that the answer stays 'interpretive')
MAX_STEREOISOMERS = 32


def stereoisomer_keys(mol: Chem.Mol) -> set[str]:
    """InChIKeys of every stereoisomer of ``mol`` (empty when there are too many to enumerate)."""
    opts = StereoEnumerationOptions(onlyUnassigned=True, unique=True, maxIsomers=MAX_STEREOISOMERS + 1)
    isomers = list(EnumerateStereoisomers(mol, options=opts))
    if len(isomers) > MAX_STEREOISOMERS:
        return set()
    return {inchikey(m) for m in isomers}


def nearest_index(registry: Registry) -> tuple[FingerprintIndex, list[Substance]]:
    """A fingerprint index of every registry structure, built once per registry version."""
    if registry.version not in _NEAREST:
        subs = [s for s in registry.substances if s.smiles]
        index = FingerprintIndex((s.id, s.smiles or "") for s in subs)
        by_id = {s.id: s for s in subs}
        _NEAREST[registry.version] = (index, [by_id[n] for n in index.names])
    return _NEAREST[registry.version]


class Unmatched(NamedTuple):
    """A screened structure no listing, class definition or analogue flag concerns. Its verdicts
    are those of :meth:`Checker.unmatched_template` for the date; only its identity differs."""

    id: str
    input: str
    smiles: str
    inchikey: str | None
    #: (substance name, InChIKey, similarity rounded to 4 places), most similar first
    nearest: list[tuple[str, str, float]]


class Checker:
    """Decides control status; build once, call ``check`` or ``check_structure`` many times."""

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        class_evaluators: Sequence[ClassEvaluator] | None = None,
        analogue_flagger: AnalogueFlagger | None = None,
        use_opsin: bool = True,
        inchikeys: bool = True,
        nearest: int = 3,
    ):
        self.registry = registry if registry is not None else default_registry()
        self.resolver = Resolver(self.registry, use_opsin=use_opsin)
        #: report every result's InChIKey; when False, only those that match the registry carry one
        #: (the InChIKey is the costliest identifier, and not needed to decide a non-match)
        self.inchikeys = inchikeys
        #: how many most similar registry substances to report with each result (0: none)
        self.nearest = nearest
        if class_evaluators is None:
            from analogwatch.rules import default_evaluators

            class_evaluators = default_evaluators(self.registry)
        self.class_evaluators = list(class_evaluators)
        if analogue_flagger is None:
            from analogwatch.rules import default_analogue_flagger

            analogue_flagger = default_analogue_flagger(self.registry)
        self.analogue_flagger = analogue_flagger
        self.rules_version = ",".join(
            str(v) for v in (getattr(ev, "version", None) for ev in self.class_evaluators) if v
        ) or "none"
        #: identifies the class definitions applied (file names and content hashes)
        versions = [getattr(ev, "version", type(ev).__name__) for ev in self.class_evaluators]
        self.rules_version = ";".join(versions) or "none"
        self._templates: dict[date, Result] = {}

    # -- public calls --------------------------------------------------------------------------
    def check(self, query: str, *, id: str | None = None, as_of: date | None = None) -> Result:
        """Resolve and evaluate one query. Bad input gives an ``invalid`` Result, never an exception."""
        as_of = as_of or date.today()
        rid = id if id is not None else query
        try:
            parsed = self.resolver.resolve(query)
            return self._evaluate_parsed(parsed, rid, as_of)
        except InputError as exc:
            return self.invalid(rid, query, str(exc), as_of)

    def check_many(self, records: Sequence[tuple[str, str]], *, as_of: date) -> list[Result]:
        """Check (id, query) pairs in order; systematic names are parsed by OPSIN in one batch."""
        return [self.as_result(r, as_of) for r in self.screen_many(records, as_of=as_of)]

    def screen_many(self, records: Sequence[tuple[str, str]], *, as_of: date) -> list[Result | Unmatched]:
        """``check_many`` for screening: the same answers, but a structure that no listing, class
        definition or analogue flag concerns comes back as a light :class:`Unmatched` row (its
        verdicts are the date's 'none' verdicts, :meth:`unmatched_template`), and the nearest
        registry substances of the whole batch are found in one vectorised search."""
        resolved = self.resolver.resolve_many([q for _, q in records])
        out: list[Result | Unmatched | None] = [None] * len(records)
        todo: list[tuple[int, StandardizedMol, str, str]] = []
        for pos, ((rid, query), parsed) in enumerate(zip(records, resolved, strict=True)):
            try:
                if isinstance(parsed, InputError):
                    raise parsed
                if parsed.mol is None:
                    out[pos] = self._evaluate_parsed(parsed, rid, as_of)
                    continue
                todo.append((pos, standardize(parsed.mol), rid, parsed.text))
            except InputError as exc:
                out[pos] = self.invalid(rid, query, str(exc), as_of)
        nearest = self._nearest_many([std for _, std, _, _ in todo])
        for (pos, std, rid, text), near in zip(todo, nearest, strict=True):
            try:
                out[pos] = self._evaluate(std, id=rid, input=text, as_of=as_of, nearest=near, unmatched_ok=True)
            except InputError as exc:
                out[pos] = self.invalid(rid, records[pos][1], str(exc), as_of)
        done = [r for r in out if r is not None]
        assert len(done) == len(records), "every record gives one row"
        return done

    def unmatched_template(self, as_of: date) -> Result:
        """The Result every :class:`Unmatched` row of ``as_of`` stands for, with empty identity fields."""
        if as_of not in self._templates:
            self._templates[as_of] = Result(
                id="", input="", status="ok", as_of=as_of,
                verdicts={j: self._decide(j, [], as_of) for j in JURISDICTIONS},
                registry_version=self.registry.version, rdkit_version=RDKIT_VERSION,
            )
        return self._templates[as_of]

    def as_result(self, row: Result | Unmatched, as_of: date) -> Result:
        """A full Result for a row of :meth:`screen_many`."""
        if isinstance(row, Result):
            return row
        return self.unmatched_template(as_of).model_copy(deep=True, update={
            "id": row.id, "input": row.input, "smiles": row.smiles, "inchikey": row.inchikey,
            "nearest_controlled": [NearestControlled(substance=n, inchikey=k, similarity=s) for n, k, s in row.nearest],
        })

    def check_structure(self, smiles: str, *, id: str, as_of: date) -> Result:
        """Evaluate a SMILES without name resolution (the screening hot path)."""
        from analogwatch.chem.parse import mol_from_smiles

        try:
            mol = mol_from_smiles(smiles)
            return self.evaluate(standardize(mol), id=id, input=smiles, as_of=as_of)
        except InputError as exc:
            return self.invalid(id, smiles, str(exc), as_of)

    def invalid(self, id: str, input: str, error: str, as_of: date) -> Result:
        return Result(
            id=id, input=input, status="invalid", error=error, as_of=as_of,
            registry_version=self.registry.version, rdkit_version=RDKIT_VERSION,
        )

    # -- evaluation ------------------------------------------------------------------------------
    def _evaluate_parsed(self, parsed: ParsedQuery, rid: str, as_of: date) -> Result:
        if parsed.mol is None:
            # A registry substance without a defined structure (plant material, biologics).
            assert parsed.substance_id is not None
            sub = self.registry.by_id[parsed.substance_id]
            verdicts = {
                j: self._decide(j, self._listing_matches_for(sub, j, as_of, None), as_of) for j in JURISDICTIONS
            }
            return Result(
                id=rid, input=parsed.text, status="ok", as_of=as_of, verdicts=verdicts,
                registry_version=self.registry.version, rdkit_version=RDKIT_VERSION,
            )
        return self.evaluate(standardize(parsed.mol), id=rid, input=parsed.text, as_of=as_of)

    def evaluate(self, std: StandardizedMol, *, id: str, input: str, as_of: date) -> Result:
        row = self._evaluate(std, id=id, input=input, as_of=as_of, nearest=None, unmatched_ok=False)
        assert isinstance(row, Result)
        return row

    def _evaluate(
        self, std: StandardizedMol, *, id: str, input: str, as_of: date,
        nearest: list[tuple[Substance, float]] | None, unmatched_ok: bool,
    ) -> Result | Unmatched:
        candidates = self._registry_candidates(std)
        class_matches = [jm for ev in self.class_evaluators for jm in ev.evaluate(std, as_of)]
        if nearest is None:
            nearest = self._nearest_many([std])[0]
        flags: list[AnalogueFlag] | None = None
        if not candidates and not class_matches:
            # No ground of control anywhere: the US verdict is 'none', so the analogue flag decides
            # whether this row is anything but the date's plain 'none' answer.
            flags = self._analogue_flags(std, as_of, nearest)
            if not flags and unmatched_ok:
                return Unmatched(id, input, std.smiles, self._reported_inchikey(std), [
                    (sub.name, sub.inchikey or "", round(sim, 4)) for sub, sim in nearest
                ])
        per_jur: dict[str, list[Match]] = {j: [] for j in JURISDICTIONS}
        for sub in candidates:
            for j in JURISDICTIONS:
                per_jur[j].extend(self._listing_matches_for(sub, j, as_of, std))
        if candidates and not std.has_stereo:
            for j in JURISDICTIONS:
                self._settle_stereo(per_jur[j], candidates, j, as_of, std)
        for j, m in class_matches:
            per_jur.setdefault(j, []).append(m)
        verdicts = {j: self._decide(j, per_jur[j], as_of, std) for j in JURISDICTIONS}
        if not verdicts["US"].controlled:
            verdicts["US"].possible_analogue_of = (
                flags if flags is not None else self._analogue_flags(std, as_of, nearest)
            )
        return Result(
            id=id, input=input, status="ok", smiles=std.smiles, inchikey=self._reported_inchikey(std), as_of=as_of,
            verdicts=verdicts,
            nearest_controlled=[
                NearestControlled(substance=sub.name, inchikey=sub.inchikey or "", similarity=round(sim, 4))
                for sub, sim in nearest
            ],
            registry_version=self.registry.version, rdkit_version=RDKIT_VERSION,
        )

    def _reported_inchikey(self, std: StandardizedMol) -> str | None:
        """Every row's InChIKey; without ``inchikeys``, only one that the registry lookup, the
        listings or the analogue flag computed anyway (read last, after all of them)."""
        return std.inchikey if self.inchikeys or "inchikey" in std.__dict__ else None

    def _analogue_flags(
        self, std: StandardizedMol, as_of: date, nearest: list[tuple[Substance, float]]
    ) -> list[AnalogueFlag]:
        """Possible-analogue flags for a structure the US does not control."""
        if self.analogue_flagger is None:
            return []
        # The nearest-neighbour index holds every registry structure, a superset of the Schedule
        # I/II substances the flag compares with: when even the nearest one is below the flag's
        # threshold, no flag is possible and the second search is skipped.
        threshold = getattr(self.analogue_flagger, "threshold", None)
        if threshold is not None and self.nearest > 0 and not (nearest and nearest[0][1] >= threshold):
            return []
        return self.analogue_flagger.flag(std, as_of)

    def _nearest_many(self, stds: Sequence[StandardizedMol]) -> list[list[tuple[Substance, float]]]:
        """The registry substances most similar to each of ``stds`` (exact Tanimoto on Morgan
        fingerprints), for the whole batch in one vectorised search."""
        if self.nearest <= 0 or not stds:
            return [[] for _ in stds]
        index, subs = nearest_index(self.registry)
        vectors = index.query_vectors([std.mol for std in stds])
        key = ("_fp", index.radius, index.bits)
        for std, vec in zip(stds, vectors, strict=True):
            std.__dict__[key] = vec  # type: ignore[index]  # shared with the analogue flag's search
        return [[(subs[i], sim) for i, sim in pairs] for pairs in index.top_k_many_pairs(vectors, self.nearest)]

    def _settle_stereo(
        self, matches: list[Match], candidates: list[Substance], jur: str, as_of: date, std: StandardizedMol
    ) -> None:
        """A query without stereo matching only stereo-specific listings is 'interpretive'; but when
        the jurisdiction lists every stereoisomer of the skeleton (e.g. both alphaprodine and
        betaprodine, each as drawn), whichever isomer it is, it is controlled: make those definite."""
        if not matches or any(m.certainty == "definite" for m in matches if m.basis != "none"):
            return
        listed = {
            lst.inchikey or sub.inchikey
            for sub in candidates
            for lst in sub.listings
            if lst.jurisdiction == jur and lst.in_force(as_of) and lst.stereo == "as_drawn"
        }
        isomers = stereoisomer_keys(std.mol)
        if not isomers or not isomers <= listed:
            return
        schedules = {f"{m.substance} ({m.schedule})" for m in matches if m.basis in ("listed", "precursor")}
        which = (
            f" Which listing applies depends on the isomer: {', '.join(sorted(schedules))}."
            if len({m.schedule for m in matches if m.basis in ("listed", "precursor")}) > 1 else ""
        )
        for m in matches:
            if m.certainty == "interpretive" and m.basis in ("listed", "precursor"):
                m.certainty = "definite"
                m.explanation += (
                    f" Every stereoisomer of this structure ({len(isomers)}) is listed in {jur} as drawn, "
                    f"so the query is controlled whichever isomer it is.{which}"
                )

    def _registry_candidates(self, std: StandardizedMol) -> list[Substance]:
        """Registry substances with the query's skeleton (exact InChIKey-block lookup); the formula
        check first rules out most structures without computing an InChIKey."""
        if std.formula not in self.registry.formulas:
            return []
        return self.registry.by_connectivity.get(std.connectivity, [])

    def _listing_matches_for(
        self, sub: Substance, jur: str, as_of: date, std: StandardizedMol | None
    ) -> list[Match]:
        out = []
        for lst in sub.listings:
            if lst.jurisdiction != jur:
                continue
            if not lst.in_force(as_of):
                continue
            certainty = "definite"
            if std is not None:
                if std.inchikey in lst.except_inchikeys:
                    continue
                drawn = lst.inchikey or sub.inchikey
                if lst.stereo == "as_drawn" and std.inchikey != drawn:
                    if std.has_stereo:
                        continue  # a different, defined stereoisomer: not this listing
                    certainty = "interpretive"
                    scope = (
                        "the listing covers only the stereoisomer drawn, and the query leaves "
                        "stereochemistry undefined, so it may or may not be that isomer."
                    )
                elif lst.stereo == "as_drawn":
                    scope = "the listing is specific to this stereoisomer, and the query is that isomer."
                else:
                    scope = "the listing covers its salts and stereoisomers."
                    if std.stripped_fragments:
                        scope += " Counter-ions or solvents in the input were removed before matching."
            else:
                scope = "this substance has no defined chemical structure; matched by name."
            out.append(
                Match(
                    basis=lst.basis,
                    schedule=lst.schedule,
                    list_name=lst.list_title,
                    substance=sub.name,
                    rule_id=f"{lst.list_id}:{sub.id}",
                    citation=lst.citation,
                    effective=lst.effective,
                    end=lst.end,
                    certainty=certainty,  # type: ignore[arg-type]
                    rank=lst.rank,
                    explanation=_listing_explanation(
                        sub, lst.list_title, lst.citation, lst.effective, scope
                    ),
                )
            )
        return out

    def _not_yet_or_no_longer(
        self, jur: str, std: StandardizedMol | None, as_of: date
    ) -> tuple[str, bool] | None:
        """Explain a 'none' verdict when the substance is listed at another date.

        Returns the explanation and whether it is definite (False when earlier control under
        instruments the registry does not model is possible)."""
        if std is None:
            return None
        for sub in self._registry_candidates(std):
            for lst in sub.listings:
                if lst.jurisdiction != jur:
                    continue
                if lst.effective > as_of:
                    text = (
                        f"Not controlled on {as_of.isoformat()} under the lists in the registry: {sub.name} "
                        f"is listed in {lst.list_title} only from {lst.effective.isoformat()} ({lst.citation})."
                    )
                    if lst.prior_history:
                        return f"{text} {lst.prior_history}", False
                    return text, True
                if lst.end is not None and lst.end <= as_of:
                    return (
                        f"Not controlled on {as_of.isoformat()}: {sub.name} was removed from "
                        f"{lst.list_title} on {lst.end.isoformat()} ({lst.end_citation or lst.citation}).",
                        True,
                    )
        return None

    def _decide(self, jur: str, matches: list[Match], as_of: date, std: StandardizedMol | None = None) -> Verdict:
        # A class evaluator reports a definition that it read but that does not apply as a
        # basis-"none" Match: not a ground of control, only the reason, kept for a "none" verdict.
        outside = [m.explanation for m in matches if m.basis == "none"]
        matches = [m for m in matches if m.basis != "none"]
        if not matches:
            why, definite = self._not_yet_or_no_longer(jur, std, as_of) or (
                f"No {jur} listing, precursor listing or class definition in the analogwatch registry "
                f"covers this structure on {as_of.isoformat()}.",
                True,
            )
            if outside:
                why = " ".join([why, *outside])
            return Verdict(
                controlled=False, basis="none", explanation=why,
                certainty="definite" if definite else "interpretive",
            )
        matches = sorted(matches, key=lambda m: (BASIS_ORDER[m.basis], m.certainty != "definite", m.rank))
        best = matches[0]
        return Verdict(
            controlled=True,
            basis=best.basis,
            schedule=best.schedule,
            substance=best.substance,
            rule_id=best.rule_id,
            citation=best.citation,
            effective=best.effective,
            certainty=best.certainty,
            explanation=best.explanation,
            matches=matches,
        )
