"""Bulk import and export of reports as CSV or JSON Lines.

Import is all-or-nothing per file: every row is validated and its substance resolved first; one
bad row rejects the file with an error per bad row, and nothing is stored. An exported file can be
imported again: export-only columns (id, agency, verdicts, revision...) are ignored on import, and
a JSON Lines record whose ``substance`` is the exported object is read through its ``smiles``.
Free-text CSV cells that a spreadsheet would run as a formula are exported with a leading
apostrophe. A withdrawn report (exported with ``include_withdrawn``) is refused on import: it
would come back as a report nobody withdrew.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from analogwatch.service.reports import substance_problem
from analogwatch.service.schemas import ImportRowError, ReportIn, ReportOut
from analogwatch.service.substances import SubstanceResolver
from analogwatch.verdicts import Result

FORMATS = ("csv", "jsonl")
INPUT_FIELDS = list(ReportIn.model_fields)
JURISDICTIONS = ("US", "CN", "UN")
#: columns of an export, in order; the first ones are the submission's own fields
EXPORT_COLUMNS = [
    "id", "agency", "agency_country", "submitted_at", "substance", "smiles", "inchikey", "event_type", "date",
    "country", "region", "quantity", "unit", "notes", "case_ref", "sharing", "restrictions",
    *[f"{j}_{f}" for j in JURISDICTIONS for f in ("controlled", "basis", "schedule", "citation")],
    "verdicts_as_of", "registry_version", "revision", "updated_at", "withdrawn_at", "withdrawal_reason",
]
#: what an export holds beyond a submission's fields (the JSON Lines objects are whole ReportOut)
EXPORT_ONLY = (set(EXPORT_COLUMNS) | set(ReportOut.model_fields)) - set(INPUT_FIELDS)
WITHDRAWN_ROW = "a withdrawn report cannot be imported (export without include_withdrawn, or drop the row)"


#: a CSV cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection");
#: exports prefix such free-text cells with an apostrophe, imports take it off again
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT = ("agency", "substance", "region", "notes", "case_ref", "withdrawal_reason")


def _defuse(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _restore(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, size)."""


@dataclass
class ParsedImport:
    rows: list[ReportIn] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)


def format_for(filename: str | None, explicit: str | None) -> str:
    if explicit:
        fmt = explicit.lower()
    else:
        name = (filename or "").lower()
        fmt = "jsonl" if name.endswith((".jsonl", ".ndjson", ".json")) else "csv" if name.endswith(".csv") else ""
    if fmt not in FORMATS:
        raise ImportFileError("say format=csv or format=jsonl (or name the file .csv or .jsonl)")
    return fmt


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"the file is not UTF-8 text (byte {exc.start})") from None


def _split_restrictions(cell: str) -> list[str]:
    cell = cell.strip()
    if cell.startswith("["):
        try:
            value = json.loads(cell)
        except json.JSONDecodeError as exc:
            raise ValueError(f"restrictions: not a JSON array ({exc.msg})") from None
        if not isinstance(value, list):
            raise ValueError("restrictions: not a JSON array")
        return value
    return [p.strip() for p in cell.split("|") if p.strip()]


def read_csv(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(row number, record or error message) per data row; the header is not counted."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if not header:
        raise ImportFileError("the CSV file has no header row")
    unknown = [c for c in header if c not in INPUT_FIELDS and c not in EXPORT_ONLY]
    if unknown:
        raise ImportFileError(f"unknown column(s) {', '.join(map(repr, unknown))}; expected {', '.join(INPUT_FIELDS)}")
    for required in ("substance", "event_type", "date", "country"):
        if required not in header:
            raise ImportFileError(f"the CSV header has no {required!r} column")
    for n, raw in enumerate(reader, start=1):
        if None in raw:
            yield n, "more cells than header columns"
            continue
        if (raw.get("withdrawn_at") or "").strip():
            yield n, WITHDRAWN_ROW
            continue
        rec: dict[str, Any] = {
            k: _restore(v) if k in _FREE_TEXT else v
            for k, v in raw.items() if k in INPUT_FIELDS and v is not None and v != ""
        }
        if "restrictions" in rec:
            try:
                rec["restrictions"] = _split_restrictions(rec["restrictions"])
            except ValueError as exc:
                yield n, str(exc)
                continue
        yield n, rec


def read_jsonl(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, record or error message) per non-blank line."""
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, f"not valid JSON: {exc.msg} at column {exc.colno}"
            continue
        if not isinstance(obj, dict):
            yield n, "each line must be a JSON object"
            continue
        if obj.get("withdrawn") or obj.get("withdrawn_at"):
            yield n, WITHDRAWN_ROW
            continue
        if isinstance(obj.get("substance"), dict):
            obj["substance"] = obj["substance"].get("smiles") or obj["substance"].get("input")
        yield n, {k: v for k, v in obj.items() if k not in EXPORT_ONLY}


def _field_errors(n: int, exc: ValidationError) -> list[ImportRowError]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e.get("loc", ())) or None
        msg = e.get("msg", "invalid")
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        out.append(ImportRowError(row=n, field=loc, message=msg))
    return out


def parse_import(text: str, fmt: str, *, resolver: SubstanceResolver, max_rows: int) -> ParsedImport:
    records = list(read_csv(text) if fmt == "csv" else read_jsonl(text))
    if not records:
        raise ImportFileError("the file holds no reports")
    if len(records) > max_rows:
        raise ImportFileError(f"{len(records)} rows: at most {max_rows} per file; split the file")
    parsed = ParsedImport()
    numbered: list[tuple[int, ReportIn]] = []
    for n, rec in records:
        if isinstance(rec, str):
            parsed.errors.append(ImportRowError(row=n, field=None, message=rec))
            continue
        try:
            numbered.append((n, ReportIn.model_validate(rec)))
        except ValidationError as exc:
            parsed.errors.extend(_field_errors(n, exc))
    results = resolver.check_many([r.substance for _, r in numbered]) if numbered else []
    for (n, row), res in zip(numbered, results, strict=True):
        problem = substance_problem(res)
        if problem:
            parsed.errors.append(ImportRowError(row=n, field="substance", message=problem))
        else:
            parsed.rows.append(row)
            parsed.results.append(res)
    parsed.errors.sort(key=lambda e: e.row)
    return parsed


# -- export ---------------------------------------------------------------------------------------


def export_record(r: ReportOut) -> dict[str, Any]:
    """A flat record with the export columns."""
    rec: dict[str, Any] = {
        "id": r.id, "agency": r.agency, "agency_country": r.agency_country,
        "submitted_at": r.submitted_at.isoformat(), "substance": r.substance.input, "smiles": r.substance.smiles,
        "inchikey": r.substance.inchikey, "event_type": r.event_type.value, "date": r.date.isoformat(),
        "country": r.country, "region": r.region or "", "quantity": "" if r.quantity is None else r.quantity,
        "unit": r.unit.value if r.unit else "", "notes": r.notes or "", "case_ref": r.case_ref or "",
        "sharing": r.sharing.value, "restrictions": json.dumps(r.restrictions, ensure_ascii=False),
    }
    for j in JURISDICTIONS:
        v = r.substance.verdicts.get(j)
        rec[f"{j}_controlled"] = "" if v is None else str(v.controlled).lower()
        rec[f"{j}_basis"] = v.basis if v else ""
        rec[f"{j}_schedule"] = (v.schedule if v else None) or ""
        rec[f"{j}_citation"] = (v.citation if v else None) or ""
    rec["verdicts_as_of"] = r.substance.verdicts_as_of.isoformat()
    rec["registry_version"] = r.substance.registry_version
    rec["revision"] = r.revision
    rec["updated_at"] = r.updated_at.isoformat() if r.updated_at else ""
    rec["withdrawn_at"] = r.withdrawn_at.isoformat() if r.withdrawn_at else ""
    rec["withdrawal_reason"] = r.withdrawal_reason or ""
    return rec


def export_csv(reports: Iterable[ReportOut]) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    w.writeheader()
    yield buf.getvalue()
    for r in reports:
        buf.seek(0)
        buf.truncate()
        rec = export_record(r)
        for k in _FREE_TEXT:
            rec[k] = _defuse(rec[k])
        w.writerow(rec)
        yield buf.getvalue()


def export_jsonl(reports: Iterable[ReportOut]) -> Iterator[str]:
    for r in reports:
        yield r.model_dump_json() + "\n"
