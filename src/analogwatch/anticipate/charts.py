"""Small SVG charts drawn by hand: no plotting library, no external assets.

``standalone=False`` gives markup to inline in HTML (no namespace declaration, so the page
contains no URL at all); ``standalone=True`` gives a complete SVG file.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

#: colour per gap category, chosen to read in greyscale too (dark = controlled widely)
CATEGORY_COLOURS: dict[str, str] = {
    "everywhere": "#1b4f72",
    "us-cn": "#2e86c1",
    "cn-un": "#5dade2",
    "us-un": "#85c1e9",
    "cn-only": "#d68910",
    "us-only": "#f5b041",
    "un-only": "#a569bd",
    "nowhere": "#c0392b",
    "invalid": "#7f8c8d",
}
SERIES_COLOURS = ("#1b4f72", "#d68910", "#27ae60", "#8e44ad", "#c0392b", "#7f8c8d")
_FONT = "font-family='Helvetica, Arial, sans-serif'"


def _open(width: int, height: int, standalone: bool, label: str) -> str:
    ns = " xmlns='http://www.w3.org/2000/svg'" if standalone else ""
    head = "<?xml version='1.0' encoding='utf-8'?>\n" if standalone else ""
    return (f"{head}<svg{ns} width='{width}' height='{height}' viewBox='0 0 {width} {height}' role='img' "
            f"aria-label='{escape(label, quote=True)}'>"
            f"<rect width='{width}' height='{height}' fill='#ffffff'/>")


def horizontal_bars(rows: Sequence[tuple[str, float, str]], *, title: str, unit: str = "",
                    width: int = 640, standalone: bool = False) -> str:
    """One bar per (label, value, colour); values labelled at the bar end."""
    bar_h, gap, top = 22, 8, 34
    # about 6.6 px per character at 12 px: room for the longest label
    left = 16 + int(6.6 * max((len(label) for label, _, _ in rows), default=10))
    height = top + len(rows) * (bar_h + gap) + 12
    vmax = max((v for _, v, _ in rows), default=0) or 1
    span = width - left - 90
    parts = [_open(width, height, standalone, title),
             f"<text x='10' y='20' {_FONT} font-size='14' font-weight='bold'>{escape(title)}</text>"]
    for i, (label, value, colour) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(0.0, span * value / vmax)
        shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        parts.append(f"<text x='{left - 8}' y='{y + 15}' {_FONT} font-size='12' text-anchor='end'>"
                     f"{escape(label)}</text>")
        parts.append(f"<rect x='{left}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{colour}'/>")
        parts.append(f"<text x='{left + w + 6:.1f}' y='{y + 15}' {_FONT} font-size='12'>{shown}{escape(unit)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(groups: Sequence[tuple[str, Sequence[tuple[str, float, str]]]], *, title: str,
                 y_label: str = "", y_max: float = 100.0, unit: str = "%", width: int = 760,
                 height: int = 400, standalone: bool = False, note: Sequence[str] = (),
                 colours: Sequence[str] = SERIES_COLOURS) -> str:
    """Vertical bars in groups: ``groups`` is [(group label, [(series label, value, annotation)])].

    Each series keeps its colour across groups; the annotation is printed above its bar; the
    legend wraps onto as many lines as it needs."""
    series: list[str] = []
    for _, bars in groups:
        for name, _, _ in bars:
            if name not in series:
                series.append(name)
    left, right, top = 60, 20, 40
    # legend entries are laid out first, to know how many lines they take
    legend: list[tuple[float, int, str, str]] = []
    lx, line = float(left), 0
    for si, name in enumerate(series):
        w = 24 + 6.2 * len(name)
        if lx + w > width - right and lx > left:
            lx, line = float(left), line + 1
        legend.append((lx, line, name, colours[si % len(colours)]))
        lx += w
    bottom = 44 + 18 * (line + 1) + 14 * len(note)
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_open(width, height, standalone, title),
             f"<text x='10' y='22' {_FONT} font-size='15' font-weight='bold'>{escape(title)}</text>"]
    for k in range(0, 5):
        v = y_max * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{y:.1f}' y2='{y:.1f}' stroke='#dddddd'/>")
        parts.append(f"<text x='{left - 6}' y='{y + 4:.1f}' {_FONT} font-size='11' text-anchor='end'>"
                     f"{v:.0f}{escape(unit)}</text>")
    if y_label:
        parts.append(f"<text x='14' y='{top + plot_h / 2:.1f}' {_FONT} font-size='12' text-anchor='middle' "
                     f"transform='rotate(-90 14 {top + plot_h / 2:.1f})'>{escape(y_label)}</text>")
    n = max(1, len(groups))
    group_w = plot_w / n
    bar_w = min(46.0, group_w * 0.8 / max(1, len(series)))
    for gi, (glabel, bars) in enumerate(groups):
        gx = left + gi * group_w
        start = gx + (group_w - bar_w * len(series)) / 2
        for name, value, note_text in bars:
            si = series.index(name)
            x = start + si * bar_w
            h = plot_h * min(value, y_max) / y_max if y_max else 0
            y = top + plot_h - h
            colour = colours[si % len(colours)]
            parts.append(f"<rect x='{x + 2:.1f}' y='{y:.1f}' width='{bar_w - 4:.1f}' height='{h:.1f}' "
                         f"fill='{colour}'/>")
            parts.append(f"<text x='{x + bar_w / 2:.1f}' y='{y - 4:.1f}' {_FONT} font-size='10' "
                         f"text-anchor='middle'>{escape(note_text)}</text>")
        parts.append(f"<text x='{gx + group_w / 2:.1f}' y='{top + plot_h + 16:.1f}' {_FONT} font-size='12' "
                     f"text-anchor='middle'>{escape(glabel)}</text>")
    for x0, ln, name, colour in legend:
        ly = top + plot_h + 32 + 18 * ln
        parts.append(f"<rect x='{x0:.1f}' y='{ly}' width='12' height='12' fill='{colour}'/>")
        parts.append(f"<text x='{x0 + 16:.1f}' y='{ly + 10}' {_FONT} font-size='11'>{escape(name)}</text>")
    for k, text in enumerate(note):
        y = height - 10 - 14 * (len(note) - 1 - k)
        parts.append(f"<text x='{left}' y='{y}' {_FONT} font-size='11' fill='#444444'>{escape(text)}</text>")
    parts.append("</svg>")
    return "".join(parts)
