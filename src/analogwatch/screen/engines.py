"""Engines that run chunks: in this process, over local worker processes, or on a Dask cluster.

Every engine runs the same ``process_chunk`` on the same pickled Checker (registry and compiled
rules), which each worker receives once; chunks travel as plain strings. Results come back in
completion order and are stored as parts, so the final output is the same whatever the engine.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from typing import Any

from analogwatch.checker import Checker
from analogwatch.screen.chunks import Chunk, ChunkOutcome, process_chunk

_WORKER_CHECKER: Checker | None = None


def _init_worker(checker_blob: bytes) -> None:
    global _WORKER_CHECKER
    _WORKER_CHECKER = pickle.loads(checker_blob)


def _run_in_worker(chunk: Chunk, fmt: str, as_of: date, provenance: dict[str, str]) -> ChunkOutcome:
    assert _WORKER_CHECKER is not None, "worker not initialised"
    return process_chunk(_WORKER_CHECKER, chunk, fmt, as_of, provenance)


def run_local(
    checker: Checker, chunks: Iterable[Chunk], fmt: str, as_of: date, provenance: dict[str, str], jobs: int
) -> Iterator[ChunkOutcome]:
    """Run chunks in this process (jobs == 1) or in ``jobs`` worker processes, with at most
    2 x jobs chunks in flight so that memory stays constant however long the input."""
    if jobs <= 1:
        for ch in chunks:
            yield process_chunk(checker, ch, fmt, as_of, provenance)
        return
    blob = pickle.dumps(checker)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(blob,)) as pool:
        yield from _bounded(lambda ch: pool.submit(_run_in_worker, ch, fmt, as_of, provenance), chunks, 2 * jobs)


def _bounded(submit: Callable[[Chunk], Any], chunks: Iterable[Chunk], window: int) -> Iterator[ChunkOutcome]:
    pending: deque[Future[ChunkOutcome]] = deque()
    for ch in chunks:
        pending.append(submit(ch))
        while len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _run_with_checker(checker: Checker, chunk: Chunk, fmt: str, as_of: date, prov: dict[str, str]) -> ChunkOutcome:
    return process_chunk(checker, chunk, fmt, as_of, prov)


def run_dask(
    checker: Checker,
    chunks: Iterable[Chunk],
    fmt: str,
    as_of: date,
    provenance: dict[str, str],
    *,
    scheduler: str | None,
    jobs: int,
) -> Iterator[ChunkOutcome]:
    """Run chunks on a Dask cluster (a LocalCluster of ``jobs`` single-threaded worker processes when
    no scheduler address is given). The Checker is scattered to every worker once."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=max(1, jobs), threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=40,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or jobs)
        checker_f = client.scatter(checker, broadcast=True, hash=False)
        yield from _bounded(
            lambda ch: client.submit(_run_with_checker, checker_f, ch, fmt, as_of, provenance, pure=False),
            chunks,
            2 * n_workers,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
