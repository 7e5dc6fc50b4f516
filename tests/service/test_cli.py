"""`analogwatch admin ...` and `analogwatch serve` through the real entry point."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from tests.conftest import CLI, free_port, wait_for_http, write_mini_registry


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "ANALOGWATCH_DATABASE_URL"}
    full_env.update(env or {})
    return subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=120, env=full_env)


def test_admin_commands_with_database_option(database_url: str) -> None:
    db = ["--database", database_url]
    p = run("admin", "create-agency", "DEA", "--country", "us", *db)
    assert p.returncode == 0, p.stderr
    assert "jurisdiction US" in p.stdout
    assert run("admin", "create-agency", "FIOD", "--country", "NL", *db).returncode == 0

    p = run("admin", "issue-token", "--agency", "DEA", "--role", "admin", "--expires-days", "30", *db)
    assert p.returncode == 0, p.stderr
    token = p.stdout.strip()
    assert token.startswith("aw_") and "\n" not in token  # only the token on stdout
    token_id = token.split("_")[1]
    assert f"token id {token_id}" in p.stderr

    p = run("admin", "create-agreement", "DEA", "FIOD", *db)
    assert p.returncode == 0, p.stderr
    p = run("admin", "list-agencies", *db)
    assert p.returncode == 0
    assert "DEA" in p.stdout and "FIOD" in p.stdout and "UN" in p.stdout

    p = run("admin", "revoke-token", token_id, *db)
    assert p.returncode == 0 and token_id in p.stdout
    p = run("admin", "list-tokens", "--agency", "DEA", *db)
    assert f"{token_id}\tDEA\tadmin\trevoked" in p.stdout
    assert token not in p.stdout

    # only the hash of the token is stored
    from sqlalchemy import text

    from analogwatch.service.auth import hash_token
    from analogwatch.service.settings import Settings
    from analogwatch.service.store.db import make_engine

    engine = make_engine(Settings(database_url=database_url))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
    engine.dispose()
    assert stored == [hash_token(token)]


def test_admin_errors_are_one_line_and_nonzero(tmp_path: Path) -> None:
    db = ["--database", f"sqlite:///{tmp_path / 'x.sqlite3'}"]
    assert run("admin", "create-agency", "DEA", "--country", "US", *db).returncode == 0
    assert run("admin", "create-agency", "FIOD", "--country", "NL", *db).returncode == 0
    for args, code, words in [
        (("create-agency", "DEA", "--country", "US"), 1, "already exists"),
        (("create-agency", "X", "--country", "ZZ"), 1, "ISO 3166-1"),
        (("issue-token", "--agency", "Nobody"), 1, "no agency named"),
        (("issue-token", "--agency", "DEA", "--role", "root"), 2, "--role"),
        (("issue-token", "--agency", "DEA", "--expires-days", "0"), 1, "at least 1"),
        (("create-agreement", "DEA", "DEA"), 1, "two different agencies"),
        (("revoke-token", "nope"), 1, "no token"),
    ]:
        p = run("admin", *args, *db)
        assert p.returncode == code, (args, p.stderr)
        assert p.stderr.startswith("error: ") and words in p.stderr and len(p.stderr.strip().splitlines()) == 1
        assert p.stdout == ""


def test_admin_commands_read_the_environment(database_url: str) -> None:
    env = {"ANALOGWATCH_DATABASE_URL": database_url}
    assert run("admin", "create-agency", "NNCC", "--country", "CN", env=env).returncode == 0
    p = run("admin", "list-agencies", env=env)
    assert "NNCC" in p.stdout and "CN" in p.stdout


def test_serve_from_an_empty_database_to_a_first_report_and_alert(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    env = {"ANALOGWATCH_REGISTRY_DIR": str(write_mini_registry(tmp_path / "registry")), "ANALOGWATCH_OPSIN": "0"}
    assert run("admin", "create-agency", "DEA", "--country", "US", "--database", db, env=env).returncode == 0
    token = run("admin", "issue-token", "--agency", "DEA", "--database", db, env=env).stdout.strip()
    port = free_port()
    full_env = {**os.environ, **env}
    full_env.pop("ANALOGWATCH_DATABASE_URL", None)
    proc = subprocess.Popen([str(CLI), "serve", "--port", str(port), "--database", db], env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/openapi.json", proc)
        assert httpx.get(f"{base}/api/v1/reports").status_code == 401
        r = httpx.post(f"{base}/api/v1/reports", headers={"Authorization": f"Bearer {token}"}, json={
            "substance": "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1", "event_type": "seizure", "date": "2025-03-01",
            "country": "US", "sharing": "network"})
        assert r.status_code == 201, r.text
        assert "first_sighting_network" in {a["kind"] for a in r.json()["alerts"]}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
