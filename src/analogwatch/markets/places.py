"""Where a listing ships from and to: free text ("USA", "Worldwide except Australia") to ISO 3166
alpha-2 codes, the region codes EU and WW, or nothing when the text names no country."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import yaml

from analogwatch.registry.names import normalize_name

#: Region codes that are not ISO 3166 codes: the European Union / Europe, and worldwide.
REGIONS = ("EU", "WW")
_EXCEPT = re.compile(r"\b(?:except(?:\s+for)?|excluding|exclude|excl\.?|but not|not to)\b[:\s]*", re.I)
#: two-letter codes that are also English words: never read as countries from free text
_WORD_CODES = frozenset({
    "IN", "IS", "IT", "ME", "NO", "AT", "BE", "BY", "DO", "ID", "MY", "OR", "TO", "AS", "AM", "SO", "PE", "PA", "CO",
    "AD", "AL", "LA", "MA",
})
_NOT_SHIP = re.compile(r"\b(?:do not|don't|dont|will not|won't|cannot|can't|we do not)\s+ship\s+to\b", re.I)
_SPLIT = re.compile(r"\s*(?:[,;/|&+]|\band\b|\bor\b|\n)\s*", re.I)
_FROM_TO = re.compile(r"^\s*from\s*:?\s*(?P<from>.*?)\s*(?:to\s*:\s*(?P<to>.*))?$", re.I | re.S)


@dataclass(frozen=True)
class Places:
    """The place vocabulary: names to codes, groups of countries, and words that mean 'no country'."""

    names: dict[str, str]
    codes: frozenset[str]
    groups: dict[str, tuple[str, ...]]
    undeclared: frozenset[str]
    longest: int = 6


@lru_cache(maxsize=1)
def places() -> Places:
    path = resources.files("analogwatch.markets") / "data" / "countries.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for section in ("countries", "regions"):
        for code, aliases in data[section].items():
            for n in aliases:
                names.setdefault(normalize_name(str(n)), str(code))
    codes = frozenset(str(c) for section in ("countries", "regions") for c in data[section])
    groups = {normalize_name(k): tuple(str(c) for c in v) for k, v in data["groups"].items()}
    undeclared = frozenset(normalize_name(str(u)) for u in data["undeclared"])
    return Places(names=names, codes=codes, groups=groups, undeclared=undeclared)


@dataclass
class Destinations:
    """Codes a listing ships to, and codes it expressly does not ship to."""

    to: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def _codes(text: str, *, expand_groups: bool) -> list[str]:
    """Every country or region named in ``text``, in order, without repeats."""
    p = places()
    out: list[str] = []
    for part in _SPLIT.split(text):
        words = re.findall(r"[^\W_]+", part)
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(p.longest, len(words) - i), 0, -1):
                key = normalize_name("".join(words[i : i + n]))
                if key in p.names:
                    hit = ([p.names[key]], n)
                    break
                if expand_groups and key in p.groups:
                    hit = (list(p.groups[key]), n)
                    break
            if hit is None and words[i] in p.codes and words[i] not in _WORD_CODES:
                hit = ([words[i]], 1)
            if hit is None:
                i += 1
                continue
            for c in hit[0]:
                if c not in out:
                    out.append(c)
            i += hit[1]
    return out


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def parse_origin(text: str | None) -> str | None:
    """One origin: an ISO alpha-2 code, EU or WW; None when the text names no single place.

    Markets write "From: USA To: USA" in one field; only the part after "From" is read."""
    s = _clean(text)
    if not s:
        return None
    m = _FROM_TO.match(s)
    if m:
        s = m.group("from") or ""
    key = normalize_name(s)
    p = places()
    if not key or key in p.undeclared:
        return None
    if key in p.names:
        return p.names[key]
    if s.upper() in p.codes:
        return s.upper()
    codes = _codes(s, expand_groups=False)
    return codes[0] if len(codes) == 1 else None


def parse_destinations(value: str | list[str] | None) -> Destinations:
    """Where a listing ships to: "Worldwide except Australia, New Zealand" -> to [WW], excluded [AU, NZ]."""
    if value is None:
        return Destinations()
    items = value if isinstance(value, list) else [value]
    dest = Destinations()
    for item in items:
        s = _clean(str(item))
        m = _FROM_TO.match(s)
        if m and m.group("to") is not None:
            s = m.group("to")
        if normalize_name(s) in places().undeclared:
            continue
        refuse = _NOT_SHIP.search(s)
        if refuse:
            head, tail = s[: refuse.start()], s[refuse.end() :]
        else:
            exc = _EXCEPT.search(s)
            head, tail = (s[: exc.start()], s[exc.end() :]) if exc else (s, "")
        for c in _codes(head, expand_groups=True):
            if c not in dest.to:
                dest.to.append(c)
        for c in _codes(tail, expand_groups=True):
            if c not in dest.excluded:
                dest.excluded.append(c)
        if refuse and not dest.to:
            dest.to.append("WW")
    return dest
