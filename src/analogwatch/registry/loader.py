"""Loading the registry from its data files: one CSV per legal list or notice, described in
lists.yaml (the lists) and each folder's files.yaml (the instruments behind each CSV)."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from datetime import date
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import yaml

from analogwatch import __version__
from analogwatch.errors import RegistryError
from analogwatch.registry.model import ControlList, Listing, Substance
from analogwatch.registry.names import GREEK, normalize_name

COLUMNS = (
    "no", "name", "synonyms", "systematic_name", "cas", "smiles", "inchikey", "no_structure",
    "effective", "end", "end_citation", "citation", "stereo", "except_inchikeys", "note",
)
REQUIRED_COLUMNS = ("name", "smiles", "inchikey")
_SLUG = re.compile(r"[^a-z0-9]+")


def data_dir() -> Path:
    return Path(str(resources.files("analogwatch.registry") / "data"))


def _split(value: str | None) -> list[str]:
    if not value:
        return []
    return [v.strip() for v in value.split(";") if v.strip()]


def _date(value: str | date | None, where: str) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise RegistryError(f"{where}: bad date {value!r}") from exc


def slug(name: str) -> str:
    """A stable ASCII id from a name: "α-PVP" -> "alpha-pvp"."""
    s = name.casefold()
    for g, latin in GREEK.items():
        s = s.replace(g, latin)
    return _SLUG.sub("-", s).strip("-")


class Registry:
    """All substances with their listings, indexed for lookup by key, name and CAS."""

    def __init__(self, substances: list[Substance], lists: dict[str, ControlList], version: str):
        self.substances = substances
        self.lists = lists
        self.version = version
        self.by_id: dict[str, Substance] = {}
        self.by_inchikey: dict[str, Substance] = {}
        self.by_connectivity: dict[str, list[Substance]] = {}
        self.by_name: dict[str, Substance] = {}
        self.by_cas: dict[str, Substance] = {}
        for s in substances:
            self.by_id[s.id] = s
            if s.inchikey:
                self.by_inchikey[s.inchikey] = s
                self.by_connectivity.setdefault(s.inchikey[:14], []).append(s)
            for cas in s.cas:
                self.by_cas.setdefault(cas, s)
        # Preferred names win over synonyms, whatever the file order.
        for s in substances:
            self.by_name.setdefault(normalize_name(s.name), s)
        for s in substances:
            for n in [*s.synonyms, *( [s.systematic_name] if s.systematic_name else [])]:
                key = normalize_name(n)
                if key:
                    self.by_name.setdefault(key, s)

    def __len__(self) -> int:
        return len(self.substances)

    @cached_property
    def formulas(self) -> frozenset[str]:
        """Molecular formulas of every registry structure: a query with another formula cannot share
        an InChIKey skeleton with any of them, so its InChIKey need not be computed to rule them out."""
        from rdkit import Chem
        from rdkit.Chem import rdMolDescriptors

        out = set()
        for s in self.substances:
            if s.smiles:
                mol = Chem.MolFromSmiles(s.smiles)
                if mol is not None:
                    out.add(rdMolDescriptors.CalcMolFormula(mol))
        return frozenset(out)

    def lookup_name(self, name: str) -> Substance | None:
        return self.by_name.get(normalize_name(name))

    def lookup_cas(self, cas: str) -> Substance | None:
        return self.by_cas.get(cas.strip())


def _read_sources(root: Path) -> tuple[dict[str, ControlList], list[dict]]:
    """lists.yaml names every legal list and the folders to read, in order of name precedence;
    each folder's files*.yaml index names its CSV files with the list, citation, date and source."""
    with open(root / "lists.yaml", encoding="utf-8") as fh:
        meta = yaml.safe_load(fh)
    lists = {}
    for lid, spec in meta["lists"].items():
        try:
            lists[lid] = ControlList(id=lid, **spec)
        except Exception as exc:  # pydantic.ValidationError
            raise RegistryError(f"lists.yaml: list {lid}: {exc}") from exc
    files: list[dict] = []
    for folder in meta["folders"]:
        for index in sorted((root / folder).glob("files*.yaml")):
            with open(index, encoding="utf-8") as fh:
                specs = yaml.safe_load(fh) or {}
            for spec in specs.get("files", []):
                spec = dict(spec)
                spec["path"] = f"{folder}/{spec['path']}"
                files.append(spec)
    return lists, files


def _rows(root: Path, spec: dict) -> Iterable[tuple[int, dict[str, str]]]:
    path = root / spec["path"]
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(f"{spec['path']}: missing columns {missing}")
        unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
        if unknown:
            raise RegistryError(f"{spec['path']}: unknown columns {unknown}")
        for i, row in enumerate(reader, start=2):
            yield i, {k: (v or "").strip() for k, v in row.items() if k is not None}


def load_registry(root: Path | None = None) -> Registry:
    """Read every list file and merge rows that describe the same substance.

    Rows with a structure merge on the full InChIKey (so a stereo-specific entry such as
    levomethorphan stays apart from racemethorphan); rows without one merge on the name.
    """
    root = root or data_dir()
    lists, files = _read_sources(root)
    digest = hashlib.sha256()
    by_key: dict[str, Substance] = {}
    by_name_key: dict[str, str] = {}
    by_skeleton: dict[str, list[Substance]] = {}
    other_key: dict[int, str] = {}
    order: list[Substance] = []
    for spec in files:
        lst = lists.get(spec["list"])
        if lst is None:
            raise RegistryError(f"{spec['path']}: files.yaml names unknown list {spec['list']}")
        digest.update((root / spec["path"]).read_bytes())
        for lineno, row in _rows(root, spec):
            where = f"{spec['path']}:{lineno}"
            name = row.get("name", "")
            if not name:
                raise RegistryError(f"{where}: empty name")
            smiles = row.get("smiles") or None
            ik = row.get("inchikey") or None
            no_structure = row.get("no_structure") or None
            if not smiles and not no_structure:
                raise RegistryError(f"{where}: {name}: give a SMILES or a no_structure reason")
            if smiles and not ik:
                raise RegistryError(f"{where}: {name}: SMILES without InChIKey (run `analogwatch registry fill`)")
            effective = _date(row.get("effective"), where) or _date(spec.get("effective"), where)
            if effective is None:
                raise RegistryError(f"{where}: {name}: no effective date")
            citation = row.get("citation") or spec.get("citation")
            if not citation:
                raise RegistryError(f"{where}: {name}: no citation")
            stereo = row.get("stereo") or "all"
            if stereo not in ("all", "as_drawn"):
                raise RegistryError(f"{where}: stereo must be 'all' or 'as_drawn', not {stereo!r}")
            listing = Listing(
                jurisdiction=lst.jurisdiction,
                list_id=lst.id,
                list_title=lst.title,
                schedule=lst.schedule,
                kind=lst.kind,
                rank=lst.rank,
                citation=citation,
                effective=effective,
                end=_date(row.get("end"), where),
                end_citation=row.get("end_citation") or None,
                stereo=stereo,  # type: ignore[arg-type]
                except_inchikeys=_split(row.get("except_inchikeys")),
                number=row.get("no") or None,
                source=f"{spec.get('source', '')} [{spec['path']}]".strip(),
                note=row.get("note") or None,
                prior_history=spec.get("prior_history") or None,
                inchikey=ik,
            )
            names = [normalize_name(n) for n in [name, *_split(row.get("synonyms"))]]
            cas_here = set(_split(row.get("cas")))
            if ik:
                key = ik
                if key not in by_key:
                    # The same substance drawn with and without stereo in two lists: merge when the
                    # skeleton agrees and a name or CAS number is shared (alphaprodine and betaprodine
                    # share a skeleton but neither name nor CAS, so they stay apart).
                    for other in by_skeleton.get(ik[:14], []):
                        if set(names) & {normalize_name(n) for n in [other.name, *other.synonyms]} or (
                            cas_here & set(other.cas)
                        ):
                            key = other_key[id(other)]
                            break
            else:
                # Entries without a structure merge when their name or any synonym agrees
                # ("Cannabis" in one list, "Marihuana; Cannabis" in another).
                key = next((by_name_key[n] for n in names if n in by_name_key), "name:" + names[0])
                for n in names:
                    by_name_key.setdefault(n, key)
            sub = by_key.get(key)
            if sub is None:
                sub = Substance(
                    id=slug(name),
                    name=name,
                    smiles=smiles,
                    inchikey=ik,
                    no_structure=no_structure,
                )
                by_key[key] = sub
                other_key[id(sub)] = key
                if ik:
                    by_skeleton.setdefault(ik[:14], []).append(sub)
                order.append(sub)
            for syn in [name, *_split(row.get("synonyms"))]:
                if syn != sub.name and syn not in sub.synonyms:
                    sub.synonyms.append(syn)
            for cas in _split(row.get("cas")):
                if cas not in sub.cas:
                    sub.cas.append(cas)
            if not sub.systematic_name and row.get("systematic_name"):
                sub.systematic_name = row["systematic_name"]
            sub.listings.append(listing)
    # Unique ids: two substances with the same slug get a numeric suffix, in file order.
    seen: dict[str, int] = {}
    for sub in order:
        count = seen.get(sub.id, 0)
        seen[sub.id] = count + 1
        if count:
            sub.id = f"{sub.id}-{count + 1}"
    version = f"{__version__}+{digest.hexdigest()[:12]}"
    return Registry(order, lists, version)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry shipped with the package, loaded once per process."""
    return load_registry()
