"""The vocabulary that finds substances in listing text.

Five sources, in order of trust:
  1. the registry: preferred names, synonyms and systematic names of every listed substance;
  2. the market vocabulary (data/market_names.yaml): brands, INN spellings, code names and market
     terms, each mapped to a registry preferred name, with its source. Where the two disagree
     about a word, the registry's preferred and systematic names win and the market vocabulary
     wins over registry synonyms (legal lists file brands and preparations under a related
     substance: "Dexedrine" under racemic amfetamine);
  3. the NPS and medicine vocabulary (data/nps_names.yaml, analogwatch.markets.nps): substances
     the registry does not hold, and code-name families, each with a structure drawn by OPSIN from
     its systematic name; a structure the registry holds resolves to that registry substance,
     any other is reported with its InChIKey and judged by the Checker from the structure;
  4. street slang from the DEA "Drug Slang Code Words" list, loaded at run time from a path (it is
     not shipped), used only when the listing's category supports the slang term's class;
  5. RapidFuzz, for misspellings of names seven letters or longer, never for ordinary words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from analogwatch.errors import InputError
from analogwatch.markets.nps import NpsEntry, entry_terms, nps_data, structure_of
from analogwatch.registry import Registry, Substance
from analogwatch.registry.names import normalize_name

#: longest run of words tried as one name (systematic names split into many words)
MAX_WORDS = 12
#: shortest word that fuzzy matching may correct, and the edits it may make
FUZZY_MIN_CHARS = 7
_WORD = re.compile(r"[^\W_]+")

SourceKind = str  # "registry" | "lexicon" | "slang" | "fuzzy" | "opsin" | "category"


@dataclass(frozen=True)
class Term:
    """What one normalised name means."""

    name: str
    substance_id: str | None
    kind: SourceKind
    source: str
    #: counts only with supporting context
    context: bool = False
    #: category words that support it (slang); empty: any drug category
    context_words: tuple[str, ...] = ()
    #: the unit dose the term itself states ("M30": 30 mg)
    dose_mg: float | None = None
    #: a medicine sold in dosage units (brands): "2mg" beside it is a dose
    dosage_form: bool = False
    #: short letter-only names match only when written in capitals ("DOC", not "doc")
    upper_only: bool = False
    #: a cutting agent or solvent: an offer only as the product itself, beside a quantity or a
    #: container ("Acetone 1L"), never as what a drug is cut with ("cut with 20% Benzocaine")
    product: bool = False
    #: the structure of a substance the registry does not hold (NPS vocabulary)
    smiles: str | None = None
    inchikey: str | None = None


@dataclass
class Hit:
    term: Term
    matched_text: str
    start: int
    end: int
    fuzzy: bool = False


@dataclass
class Categories:
    drug: frozenset[str]
    not_offered: frozenset[str]
    substance: dict[str, str]
    slang: dict[str, tuple[str, tuple[str, ...]]]
    #: weapons and their makers: a listing that names them sells no substance
    weapons: frozenset[str] = frozenset()


def _data(name: str) -> str:
    return (resources.files("analogwatch.markets") / "data" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def categories() -> Categories:
    data = yaml.safe_load(_data("categories.yaml"))
    return Categories(
        drug=frozenset(str(w).lower() for w in data["drug"]),
        not_offered=frozenset(str(w).lower() for w in data["not_offered"]),
        substance={str(k).lower(): str(v) for k, v in data["substance"].items()},
        slang={str(k): (str(v["name"]), tuple(str(w).lower() for w in v["words"])) for k, v in data["slang"].items()},
        weapons=frozenset(str(w).lower() for w in data.get("weapons", [])),
    )


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    return frozenset(
        w.strip().lower() for w in _data("common_words.txt").splitlines() if w.strip() and not w.startswith("#")
    )


@dataclass(frozen=True)
class LexiconEntry:
    name: str
    terms: tuple[str, ...]
    context: frozenset[str]
    dose_mg: dict[str, float]
    source: str
    as_product: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def market_names() -> tuple[dict[str, str], list[LexiconEntry], frozenset[str]]:
    """(sources, entries, blocked) of data/market_names.yaml; a malformed entry stops loading."""
    data = yaml.safe_load(_data("market_names.yaml"))
    sources = {str(k): str(v) for k, v in data["sources"].items()}
    entries = []
    for i, e in enumerate(data["substances"]):
        where = f"market_names.yaml: substances[{i}] ({e.get('name')!r})"
        terms, ctx = entry_terms(e, where, sources)
        doses = {str(k): float(v) for k, v in (e.get("dose_mg") or {}).items()}
        product = frozenset(str(t) for t in e.get("as_product", []))
        if not product <= set(terms):
            raise InputError(f"{where}: as_product terms {sorted(product - set(terms))} are not among its terms")
        entries.append(LexiconEntry(str(e["name"]), terms, ctx, doses, str(e["source"]), product))
    blocked = frozenset(normalize_name(str(b)) for b in data.get("blocked", []))
    return sources, entries, blocked


@lru_cache(maxsize=1)
def constituents() -> dict[str, tuple[str, ...]]:
    """market_names.yaml `constituents`: a substance named beside what contains it is no second offer."""
    data = yaml.safe_load(_data("market_names.yaml"))
    return {str(k): tuple(str(x) for x in v) for k, v in (data.get("constituents") or {}).items()}


def load_slang(path: Path) -> dict[str, tuple[str, str]]:
    """DEA slang file (``Class~Brand~term; term; ...``) to {term: (class, brand)}."""
    out: dict[str, tuple[str, str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("~")
        if len(parts) < 3:
            continue
        cls, brand, terms = parts[0].strip(), parts[1].strip(), "~".join(parts[2:])
        for t in terms.split(";"):
            t = re.sub(r"\(.*?\)", "", t).strip()
            if t:
                out.setdefault(t, (cls, brand))
    return out


#: market-vocabulary sources whose names are medicines sold in dosage units ("Xanax 2mg" is a dose)
_DOSED_SOURCES = frozenset({"brand", "labelled"})
#: registry entries that are legal categories of products rather than substances
_PREPARATION = re.compile(r"\b(?:preparations?|combination|compound|mixed)\b", re.I)


def _resolve_structure(registry: Registry, entry: NpsEntry) -> tuple[Substance | None, str | None, str | None]:
    """(registry substance, smiles, inchikey) of an NPS entry: the registry substance with its name
    or its structure (same InChIKey first, else the same connectivity), else the drawn structure."""
    sub = registry.lookup_name(entry.name)
    if sub is not None:
        return sub, None, None
    st = structure_of(entry)
    if st is None:
        return None, None, None
    same = registry.by_connectivity.get(st.inchikey.split("-")[0], [])
    exact = [s for s in same if s.inchikey == st.inchikey]
    if exact or same:
        return (exact or same)[0], None, None
    return None, st.smiles, st.inchikey


def _upper_only(text: str) -> bool:
    letters = normalize_name(text)
    return letters.isalpha() and len(letters) <= 4


@dataclass
class Vocabulary:
    """Every normalised name with its meaning; build once per registry."""

    index: dict[str, Term] = field(default_factory=dict)
    fuzzy_keys: list[str] = field(default_factory=list)
    max_words: int = 1
    _fuzzy_cache: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def build(cls, registry: Registry, *, slang_path: Path | None = None) -> Vocabulary:
        voc = cls()
        _, entries, blocked = market_names()
        common = common_words()

        def add(key_text: str, term: Term, *, override: bool = False) -> None:
            key = normalize_name(key_text)
            if len(key) < 2 or (term.kind == "registry" and key in blocked):
                return
            if term.kind == "registry" and (len(key) < 3 or key in common):
                return
            if override or key not in voc.index:
                voc.index[key] = term
                voc.max_words = min(MAX_WORDS, max(voc.max_words, len(_WORD.findall(key_text))))

        nps = nps_data().entries
        nps_by_name: dict[str, NpsEntry] = {}
        for n in sorted(nps, key=lambda n: n.family is not None):  # written-out entries first
            for t in (n.name, *n.terms):
                nps_by_name.setdefault(normalize_name(t), n)
        # Market vocabulary first: it knows which words need context ("ice", "coke"). A name the
        # registry lacks takes its structure from the NPS vocabulary, if that has one.
        for e in entries:
            sub = registry.lookup_name(e.name)
            smiles = inchikey = None
            if sub is None and (ne := nps_by_name.get(normalize_name(e.name))) is not None:
                sub, smiles, inchikey = _resolve_structure(registry, ne)
            name = sub.name if sub else e.name
            for t in e.terms:
                add(t, Term(
                    name=name, substance_id=sub.id if sub else None, kind="lexicon", source=e.source,
                    context=t in e.context, dose_mg=e.dose_mg.get(t), dosage_form=e.source in _DOSED_SOURCES,
                    upper_only=_upper_only(t) and t.isupper() and len(normalize_name(t)) <= 3,
                    product=t in e.as_product, smiles=smiles, inchikey=inchikey,
                ))
        # Registry names. Where the market vocabulary reads a word as another substance, the
        # registry's preferred and systematic names win ("mitragynine" is the alkaloid, not kratom);
        # its synonyms do not: legal lists file brands and preparations under a related substance
        # ("Dexedrine" under racemic amfetamine, "Vicodin" under hydrocodone preparations), and the
        # market vocabulary names what the word means in a listing, with a cited source.
        for text, sub, kind in _registry_names(registry):
            key = normalize_name(text)
            have = voc.index.get(key)
            if registry.by_name.get(key) is not sub:
                continue  # the registry itself reads this name as another substance
            if have is not None and (
                have.substance_id == sub.id
                or kind == "synonym"  # a brand or preparation filed under a related substance
                or have.context or have.dose_mg is not None  # a market word the vocabulary qualifies
                or (sub.smiles is None and _PREPARATION.search(sub.name))  # a legal category of products
            ):
                continue
            term = Term(name=sub.name, substance_id=sub.id, kind="registry", source="registry",
                        upper_only=_upper_only(text))
            add(text, term, override=have is not None)
        # NPS and medicine vocabulary: never overrides a name already known.
        for ne in nps:
            sub, smiles, inchikey = _resolve_structure(registry, ne)
            for t in dict.fromkeys((ne.name, *ne.terms)):
                add(t, Term(
                    name=sub.name if sub else ne.name, substance_id=sub.id if sub else None, kind="lexicon",
                    source=ne.source, context=t in ne.context, smiles=smiles, inchikey=inchikey,
                    upper_only=t in ne.upper_only or (_upper_only(t) and t.isupper() and len(normalize_name(t)) <= 3),
                ))
        if slang_path is not None:
            cats = categories()
            for t, (cls_name, _brand) in load_slang(slang_path).items():
                if cls_name not in cats.slang:
                    continue  # classes naming no single substance (synthetic cannabinoids)
                target, words = cats.slang[cls_name]
                key = normalize_name(t)
                if key in voc.index or len(key) < 4 or t.lower() in common:
                    continue
                sub = registry.lookup_name(target)
                add(t, Term(name=sub.name if sub else target, substance_id=sub.id if sub else None, kind="slang",
                            source="DEA Drug Slang Code Words (DIR-020-17), class " + cls_name, context=True,
                            context_words=words))
        voc.fuzzy_keys = sorted(
            k for k, term in voc.index.items()
            if len(k) >= FUZZY_MIN_CHARS and k.isalpha() and not term.context and term.kind != "slang"
        )
        return voc

    def fuzzy(self, word: str) -> str | None:
        """The vocabulary key one or two edits from ``word`` (same first letter), else None."""
        key = word.casefold()
        if key in self._fuzzy_cache:
            return self._fuzzy_cache[key]
        found = None
        if len(key) >= FUZZY_MIN_CHARS and key.isalpha() and key not in common_words():
            limit = 1 if len(key) <= 8 else 2
            best = process.extractOne(key, self.fuzzy_keys, scorer=Levenshtein.distance, score_cutoff=limit)
            if best is not None and best[0][0] == key[0] and abs(len(best[0]) - len(key)) <= limit:
                found = str(best[0])
        self._fuzzy_cache[key] = found
        return found

    def scan(self, text: str) -> list[Hit]:
        """Longest-first matches of vocabulary names in ``text``, left to right, without overlaps."""
        words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
        hits: list[Hit] = []
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(self.max_words, len(words) - i), 0, -1):
                key = normalize_name("".join(w for w, _, _ in words[i : i + n]))
                term = self.index.get(key)
                if term is None:
                    continue
                start, end = words[i][1], words[i + n - 1][2]
                surface = text[start:end]
                if term.upper_only and not surface.replace("-", "").replace(" ", "").isupper():
                    continue
                if n > 1 and not _joined_plausibly(text, words[i : i + n], key, self):
                    continue
                hit = Hit(term, surface, start, end)
                i += n
                break
            if hit is None:
                w, s, e = words[i]
                hit = self._glued(text, w, s)
                if hit is None and (fk := self.fuzzy(w)) is not None:
                    hit = Hit(self.index[fk], text[s:e], s, e, fuzzy=True)
                i += 1
            if hit is not None:
                hits.append(hit)
        return hits


    def _glued(self, text: str, word: str, start: int) -> Hit | None:
        """A name glued to an amount or a purity: "MDMA84" (84 %), "Xanax2mg", "2mgXanax", "100xMDMA";
        or to the symbol of its sodium or potassium salt: "NaGHB", "KGHB"."""
        m = _GLUED.fullmatch(word)
        if m is None or not (m.group("pre") or m.group("post")):
            m = _SALT.fullmatch(word)
            if m is None:
                return None
        term = self.index.get(normalize_name(m.group("name")))
        if term is None or (term.upper_only and not m.group("name").isupper()):
            return None
        s = start + m.start("name")
        return Hit(term, text[s : start + m.end("name")], s, start + m.end("name"))


#: the symbol of a sodium or potassium salt glued to a name written in capitals: "NaGHB", "KGHB"
#: (written apart, "Na-GHB" and "sodium oxybate" are read as they stand)
_SALT = re.compile(r"(?:Na|K)(?P<name>[A-Z][A-Z0-9]{2,})")
#: a word made of an amount, a name of three letters or more, and an amount or purity
_GLUED = re.compile(
    r"(?P<pre>\d+(?:mg|mcg|ug|g|gr|kg|x)?)?(?P<name>[^\W\d_]{3,})(?P<post>\d+(?:mg|mcg|ug|g|gr|kg|ml|x)?)?",
    re.I,
)


def _joined_plausibly(text: str, words: list[tuple[str, int, int]], key: str, voc: Vocabulary) -> bool:
    """Words joined into one name must be separated by short punctuation or a space each, and
    single letters split apart ("Xa nax") may join only into a name of five letters or more."""
    for (_, _, e1), (_, s2, _) in zip(words, words[1:], strict=False):
        gap = text[e1:s2]
        if len(gap) > 2 or any(c not in " -,'()[]./*" for c in gap):  # "FENTA*NYL": censored
            return False
    if len(key) < 5 and all(len(w) <= 2 for w, _, _ in words):
        return key in ("u4", "m30") or any(c.isdigit() for c in key)
    return True


def _registry_names(registry: Registry) -> Iterable[tuple[str, Substance, str]]:
    """(name, substance, kind) of every registry name; kind is "name", "synonym" or "systematic"."""
    for s in registry.substances:
        yield s.name, s, "name"
        for syn in s.synonyms:
            yield syn, s, "synonym"
        if s.systematic_name:
            yield s.systematic_name, s, "systematic"
