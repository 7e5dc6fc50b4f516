"""Market profiles: data files (profiles/*.yaml) that say how to read one market's dumps or pages.

A profile names the file format, the files it applies to (glob patterns on the file name) and, per
field of FIELDS, where the value is: a column, several columns joined, a dotted path in a JSON
record, a constant, or a CSS selector for saved HTML pages. Adding a market needs a new YAML file,
no Python; an unseen market needs no profile at all, only ``--map FIELD=COLUMN``.
"""

from __future__ import annotations

import fnmatch
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from analogwatch.errors import InputError
from analogwatch.markets.model import FIELDS

Format = Literal["csv", "json", "jsonl", "html"]
EXTENSIONS: dict[str, Format] = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".htm": "html", ".html": "html",
}

#: header names an unseen market commonly uses for each field (case- and punctuation-insensitive)
COMMON_COLUMNS: dict[str, tuple[str, ...]] = {
    "listing_id": ("listing_id", "id", "listing", "item_id", "product_id", "url", "link", "list", "hash"),
    "title": ("title", "name", "product", "product_name", "item", "item_name", "listing_title", "headline"),
    "description": ("description", "desc", "info", "details", "body", "text", "product_description"),
    "vendor": ("vendor", "seller", "vendor_name", "seller_name", "shop", "store", "user", "username"),
    "category": ("category", "cat", "categories", "section", "type"),
    "price": ("price", "cost", "amount", "price_usd", "price_btc"),
    "currency": ("currency", "cur", "price_currency"),
    "ships_from": ("ships_from", "from", "origin", "shipping_from", "ship_from", "country"),
    "ships_to": ("ships_to", "to", "destination", "shipping_to", "ship_to", "destinations"),
    "date": ("date", "scraped", "scrape_date", "crawl_date", "timestamp", "created", "listed"),
}


class FieldSpec(BaseModel):
    """Where one field's value is found. Exactly one of column, columns, path, value, css, label."""

    column: str | None = None
    #: several columns joined with `join` (a category path from cat/subcat/subsubcat)
    columns: list[str] | None = None
    #: dotted path in a JSON record; "$key" is the record's key when records are an object
    path: str | None = None
    value: Any = None
    #: HTML: CSS selector inside the listing element (or the page with `page: true`)
    css: str | None = None
    #: HTML: the text of the cell after a cell whose text is this label ("Ships From")
    label: str | None = None
    attr: str | None = None
    all: bool = False
    page: bool = False
    join: str = "/"
    #: a regular expression whose first group is kept
    regex: str | None = None

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            import re

            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"regex {v!r} does not compile: {exc}") from exc
        return v


class Profile(BaseModel):
    """How to read one market's files."""

    market: str
    format: Format | None = None
    description: str = ""
    source: str = ""
    #: glob patterns on file names this profile reads
    match: list[str] = Field(default_factory=list)
    encoding: str = "utf-8"
    #: the encoding tried for cells that are not valid in ``encoding``
    fallback_encoding: str = "cp1252"
    delimiter: str | None = None
    #: JSON: where the records are: "" (the top level), a dotted path; objects give "$key"
    records: str = ""
    #: HTML: CSS selector of one listing element (default: the whole page is one listing)
    listing: str | None = None
    #: cell texts that mean "no value"
    null_values: list[str] = Field(default_factory=lambda: ["", "NA", "N/A", "null", "None", "NULL", "nan"])
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    path: str | None = None

    @field_validator("fields", mode="before")
    @classmethod
    def _short_forms(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        out = {}
        for name, spec in v.items():
            if name not in FIELDS:
                raise ValueError(f"unknown field {name!r}; fields are {', '.join(FIELDS)}")
            if isinstance(spec, str):
                spec = {"column": spec}
            elif isinstance(spec, list):
                spec = {"columns": spec}
            out[name] = spec
        return out

    def matches(self, path: Path) -> bool:
        return any(fnmatch.fnmatch(path.name.lower(), pat.lower()) for pat in self.match)

    def with_map(self, mapping: dict[str, str]) -> Profile:
        """A copy whose fields are overridden by --map FIELD=COLUMN (or FIELD=a.b.path for JSON,
        FIELD=css:SELECTOR for HTML, FIELD=value:TEXT for a constant)."""
        fields = dict(self.fields)
        for name, where in mapping.items():
            if name not in FIELDS:
                raise InputError(f"--map: unknown field {name!r}; fields are {', '.join(FIELDS)}")
            if where.startswith("css:"):
                fields[name] = FieldSpec(css=where[4:])
            elif where.startswith("label:"):
                fields[name] = FieldSpec(label=where[6:])
            elif where.startswith("value:"):
                fields[name] = FieldSpec(value=where[6:])
            elif "+" in where:
                fields[name] = FieldSpec(columns=[c.strip() for c in where.split("+")])
            elif self.format in ("json", "jsonl") or "." in where:
                fields[name] = FieldSpec(path=where, column=where)
            else:
                fields[name] = FieldSpec(column=where)
        return self.model_copy(update={"fields": fields})


def profiles_dir() -> Path:
    return Path(str(resources.files("analogwatch.markets") / "profiles"))


def load_profile(path: Path) -> Profile:
    """Read one profile file; a malformed profile stops with an error naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        prof = Profile(**data)
    except (OSError, yaml.YAMLError, ValidationError, TypeError) as exc:
        raise InputError(f"market profile {path}: {exc}") from exc
    return prof.model_copy(update={"path": str(path)})


@lru_cache(maxsize=4)
def shipped_profiles(folder: str | None = None) -> tuple[Profile, ...]:
    root = Path(folder) if folder else profiles_dir()
    return tuple(load_profile(p) for p in sorted(root.glob("*.yaml")))


def find_profile(name: str, extra: Path | None = None) -> Profile:
    """A profile by market name (or a path to a profile file)."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return load_profile(p)
    for prof in shipped_profiles(str(extra) if extra else None):
        if prof.market.lower() == name.lower():
            return prof
    if extra is not None:
        return find_profile(name)
    known = ", ".join(sorted(pr.market for pr in shipped_profiles()))
    raise InputError(f"no market profile named {name!r} (shipped: {known}); use --map for an unseen market")


def profile_for(path: Path) -> Profile | None:
    """The shipped profile whose file-name patterns match ``path``, if any."""
    for prof in shipped_profiles():
        if prof.matches(path):
            return prof
    return None


def generic_profile(fmt: Format, market: str = "unknown") -> Profile:
    """A profile for an unseen market: fields found by their usual column names (COMMON_COLUMNS)."""
    return Profile(market=market, format=fmt, description="generic: columns found by name")
