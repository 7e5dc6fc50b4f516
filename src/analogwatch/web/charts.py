"""Charts as inline SVG, drawn on the server from numbers (no script, no external file).

Every chart has a title and a one-sentence description for screen readers (``role="img"``), and
every mark a tooltip; the pages show the same numbers in a table beside or under the chart.
Colours pass 3:1 contrast against white; jurisdictions are also told apart by their labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count
from xml.sax.saxutils import escape, quoteattr

from analogwatch.web.control import JURISDICTION_NAMES, Lag, describe_days

BAR = "#2f5f98"
AXIS = "#5b6472"
GRID = "#e3e6ea"
TEXT = "#1f2328"
JURISDICTION_COLOURS = {"US": "#1f4e9c", "CN": "#b42318", "UN": "#2f6f3e"}
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'

_ids = count(1)


def _uid(prefix: str) -> str:
    return f"{prefix}{next(_ids)}"


def _open(width: int, height: int, title: str, desc: str, cls: str = "chart") -> tuple[str, str]:
    tid, did = _uid("t"), _uid("d")
    head = (
        f'<svg class="{cls}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width: {width}px" role="img" '
        f'aria-labelledby="{tid} {did}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def _text(x: float, y: float, s: str, *, anchor: str = "start", size: int = 12, fill: str = TEXT,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}">{escape(s)}</text>')


def nice_max(v: float) -> tuple[float, float]:
    """A round axis maximum at or above ``v`` and its tick step."""
    if v <= 0:
        return 1.0, 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        step = m * exp / 4 if m * exp / 4 >= 1 else 1
        top = math.ceil(v / step) * step
        if top / step <= 5:
            return float(top), float(step)
    return float(math.ceil(v)), float(max(1, math.ceil(v) // 4))


def month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from ``first`` to ``last`` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    ly, lm = int(last[:4]), int(last[5:7])
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def monthly_bars(monthly: Sequence[tuple[str, int]], *, title: str, width: int = 720, height: int = 220,
                 unit: str = "report") -> str:
    """Bars of counts per month, every month of the span shown (zeros included)."""
    if not monthly:
        head, tail = _open(width, 60, title, "No data.")
        return head + _text(width / 2, 34, "No sightings to chart.", anchor="middle", fill=AXIS) + tail
    counts = dict(monthly)
    months = month_range(min(counts), max(counts))
    if len(months) < 6:  # a short span still reads as a timeline
        yr, mo_ = int(months[0][:4]), int(months[0][5:7])
        for _ in range(6 - len(months)):
            yr, mo_ = (yr - 1, 12) if mo_ == 1 else (yr, mo_ - 1)
        months = month_range(f"{yr:04d}-{mo_:02d}", months[-1])
    values = [counts.get(mo, 0) for mo in months]
    total = sum(values)
    peak = max(values)
    peak_month = months[values.index(peak)]
    desc = (f"{total} {unit}{'s' * (total != 1)} from {months[0]} to {months[-1]}; the busiest month is "
            f"{peak_month} with {peak}.")
    head, tail = _open(width, height, title, desc)
    left, right, top, bottom = 40, 12, 12, 40
    pw, ph = width - left - right, height - top - bottom
    ymax, step = nice_max(peak)
    parts = [head]
    v = 0.0
    while v <= ymax + 1e-9:
        y = top + ph - ph * v / ymax
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, f"{v:g}", anchor="end", size=11, fill=AXIS))
        v += step
    slot = pw / len(months)
    bw = max(1.0, min(28.0, slot * 0.72))
    # label every k-th month, k the smallest of 1, 2, 3, 6, 12 that leaves room for the text;
    # the year is written under the first label and under every January
    k = next((k for k in (1, 2, 3, 6) if slot * k >= 30), 12)
    years_written: set[str] = set()
    for i, (mo, val) in enumerate(zip(months, values, strict=True)):
        x = left + slot * i + (slot - bw) / 2
        h = ph * val / ymax
        month = int(mo[5:7])
        label = f"{MONTHS[month - 1]} {mo[:4]}: {val} {unit}{'s' * (val != 1)}"
        if val:
            parts.append(f'<rect x="{x:.1f}" y="{top + ph - h:.1f}" width="{bw:.1f}" height="{h:.1f}" '
                         f'fill="{BAR}" rx="1.5"><title>{escape(label)}</title></rect>')
        if (month - 1) % k:
            continue
        tx = left + slot * i
        parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top + ph}" y2="{top + ph + 4}" stroke="{AXIS}"/>')
        if k < 12:
            parts.append(_text(tx + 2, top + ph + 15, MONTHS[month - 1], size=11, fill=AXIS))
        if mo[:4] not in years_written and (month == 1 or not years_written) and (k < 12 or month == 1):
            years_written.add(mo[:4])
            parts.append(_text(tx + 2, top + ph + (28 if k < 12 else 15), mo[:4], size=11, fill=AXIS,
                               weight="600" if k < 12 else "normal"))
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + ph}" y2="{top + ph}" stroke="{AXIS}"/>')
    parts.append(tail)
    return "".join(parts)


@dataclass(frozen=True)
class CountryRow:
    code: str
    name: str
    first: date
    last: date
    reports: int


class _TimeAxis:
    def __init__(self, start: date, end: date, x0: float, x1: float):
        if end <= start:
            end = start + timedelta(days=30)
        pad = max(15, (end - start).days // 25)
        self.start, self.end = start - timedelta(days=pad), end + timedelta(days=pad)
        self.x0, self.x1 = x0, x1

    def x(self, d: date) -> float:
        span = (self.end - self.start).days
        return self.x0 + (self.x1 - self.x0) * (d - self.start).days / span

    def ticks(self) -> list[tuple[date, str]]:
        years = self.end.year - self.start.year
        out: list[tuple[date, str]] = []
        if years >= 2:
            for y in range(self.start.year + 1, self.end.year + 1):
                out.append((date(y, 1, 1), str(y)))
        else:
            step = 1 if years == 0 and (self.end - self.start).days < 200 else 3
            y, m = self.start.year, self.start.month + 1
            while True:
                if m > 12:
                    y, m = y + 1, m - 12
                d = date(y, m, 1)
                if d > self.end:
                    break
                if (m - 1) % step == 0:
                    out.append((d, f"{MONTHS[m - 1]} {y}" if m == 1 or not out else MONTHS[m - 1]))
                m += 1
        return out


def substance_timeline(
    monthly: Sequence[tuple[str, int]], countries: Sequence[CountryRow], lags: Sequence[Lag], *,
    today: date, title: str, width: int = 980,
) -> str:
    """Sightings per month, first and last sighting per country, and each jurisdiction's control
    date on one time axis, with the lag from the first sighting to control drawn as a bracket."""
    first = min(c.first for c in countries)
    last = max(c.last for c in countries)
    # Control long before the first sighting would squeeze the sightings into a sliver: dates more
    # than three years earlier are drawn at the left edge with their date written out.
    horizon = first - timedelta(days=3 * 365)
    controls = [lag.control.since for lag in lags if lag.control.since is not None]
    start = min([first, *[c for c in controls if c >= horizon]])
    end = max([last, *controls, *([today] if any(lag.days is None for lag in lags) else [])])
    label_w, right = 150, 16
    axis = _TimeAxis(start, end, label_w, width - right)
    bars_h, row_h = 96, 26
    rows = len(countries) + len(lags)
    top = 22
    y_rows = top + bars_h + 20
    height = y_rows + rows * row_h + 40
    desc_parts = [f"First sighting {first.isoformat()} in "
                  f"{', '.join(c.name for c in countries if c.first == first)}."]
    for lag in lags:
        name = JURISDICTION_NAMES[lag.jurisdiction]
        if lag.days is None:
            desc_parts.append(f"{name}: not controlled.")
        else:
            assert lag.control.since is not None
            when = "after" if lag.days >= 0 else "before"
            desc_parts.append(f"{name}: controlled from {lag.control.since.isoformat()}, "
                              f"{describe_days(lag.days)} {when} the first sighting.")
    head, tail = _open(width, height, title, " ".join(desc_parts))
    p = [head]
    # -- monthly bars --------------------------------------------------------------------------
    counts = dict(monthly)
    peak = max(counts.values()) if counts else 1
    ymax, _ = nice_max(peak)
    p.append(_text(8, top + 10, "Sightings", weight="600"))
    p.append(_text(8, top + 26, "per month", size=11, fill=AXIS))
    p.append(_text(label_w - 6, top + 8, f"{ymax:g}", anchor="end", size=10, fill=AXIS))
    base = top + bars_h
    p.append(f'<line x1="{label_w}" x2="{width - right}" y1="{base}" y2="{base}" stroke="{AXIS}"/>')
    for mo, n in sorted(counts.items()):
        d0 = date(int(mo[:4]), int(mo[5:7]), 1)
        d1 = (d0 + timedelta(days=32)).replace(day=1)
        x0, x1 = axis.x(d0), axis.x(d1)
        h = bars_h * n / ymax
        p.append(f'<rect x="{x0 + 0.5:.1f}" y="{base - h:.1f}" width="{max(1.0, x1 - x0 - 1):.1f}" '
                 f'height="{h:.1f}" fill="{BAR}"><title>{escape(mo)}: {n} report{"s" * (n != 1)}</title></rect>')
    # -- grid and first-sighting line ------------------------------------------------------------
    bottom = y_rows + rows * row_h
    for d, lab in axis.ticks():
        x = axis.x(d)
        p.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" stroke="{GRID}"/>')
        p.append(_text(x, bottom + 16, lab, anchor="middle", size=11, fill=AXIS))
    fx = axis.x(first)
    p.append(f'<line x1="{fx:.1f}" x2="{fx:.1f}" y1="{top - 6}" y2="{bottom}" stroke="{TEXT}" '
             f'stroke-dasharray="3 3"/>')
    anchor = "start" if fx < width * 0.6 else "end"
    p.append(_text(fx + (4 if anchor == "start" else -4), top - 8, f"first sighting {first.isoformat()}",
                   anchor=anchor, size=11, weight="600"))
    # -- countries -------------------------------------------------------------------------------
    y = y_rows
    for c in countries:
        cy = y + row_h / 2
        p.append(_text(8, cy + 4, f"{c.code} {c.name}"[:22]))
        x0, x1 = axis.x(c.first), axis.x(c.last)
        tip = (f"{c.name}: first seen {c.first.isoformat()}, last seen {c.last.isoformat()}, "
               f"{c.reports} report{'s' * (c.reports != 1)}")
        p.append(f'<g><title>{escape(tip)}</title>'
                 f'<line x1="{x0:.1f}" x2="{max(x1, x0 + 0.1):.1f}" y1="{cy}" y2="{cy}" stroke="{BAR}" '
                 f'stroke-width="4" stroke-linecap="round"/>'
                 f'<circle cx="{x0:.1f}" cy="{cy}" r="5" fill="#fff" stroke="{BAR}" stroke-width="2.5"/></g>')
        tx = x1 + 8
        lab = f"first {c.first.isoformat()} · {c.reports}"
        if tx + 7 * len(lab) > width - right:
            p.append(_text(x0 - 8, cy + 4, lab, anchor="end", size=11, fill=AXIS))
        else:
            p.append(_text(tx, cy + 4, lab, size=11, fill=AXIS))
        y += row_h
    # -- control per jurisdiction ------------------------------------------------------------------
    for lag in lags:
        cy = y + row_h / 2
        col = JURISDICTION_COLOURS[lag.jurisdiction]
        p.append(_text(8, cy + 4, f"{lag.jurisdiction} control", weight="600", fill=col))
        since = lag.control.since
        if lag.days is None:
            x1 = axis.x(today)
            p.append(f'<g><title>{escape(JURISDICTION_NAMES[lag.jurisdiction])}: not controlled on '
                     f'{today.isoformat()}</title>'
                     f'<line x1="{fx:.1f}" x2="{x1:.1f}" y1="{cy}" y2="{cy}" stroke="{col}" stroke-width="3" '
                     f'stroke-dasharray="6 4"/>'
                     f'<path d="M{x1:.1f},{cy - 5} l7,5 l-7,5 z" fill="{col}"/></g>')
            msg = f"not controlled · {describe_days(lag.open_days or 0)} and counting"
            p.append(_text(min(fx + 6, width - right - 4), cy - 6, msg, size=11, fill=col,
                           anchor="start" if fx < width * 0.6 else "end"))
        else:
            assert since is not None
            clipped = since < axis.start
            cx = axis.x(max(since, axis.start))
            tip = (f"{JURISDICTION_NAMES[lag.jurisdiction]}: controlled from {since.isoformat()} "
                   f"({lag.control.ground or lag.control.basis})")
            p.append(f'<g><title>{escape(tip)}</title>'
                     f'<line x1="{min(fx, cx):.1f}" x2="{max(fx, cx):.1f}" y1="{cy}" y2="{cy}" stroke="{col}" '
                     f'stroke-width="3"/>'
                     f'<path d="M{cx:.1f},{cy - 7} l7,7 l-7,7 l-7,-7 z" fill="{col}"/></g>')
            sign = "+" if lag.days >= 0 else "−"
            text = f"{sign}{describe_days(lag.days)}" if lag.days else "same day"
            text = (f"since {since.isoformat()} ({text})" if clipped
                    else f"{since.isoformat()} ({text})")
            tx, anc = (cx + 10, "start") if cx < width * 0.62 else (cx - 10, "end")
            if clipped:
                tx, anc = axis.x(axis.start) + 10, "start"
            p.append(_text(tx, cy - 6, text, size=11, fill=col, anchor=anc))
        y += row_h
    p.append(tail)
    return "".join(p)


def lag_chart(rows: Sequence[tuple[str, str, Sequence[Lag]]], *, title: str, width: int = 980,
              clip_years: int = 3) -> str:
    """Per substance, a bar per jurisdiction from the first sighting (0) to control: right of zero
    controlled after it was seen (the lag), left of zero controlled before; a dashed bar runs on to
    today where it is not controlled. Bars beyond ``clip_years`` are cut and marked."""
    if not rows:
        head, tail = _open(width, 60, title, "No substances.")
        return head + _text(width / 2, 34, "No sightings yet.", anchor="middle", fill=AXIS) + tail
    clip = clip_years * 365
    values = [lag.days if lag.days is not None else lag.open_days or 0 for _, _, ls in rows for lag in ls]
    lo = max(-clip, min([0, *values]))
    hi = min(clip, max([30, *values]))
    label_w, right = 190, 70
    x0, x1 = label_w, width - right

    def x(days: float) -> float:
        days = max(lo, min(hi, days))
        return x0 + (x1 - x0) * (days - lo) / (hi - lo)

    bar_h, gap, row_gap = 8, 3, 14
    row_h = 3 * bar_h + 2 * gap + row_gap
    top, legend_h = 30, 28
    height = top + len(rows) * row_h + 30 + legend_h
    n_open = sum(1 for _, _, ls in rows for lag in ls if lag.days is None)
    desc = (f"Lag from first sighting to control for {len(rows)} substance{'s' * (len(rows) != 1)}; "
            f"{n_open} jurisdiction-substance pair{'s' * (n_open != 1)} not controlled yet.")
    head, tail = _open(width, height, title, desc)
    p = [head]
    # axis ticks every 6 months or a year
    step = 365 if hi - lo > 3 * 365 else 182
    t = math.ceil(lo / step) * step
    bottom = top + len(rows) * row_h
    while t <= hi:
        xx = x(t)
        p.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{top - 6}" y2="{bottom}" stroke="{GRID}"/>')
        lab = "0" if t == 0 else (f"{t / 365:+g} y" if step == 365 else f"{t / 30.44:+.0f} m")
        p.append(_text(xx, bottom + 14, lab, anchor="middle", size=11, fill=AXIS))
        t += step
    zx = x(0)
    p.append(f'<line x1="{zx:.1f}" x2="{zx:.1f}" y1="{top - 10}" y2="{bottom}" stroke="{TEXT}"/>')
    p.append(_text(zx, top - 14, "first sighting", anchor="middle", size=11, weight="600"))
    p.append(_text(x0, top - 14, "← controlled before", size=11, fill=AXIS))
    p.append(_text(x1, top - 14, "controlled after →", anchor="end", size=11, fill=AXIS))
    y = top
    for label, href, ls in rows:
        name = label if len(label) <= 25 else label[:24] + "…"
        ly = y + (3 * bar_h + 2 * gap) / 2 + 4
        if href:
            p.append(f'<a href={quoteattr(href)}>{_text(8, ly, name, fill="#174ea6")}</a>')
        else:
            p.append(_text(8, ly, name))
        for i, lag in enumerate(ls):
            by = y + i * (bar_h + gap)
            col = JURISDICTION_COLOURS[lag.jurisdiction]
            jn = JURISDICTION_NAMES[lag.jurisdiction]
            if lag.days is None:
                d = lag.open_days or 0
                xa, xb = zx, x(d)
                tip = f"{label}, {jn}: not controlled, {describe_days(d)} since the first sighting"
                p.append(f'<g><title>{escape(tip)}</title><rect x="{xa:.1f}" y="{by}" width="{max(1, xb - xa):.1f}" '
                         f'height="{bar_h}" fill="#fff" stroke="{col}" stroke-width="1.5" stroke-dasharray="4 2"/>'
                         f'</g>')
                p.append(_text(xb + 4, by + bar_h - 0.5, f"{lag.jurisdiction} open", size=10, fill=col))
            else:
                d = lag.days
                xa, xb = sorted((zx, x(d)))
                when = "after" if d >= 0 else "before"
                tip = f"{label}, {jn}: controlled {describe_days(d)} {when} the first sighting"
                p.append(f'<g><title>{escape(tip)}</title><rect x="{xa:.1f}" y="{by}" '
                         f'width="{max(2, xb - xa):.1f}" height="{bar_h}" fill="{col}"/></g>')
                if d < lo or d > hi:
                    ex = xa if d < lo else xb
                    p.append(f'<path d="M{ex:.1f},{by - 1} l{-5 if d < lo else 5},{bar_h / 2 + 1} '
                             f'l{5 if d < lo else -5},{bar_h / 2 + 1}" fill="none" stroke="#fff" stroke-width="2"/>')
                # the label goes beside zero for a bar left of it (its far end may be cut at the edge)
                p.append(_text((xb if d >= 0 else zx) + 4, by + bar_h - 0.5, lag.jurisdiction, size=10, fill=col))
        y += row_h
    # legend
    ly = bottom + 30
    lx = 8.0
    for j in ("US", "CN", "UN"):
        col = JURISDICTION_COLOURS[j]
        p.append(f'<rect x="{lx}" y="{ly}" width="14" height="8" fill="{col}"/>')
        p.append(_text(lx + 18, ly + 8, JURISDICTION_NAMES[j], size=11))
        lx += 22 + 7 * len(JURISDICTION_NAMES[j]) + 16
    p.append(f'<rect x="{lx}" y="{ly}" width="14" height="8" fill="#fff" stroke="{AXIS}" stroke-dasharray="4 2"/>')
    p.append(_text(lx + 18, ly + 8, "not controlled yet (runs to today)", size=11))
    p.append(_text(width - 8, ly + 8, f"cut at ±{clip_years} years", anchor="end", size=11, fill=AXIS))
    p.append(tail)
    return "".join(p)


def horizontal_bars(items: Sequence[tuple[str, int, str]], *, title: str, width: int = 620,
                    unit: str = "") -> str:
    """Labelled horizontal bars (label, value, colour), values written at the bar ends."""
    rows = [i for i in items]
    if not rows:
        head, tail = _open(width, 60, title, "No data.")
        return head + _text(width / 2, 34, "Nothing to chart.", anchor="middle", fill=AXIS) + tail
    label_w, right, row_h, top = 230, 60, 24, 8
    height = top + row_h * len(rows) + 8
    vmax = max(v for _, v, _ in rows) or 1
    desc = "; ".join(f"{lab}: {v}{unit}" for lab, v, _ in rows)
    head, tail = _open(width, height, title, desc)
    p = [head]
    for i, (lab, v, col) in enumerate(rows):
        y = top + i * row_h
        w = (width - label_w - right) * v / vmax
        p.append(_text(label_w - 8, y + 15, lab if len(lab) <= 34 else lab[:33] + "…", anchor="end"))
        p.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1 if v else 0):.1f}" height="{row_h - 8}" '
                 f'fill="{col}" rx="2"><title>{escape(lab)}: {v}{escape(unit)}</title></rect>')
        p.append(_text(label_w + w + 6, y + 15, f"{v:,}{unit}", size=11, fill=AXIS))
    p.append(tail)
    return "".join(p)
