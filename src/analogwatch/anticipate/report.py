"""Writers for an anticipation run: ``analogs.csv``, ``summary.json`` and a self-contained ``report.html``.

The HTML report carries its structure depictions (rdMolDraw2D SVG) and its charts (hand-drawn
SVG) inline, with inline CSS: it opens offline and references no file or URL.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from rdkit import Chem
from rdkit.Chem.Draw import rdMolDraw2D

from analogwatch.anticipate.charts import CATEGORY_COLOURS, horizontal_bars
from analogwatch.anticipate.pipeline import Anticipation
from analogwatch.anticipate.reference import load_potent
from analogwatch.anticipate.screening import CATEGORIES, CATEGORY_LABELS, INVALID, JURISDICTIONS, Screened
from analogwatch.anticipate.whatif import WhatIf

#: rows per ranked table in the HTML report (analogs.csv holds every analog)
TOP = 25

BASE_COLUMNS = (
    "id", "smiles", "inchikey", "depth", "family", "parent", "parent_smiles", "root", "transformation", "path",
    "controlled_in", "category",
    "US_basis", "US_ground", "CN_basis", "CN_ground", "UN_basis", "UN_ground",
    "US_possible_analogue_of", "nearest_controlled", "similarity", "nearest_potent", "potent_similarity",
)
TAIL_COLUMNS = ("error", "as_of", "registry_version", "rules_version", "vocabulary_version", "rdkit_version")

_XMLNS = re.compile(r"\s+xmlns(?::\w+)?=(['\"])[^'\"]*\1")
_XMLDECL = re.compile(r"<\?xml[^>]*\?>\s*")


def draft_column(w: WhatIf) -> str:
    return f"draft_{w.draft.id}"


def csv_rows(run: Anticipation) -> list[dict[str, Any]]:
    rows = []
    draft_sets = [(draft_column(w), w.newly_covered_ids, w) for w in run.whatifs]
    for s in run.screened:
        a = s.analog
        row: dict[str, Any] = {
            "id": a.id, "smiles": a.smiles, "inchikey": a.inchikey, "depth": a.depth, "family": a.family,
            "parent": a.parent, "parent_smiles": a.parent_smiles, "root": a.root, "transformation": a.transformation,
            "path": " > ".join(a.path), "controlled_in": ";".join(s.controlled_in), "category": s.category,
        }
        for j in JURISDICTIONS:
            v = s.result.verdicts.get(j)
            row[f"{j}_basis"] = v.basis if v else ""
            row[f"{j}_ground"] = ((v.rule_id if v.basis == "class" else v.substance) or "") if v else ""
        row.update({
            "US_possible_analogue_of": analogue_flags(s),
            "nearest_controlled": s.nearest_controlled, "similarity": f"{s.similarity:.4f}",
            "nearest_potent": s.nearest_potent, "potent_similarity": f"{s.potent_similarity:.4f}",
        })
        for col, ids, _w in draft_sets:
            row[col] = "newly covered" if a.id in ids else ""
        row.update({
            "error": s.result.error or "", "as_of": run.as_of.isoformat(),
            **{k: run.provenance[k] for k in ("registry_version", "rules_version", "vocabulary_version",
                                                 "rdkit_version")},
        })
        rows.append(row)
    return rows


def analogue_flags(s: Screened) -> str:
    """The US possible-analogue flags of an analog, "name (similarity)" separated by ';'."""
    us = s.result.verdicts.get("US")
    if us is None:
        return ""
    return ";".join(f"{a.substance} ({a.similarity:.2f})" for a in us.possible_analogue_of)


def write_csv(run: Anticipation, path: Path) -> None:
    columns = [*BASE_COLUMNS, *(draft_column(w) for w in run.whatifs), *TAIL_COLUMNS]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(csv_rows(run))


def summary(run: Anticipation) -> dict[str, Any]:
    return {
        "families": [f.id for f in run.families],
        "as_of": run.as_of.isoformat(),
        "depth": run.depth,
        "limit": run.limit,
        "truncated": run.enumeration.truncated,
        "seeds": {k: [s.name for s in v] for k, v in run.seeds.items()},
        "counts": [vars(c) for c in run.enumeration.counts],
        "analogs_per_depth": run.enumeration.per_depth(),
        "gaps": {"total": run.gaps.total, "counts": run.gaps.counts,
                 "us_uncontrolled": run.gaps.us_uncontrolled, "us_possible_analogues": run.gaps.us_flagged,
                 "by_depth": {str(k): v for k, v in run.gaps.by_depth.items()}},
        "drafts": [whatif_summary(w) for w in run.whatifs],
        "provenance": run.provenance,
        "timings_seconds": {k: round(v, 1) for k, v in run.timings.items()},
    }


def whatif_summary(w: WhatIf) -> dict[str, Any]:
    return {
        "draft": w.draft.id, "title": w.draft.title, "jurisdiction": w.draft.jurisdiction, "file": w.draft.path,
        "evaluated_on": w.draft.in_force.isoformat(),
        "space": w.space, "covered": w.covered, "newly_covered": w.newly_covered,
        "uncontrolled_in_jurisdiction": w.uncontrolled, "nowhere": w.nowhere, "nowhere_covered": w.nowhere_covered,
        "known_uncontrolled": len(w.known), "known_covered": w.known_covered,
        "known_covered_names": [k.name for k in w.known if k.covered],
        "medicines_checked": w.medicines_checked,
        "medicines_caught": [{"name": m.name, "source": m.source, "in_registry": m.in_registry,
                              "already_controlled": m.controlled, "clause": m.clause} for m in w.medicines],
        "bad": w.bad, "verdict": w.verdict(),
    }


def write_summary(run: Anticipation, path: Path) -> None:
    path.write_text(json.dumps(summary(run), indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def depict(smiles: str, width: int = 220, height: int = 150) -> Markup:
    """An inline SVG depiction of ``smiles`` (no XML declaration, no namespace URLs)."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return Markup("")
    drawer = rdMolDraw2D.MolDraw2DSVG(width, height)
    rdMolDraw2D.PrepareAndDrawMolecule(drawer, mol)
    drawer.FinishDrawing()
    svg = _XMLNS.sub("", _XMLDECL.sub("", drawer.GetDrawingText()))
    return Markup(svg)  # RDKit's own SVG: no user text in it


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _ranked_sections(run: Anticipation, top: int) -> list[dict[str, Any]]:
    g = run.gaps
    groups = [
        ("nowhere", "Controlled nowhere", "No listing, precursor listing or class definition covers these in the US, "
         "China or under the UN conventions.", ["nowhere"]),
        ("cn-not-us", "Controlled in China, not in the US", "China's lists or class definitions cover these; the "
         "US does not (a US analogue prosecution remains possible case by case).", ["cn-only", "cn-un"]),
        ("us-not-cn", "Controlled in the US, not in China", "The US covers these; China does not: legal to make and "
         "export from China.", ["us-only", "us-un"]),
        ("un-only", "Controlled under the UN conventions only", "Scheduled internationally, not (yet) in either "
         "national list in the registry.", ["un-only"]),
    ]
    out = []
    for key, title, text, cats in groups:
        items = sorted([s for c in cats for s in g.ranked.get(c, []) if s.analog.depth >= 1],
                       key=lambda s: (-s.potent_similarity, -s.similarity, s.analog.depth, s.analog.id))
        out.append({"key": key, "title": title, "text": text, "total": len(items),
                    "rows": [_row(s, run) for s in items[:top]]})
    return out


def _row(s: Screened, run: Anticipation) -> dict[str, Any]:
    names = run.vocabulary.by_id
    return {
        "id": s.analog.id, "smiles": s.analog.smiles, "depth": s.analog.depth, "root": s.analog.root,
        "path": [names[t].name if t in names else t for t in s.analog.path],
        "nearest_potent": s.nearest_potent, "potent_similarity": f"{s.potent_similarity:.2f}",
        "nearest_controlled": s.nearest_controlled, "similarity": f"{s.similarity:.2f}",
        "verdicts": {j: (s.result.verdicts[j].basis if j in s.result.verdicts else "") for j in JURISDICTIONS},
        "grounds": {j: ((v.rule_id if v.basis == "class" else v.substance) or "")
                    for j, v in s.result.verdicts.items()},
        "analogue_of": analogue_flags(s).split(";")[0],
        "svg": depict(s.analog.smiles),
    }


def _transformation_table(run: Anticipation) -> list[dict[str, Any]]:
    """Per transformation (the last step that made the analog): analogs, and how many escape."""
    made: Counter[str] = Counter()
    nowhere: Counter[str] = Counter()
    one_sided: Counter[str] = Counter()
    for s in run.screened:
        t = s.analog.transformation
        if not t:
            continue
        made[t] += 1
        nowhere[t] += s.category == "nowhere"
        one_sided[t] += s.one_sided
    names = run.vocabulary.by_id
    rows = []
    for tid, n in sorted(made.items(), key=lambda kv: (-(nowhere[kv[0]] / kv[1]), kv[0])):
        tr = names.get(tid)
        rows.append({"id": tid, "name": tr.name if tr else tid, "kind": tr.kind if tr else "", "made": n,
                     "nowhere": nowhere[tid], "nowhere_share": _pct(nowhere[tid] / n),
                     "one_sided": one_sided[tid], "source": tr.source if tr else ""})
    return rows


def render_html(run: Anticipation, *, top: int = TOP) -> str:
    env = Environment(
        loader=FileSystemLoader(str(resources.files("analogwatch.anticipate") / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    g = run.gaps
    cats = [c[0] for c in CATEGORIES] + [INVALID[0]]
    chart = horizontal_bars(
        [(CATEGORY_LABELS[c], g.counts[c], CATEGORY_COLOURS[c]) for c in cats if g.counts[c] or c != "invalid"],
        title=f"Enumerated analogs by outcome ({g.total:,} analogs, depth 1 to {run.depth})",
    )
    depth_rows = []
    for d, per in g.by_depth.items():
        depth_rows.append({"depth": d, "cells": [per.get(c, 0) for c in cats], "total": sum(per.values())})
    template = env.get_template("report.html")
    return template.render(
        run=run,
        families=", ".join(f.title for f in run.families),
        categories=[{"id": c, "label": CATEGORY_LABELS[c], "count": g.counts[c], "share": _pct(g.share(c)),
                     "colour": CATEGORY_COLOURS[c]} for c in cats],
        category_ids=cats,
        category_labels=CATEGORY_LABELS,
        depth_rows=depth_rows,
        chart=Markup(chart),  # built here from numbers and escaped labels
        counts=run.enumeration.counts,
        sections=_ranked_sections(run, top),
        whatifs=[{"w": w, "s": whatif_summary(w)} for w in run.whatifs],
        transformations=_transformation_table(run),
        potent=load_potent(),
        seeds=run.seeds,
        top=top,
    )


def write_report(run: Anticipation, outdir: Path, *, top: int = TOP) -> list[Path]:
    """Write analogs.csv, summary.json and report.html into ``outdir``; return the paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [outdir / "analogs.csv", outdir / "summary.json", outdir / "report.html"]
    write_csv(run, paths[0])
    write_summary(run, paths[1])
    paths[2].write_text(render_html(run, top=top), encoding="utf-8")
    return paths


def ranked(run: Anticipation, categories: Sequence[str], n: int) -> list[Screened]:
    """The first ``n`` enumerated analogs of ``categories``, closest to a potent substance first."""
    items = [s for c in categories for s in run.gaps.ranked.get(c, []) if s.analog.depth >= 1]
    return sorted(items, key=lambda s: (-s.potent_similarity, -s.similarity, s.analog.depth, s.analog.id))[:n]
