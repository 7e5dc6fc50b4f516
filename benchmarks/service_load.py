"""Load test of the intelligence service over loopback, on SQLite and on PostgreSQL.

For each store it creates a fresh database with four agencies, starts `analogwatch serve` on
127.0.0.1 (a free port), then drives it with concurrent clients: first submissions, then a mix of
queries, each phase bounded in time and in requests. It prints throughput and p50/p99 latency, and
verifies afterwards, in the database, that every acknowledged (201) report is stored exactly once.

    .venv/bin/python benchmarks/service_load.py                 # both stores, 8 clients, 15 s per phase
    .venv/bin/python benchmarks/service_load.py --stores sqlite --clients 4 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"
#: hard bounds whatever the options say
MAX_SECONDS_PER_PHASE = 60
MAX_REQUESTS_PER_PHASE = 50_000
MAX_CLIENTS = 64

AGENCIES = [("DEA", "US"), ("NNCC", "CN"), ("FIOD", "NL"), ("FGR", "MX")]
AGREEMENTS = [("DEA", "FIOD"), ("DEA", "FGR"), ("NNCC", "FIOD")]
COUNTRIES = ["US", "CN", "NL", "MX", "CA", "DE"]
EVENTS = ["seizure", "laboratory_identification", "darknet_sighting", "poisoning"]
SHARING = ["private", "partners", "network"]


def substances() -> list[str]:
    """Thirty fentanyl-like structures (acyl group and ring substituents varied) and registry names."""
    core = "C(=O)N(c1ccc({r})cc1)C1CCN(CCc2ccc({s})cc2)CC1"
    out = []
    for acyl in ("C", "CC", "CCC", "C1CC1", "o1cccc1", "COC"):
        for r, s in (("", ""), ("F", ""), ("", "F"), ("Cl", ""), ("C", "")):
            smi = acyl + core.format(r=r, s=s).replace("()", "")
            out.append(smi)
    return out + ["fentanyl", "carfentanil", "acetylfentanyl", "437-38-7", "CCO"]


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add_error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def line(self, name: str) -> str:
        n = len(self.latencies)
        if not n:
            return f"{name:12s} no successful requests; errors {self.errors}"
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(n - 1, int(0.99 * n))] * 1000
        errs = sum(self.errors.values())
        return (f"{name:12s} {n:7d} ok {errs:5d} errors  {n / self.seconds:8.1f} req/s  "
                f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli() -> list[str]:
    script = Path(sys.executable).parent / "analogwatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "analogwatch.cli"]


# -- databases ------------------------------------------------------------------------------------


def make_database(store: str, workdir: Path) -> tuple[str, object]:
    if store == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}", None
    import psycopg

    name = f"analogwatch_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def drop_database(store: str, handle: object) -> None:
    if store == "postgres" and handle:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {handle} WITH (FORCE)")


def set_up_agencies(url: str) -> dict[str, str]:
    """Agencies, agreements and one analyst token each; returns name -> token."""
    from analogwatch.service.settings import Settings
    from analogwatch.service.store import crud
    from analogwatch.service.store.db import begin_write, ensure_schema, make_engine, make_sessionmaker

    engine = make_engine(Settings(database_url=url))
    ensure_schema(engine)
    tokens = {}
    with make_sessionmaker(engine)() as s:
        begin_write(s)
        agencies = {name: crud.create_agency(s, name=name, country=cc) for name, cc in AGENCIES}
        for a, b in AGREEMENTS:
            crud.create_agreement(s, agency_a=agencies[a], agency_b=agencies[b])
        for name, agency in agencies.items():
            tokens[name] = crud.issue_token(s, agency=agency, role="analyst")[1]
        s.commit()
    engine.dispose()
    return tokens


def stored_case_refs(url: str) -> dict[str, list[str]]:
    from sqlalchemy import select

    from analogwatch.service.settings import Settings
    from analogwatch.service.store.db import make_engine
    from analogwatch.service.store.models import Report

    engine = make_engine(Settings(database_url=url))
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for case_ref, rid in conn.execute(select(Report.case_ref, Report.id)):
            out.setdefault(case_ref, []).append(rid)
    engine.dispose()
    return out


# -- load -----------------------------------------------------------------------------------------


async def submit_phase(base: str, tokens: dict[str, str], clients: int, seconds: float, max_requests: int,
                       acked: dict[str, tuple[str, str]]) -> Phase:
    phase = Phase()
    pool = substances()
    names = list(tokens)
    counter = iter(range(max_requests))
    deadline = time.monotonic() + seconds

    async def worker(k: int) -> None:
        rng = random.Random(k)
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            while time.monotonic() < deadline:
                n = next(counter, None)
                if n is None:
                    return
                agency = names[n % len(names)]
                case_ref = f"bench-{n}"
                body = {
                    "substance": rng.choice(pool), "event_type": rng.choice(EVENTS),
                    "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "country": rng.choice(COUNTRIES), "quantity": round(rng.uniform(0.1, 500), 1), "unit": "g",
                    "case_ref": case_ref, "sharing": rng.choice(SHARING),
                    "restrictions": ["not for use in prosecution"] if rng.random() < 0.3 else [],
                }
                t = time.perf_counter()
                try:
                    r = await client.post("/api/v1/reports", json=body,
                                          headers={"Authorization": f"Bearer {tokens[agency]}"})
                except httpx.HTTPError as exc:
                    phase.add_error(type(exc).__name__)
                    continue
                if r.status_code == 201:
                    phase.latencies.append(time.perf_counter() - t)
                    acked[case_ref] = (r.json()["id"], agency)
                else:
                    phase.add_error(f"HTTP {r.status_code}")

    started = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    phase.seconds = time.monotonic() - started
    return phase


async def query_phase(base: str, tokens: dict[str, str], clients: int, seconds: float, max_requests: int,
                      acked: dict[str, tuple[str, str]]) -> tuple[Phase, dict[str, Phase]]:
    total = Phase()
    per_kind: dict[str, Phase] = {}
    own = [(rid, agency) for rid, agency in acked.values()]
    keys = ["PJMPHNIQZUBGLI-UHFFFAOYSA-N"]
    kinds = [
        ("list_country", 3), ("list_substance", 2), ("list_dates", 2), ("get_report", 4),
        ("substance_page", 2), ("alerts", 2), ("substructure", 1),
    ]
    weighted = [k for k, w in kinds for _ in range(w)]
    counter = iter(range(max_requests))
    deadline = time.monotonic() + seconds

    async def worker(k: int) -> None:
        rng = random.Random(1000 + k)
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            while time.monotonic() < deadline and next(counter, None) is not None:
                kind = rng.choice(weighted)
                rid, agency = rng.choice(own)
                h = {"Authorization": f"Bearer {tokens[agency]}"}
                if kind == "list_country":
                    req = client.get("/api/v1/reports", params={"country": rng.choice(COUNTRIES), "limit": 50},
                                     headers=h)
                elif kind == "list_substance":
                    req = client.get("/api/v1/reports", params={"substance": rng.choice(substances()[:30]),
                                                                "limit": 50}, headers=h)
                elif kind == "list_dates":
                    m = rng.randint(1, 11)
                    req = client.get("/api/v1/reports", params={"date_from": f"2025-{m:02d}-01",
                                                                "date_to": f"2025-{m + 1:02d}-01", "limit": 50},
                                     headers=h)
                elif kind == "get_report":
                    req = client.get(f"/api/v1/reports/{rid}", headers=h)
                elif kind == "substance_page":
                    req = client.get(f"/api/v1/substances/{rng.choice(keys)}", headers=h)
                elif kind == "alerts":
                    req = client.get("/api/v1/alerts", params={"limit": 50}, headers=h)
                else:
                    req = client.get("/api/v1/reports", params={
                        "substance": "O=C(CC)N(c1ccccc1)C1CCNCC1", "match": "substructure", "limit": 50}, headers=h)
                t = time.perf_counter()
                try:
                    r = await req
                except httpx.HTTPError as exc:
                    total.add_error(type(exc).__name__)
                    continue
                phase = per_kind.setdefault(kind, Phase())
                if r.status_code in (200, 404):
                    dt = time.perf_counter() - t
                    total.latencies.append(dt)
                    phase.latencies.append(dt)
                else:
                    total.add_error(f"HTTP {r.status_code}")
                    phase.add_error(f"HTTP {r.status_code}")

    started = time.monotonic()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    total.seconds = time.monotonic() - started
    for p in per_kind.values():
        p.seconds = total.seconds
    return total, per_kind


def wait_until_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited with code {proc.returncode}")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError("the service did not start in time")


def run_store(store: str, args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="analogwatch-bench-") as tmp:
        workdir = Path(tmp)
        url, handle = make_database(store, workdir)
        try:
            tokens = set_up_agencies(url)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            env = {**os.environ, "ANALOGWATCH_DATABASE_URL": url, "ANALOGWATCH_WEBHOOKS_ENABLED": "true"}
            log = open(workdir / "server.log", "wb")  # noqa: SIM115 - closed below
            proc = subprocess.Popen([*cli(), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                    stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_until_up(base, proc)
                acked: dict[str, tuple[str, str]] = {}
                sub = asyncio.run(submit_phase(base, tokens, args.clients, args.seconds, args.max_requests, acked))
                qry, per_kind = asyncio.run(
                    query_phase(base, tokens, args.clients, args.seconds, args.max_requests, acked))
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                log.close()
            stored = stored_case_refs(url)
        finally:
            drop_database(store, handle)
    missing = [c for c in acked if c not in stored]
    duplicated = [c for c, ids in stored.items() if len(ids) > 1]
    wrong_id = [c for c, (rid, _) in acked.items() if c in stored and stored[c] != [rid]]
    unacked = [c for c in stored if c not in acked]
    print(f"\n== {store}: {args.clients} clients, {args.seconds:g} s per phase ==")
    print(sub.line("submissions"))
    print(qry.line("queries"))
    for kind in sorted(per_kind):
        print("  " + per_kind[kind].line(kind))
    ok = not missing and not duplicated and not wrong_id
    print(f"verified: {len(acked)} acknowledged reports, {len(stored)} stored; missing {len(missing)}, "
          f"stored twice {len(duplicated)}, wrong id {len(wrong_id)}, stored without acknowledgement "
          f"{len(unacked)} -> {'OK' if ok else 'FAILED'}")
    if sub.errors or qry.errors:
        print(f"errors: submissions {sub.errors}, queries {qry.errors}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stores", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    ap.add_argument("--clients", type=int, default=8, help="concurrent clients")
    ap.add_argument("--seconds", type=float, default=15.0, help="duration of each phase")
    ap.add_argument("--max-requests", type=int, default=20_000, help="bound on the requests of each phase")
    args = ap.parse_args()
    args.clients = max(1, min(args.clients, MAX_CLIENTS))
    args.seconds = max(1.0, min(args.seconds, MAX_SECONDS_PER_PHASE))
    args.max_requests = max(1, min(args.max_requests, MAX_REQUESTS_PER_PHASE))
    print(f"analogwatch service load: loopback only, cpus {os.cpu_count()}, python {sys.version.split()[0]}")
    all_ok = True
    for store in [s.strip() for s in args.stores.split(",") if s.strip()]:
        if store == "postgres":
            try:
                import psycopg

                psycopg.connect(PG_ADMIN).close()
            except Exception as exc:  # noqa: BLE001 - report and go on with the other stores
                print(f"\n== postgres: skipped, server unreachable ({exc}) ==")
                continue
        all_ok &= run_store(store, args)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
