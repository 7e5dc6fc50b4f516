"""New psychoactive substances and medicines with structures (data/nps_names.yaml).

Two kinds of entries:
  * substances written out one by one: a name, the spellings of listings, and the IUPAC name
    the structure is drawn from (or why there is none: proteins, plants);
  * families, which generate code names and systematic names from a grammar: ring-substituted
    amphetamines, cathinones, pyrovalerones and phenidates ("4-Cl-PVP", "3-FMC", "4F-MPH"),
    N,N-dialkyltryptamines ("4-HO-DET") and 2,5-dimethoxyphenethylamines ("2C-T-4", "DOET",
    "25E-NBOMe").

Structures are drawn by OPSIN once and kept in data/nps_structures.csv (systematic name, SMILES
and InChIKey of the standardised parent), so that reading listings needs no Java. Rebuild it with

    python -m analogwatch.markets.nps

which parses every systematic name in one OPSIN call and reports names OPSIN cannot read.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from analogwatch.errors import InputError

STRUCTURES_FILE = "nps_structures.csv"


@dataclass(frozen=True)
class NpsEntry:
    name: str
    terms: tuple[str, ...]
    source: str
    systematic: str | None = None
    formula: str | None = None
    no_structure: str | None = None
    context: frozenset[str] = frozenset()
    #: spellings that count only when written in capitals ("4-FA", "DET")
    upper_only: frozenset[str] = frozenset()
    #: the family that generated it, if any
    family: str | None = None


@dataclass(frozen=True)
class Structure:
    smiles: str
    inchikey: str


@dataclass
class NpsData:
    sources: dict[str, str]
    entries: list[NpsEntry] = field(default_factory=list)


def _data_path(name: str) -> Path:
    return Path(str(resources.files("analogwatch.markets") / "data" / name))


def _text(name: str) -> str:
    return (resources.files("analogwatch.markets") / "data" / name).read_text(encoding="utf-8")


def _short_upper(code: str) -> bool:
    """Codes of one or two letters after the locant ("4-FA", "2-MA") are read only in capitals."""
    letters = [c for c in code if c.isalpha()]
    return len(letters) <= 2


def _ring_substituted(spec: dict, source: str) -> list[NpsEntry]:
    out = []
    ambiguous = {str(a).casefold() for a in spec.get("ambiguous", [])}
    for pos in spec["positions"]:
        for sub in spec["substituents"].values():
            aryl = f"({pos}-{sub['prefix']}phenyl)"
            for core_key, core in spec["cores"].items():
                systematic = core["systematic"].replace("{aryl}", aryl)
                short = len(core_key) <= 2
                sub_codes = [str(c) for c in sub["codes"]]
                long_sub = next((c for c in sub_codes if len(c) > 1), sub_codes[0])
                first_core = str(core["codes"][0])
                name = f"{pos}-{sub_codes[0]}{first_core}" if short else f"{pos}-{long_sub}-{first_core}"
                terms: list[str] = [name]
                upper: set[str] = set()
                for sc in sub_codes:
                    for cc in core["codes"]:
                        for t in (f"{pos}-{sc}{cc}", f"{pos}-{sc}-{cc}", f"{pos}{sc}-{cc}"):
                            terms.append(t)
                            if _short_upper(t):
                                upper.add(t)
                for w in sub["words"]:
                    word = str(core["word"])
                    terms.append(f"{pos}-{w}{word}" if word[0].isalpha() and word.islower() else f"{pos}-{w}-{word}")
                terms = [t for t in dict.fromkeys(terms) if t.casefold() not in ambiguous]
                out.append(NpsEntry(name=name, terms=tuple(terms), source=source,
                                    systematic=systematic, upper_only=frozenset(upper), family="ring_substituted"))
    return out


def _n_substituents(a: str, b: str) -> str:
    def part(r: str) -> str:
        return f"({r})" if "-" in r else r

    if a == b:
        return f"N,N-di{a}" if "-" not in a else f"N,N-bis({a})"
    return f"N-{part(a)}-N-{part(b)}"


def _tryptamines(spec: dict, source: str) -> list[NpsEntry]:
    out = []
    for ring in spec["rings"].values():
        prefix = str(ring["prefix"])
        indole = f"{prefix}1H-indol-3-yl"
        indole = f"[{indole}]" if "(" in prefix else f"({indole})"
        for code, amine in spec["amines"].items():
            a, b = (str(x) for x in amine["n"])
            systematic = f"{_n_substituents(a, b)}-2-{indole}ethan-1-amine"
            ring_codes = [str(c) for c in ring["codes"]]
            if ring_codes == [""]:
                if not amine.get("alone"):
                    continue
                terms = [code]
                upper = {code}
                name = code
            else:
                terms = [f"{rc}-{code}" for rc in ring_codes] + [f"{rc}{code}" for rc in ring_codes]
                upper = set()
                name = f"{ring_codes[0]}-{code}"
            out.append(NpsEntry(name=name, terms=tuple(dict.fromkeys(terms)), source=source,
                                systematic=systematic, upper_only=frozenset(upper), family="tryptamines"))
    return out


def _phenethylamines(spec: dict, source: str) -> list[NpsEntry]:
    out = []
    for sub in spec["substituents"].values():
        for core in spec["cores"].values():
            codes = []
            for pattern in core["codes"]:
                if "{do}" in pattern and "do" not in sub:
                    continue
                codes.append(pattern.replace("{c2}", str(sub["c2"])).replace("{do}", str(sub.get("do", ""))))
            if not codes:
                continue
            systematic = core["systematic"].replace("{sub}", str(sub["prefix"]))
            name = codes[0]
            terms = list(codes)
            terms += [c.replace("-NB", "NB") for c in codes if "-NB" in c]
            # DOET, DOPR: capitals only; so are codes with few letters ("2C-T", not "2-ct": two count)
            upper = {c for c in terms if (c.isalpha() and len(c) <= 5) or _short_upper(c)}
            out.append(NpsEntry(name=name, terms=tuple(dict.fromkeys(terms)), source=source,
                                systematic=systematic, upper_only=frozenset(upper), family="phenethylamines"))
    return out


_FAMILIES = {"ring_substituted": _ring_substituted, "tryptamines": _tryptamines, "phenethylamines": _phenethylamines}


def entry_terms(e: dict, where: str, sources: dict[str, str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The terms and context terms of one vocabulary entry, checked: a name, terms, a known source,
    and context terms that are among the terms. Shared by every vocabulary file."""
    if not e.get("name") or not e.get("terms"):
        raise InputError(f"{where}: needs a name and terms")
    if e.get("source") not in sources:
        raise InputError(f"{where}: source {e.get('source')!r} is not one of {sorted(sources)}")
    terms = tuple(str(t) for t in e["terms"])
    ctx = frozenset(str(t) for t in e.get("context", []))
    if not ctx <= set(terms):
        raise InputError(f"{where}: context terms {sorted(ctx - set(terms))} are not among its terms")
    return terms, ctx


@lru_cache(maxsize=1)
def nps_data() -> NpsData:
    """The entries of data/nps_names.yaml, families expanded; a malformed entry stops loading."""
    data = yaml.safe_load(_text("nps_names.yaml"))
    sources = {str(k): str(v) for k, v in data["sources"].items()}
    out = NpsData(sources=sources)
    for i, e in enumerate(data["substances"]):
        where = f"nps_names.yaml: substances[{i}] ({e.get('name')!r})"
        terms, ctx = entry_terms(e, where, sources)
        if bool(e.get("systematic")) == bool(e.get("no_structure")):
            raise InputError(f"{where}: needs either a systematic name or a no_structure reason")
        out.entries.append(NpsEntry(
            name=str(e["name"]), terms=terms, source=str(e["source"]), systematic=e.get("systematic"),
            formula=e.get("formula"), no_structure=e.get("no_structure"), context=ctx,
        ))
    for fam, spec in (data.get("families") or {}).items():
        if fam not in _FAMILIES:
            raise InputError(f"nps_names.yaml: unknown family {fam!r}")
        if spec.get("source") not in sources:
            raise InputError(f"nps_names.yaml: family {fam}: source {spec.get('source')!r} unknown")
        out.entries.extend(_FAMILIES[fam](spec, str(spec["source"])))
    return out


@lru_cache(maxsize=1)
def structures() -> dict[str, Structure]:
    """Systematic name -> standardised structure, from data/nps_structures.csv."""
    out: dict[str, Structure] = {}
    try:
        text = _text(STRUCTURES_FILE)
    except FileNotFoundError:
        return out
    for row in csv.DictReader(io.StringIO(text)):
        if row.get("smiles") and row.get("inchikey"):
            out[row["systematic_name"]] = Structure(row["smiles"], row["inchikey"])
    return out


def structure_of(entry: NpsEntry) -> Structure | None:
    return structures().get(entry.systematic) if entry.systematic else None


def draw(names: list[str]) -> dict[str, Structure | None]:
    """Parse systematic names with OPSIN (one JVM call) and standardise the structures."""
    from analogwatch.registry.build import canonical, opsin_smiles

    out: dict[str, Structure | None] = {}
    for name, smi in zip(names, opsin_smiles(names), strict=True):
        if smi is None:
            out[name] = None
            continue
        try:
            smiles, inchikey = canonical(smi)
        except InputError:
            out[name] = None
            continue
        out[name] = Structure(smiles, inchikey)
    return out


def rebuild(path: Path | None = None) -> list[str]:
    """Write nps_structures.csv from every systematic name; returns the names OPSIN could not read."""
    names = sorted({e.systematic for e in nps_data().entries if e.systematic})
    drawn = draw(names)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["systematic_name", "smiles", "inchikey"])
    for n in names:
        s = drawn[n]
        if s is not None:
            w.writerow([n, s.smiles, s.inchikey])
    target = path or _data_path(STRUCTURES_FILE)
    target.write_text(buf.getvalue(), encoding="utf-8")
    structures.cache_clear()
    return [n for n in names if drawn[n] is None]


if __name__ == "__main__":
    failed = rebuild()
    for n in failed:
        print(f"OPSIN cannot parse: {n}", file=sys.stderr)
    sys.exit(1 if failed else 0)
