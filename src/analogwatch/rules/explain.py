"""`analogwatch explain`: how each class definition reads a molecule, region by region."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from analogwatch.chem.standardize import standardize
from analogwatch.registry import Resolver, default_registry
from analogwatch.rules.depict import reading_svg
from analogwatch.rules.engine import ScaffoldReading
from analogwatch.rules.evaluator import ClassDefinitionEvaluator, default_definitions


def explain_query(query: str, *, svg: Path | None, as_of: date, console: Console) -> None:
    """Print the region-by-region reading of every definition whose core the query contains,
    and optionally write an SVG with the regions coloured and the modified atoms highlighted."""
    registry = default_registry()
    parsed = Resolver(registry).resolve(query)
    if parsed.mol is None:
        console.print(f"{query}: a registry substance without a defined structure; nothing to read.",
                      highlight=False, markup=False)
        return
    std = standardize(parsed.mol)
    evaluator = ClassDefinitionEvaluator(list(default_definitions()), registry)
    console.print(f"[bold]{query}[/bold]  (as of {as_of.isoformat()})", highlight=False)
    console.print(f"SMILES {std.smiles}", highlight=False, markup=False)
    panels: list[tuple[str, ScaffoldReading | None]] = []
    for d in evaluator.definitions:
        head = f"{d.spec.jurisdiction}: {d.spec.title}"
        reading = d.read(std.mol)
        if reading is None:
            console.print(f"\n[bold]{head}[/bold]: the fixed core of the definition is not in this molecule.",
                          highlight=False)
            continue
        best = reading.best
        table = Table(title=f"{head}, {best.scaffold_label}", show_lines=True, title_justify="left")
        for col in ("Region", "Parent", "This molecule", "Reading"):
            table.add_column(col, overflow="fold")
        for r in best.regions:
            if r.status == "unchanged":
                verdict = "unchanged"
            elif r.status == "outside":
                verdict = f"[red]outside[/red]: {r.reason}"
            else:
                verdict = f"{d.spec.clause_word} {', '.join(r.clauses)}" if r.clauses else "fits the formula"
                if r.certainty == "interpretive":
                    verdict += " (interpretive: " + "; ".join(r.notes) + ")"
            table.add_row(r.label, r.parent_text or "", r.text, verdict)
        console.print()
        console.print(table)
        match = evaluator.match_for(d, best, std, as_of)
        tag = "[red]covered[/red]" if match.basis == "class" else "[green]not covered[/green]"
        extra = f", certainty {match.certainty}" if match.basis == "class" else ""
        console.print(f"{tag}{extra}: {match.explanation}", highlight=False)
        state = f"covered, {d.spec.clause_word} {', '.join(best.clauses)}" if best.covered else "outside"
        panels.append((f"{head}: {state}", best))
    if svg is not None:
        svg.write_text(reading_svg(std.mol, panels), encoding="utf-8")
        console.print(f"\nwrote {svg}", highlight=False, markup=False)
