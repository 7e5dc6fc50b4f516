"""Screening jobs of the dashboard: an uploaded file screened in a background thread.

Each job lives in a folder of its own (``screens/<agency id>/<job id>/``): the upload, the
results (CSV, one row per input record, in order) and ``job.json`` with its state, so that a
finished job is still listed after a restart. One job runs at a time (the machine's cores serve
the requests meanwhile); the others wait in a queue. Jobs belong to the agency that uploaded
them: no other agency can list, read or download them.
"""

from __future__ import annotations

import csv
import json
import logging
import queue
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from analogwatch.checker import Checker
from analogwatch.errors import AnalogwatchError

log = logging.getLogger("analogwatch.web")

#: input kinds the screen readers understand (by extension; .gz of any of them too)
INPUT_SUFFIXES = (".smi", ".smiles", ".csv", ".tsv", ".sdf", ".sd", ".txt", ".parquet")
RESULTS = "results.csv"
_JOB_ID = re.compile(r"^[0-9a-f]{24}$")


def input_suffix(filename: str) -> str | None:
    """The input kind of an uploaded file name ('.csv', '.smi.gz'...), or None when unknown."""
    name = filename.lower().strip()
    gz = name.endswith(".gz")
    base = name[:-3] if gz else name
    for s in INPUT_SUFFIXES:
        if base.endswith(s):
            return s + (".gz" if gz else "")
    return None


@dataclass
class Job:
    id: str
    agency_id: int
    filename: str
    created_at: str
    status: str = "queued"  # queued | running | done | failed
    total: int | None = None
    done: int = 0
    invalid: int = 0
    controlled: int = 0
    error: str | None = None
    finished_at: str | None = None
    smiles_column: str | None = None
    id_column: str | None = None
    as_of: str = field(default_factory=lambda: date.today().isoformat())

    @property
    def progress(self) -> float | None:
        if self.status == "done":
            return 1.0
        if not self.total:
            return None
        return min(1.0, self.done / self.total)

    def public(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("agency_id")
        d["progress"] = self.progress
        return d


class ScreenJobs:
    """The job queue and its worker thread (started on first use, a daemon: it dies with the server)."""

    def __init__(self, root: Path, *, chunk_size: int = 100):
        self.root = root
        self.chunk_size = chunk_size
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[Job, Checker]] = queue.Queue()
        self._worker: threading.Thread | None = None

    # -- storage ------------------------------------------------------------------------------------
    def folder(self, job: Job) -> Path:
        return self.root / str(job.agency_id) / job.id

    def input_path(self, job: Job) -> Path:
        suffix = input_suffix(job.filename) or ".txt"
        return self.folder(job) / f"input{suffix}"

    def results_path(self, job: Job) -> Path:
        return self.folder(job) / RESULTS

    def _save(self, job: Job) -> None:
        path = self.folder(job) / "job.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(job)), encoding="utf-8")
        tmp.replace(path)

    def _load(self, path: Path) -> Job | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            job = Job(**data)
        except (OSError, ValueError, TypeError):
            return None
        if job.status in ("queued", "running") and job.id not in self._jobs:
            # queued or running in a server that has stopped since
            job.status, job.error = "failed", "the server stopped before the job finished; upload the file again"
        return job

    # -- public calls -------------------------------------------------------------------------------
    def submit(self, *, agency_id: int, filename: str, data: bytes, checker: Checker,
               smiles_column: str | None = None, id_column: str | None = None) -> Job:
        job = Job(id=secrets.token_hex(12), agency_id=agency_id, filename=filename[:200],
                  created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                  smiles_column=smiles_column or None, id_column=id_column or None)
        folder = self.folder(job)
        folder.mkdir(parents=True, exist_ok=True)
        self.input_path(job).write_bytes(data)
        with self._lock:
            self._jobs[job.id] = job
            self._save(job)
            self._queue.put((job, checker))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="analogwatch-screen", daemon=True)
                self._worker.start()
        return job

    def get(self, *, agency_id: int, job_id: str) -> Job | None:
        """The job if it exists and belongs to ``agency_id`` (else None: the two are not told apart)."""
        if not _JOB_ID.match(job_id):
            return None
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None:
            return job if job.agency_id == agency_id else None
        return self._load(self.root / str(agency_id) / job_id / "job.json")

    def list_jobs(self, *, agency_id: int, limit: int = 20) -> list[Job]:
        folder = self.root / str(agency_id)
        jobs: dict[str, Job] = {}
        if folder.is_dir():
            for p in folder.glob("*/job.json"):
                job = self._load(p)
                if job is not None:
                    jobs[job.id] = job
        with self._lock:
            for j in self._jobs.values():
                if j.agency_id == agency_id:
                    jobs[j.id] = j
        return sorted(jobs.values(), key=lambda j: j.created_at, reverse=True)[:limit]

    def rows(
        self, job: Job, *, show: str = "all", offset: int = 0, limit: int = 100
    ) -> tuple[int, list[dict[str, str]]]:
        """Result rows of a finished job: all, only the invalid ones, or only the controlled ones."""
        path = self.results_path(job)
        if job.status != "done" or not path.is_file():
            return 0, []
        out: list[dict[str, str]] = []
        n = 0
        for row in _read_csv(path):
            if show == "invalid" and row.get("status") != "invalid":
                continue
            if show == "controlled" and not any(row.get(f"{j}_controlled") == "true" for j in ("US", "CN", "UN")):
                continue
            if offset <= n < offset + limit:
                out.append(row)
            n += 1
        return n, out

    # -- the worker ---------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            try:
                job, checker = self._queue.get(timeout=60)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._worker = None
                        return
                continue
            self._run(job, checker)

    def _run(self, job: Job, checker: Checker) -> None:
        from analogwatch.screen import screen_file
        from analogwatch.screen.readers import estimate_total

        src = self.input_path(job)
        job.status = "running"
        job.total = estimate_total(src)
        self._save(job)

        def advance(n: int) -> None:
            job.done += n

        try:
            summary = screen_file(
                src, self.results_path(job), fmt="csv", smiles_column=job.smiles_column,
                id_column=job.id_column, as_of=date.fromisoformat(job.as_of), checker=checker,
                chunk_size=self.chunk_size, on_progress=advance,
            )
        except (AnalogwatchError, ValueError, OSError) as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - a job must end, and say why, whatever went wrong
            log.exception("screening job %s failed", job.id)
            job.status, job.error = "failed", f"unexpected error: {type(exc).__name__}: {exc}"
        else:
            job.status = "done"
            job.total = job.done = summary.total
            job.invalid, job.controlled = summary.invalid, summary.controlled
        job.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._save(job)


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)
