"""Extraction: one raw listing to a resolved record (substances with verdicts, quantity, price, places).

Titles are read first; the description only when the title names no substance (descriptions often
list a vendor's other products); the category only when neither does. Results are cached per
distinct (title, description, category), verdicts per (substance, date), so a dump with repeated
crawls of the same listings costs little more than its distinct titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analogwatch.errors import AnalogwatchError, InputError
from analogwatch.markets.lexicon import Hit, Term, Vocabulary, categories, constituents
from analogwatch.markets.model import JurisdictionStatus, ListingRecord, RawListing, SubstanceMention
from analogwatch.markets.places import parse_destinations, parse_origin
from analogwatch.markets.quantities import FORMS, Quantity, parse_quantity
from analogwatch.markets.rates import RateTable, parse_price
from analogwatch.registry import Registry, default_registry
from analogwatch.registry.names import normalize_name

if TYPE_CHECKING:
    from analogwatch.checker import Checker

#: how much of a description is read when the title names nothing
DESCRIPTION_CHARS = 400
_NEAR_QUANTITY = re.compile(
    rf"(?:\d\s*(?:g|gr|grams?|mg|ug|mcg|oz|kg|x|lbs?|pounds?|ounces?|kilos?)\b|\bx\s*\d|\b\d+\s*(?:{FORMS})\b|"
    rf"\b(?:{FORMS})\b|\b(?:QP|HP|Q\.P\.|H\.P\.|pound|ounce|oz|kilo)\b|\d\s*/\s*\d+\s*(?:p|oz|lb)\b)",
    re.I,
)
#: how far from a context term a quantity may stand ("Lemon Cream Pie Haze - Coffeeshop - 28G")
NEAR_CHARS = 24
#: words before a name that say it is not what is sold ("EQUALS 200mg Oxycodone", "similar to Meth")
_COMPARED_BEFORE = re.compile(
    r"\b(?:equals?|equal\s+to|equivalent\s+(?:to|of)|similar\s+to|compared\s+to|stronger\s+than|weaker\s+than|"
    r"instead\s+of|better\s+than|like)\b[^,;|()]{0,24}$",
    re.I,
)
#: words after a name that say the same ("GHB substitute", "Molly's stronger evil sister")
_COMPARED_AFTER = re.compile(
    r"^[\s'’s)-]{0,4}(?:substitute|alternative|replacement|equivalent|analog(?:ue)?|stronger|weaker|sister|"
    r"brother|cousin|-?like)\b",
    re.I,
)
#: a short name glued to a code fragment: "PVP" in "4-CL-PVP" is another substance
_CODE_FRAGMENT_BEFORE = re.compile(r"(?<![A-Za-z0-9])(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,3}-$")
#: ...but the symbol of a sodium or potassium salt is no code: "Na-GHB", "K-GHB" are GHB
_SALT_BEFORE = re.compile(r"(?<![A-Za-z0-9])(?:Na|NA|K)-$")
#: a cutting agent or solvent named as what a drug is cut or washed with, or is free of:
#: "cut with 20% Benzocaine", "30% Benzocaine cut", "Acetone washed cocaine", "no levamisole"
_AS_CUT_BEFORE = re.compile(
    r"(?:\bcut\b|\bwashed\b|\bmixed\s+with\b|\bcontains?\b|\bcontaining\b|\bno\b|\bwithout\b|\bfree\s+of\b|"
    r"\btested\s+for\b)[^,;|()]{0,16}$",
    re.I,
)
_AS_CUT_AFTER = re.compile(r"^[\s)%-]{0,3}(?:cut\b|washed\b|free\b|tested\b)", re.I)
#: a volume or a container beside a solvent or cutting agent sold as such: "Acetone 1L"
_NEAR_CONTAINER = re.compile(
    r"\d\s*(?:l|ml|cl|litres?|liters?|gal|gallons?)\b|\b(?:bottles?|jars?|drums?|cans?|canisters?|containers?|"
    r"litres?|liters?|gallons?)\b",
    re.I,
)
#: titles that sell a service around a listing, not a substance ("Tracked shipping")
_SERVICE_TITLE = re.compile(
    r"\b(?:shipping|postage|tracked|tracking|reship|insurance|escrow\s+listing|custom\s+listing|booking)\b", re.I
)
#: instructions for making a substance, whatever the category ("MAKE LSD IN YOUR OWN KITCHEN")
_INSTRUCTIONS = re.compile(
    r"\b(?:how\s+to\s+(?:make|cook|grow|synthesi[sz]e|extract)|make\b[^.!|]{1,30}\b(?:yourself|your\s+own|"
    r"at\s+home)|synthesis\s+of|recipes?\s+for|DIY)\b",
    re.I,
)
#: words in a title that say the listing sells information, not a substance
_NOT_A_SUBSTANCE_TITLE = re.compile(
    r"\b(?:e-?books?|guides?|tutorials?|manuals?|pdf|handbook|course|how\s+to\s+(?:make|cook|grow|synthesi[sz]e)|"
    r"synthesis\s+of|recipes?)\b",
    re.I,
)
# A systematic name candidate: one chunk with a locant or bracket and a chemical word ending.
_SYSTEMATIC = re.compile(
    r"(?<![\w-])(?:[\w,'()\[\]-]*?(?:\d[,'\d]*-|\(|\[)[\w,'()\[\]-]*?"
    r"(?:yl|ine|ane|one|ol|amide|amine|ate|ide|ene|azole|azepine|ester)[\w,'()\[\]-]*)(?![\w-])",
    re.I,
)


def _dosed(text: str, h: Hit) -> bool:
    """A mass in mg or µg right before or after a name: "100mg THC", "THC 250 mg"."""
    if h.start < 0 or text[h.start:h.end] != h.matched_text:
        return False
    unit = r"(?:mg|mcg|ug|µg)"
    return bool(re.search(rf"\d\s*{unit}\W{{0,3}}$", text[max(0, h.start - 16):h.start], re.I)
                or re.match(rf"\W{{0,3}}\d+(?:[.,]\d+)?\s*{unit}\b", text[h.end:h.end + 16], re.I))


def _sold_as_product(text: str, h: Hit, hits: list[Hit]) -> bool:
    """A cutting agent or solvent is an offer only as the product itself: with a quantity or a
    container beside it, before the next name or after the previous one ("250g Benzocaine",
    "Acetone 1L"), and not named as the cut ("cut with 20% Benzocaine", "Acetone washed cocaine")."""
    if h.start < 0:
        return True
    prev_end = max([o.end for o in hits if o.end <= h.start] + [max(0, h.start - NEAR_CHARS)])
    next_start = min([o.start for o in hits if o.start >= h.end] + [h.end + NEAR_CHARS])
    before, after = text[prev_end:h.start], text[h.end:next_start]
    others = any(o.term.name != h.term.name and not o.term.product for o in hits)
    if _AS_CUT_BEFORE.search(before) or _AS_CUT_AFTER.search(after) or (others and re.search(r"%\s*$", before)):
        return False
    return any(p.search(part) for p in (_NEAR_QUANTITY, _NEAR_CONTAINER) for part in (before, after))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9-]+", text.lower()))


def _weapon_words(text: str) -> set[str]:
    """The words of ``text`` that name a weapon or a weapon maker (categories.yaml ``weapons``)."""
    return set(re.findall(r"[a-z0-9]+", text.lower())) & categories().weapons


def _beside_weapon(before: str, after: str) -> bool:
    """The word just before or just after a name is a weapon or a weapon maker."""
    beside = re.findall(r"[a-z0-9]+", before[-24:].lower())[-1:] + re.findall(r"[a-z0-9]+", after[:24].lower())[:1]
    return bool(set(beside) & categories().weapons)


def _category_has(category: str, vocab: frozenset[str]) -> bool:
    low = " " + " ".join(re.findall(r"[a-z0-9-]+", category.lower())) + " "
    return any(f" {w} " in low for w in vocab)


@dataclass
class TextExtraction:
    hits: list[Hit] = field(default_factory=list)
    quantity: Quantity = field(default_factory=Quantity)
    notes: list[str] = field(default_factory=list)


class Extractor:
    """Builds records from raw listings; create once per run (it caches per title and substance)."""

    def __init__(
        self,
        registry: Registry | None = None,
        *,
        slang_path: Path | None = None,
        rates: RateTable | None = None,
        use_opsin: bool = True,
        verdicts: bool = True,
        as_of: date | None = None,
    ):
        self.registry = registry if registry is not None else default_registry()
        self.vocabulary = Vocabulary.build(self.registry, slang_path=slang_path)
        #: substance name -> names of what contains it (THC -> cannabis), as the vocabulary reads them
        self._constituents: dict[str, set[str]] = {}
        for part, wholes in constituents().items():
            key = self.vocabulary.index.get(normalize_name(part))
            for whole in wholes:
                w = self.vocabulary.index.get(normalize_name(whole))
                if key is not None and w is not None:
                    self._constituents.setdefault(key.name, set()).add(w.name)
        self.rates = rates or RateTable()
        self.use_opsin = use_opsin
        self.want_verdicts = verdicts
        self.as_of = as_of
        self._checker: Checker | None = None
        self._text_cache: dict[tuple[str, str, str], TextExtraction] = {}
        self._verdict_cache: dict[tuple[str, date], dict[str, JurisdictionStatus]] = {}
        #: systematic names resolved by OPSIN: text -> (name, inchikey, registry id or None, smiles)
        self._systematic: dict[str, tuple[str, str, str | None, str] | None] = {}

    # -- systematic names ------------------------------------------------------------------------
    def prepare(self, raws: list[RawListing]) -> None:
        """Parse every systematic-name candidate of a batch with OPSIN in one call."""
        if not self.use_opsin:
            return
        cands: set[str] = set()
        for raw in raws:
            for text in (raw.text("title"), raw.text("description")[:DESCRIPTION_CHARS]):
                for m in _SYSTEMATIC.finditer(text):
                    chunk = m.group().strip("-,()[]")
                    if len(chunk) >= 10 and chunk not in self._systematic and not self._known(chunk):
                        cands.add(chunk)
        if not cands:
            return
        from analogwatch.chem.standardize import standardize
        from analogwatch.registry import Resolver

        todo = sorted(cands)
        try:
            parsed = Resolver(self.registry, use_opsin=True).resolve_many(todo)
        except (AnalogwatchError, OSError, RuntimeError):
            for c in todo:
                self._systematic[c] = None
            return
        for chunk, p in zip(todo, parsed, strict=True):
            if isinstance(p, InputError) or p.mol is None or p.kind.name != "SYSTEMATIC_NAME":
                self._systematic[chunk] = None
                continue
            try:
                std = standardize(p.mol)
            except InputError:
                self._systematic[chunk] = None
                continue
            subs = self.registry.by_connectivity.get(std.connectivity, [])
            sub = subs[0] if subs else None
            self._systematic[chunk] = (sub.name if sub else chunk, std.inchikey, sub.id if sub else None, std.smiles)

    def _known(self, chunk: str) -> bool:
        return any(h.term.kind == "registry" for h in self.vocabulary.scan(chunk))

    # -- text ---------------------------------------------------------------------------------------
    def read_text(self, title: str, description: str = "", category: str = "") -> TextExtraction:
        key = (title, description[:DESCRIPTION_CHARS], category)
        cached = self._text_cache.get(key)
        if cached is None:
            cached = self._read_text(*key)
            self._text_cache[key] = cached
        return cached

    def _read_text(self, title: str, description: str, category: str) -> TextExtraction:
        cats = categories()
        out = TextExtraction()
        drug_category = _category_has(category, cats.drug)
        if category and _category_has(category, cats.not_offered) and not drug_category:
            out.notes.append(f"category {category!r} sells no substance")
            return out
        if (_NOT_A_SUBSTANCE_TITLE.search(title) and not drug_category) or _INSTRUCTIONS.search(title):
            out.notes.append("the title offers information, not a substance")
            return out
        if not drug_category and _weapon_words(title):
            out.notes.append("the title offers a weapon, not a substance")
            return out
        hits = self._accepted(title, category, drug_category)
        # a description of weapons ("iwi Tavor, Glock 17, Beretta 9mm") names no substance offered
        weapons = not drug_category and len(_weapon_words(description)) >= 2
        if not hits and description and not weapons:
            desc = self._accepted(
                description, category, drug_category, quantity_context=parse_quantity(title) != Quantity()
            )
            # An ambiguous word of the title that the description confirms ("Available buds" over a
            # description of marijuana strains) is the offer; the description's other names are
            # the vendor's other products.
            confirmed: dict[str, Hit] = {}
            for h in self.vocabulary.scan(title):
                if (h.term.context and h.term.kind != "slang" and not self._not_offered(title, h)
                        and any(d.term.name == h.term.name for d in desc)):
                    confirmed.setdefault(h.term.name, h)
            if confirmed:
                hits = list(confirmed.values())
                out.notes.append("an ambiguous word of the title, confirmed by the description")
            elif desc:
                hits = desc
                out.notes.append("substances read from the description")
        hits = self._without_constituents(hits, title)
        if not hits and drug_category and not (
            _SERVICE_TITLE.search(title) and parse_quantity(title) == Quantity()
        ):
            for word in reversed(re.split(r"[/>|,]", category)):
                name = cats.substance.get(word.strip().lower())
                if name:
                    sub = self.registry.lookup_name(name)
                    term = Term(name=sub.name if sub else name, substance_id=sub.id if sub else None,
                                kind="category", source="market category")
                    hits = [Hit(term, word.strip(), -1, -1)]
                    break
        out.hits = hits
        title_hits = [
            h for h in hits if h.start >= 0 and h.end <= len(title) and title[h.start:h.end] == h.matched_text
        ]
        hint = next((h.term.dose_mg for h in title_hits if h.term.dose_mg is not None), None)
        form = any(h.term.dosage_form for h in hits) or _category_has(
            category, frozenset({"pills", "prescription", "benzos", "tablets", "rx", "pharmacy"})
        )
        out.quantity = parse_quantity(
            title, unit_dose_hint_mg=hint, dosage_form=form, name_starts=tuple(h.start for h in title_hits)
        )
        return out

    def _without_constituents(self, hits: list[Hit], text: str) -> list[Hit]:
        """THC beside cannabis is what the cannabis contains ("OG Kush (21.6% THC)"), not a second
        offer; a dosed constituent ("Blueberry Bar, 100mg THC") is kept."""
        names = {h.term.name for h in hits}
        return [h for h in hits if not (
            self._constituents.get(h.term.name, set()) & (names - {h.term.name}) and not _dosed(text, h)
        )]

    def _accepted(
        self, text: str, category: str, drug_category: bool, *, quantity_context: bool = False
    ) -> list[Hit]:
        """Names in ``text`` that the listing offers. ``quantity_context``: the title states an amount,
        which supports an ambiguous word of the description as a quantity beside it would."""
        hits = self.vocabulary.scan(text)
        for m in _SYSTEMATIC.finditer(text):
            chunk = m.group().strip("-,()[]")
            found = self._systematic.get(chunk)
            if found is not None:
                name, ik, sid, _ = found
                term = Term(name=name, substance_id=sid, kind="opsin", source="OPSIN systematic name")
                hits = [h for h in hits if not (m.start() <= h.start < m.end())]
                hits.append(Hit(term, chunk, m.start(), m.end()))
        hits.sort(key=lambda h: h.start)
        hits = [h for h in hits if not self._not_offered(text, h)]
        hits = [h for h in hits if not h.term.product or _sold_as_product(text, h, hits)]
        definite = [h for h in hits if not h.term.context]
        category_names = self._category_substances(category)
        kept: list[Hit] = []
        for h in hits:
            if not h.term.context:
                kept.append(h)
                continue
            if h.term.kind == "slang":
                continue  # slang is a last resort, below
            near = text[max(0, h.start - NEAR_CHARS): h.start] + " " + text[h.end: h.end + NEAR_CHARS]
            if category_names and h.term.name not in category_names:
                continue  # the category names another substance ("Ice Cool" under Cannabis/Weed)
            if any(0 <= d.start - h.end <= 2 or 0 <= h.start - d.end <= 2 for d in definite):
                continue  # a word qualifying a name beside it ("Afghan Heroin")
            if quantity_context or _NEAR_QUANTITY.search(near):
                kept.append(h)
            elif drug_category and not definite and (not category_names or h.term.name in category_names):
                # An ambiguous word in a drug category, unless the category names another
                # substance ("Ice Cool" under Cannabis/Weed is a strain, not methamphetamine).
                kept.append(h)
        if not kept:
            # DEA slang only when nothing else names a substance and the listing's category names
            # the slang term's class ("Cheeba" under Drugs/Cannabis), never on its own.
            kept = [h for h in hits if h.term.kind == "slang"
                    and _category_has(category, frozenset(h.term.context_words))][:1]
        return kept

    @staticmethod
    def _not_offered(text: str, h: Hit) -> bool:
        """A name used as a comparison or as part of another code is not an offer."""
        if h.start < 0:
            return False
        before, after = text[: h.start], text[h.end:]
        if _COMPARED_BEFORE.search(before) or _COMPARED_AFTER.search(after):
            return True
        if _beside_weapon(before, after):
            return True  # a model beside its maker or kind: "IWI TAVOR", "Tavor rifle"
        return (len(h.matched_text) <= 5 and bool(_CODE_FRAGMENT_BEFORE.search(before))
                and not _SALT_BEFORE.search(before))

    def _category_substances(self, category: str) -> set[str]:
        cats = categories()
        out = set()
        for word in re.split(r"[/>|,]", category):
            name = cats.substance.get(word.strip().lower())
            if name:
                sub = self.registry.lookup_name(name)
                out.add(sub.name if sub else name)
        return out

    # -- verdicts ----------------------------------------------------------------------------------
    def _verdicts(self, hit: Hit, as_of: date) -> tuple[str | None, dict[str, JurisdictionStatus]]:
        term = hit.term
        drawn = self._systematic.get(hit.matched_text) or (None, None, None, None)
        key = term.substance_id or term.inchikey or drawn[1]
        if key is None:
            return None, {}
        sub = self.registry.by_id.get(term.substance_id) if term.substance_id else None
        inchikey = sub.inchikey if sub else key
        if not self.want_verdicts:
            return inchikey, {}
        cached = self._verdict_cache.get((key, as_of))
        if cached is None:
            if self._checker is None:
                from analogwatch.checker import Checker

                self._checker = Checker(self.registry, use_opsin=False)
            checker = self._checker
            if sub is not None and sub.smiles:
                res = checker.check_structure(sub.smiles, id=sub.id, as_of=as_of)
            elif sub is not None:
                res = checker.check(sub.name, id=sub.id, as_of=as_of)
            else:
                # a structure the registry does not hold: the NPS vocabulary's or OPSIN's drawing
                res = checker.check_structure(term.smiles or drawn[3] or "", id=term.name, as_of=as_of)
            cached = {
                j: JurisdictionStatus(controlled=v.controlled, basis=v.basis, schedule=v.schedule, citation=v.citation)
                for j, v in res.verdicts.items()
            }
            self._verdict_cache[(key, as_of)] = cached
        return inchikey, cached

    # -- listings ----------------------------------------------------------------------------------
    def listing(self, raw: RawListing, *, default_date: date | None = None) -> ListingRecord:
        """One record for one raw listing; problems make it ``invalid`` with the reason, never dropped."""
        title = " ".join(raw.text("title").split())
        rec = ListingRecord(
            row=raw.row, market=raw.market, source_file=raw.source,
            listing_id=raw.text("listing_id").strip() or f"{raw.market}:{raw.row}",
            title=title, vendor=raw.text("vendor").strip() or None,
            category=raw.text("category").strip() or None, notes=list(raw.repairs),
        )
        when, date_problem = _listing_date(raw.values.get("date"), default_date)
        rec.date = when.isoformat() if when else None
        if raw.problems:
            rec.status, rec.reason = "invalid", "; ".join(raw.problems)
            return rec
        if not title:
            rec.status, rec.reason = "invalid", "no title"
            return rec
        if date_problem:
            rec.notes.append(date_problem)
        text = self.read_text(title, raw.text("description"), rec.category or "")
        rec.notes.extend(text.notes)
        as_of = when or self.as_of or date.today()
        seen: set[str] = set()
        for h in text.hits:
            if h.term.name in seen:
                continue
            seen.add(h.term.name)
            inchikey, verdicts = self._verdicts(h, as_of)
            rec.substances.append(SubstanceMention(
                name=h.term.name, inchikey=inchikey, matched_text=h.matched_text,
                source="fuzzy" if h.fuzzy else h.term.kind,
                in_registry=h.term.substance_id is not None, verdicts=verdicts,
            ))
        q = text.quantity
        rec.total_mass_mg, rec.unit_count, rec.unit_dose_mg = q.total_mass_mg, q.unit_count, q.unit_dose_mg
        amount, currency = parse_price(raw.values.get("price"), raw.text("currency") or None)
        rec.price, rec.currency = amount, currency
        if amount is not None:
            if currency is None:
                rec.notes.append("price has no currency (give the currency field or --map currency=...)")
            else:
                usd, why = self.rates.usd(amount, currency, when)
                if usd is not None:
                    rec.price_usd = round(usd, 4)
                    if rec.total_mass_mg:
                        rec.price_usd_per_mg = float(f"{usd / rec.total_mass_mg:.6g}")
                elif why:
                    rec.notes.append(why)
        rec.ships_from = parse_origin(raw.text("ships_from"))
        dest_value = raw.values.get("ships_to")
        dest = parse_destinations(dest_value if isinstance(dest_value, list) else raw.text("ships_to"))
        rec.ships_to, rec.ships_to_excluded = dest.to, dest.excluded
        return rec


def _listing_date(value: object, default: date | None) -> tuple[date | None, str | None]:
    """A listing date from text (ISO, with or without time) or a Unix timestamp."""
    if value is None or value == "":
        return default, None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC).date(), None
        except (OverflowError, OSError, ValueError):
            return default, f"unreadable date {value!r}"
    s = str(value).strip()
    if re.fullmatch(r"\d{9,11}(?:\.\d+)?", s):
        return datetime.fromtimestamp(float(s), tz=UTC).date(), None
    m = re.match(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), None
        except ValueError:
            pass
    return default, f"unreadable date {s[:40]!r}"
