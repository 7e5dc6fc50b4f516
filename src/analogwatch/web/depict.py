"""Structure depictions for the dashboard: the grounds of control highlighted on the structure.

A class-definition match carries the atoms of each named region of the standardised molecule
(``Match.regions``); each region gets the colour of ``analogwatch.rules.depict`` and a legend
entry. A structure listed as such is matched as a whole, so all of it is highlighted. The
region-by-region reading of every definition whose core is present (``analogwatch explain``) is
drawn by ``analogwatch.rules.depict.reading_svg`` itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup
from rdkit import Chem, rdBase
from rdkit.Chem.Draw import rdMolDraw2D

from analogwatch.rules.depict import PALETTE, reading_svg
from analogwatch.verdicts import Result

WHOLE = (0.98, 0.78, 0.42)
_XMLDECL = re.compile(r"<\?xml[^>]*\?>\s*")
_SIZE = re.compile(r"(<svg[^>]*?)\swidth=['\"][^'\"]*['\"]\s+height=['\"][^'\"]*['\"]")


def hex_colour(c: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{int(round(x * 255)):02x}" for x in c)


@dataclass
class LegendItem:
    label: str
    colour: str
    jurisdictions: list[str] = field(default_factory=list)


@dataclass
class Depiction:
    svg: Markup
    legend: list[LegendItem]
    #: a sentence for screen readers and for the caption
    caption: str


@lru_cache(maxsize=1)
def _region_labels() -> dict[tuple[str, str], str]:
    from analogwatch.rules import default_definitions

    out: dict[tuple[str, str], str] = {}
    for d in default_definitions():
        for scaffold in d.spec.scaffolds:
            for name, region in scaffold.regions.items():
                out.setdefault((d.id, name), region.label)
    return out


def _inline(svg: str, *, css_class: str, label: str) -> Markup:
    """RDKit's SVG made inline and responsive: no XML declaration, a viewBox instead of a fixed size."""
    svg = _XMLDECL.sub("", svg).strip()
    svg = _SIZE.sub(r"\1", svg, count=1)
    svg = svg.replace("<svg ", f'<svg class="{css_class}" role="img" aria-label="{_attr(label)}" ', 1)
    return Markup(svg)  # noqa: S704 - drawn by RDKit from a parsed molecule; the label is escaped


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


def _draw(mol: Chem.Mol, atom_cols: dict[int, tuple[float, float, float]], width: int, height: int) -> str:
    d = rdMolDraw2D.MolDraw2DSVG(width, height)
    opts = d.drawOptions()
    opts.fillHighlights = True  # type: ignore[assignment]
    opts.addStereoAnnotation = True  # type: ignore[assignment]
    opts.clearBackground = False  # type: ignore[assignment]
    bond_cols: dict[int, tuple[float, float, float]] = {}
    for b in mol.GetBonds():
        a1, a2 = b.GetBeginAtomIdx(), b.GetEndAtomIdx()
        if a1 in atom_cols and atom_cols.get(a1) == atom_cols.get(a2):
            bond_cols[b.GetIdx()] = atom_cols[a1]
    with rdBase.BlockLogs():
        draw_mol = rdMolDraw2D.PrepareMolForDrawing(mol)
        d.DrawMolecule(draw_mol, highlightAtoms=list(atom_cols), highlightAtomColors=atom_cols,
                       highlightBonds=list(bond_cols), highlightBondColors=bond_cols)
    d.FinishDrawing()
    return str(d.GetDrawingText())


def highlighted(mol: Chem.Mol, result: Result, *, width: int = 480, height: int = 340) -> Depiction:
    """``mol`` (the standardised molecule the verdicts were computed on) with the matched regions
    of every class match coloured, or the whole structure when it is listed as such."""
    labels = _region_labels()
    atom_cols: dict[int, tuple[float, float, float]] = {}
    legend: dict[str, LegendItem] = {}
    listed: list[str] = []
    for jur, verdict in result.verdicts.items():
        for m in verdict.matches:
            if m.basis == "class" and m.regions:
                rule = (m.rule_id or "").split(":", 1)[0]
                for name, atoms in m.regions.items():
                    label = labels.get((rule, name), name.replace("_", " "))
                    if label not in legend:
                        col = PALETTE[len(legend) % len(PALETTE)]
                        legend[label] = LegendItem(label, hex_colour(col))
                    item = legend[label]
                    col = _rgb(item.colour)
                    for i in atoms:
                        atom_cols.setdefault(i, col)
                    if jur not in item.jurisdictions:
                        item.jurisdictions.append(jur)
            elif m.basis in ("listed", "precursor") and m.substance:
                listed.append(f"{jur}: {m.substance}")
    items = list(legend.values())
    if items:
        caption = ("Regions of the class definitions that match: "
                   + "; ".join(f"{i.label} ({', '.join(i.jurisdictions)})" for i in items) + ".")
    elif listed:
        for i in range(mol.GetNumAtoms()):
            atom_cols[i] = WHOLE
        names = sorted({x.split(': ', 1)[1] for x in listed})
        jurs = sorted({x.split(':', 1)[0] for x in listed})
        items = [LegendItem(f"the whole structure: listed as {', '.join(names)}", hex_colour(WHOLE), jurs)]
        caption = f"The whole structure is listed ({', '.join(listed)})."
    else:
        caption = "No listing or class definition matches this structure: nothing is highlighted."
    svg = _draw(mol, atom_cols, width, height)
    return Depiction(_inline(svg, css_class="structure", label=caption), items, caption)


def _rgb(hexcol: str) -> tuple[float, float, float]:
    return (int(hexcol[1:3], 16) / 255, int(hexcol[3:5], 16) / 255, int(hexcol[5:7], 16) / 255)


def readings(mol: Chem.Mol) -> Markup | None:
    """The region-by-region reading of every class definition whose core ``mol`` contains (the
    picture of ``analogwatch explain --svg``), or None when no core is present."""
    from analogwatch.rules import default_definitions
    from analogwatch.rules.engine import ScaffoldReading

    panels: list[tuple[str, ScaffoldReading | None]] = []
    for d in default_definitions():
        reading = d.read(mol)
        if reading is None:
            continue
        best = reading.best
        state = (f"covered, {d.spec.clause_word} {', '.join(best.clauses)}" if best.covered
                 else "outside the definition")
        panels.append((f"{d.spec.jurisdiction}: {d.spec.title}: {state}", best))
    if not panels:
        return None
    return _inline(reading_svg(mol, panels), css_class="reading",
                   label="How each class definition reads the structure, region by region")


def thumbnail(smiles: str, *, width: int = 200, height: int = 140) -> Markup:
    """A small depiction of a stored SMILES (empty when it does not parse)."""
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return Markup("")
    d = rdMolDraw2D.MolDraw2DSVG(width, height)
    d.drawOptions().clearBackground = False  # type: ignore[assignment]
    with rdBase.BlockLogs():
        rdMolDraw2D.PrepareAndDrawMolecule(d, mol)
    d.FinishDrawing()
    return _inline(str(d.GetDrawingText()), css_class="thumb", label=f"Structure {smiles}")
