"""Readers: CSV, JSON, JSON Lines and saved HTML pages to RawListing rows, in file order.

Every record of the input becomes exactly one RawListing; a record that cannot be read becomes one
with ``problems`` set (and so an ``invalid`` output row), never a skipped row. Bytes that are not
valid in the file's encoding are decoded with the profile's fallback encoding, cell by cell, and
the repair is noted on the row.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analogwatch.errors import InputError
from analogwatch.markets.model import FIELDS, RawListing
from analogwatch.markets.profiles import COMMON_COLUMNS, FieldSpec, Format, Profile
from analogwatch.registry.names import normalize_name

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
_SURROGATE = re.compile("[\udc80-\udcff]")


def _repair(value: str, fallback: str) -> tuple[str, bool]:
    """Re-decode bytes kept as surrogates (errors='surrogateescape') with the fallback encoding."""
    if not _SURROGATE.search(value):
        return value, False
    raw = value.encode("utf-8", "surrogateescape")
    try:
        return raw.decode(fallback), True
    except UnicodeDecodeError:
        return raw.decode("latin-1"), True


def _clean_value(value: Any, profile: Profile, repairs: list[str], field: str) -> Any:
    if isinstance(value, str):
        fixed, changed = _repair(value, profile.fallback_encoding)
        if changed:
            repairs.append(f"{field}: bytes not valid {profile.encoding} read as {profile.fallback_encoding}")
        if fixed.strip() in profile.null_values:
            return None
        return fixed
    if isinstance(value, list):
        return [_clean_value(v, profile, repairs, field) for v in value]
    return value


def _resolve_columns(profile: Profile, columns: list[str], *, strict: bool, where: str) -> dict[str, FieldSpec]:
    """The field specs to use with these columns: the profile's, else the usual column names."""
    norm = {normalize_name(c): c for c in columns}
    specs: dict[str, FieldSpec] = {}
    for name in FIELDS:
        spec = profile.fields.get(name)
        if spec is not None:
            wanted: list[str] = [spec.column] if spec.column and spec.path is None else []
            if spec.columns and not any(c in columns for c in spec.columns):
                wanted = spec.columns[:1]  # joined columns: at least one must be there
            for col in wanted:
                if col not in columns and strict:
                    raise InputError(
                        f"{where}: column {col!r} (for {name}) is not in the file; columns are {columns}"
                    )
            specs[name] = spec
            continue
        for alias in COMMON_COLUMNS[name]:
            found = norm.get(normalize_name(alias))
            if found is not None and found not in [s.column for s in specs.values()]:
                specs[name] = FieldSpec(column=found, path=found)
                break
    if "title" not in specs:
        raise InputError(
            f"{where}: no title column found (columns: {columns}); give --map title=COLUMN or --market NAME"
        )
    return specs


def _value_from(record: dict[str, Any], spec: FieldSpec, key: str | None) -> Any:
    if spec.value is not None:
        return spec.value
    if spec.columns:
        parts = [record.get(c) for c in spec.columns]
        return spec.join.join(str(p).strip() for p in parts if p not in (None, ""))
    if spec.path is not None:
        if spec.path == "$key":
            return key
        cur: Any = record
        if spec.path in record:
            return record[spec.path]
        for part in spec.path.split("."):
            if not isinstance(cur, dict):
                return None
            cur = cur.get(part)
        return cur
    if spec.column is not None:
        return record.get(spec.column)
    return None


def _apply_regex(value: Any, spec: FieldSpec) -> Any:
    if spec.regex is None or value is None:
        return value
    m = re.search(spec.regex, str(value), re.S)
    return (m.group(1) if m.groups() else m.group()) if m else None


def _tidy(value: Any) -> Any:
    """Whitespace of text cells collapsed (markets pad cells with blanks and newlines)."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def _raw_from_record(
    record: dict[str, Any], specs: dict[str, FieldSpec], profile: Profile, *, row: int, source: str,
    key: str | None = None, problems: list[str] | None = None, repairs: list[str] | None = None,
) -> RawListing:
    raw = RawListing(row=row, source=source, market=profile.market, problems=list(problems or []),
                     repairs=list(repairs or []))
    for name, spec in specs.items():
        value = _value_from(record, spec, key)
        value = _clean_value(value, profile, raw.repairs, name)
        raw.values[name] = _tidy(_apply_regex(value, spec))
    raw.repairs = sorted(set(raw.repairs))
    return raw


# -- CSV ---------------------------------------------------------------------------------------------
def read_csv(path: Path, profile: Profile, *, strict: bool = True) -> Iterator[RawListing]:
    data = path.read_bytes()
    repairs: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
        repairs.append("NUL bytes removed")
    text = data.decode(profile.encoding if profile.encoding.lower() not in ("utf-8", "utf8") else "utf-8",
                       errors="surrogateescape")
    delimiter = profile.delimiter
    if delimiter is None:
        if path.suffix.lower() == ".tsv":
            delimiter = "\t"
        else:
            head = text[:8192]
            try:
                delimiter = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [_repair(h, profile.fallback_encoding)[0].strip() for h in header]
    specs = _resolve_columns(profile, header, strict=strict, where=str(path))
    row = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RawListing(row=row, source=str(path), market=profile.market,
                             problems=[f"CSV record unreadable: {exc}"])
            row += 1
            continue
        if not cells or all(not c.strip() for c in cells):
            continue  # blank lines are not records
        problems = []
        if len(cells) > len(header):
            problems.append(f"record has {len(cells)} fields, the header {len(header)}")
        record = dict(zip(header, cells, strict=False))
        raw = _raw_from_record(record, specs, profile, row=row, source=str(path), problems=problems,
                               repairs=repairs)
        if len(cells) < len(header):
            missing = [h for h in header[len(cells):] if h in {s.column for s in specs.values()}]
            if missing:
                raw.repairs.append(f"missing fields {missing}")
        yield raw
        row += 1


# -- JSON and JSON Lines ------------------------------------------------------------------------------
def _records(data: Any, where: str) -> list[tuple[str | None, Any]]:
    if isinstance(data, list):
        return [(None, r) for r in data]
    if isinstance(data, dict):
        return [(str(k), v) for k, v in data.items()]
    raise InputError(f"{where}: records are neither a list nor an object")


def _json_keys(sample: list[tuple[str | None, Any]]) -> list[str]:
    keys: list[str] = []
    for _, rec in sample[:50]:
        if isinstance(rec, dict):
            for k, v in rec.items():
                if k not in keys:
                    keys.append(k)
                if isinstance(v, dict):
                    keys.extend(f"{k}.{kk}" for kk in v if f"{k}.{kk}" not in keys)
    return keys


def _json_specs(profile: Profile, sample: list[tuple[str | None, Any]], where: str) -> dict[str, FieldSpec]:
    keys = _json_keys(sample)
    prof = profile
    if any(s.column and s.path is None for s in profile.fields.values()):
        # --map title=name on JSON: a column name is a path
        prof = profile.model_copy(update={"fields": {
            k: (FieldSpec(path=s.column, column=s.column) if s.column and s.path is None else s)
            for k, s in profile.fields.items()
        }})
    return _resolve_columns(prof, keys or ["title"], strict=False, where=where)


def read_json(path: Path, profile: Profile, *, strict: bool = True) -> Iterator[RawListing]:
    raw_text = path.read_bytes().decode("utf-8-sig", errors="surrogateescape")
    try:
        data = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); for one record per line use --format jsonl") from exc
    if profile.records:
        for part in profile.records.split("."):
            data = data.get(part) if isinstance(data, dict) else None
    records = _records(data, str(path))
    specs = _json_specs(profile, records, str(path))
    for row, (key, rec) in enumerate(records):
        if not isinstance(rec, dict):
            yield RawListing(row=row, source=str(path), market=profile.market,
                             problems=[f"record is a {type(rec).__name__}, not an object"])
            continue
        yield _raw_from_record(rec, specs, profile, row=row, source=str(path), key=key)


def read_jsonl(path: Path, profile: Profile, *, strict: bool = True) -> Iterator[RawListing]:
    # JSON Lines records end at "\n" only (a lone "\r" inside a line is part of it)
    text = path.read_bytes().decode("utf-8-sig", errors="surrogateescape")
    lines = [ln.removesuffix("\r") for ln in text.split("\n")]
    parsed: list[tuple[Any, str | None]] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            parsed.append((json.loads(line), None))
        except json.JSONDecodeError as exc:
            parsed.append((None, f"line is not valid JSON: {exc.msg} at column {exc.colno}"))
    sample: list[tuple[str | None, Any]] = [(None, r) for r, err in parsed if err is None]
    specs = _json_specs(profile, sample, str(path))
    for row, (rec, err) in enumerate(parsed):
        if err is not None:
            yield RawListing(row=row, source=str(path), market=profile.market, problems=[err])
        elif not isinstance(rec, dict):
            yield RawListing(row=row, source=str(path), market=profile.market,
                             problems=[f"record is a {type(rec).__name__}, not an object"])
        else:
            yield _raw_from_record(rec, specs, profile, row=row, source=str(path))


# -- HTML ------------------------------------------------------------------------------------------
def _node_text(node: Any) -> str:
    return " ".join((node.text(separator=" ") or "").split())


def _html_value(scope: Any, page: Any, spec: FieldSpec) -> Any:
    if spec.value is not None:
        return spec.value
    root = page if spec.page else scope
    if spec.label is not None:
        want = normalize_name(spec.label)
        for cell in root.css("td, th, dt"):
            if normalize_name(_node_text(cell)) == want:
                nxt = cell.next
                while nxt is not None and nxt.tag not in ("td", "th", "dd"):
                    nxt = nxt.next
                return _node_text(nxt) if nxt is not None else None
        return None
    if spec.css is None:
        return None
    if spec.all:
        nodes = root.css(spec.css)
        vals = [(n.attributes.get(spec.attr) if spec.attr else _node_text(n)) for n in nodes]
        return spec.join.join(v for v in vals if v)
    node = root.css_first(spec.css)
    if node is None:
        return None
    return node.attributes.get(spec.attr) if spec.attr else _node_text(node)


def read_html(path: Path, profile: Profile, *, strict: bool = True) -> Iterator[RawListing]:
    from selectolax.lexbor import LexborHTMLParser

    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    text, _ = _repair(text, profile.fallback_encoding)
    page = LexborHTMLParser(text)
    if not profile.fields:
        raise InputError(
            f"{path}: HTML needs a market profile with CSS selectors (--market NAME or --map FIELD=css:SEL)"
        )
    scopes = page.css(profile.listing) if profile.listing else [page.body or page.root]
    for row, scope in enumerate(scopes):
        record = {name: _html_value(scope, page, spec) for name, spec in profile.fields.items()}
        specs = {name: FieldSpec(column=name, regex=spec.regex) for name, spec in profile.fields.items()}
        yield _raw_from_record(record, specs, profile, row=row, source=str(path))


READERS = {"csv": read_csv, "json": read_json, "jsonl": read_jsonl, "html": read_html}


def read_listings(path: Path, profile: Profile, fmt: Format, *, strict: bool = True) -> Iterator[RawListing]:
    """Rows of one file in order, with the profile's field mapping applied."""
    return READERS[fmt](path, profile, strict=strict)
