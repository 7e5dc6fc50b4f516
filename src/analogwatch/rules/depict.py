"""SVG depictions of a class-definition reading: each region coloured, modified atoms highlighted."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from rdkit import Chem
from rdkit.Chem.Draw import rdMolDraw2D

from analogwatch.rules.engine import ScaffoldReading

#: pale colours for regions, in region order (RGB, 0-1)
PALETTE = [
    (0.55, 0.75, 1.0), (1.0, 0.8, 0.45), (0.6, 0.9, 0.6), (0.9, 0.7, 0.95), (0.65, 0.9, 0.9),
    (1.0, 0.75, 0.75), (0.85, 0.85, 0.6), (0.75, 0.75, 0.75),
]
CHANGED = (0.95, 0.3, 0.1)
OUTSIDE = (0.8, 0.0, 0.0)
PANEL_W, PANEL_H, LEGEND_LINE = 520, 380, 16


def _hex(c: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{int(round(x * 255)):02x}" for x in c)


def _panel(mol: Chem.Mol, reading: ScaffoldReading | None) -> str:
    d = rdMolDraw2D.MolDraw2DSVG(PANEL_W, PANEL_H)
    opts = d.drawOptions()
    opts.addAtomIndices = False  # type: ignore[assignment]
    opts.fillHighlights = True  # type: ignore[assignment]
    atom_cols: dict[int, tuple[float, float, float]] = {}
    radii: dict[int, float] = {}
    if reading is not None:
        for k, r in enumerate(reading.regions):
            col = PALETTE[k % len(PALETTE)]
            for i in r.atoms:
                atom_cols[i] = col
            for i in r.changed_atoms:
                atom_cols[i] = CHANGED
                radii[i] = 0.45
            if r.status == "outside":
                for i in r.atoms:
                    atom_cols[i] = OUTSIDE
    bond_cols: dict[int, tuple[float, float, float]] = {}
    for b in mol.GetBonds():
        a1, a2 = b.GetBeginAtomIdx(), b.GetEndAtomIdx()
        if a1 in atom_cols and atom_cols.get(a1) == atom_cols.get(a2):
            bond_cols[b.GetIdx()] = atom_cols[a1]
    draw_mol = rdMolDraw2D.PrepareMolForDrawing(mol)
    d.DrawMolecule(
        draw_mol, highlightAtoms=list(atom_cols), highlightAtomColors=atom_cols,
        highlightBonds=list(bond_cols), highlightBondColors=bond_cols, highlightAtomRadii=radii,
    )
    d.FinishDrawing()
    svg = d.GetDrawingText()
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    return svg.strip()


def reading_svg(mol: Chem.Mol, panels: list[tuple[str, ScaffoldReading | None]]) -> str:
    """One SVG with a panel per (title, reading): the molecule, regions coloured, and a legend."""
    if not panels:
        panels = [("no class-definition core found", None)]
    blocks: list[str] = []
    y = 0
    for title, reading in panels:
        legend = [(title, "#000000")]
        if reading is not None:
            for k, r in enumerate(reading.regions):
                col = PALETTE[k % len(PALETTE)]
                state = {"unchanged": "unchanged", "changed": "changed", "outside": "OUTSIDE"}[r.status]
                clause = f" {', '.join(r.clauses)}" if r.clauses else ""
                legend.append((f"■ {r.label}: {state}{clause}", _hex(OUTSIDE if r.status == "outside" else col)))
            legend.append(("● changed atoms", _hex(CHANGED)))
        inner = _panel(mol, reading)
        inner = inner.replace("<svg ", f'<svg x="0" y="{y + LEGEND_LINE * len(legend) + 4}" ', 1)
        texts = "".join(
            f'<text x="8" y="{y + LEGEND_LINE * (i + 1)}" font-family="sans-serif" font-size="13" '
            f'fill="{col}">{escape(t)}</text>'
            for i, (t, col) in enumerate(legend)
        )
        blocks.append(texts + inner)
        y += LEGEND_LINE * len(legend) + 4 + PANEL_H + 12
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:rdkit="http://www.rdkit.org/xml" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{PANEL_W}" height="{y}" viewBox="0 0 {PANEL_W} {y}">'
        f'<rect width="100%" height="100%" fill="white"/>{"".join(blocks)}</svg>\n'
    )
