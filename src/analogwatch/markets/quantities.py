"""Quantities in listing text: total mass, number of units and dose per unit, in milligrams.

"X50 OXYCODONE 30MG" -> 50 units of 30 mg (1,500 mg); "500G" -> 500,000 mg; "250ug" -> 0.25 mg.
Conventions (docs/market-watch.md): when a title offers several sizes, the first one stated is
read; 1 oz = 28.3495 g, 1 lb = 453.592 g, an "eighth" = 3.5 g as markets use it; a mass in mg or
ug next to a dosage form (pills, tabs, blotters) or a count is a dose per unit, otherwise the
whole amount; "250mg/ml 10ml" is 2,500 mg in one container. Counts: "x10", "10x", "10 pills",
"50 st" (Stück), "(10) ...", "One tab", and a bare number opening a title that states a dose
("25 GREEN REDBULL 180MG XTC PILLS"); never a number that is part of a mass, a price ("$50*"),
a grade ("#3 heroin") or a variety ("20 different strains"). "100mcg/h" is a rate, not a dose;
"3gr/coin" a mass per unit; "10 Pills = 2.5MG" the whole amount; "0,5 DMT" half a gram.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: milligrams per unit of mass (avoirdupois ounce and pound)
MG_PER: dict[str, float] = {
    "kg": 1_000_000.0, "g": 1_000.0, "mg": 1.0, "ug": 0.001, "oz": 28_349.5231, "lb": 453_592.37,
}
_UNIT_ALIASES = {
    "kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg", "kilogramm": "kg",
    "g": "g", "gr": "g", "grs": "g", "gram": "g", "grams": "g", "gramm": "g", "gramms": "g", "gramme": "g",
    "grammes": "g", "gm": "g", "gms": "g", "grams.": "g",
    "mg": "mg", "mgs": "mg", "milligram": "mg", "milligrams": "mg", "miligram": "mg", "miligrams": "mg",
    "ug": "ug", "µg": "ug", "μg": "ug", "mcg": "ug", "mcgs": "ug", "microgram": "ug", "micrograms": "ug",
    "oz": "oz", "ozs": "oz", "ounce": "oz", "ounces": "oz", "onz": "oz",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
}
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:[.,]\d+)?|[.,]\d+)"
_UNITS = "|".join(sorted((re.escape(u) for u in _UNIT_ALIASES), key=len, reverse=True))
#: forms a single unit is sold in; a count before them is a number of units
FORMS = (
    r"pills?|tabs?|tablets?|tabletten|caps?|capsules?|blotters?|hits?|pcs|pieces?|units?|bars?|pellets?|"
    r"ampoules?|ampules?|amps?|vials?|strips?|squares?|doses?|softgels?|troches?|patch(?:es)?|lozenges?|"
    r"buttons?|seeds?|x?pills|sheets?|stamps?|gel\s*tabs?|microdots?|cubes?|films?|sachets?|"
    r"suppositor(?:y|ies)|syringes?|pens?|lollipops?|pops|joints?|pre-?rolls?|carts?|cartridges?|"
    r"packs?|count|ct|units|stck|stk|st[üu]ck|kpl|stycken|styck|stuks|szt|pz|pzs|psc|coins?"
)
# A number not glued to a preceding digit or letter ("x100mg" and "Opioid.60MG" still read).
_BEFORE = r"(?<![0-9])(?<!\d[.,])(?<![A-WYZa-wyz])"
_MASS = re.compile(rf"{_BEFORE}(?P<n>{_NUM})\)?\s*\+?\s*-?\s*(?P<u>{_UNITS})(?![\w])", re.I)
_CONC = re.compile(rf"(?<![\w.])(?P<n>{_NUM})\s*(?P<u>mg|mcg|ug|g)\s*/\s*(?:1\s*)?ml\b", re.I)
_VOLUME = re.compile(rf"(?<![\w.])(?P<n>{_NUM})\s*ml\b", re.I)
_FRACTION = re.compile(
    r"(?<![\w/])(?P<a>\d)\s*/\s*(?P<b>2|4|8|16)\s*(?P<u>oz|ounces?|lbs?|pounds?|p|kg|kilos?|g)\b", re.I
)
_WORD_MASS = re.compile(
    r"\b(?:(?P<half>half|1/2)\s+(?:an?\s+)?(?P<u1>oz|ounce|pound|lb|kilo|kg)|(?P<q>quarter)\s+(?:an?\s+)?(?P<u2>oz|ounce|"
    r"pound|lb|kilo|kg)|(?P<qp>QP|HP)|(?P<eighth>eighth|8th|an\s+8th)|(?P<one>an?|one)\s+(?P<u3>ounce|pound|kilo|gram|gramm?e))\b",
    re.I,
)
_NOT_A_COUNT_AFTER = r"(?!\s*(?:extract|strength|stronger|potency|potent|concentrate|more|less)\b)"
_COUNT_AFTER_X = re.compile(
    rf"(?<![\w.])x\s*(?P<n>\d{{1,5}})(?![\d.,]*\s*(?:{_UNITS}|ml)\b)(?!\w)", re.I
)
_COUNT_BEFORE_X = re.compile(
    rf"(?<![\w.,-])(?P<n>\d{{1,5}})\s*(?:x|\*|×)(?=\s|\d|$|[^\w]){_NOT_A_COUNT_AFTER}", re.I
)
_INT = r"\d{1,3}(?:,\d{3})+(?!\d)|\d{1,5}"
_COUNT_FORM = re.compile(
    rf"(?<![\w.-])(?<!\d,)\(?(?P<n>{_INT})\)?\s*(?:-\s*)?(?:[A-Za-z][\w-]*\s+){{0,3}}?(?:{FORMS})\b", re.I
)
_PACK = re.compile(r"\b(?:pack|lot|bundle|set|box)\s+of\s+(?P<n>\d{1,5})\b", re.I)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "twelve": 12, "twenty": 20, "fifty": 50, "hundred": 100}
#: "One tab", "ten pills": a number written as a word before a dosage form
_COUNT_WORD = re.compile(
    rf"(?<![\w-])(?P<n>{'|'.join(_WORD_NUMBERS)})\s+(?:[A-Za-z][\w-]*\s+){{0,1}}?(?:{FORMS})\b", re.I
)
#: "50 st" (Stück, stycken) written apart from the number ("1st" is an ordinal)
_COUNT_ST = re.compile(r"(?<![\w.,])(?P<n>\d{1,5})\s+st\.?(?!\w)", re.I)
#: "(10) Blue Mac Reboots Ecstasy Pills": a number in brackets opening a title
_COUNT_LEADING = re.compile(rf"^\W*\((?P<n>\d{{1,5}})\)(?!\s*(?:{_UNITS})(?!\w))", re.I)
#: words after a number that make it no count of units ("20 different strains")
_NOT_UNITS_AFTER = re.compile(r"\s*(?:diff(?:erent)?|kinds?|types?|varieties|strains|flavou?rs|colou?rs|%)\b", re.I)
#: a mass delivered per hour (patches) is a rate, not a dose
_RATE = re.compile(r"\s*(?:/\s*h(?:r|our)?\b|per\s+hour\b)", re.I)
#: a mass per unit: "3gr/coin", "100mg per tab", "2mg each"
_PER_UNIT = re.compile(rf"\s*(?:/|per\s|an?\s)\s*(?:{FORMS})\b", re.I)
#: a fraction of a unit with no unit written, opening a title: "0,5 DMT", ".2 crack" (grams)
_BARE_FRACTION = re.compile(r"^\W*(?P<n>0?[.,]\d{1,2})(?!\s*(?:\d|%|[a-z]*\s*(?:x|ml|l)\b))(?=\s+[A-Za-z])", re.I)
#: "1 30mg Roxy", "25 GREEN REDBULL 180MG XTC PILLS": a bare number opening a title that
#: states a dose per unit counts the units
_LEADING_NUMBER = re.compile(r"^\W*(?P<n>\d{1,4})\s+(?=[A-Za-z(\d])")
_FORM_WORD = re.compile(rf"\b(?:{FORMS}|blotter|per\s+pill|each|/\s*pill|/\s*tab|per\s+tab|a\s+piece)\b", re.I)
_PERCENT = re.compile(rf"{_NUM}\s*%")


@dataclass(frozen=True)
class Quantity:
    total_mass_mg: float | None = None
    unit_count: int | None = None
    unit_dose_mg: float | None = None


def _num(s: str) -> float:
    s = s.strip()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", s):
        return float(s.replace(",", ""))
    return float(s.replace(",", "."))


def _round(mg: float) -> float:
    return float(f"{mg:.6g}")


@dataclass
class _Mass:
    mg: float
    unit: str
    start: int
    end: int


def _masses(text: str) -> list[_Mass]:
    out: list[_Mass] = []
    taken: list[tuple[int, int]] = []
    for m in _CONC.finditer(text):
        taken.append(m.span())
    for m in _FRACTION.finditer(text):
        u = m.group("u").lower().rstrip("s")
        u = {"p": "lb", "pound": "lb", "ounce": "oz", "kilo": "kg"}.get(u, u)
        out.append(_Mass(int(m.group("a")) / int(m.group("b")) * MG_PER[u], u, *m.span()))
        taken.append(m.span())
    for m in _WORD_MASS.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if m.group("eighth"):
            mg, u = 3_500.0, "g"
        elif m.group("one"):
            unit = m.group("u3").lower()
            u = {"ounce": "oz", "pound": "lb", "kilo": "kg"}.get(unit, "g")
            mg = MG_PER[u]
        elif m.group("qp"):
            mg, u = (0.25 if m.group("qp").upper() == "QP" else 0.5) * MG_PER["lb"], "lb"
        else:
            unit = (m.group("u1") or m.group("u2") or "").lower()
            u = {"ounce": "oz", "pound": "lb", "kilo": "kg"}.get(unit, unit)
            mg = (0.5 if m.group("half") else 0.25) * MG_PER[u]
        out.append(_Mass(mg, u, *m.span()))
        taken.append(m.span())
    for m in _MASS.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        u = _UNIT_ALIASES[m.group("u").lower()]
        try:
            n = _num(m.group("n"))
        except ValueError:
            continue
        if n <= 0:
            continue
        out.append(_Mass(n * MG_PER[u], u, *m.span()))
    out.sort(key=lambda x: x.start)
    return out


def _normalise(text: str) -> str:
    """Spellings that hide a quantity: "½", "Q.P.", slugs ("7-5mg"), ranges, combination strengths."""
    t = text.replace("½", ".5").replace("¼", ".25")
    t = re.sub(r"\b([QH])\.P\.", r"\1P", t, flags=re.I)
    if " " not in t.strip():
        t = re.sub(r"(\d)-(\d)(?=\s*mg)", r"\1.\2", t, flags=re.I)  # "zopiclone-7-5mg-500-pills"
        t = t.replace("-", " ")
    t = _PERCENT.sub(" ", t)
    # "200-220mg" and "150 - 170ug": the first figure; "8/2mg", "10/325mg": the first ingredient
    t = re.sub(rf"(?<![\d.])({_NUM})\s*-\s*{_NUM}\s*(?=(?:{_UNITS})(?![\w]))", r"\1 ", t, flags=re.I)
    t = re.sub(rf"(?<![\d.])({_NUM})\s*/\s*{_NUM}\s*(?=(?:mg|ug|mcg|µg)\b)", r"\1", t, flags=re.I)
    return t


def _prefer_metric(masses: list[_Mass]) -> _Mass | None:
    """The first mass; when it is in ounces or pounds and the same amount follows in grams
    ("1 oz (28 g)"), the metric figure the vendor wrote."""
    if not masses:
        return None
    first = masses[0]
    if first.unit in ("oz", "lb"):
        for m in masses[1:4]:
            if m.unit in ("g", "kg") and m.start - first.end <= 30 and abs(m.mg - first.mg) <= 0.1 * first.mg:
                return m
    return first


def _count(text: str, masses: Sequence[_Mass] = ()) -> tuple[int | None, tuple[int, int] | None]:
    """The first stated number of units, and where it stands; a number that is part of a mass
    ("8mg Strip x 1 strip": the 8) is no count."""
    best: tuple[int, int, int] | None = None
    for rx in (_COUNT_AFTER_X, _COUNT_BEFORE_X, _COUNT_FORM, _PACK, _COUNT_LEADING, _COUNT_ST, _COUNT_WORD):
        if rx is _COUNT_WORD and best is not None:
            break  # "One sheet (25x)": a number in figures wins over one in words
        for m in rx.finditer(text):
            raw = m.group("n")
            n = _WORD_NUMBERS[raw.lower()] if raw.lower() in _WORD_NUMBERS else int(raw.replace(",", ""))
            if n <= 0 or any(x.start <= m.start("n") < x.end for x in masses):
                continue
            if text[max(0, m.start("n") - 1):m.start("n")] in ("#", "$", "€", "£") or _NOT_UNITS_AFTER.match(
                text, m.end("n")
            ):
                continue  # "#3 heroin" is a grade, "$50*" a price, "20 different strains" a variety
            if best is None or m.start() < best[1]:
                best = (n, m.start(), m.end())
            break
    if best is None:
        return None, None
    return best[0], (best[1], best[2])


def parse_quantity(
    text: str,
    *,
    unit_dose_hint_mg: float | None = None,
    dosage_form: bool = False,
    name_starts: tuple[int, ...] = (),
) -> Quantity:
    """Read the quantity of the offer from one text (usually a title).

    ``unit_dose_hint_mg`` is a dose implied by a name (the "M30" imprint); ``dosage_form`` says the
    matched substance is sold as tablets (a brand name), so "Xanax 2mg" is a dose, not an amount;
    ``name_starts`` are offsets of substance names, so that "50 Xanax" reads as 50 units."""
    if not text:
        return Quantity()
    t = _normalise(text)
    # "100mcg/h" (a patch) is a rate, not a mass
    masses = [m for m in _masses(t) if not _RATE.match(t, m.end)]
    if not masses and (bare := _BARE_FRACTION.match(t)):
        masses = [_Mass(_num(bare.group("n")) * MG_PER["g"], "g", *bare.span("n"))]
    count, count_span = _count(t, masses)
    if count is None:
        for start in name_starts:
            m = re.search(r"(?<![\w.,-])(\d{1,4})\s*(?:-\s*)?(?:(?P<w>[A-Za-z]+)\s+)?$", t[:start])
            if m and m.group("w") and m.group("w").lower() in {*_UNIT_ALIASES, "ml", "l", "cl", "liter", "litre"}:
                m = None
            if m and (t[max(0, m.start(1) - 1):m.start(1)] == "#" or _NOT_UNITS_AFTER.match(t, m.end(1))):
                m = None  # "#3 BROWN HEROIN" is a grade; "20 DIFF MARIJUANA" a variety
            if m and not any(x.start <= m.start(1) < x.end for x in masses):
                count = int(m.group(1))
                break
    conc = _CONC.search(t)
    if conc:
        vol = _VOLUME.search(t[conc.end():]) or _VOLUME.search(t[: conc.start()])
        per_ml = _num(conc.group("n")) * MG_PER[_UNIT_ALIASES[conc.group("u").lower()]]
        if vol:
            container = _round(per_ml * _num(vol.group("n")))
            if count:
                return Quantity(_round(container * count), count, container)
            return Quantity(container, None, None)
        return Quantity(None, count, None)
    form = dosage_form or bool(_FORM_WORD.search(t)) or count is not None
    first = _prefer_metric(masses)
    if first is None:
        if unit_dose_hint_mg is not None:
            dose = unit_dose_hint_mg
            return Quantity(_round(dose * count) if count else None, count, dose)
        return Quantity(None, count, None)
    lead = _LEADING_NUMBER.match(t) if count is None and first.unit in ("mg", "ug") and first.mg <= 1_000 else None
    if lead and lead.end("n") <= first.start and not any(x.start <= lead.start("n") < x.end for x in masses):
        count, form = int(lead.group("n")), True
    is_dose = first.unit in ("mg", "ug") and first.mg <= 1_000 and form
    if first.unit == "ug" or _PER_UNIT.match(t, first.end) or (
        first.unit == "mg" and re.match(r"\s*each\b", t[first.end:], re.I)
    ):
        is_dose = True
    if count is not None and not is_dose and first.unit in ("g", "mg"):
        # "10 x 1g": ten units of one gram each.
        is_dose = True
    if is_dose and count and count_span and re.fullmatch(r"[\s\w]*?\s*=\s*", t[count_span[1]:first.start]):
        # "10 Pills = 2.5MG": the mass is the whole amount
        return Quantity(_round(first.mg), count, _round(first.mg / count))
    if is_dose:
        dose = _round(first.mg)
        return Quantity(_round(dose * count) if count else None, count, dose)
    return Quantity(_round(first.mg), count if count and count > 1 else None, None)
