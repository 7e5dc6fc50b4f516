"""Console summaries of an anticipation run and of a retrospective (used by the CLI)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from analogwatch.anticipate.pipeline import Anticipation
from analogwatch.anticipate.report import ranked
from analogwatch.anticipate.retrospective import Retrospective
from analogwatch.anticipate.screening import CATEGORIES, INVALID


def print_run(run: Anticipation, console: Console, *, top: int = 5) -> None:
    fams = ", ".join(f.id for f in run.families)
    console.print(f"[bold]anticipate {fams}[/bold]: status as of {run.as_of.isoformat()}, depth {run.depth}"
                  + (f", limit {run.limit:,}" if run.limit else "")
                  + (" (limit reached)" if run.enumeration.truncated else ""), highlight=False)
    t = Table(title="Enumeration")
    for col in ("Family", "Depth", "Parents", "Products", "Invalid", "Duplicates", "New analogs"):
        t.add_column(col, justify="right" if col != "Family" else "left")
    for c in run.enumeration.counts:
        t.add_row(c.family, str(c.depth), f"{c.parents:,}", f"{c.products:,}", f"{c.invalid:,}",
                  f"{c.duplicates:,}", f"{c.kept:,}")
    console.print(t)
    g = run.gaps
    t = Table(title=f"Outcome of the {g.total:,} enumerated analogs")
    t.add_column("Controlled")
    t.add_column("Analogs", justify="right")
    t.add_column("Share", justify="right")
    for cid, label, _ in [*CATEGORIES, (*INVALID, frozenset())]:
        if cid == INVALID[0] and not g.counts[cid]:
            continue
        t.add_row(label, f"{g.counts[cid]:,}", f"{100 * g.share(cid):.1f}%")
    console.print(t)
    if g.us_uncontrolled:
        console.print(f"{g.us_flagged:,} of the {g.us_uncontrolled:,} analogs the US does not control are flagged as "
                      "possible controlled substance analogues (evidence for review, not control).", highlight=False)
    for title, cats in (("Controlled nowhere", ["nowhere"]), ("CN controls, US does not", ["cn-only", "cn-un"]),
                        ("US controls, CN does not", ["us-only", "us-un"])):
        rows = ranked(run, cats, top)
        if not rows:
            continue
        t = Table(title=f"{title}: closest to potent controlled substances")
        for col in ("Analog", "SMILES", "From", "Nearest potent", "Sim."):
            t.add_column(col, overflow="fold")
        for s in rows:
            t.add_row(s.analog.id, s.analog.smiles, s.analog.root, s.nearest_potent, f"{s.potent_similarity:.2f}")
        console.print(t)
    for w in run.whatifs:
        style = "bold red" if w.bad else "bold green"
        share = 100 * w.newly_covered / w.space if w.space else 0.0
        console.print(f"[bold]Draft {w.draft.id}[/bold] ({w.draft.jurisdiction}, as if in force "
                      f"{w.draft.in_force.isoformat()}): newly covers {w.newly_covered:,} of {w.space:,} enumerated "
                      f"analogs ({share:.1f}%), {w.nowhere_covered:,} of the {w.nowhere:,} controlled nowhere, "
                      f"{w.known_covered} of {len(w.known)} known analogs {w.draft.jurisdiction} does not control.",
                      highlight=False)
        console.print(f"[{style}]{w.verdict()}[/{style}]", highlight=False)


def print_retrospective(r: Retrospective, console: Console) -> None:
    seeds = sum(len(v) for v in r.seeds.values())
    console.print(f"[bold]Retrospective[/bold]: enumeration from the {seeds} members listed before "
                  f"{r.before.isoformat()} ({', '.join(f.id for f in r.families)}), depth {r.depth}; "
                  f"{len(r.targets)} members first listed from {r.before.isoformat()} to find.", highlight=False)
    t = Table(title="Recall (found / listed later) and candidates",
              caption="full: every transformation; attested: only those reflecting a substance listed before "
                      "the cutoff")
    t.add_column("Vocabulary")
    t.add_column("Depth", justify="right")
    for g in r.groups():
        t.add_column(g, justify="right")
    t.add_column("all", justify="right")
    t.add_column("Candidates", justify="right")
    for m in r.modes:
        for d in range(1, r.depth + 1):
            cells: list[str] = []
            for grp in [*r.groups(), None]:
                k, n = r.recall(m.mode, d, grp)
                cells.append(f"{k}/{n} ({100 * k / n if n else 0:.0f}%)")
            t.add_row(f"{m.mode} ({m.transformations})", f"<= {d}", *cells, f"{m.candidates_upto(d):,}")
    console.print(t)
    missed = [x.name for x in r.targets if x.found.get("full") is None]
    if missed:
        console.print(f"Not produced by the full vocabulary: {', '.join(missed)}.", highlight=False)
