"""The Gaps page's data: anticipation reports written by ``analogwatch anticipate -o DIR``.

The dashboard reads the files a run leaves (``summary.json``, ``analogs.csv``, ``report.html``),
so any run an analyst made from the command line shows up: every folder under the dashboard's
``anticipation/`` folder that holds a ``summary.json`` is a run, the newest first.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

#: gap categories, in the order of the anticipation report, with the label and colour shown
CATEGORIES: dict[str, tuple[str, str]] = {
    "everywhere": ("controlled everywhere (US, CN and UN)", "#1b4f72"),
    "us-cn": ("US and CN, not UN", "#2e78b7"),
    "cn-un": ("CN and UN, not US", "#3f7fa6"),
    "us-un": ("US and UN, not CN", "#5a7fa0"),
    "cn-only": ("CN only", "#a0660a"),
    "us-only": ("US only", "#9a6a00"),
    "un-only": ("UN only", "#7b4a96"),
    "nowhere": ("controlled nowhere", "#b42318"),
    "invalid": ("could not be screened", "#5b6472"),
}

#: the ranked sections: (key, title, explanation, categories)
SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("nowhere", "Controlled nowhere", "No listing, precursor listing or class definition covers these in the US, "
     "China or under the UN conventions.", ("nowhere",)),
    ("cn-not-us", "Controlled in China, not in the US", "China's lists or class definitions cover these; the US "
     "does not (an analogue prosecution remains possible case by case).", ("cn-only", "cn-un")),
    ("us-not-cn", "Controlled in the US, not in China", "The US covers these; China does not: legal to make "
     "and export from China.", ("us-only", "us-un")),
    ("un-only", "Controlled under the UN conventions only", "Scheduled internationally, not in either national "
     "list of the registry.", ("un-only",)),
)


@dataclass(frozen=True)
class Run:
    name: str
    path: Path
    summary: dict[str, Any]
    modified: datetime

    @property
    def has_html(self) -> bool:
        return (self.path / "report.html").is_file()


def list_runs(root: Path) -> list[Run]:
    """Every anticipation run under ``root`` (``root`` itself too when it is one), newest first."""
    if not root.is_dir():
        return []
    candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    runs = []
    for folder in candidates:
        f = folder / "summary.json"
        if not f.is_file():
            continue
        try:
            summary = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(summary, dict):
            continue
        name = folder.name if folder != root else "(top folder)"
        runs.append(Run(name, folder, summary, datetime.fromtimestamp(f.stat().st_mtime, tz=UTC)))
    return sorted(runs, key=lambda r: r.modified, reverse=True)


def _float(v: str | None) -> float:
    try:
        return float(v or 0)
    except ValueError:
        return 0.0


def _int(v: str | None) -> int:
    try:
        return int(v or 0)
    except ValueError:
        return 0


@lru_cache(maxsize=4)
def _analogs(path: Path, mtime_ns: int) -> tuple[dict[str, str], ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def ranked_sections(run: Run, *, top: int = 8) -> list[dict[str, Any]]:
    """Per section, the enumerated analogs (depth 1 and more) closest to a potent substance first."""
    path = run.path / "analogs.csv"
    if not path.is_file():
        return []
    rows = _analogs(path, path.stat().st_mtime_ns)
    out = []
    for key, title, text, cats in SECTIONS:
        items = [r for r in rows if r.get("category") in cats and _int(r.get("depth")) >= 1]
        items.sort(key=lambda r: (-_float(r.get("potent_similarity")), -_float(r.get("similarity")),
                                  _int(r.get("depth")), r.get("id", "")))
        out.append({"key": key, "title": title, "text": text, "total": len(items), "rows": items[:top]})
    return out


def category_counts(run: Run) -> list[tuple[str, str, int, str]]:
    """(key, label, count, colour) of every category with analogs, in report order."""
    counts = (run.summary.get("gaps") or {}).get("counts") or {}
    out = []
    for key, (label, colour) in CATEGORIES.items():
        n = counts.get(key, 0)
        if isinstance(n, int) and n:
            out.append((key, label, n, colour))
    for key, n in counts.items():
        if key not in CATEGORIES and isinstance(n, int) and n:
            out.append((key, key, n, "#5b6472"))
    return out
