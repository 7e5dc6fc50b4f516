"""`analogwatch demo-data` through the real entry point: agencies, tokens, reports, the files of
the Gaps and Markets pages; run again, it issues new tokens and loads nothing twice."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import write_mini_registry
from tests.service.test_cli import run


def test_demo_data_loads_once_and_prints_a_token_per_agency(tmp_path: Path) -> None:
    env = {"ANALOGWATCH_REGISTRY_DIR": str(write_mini_registry(tmp_path / "registry")), "ANALOGWATCH_OPSIN": "0",
           "ANALOGWATCH_DASHBOARD_DIR": str(tmp_path / "dash")}
    db = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    first = run("demo-data", "--database", db, env=env)
    assert first.returncode == 0, first.stderr
    tokens = re.findall(r"^\s+(DEA|NNCC|NCA)\s+(US|CN|GB)\s+analyst\s+(aw_\S+)$", first.stdout, re.M)
    assert [t[0] for t in tokens] == ["DEA", "NNCC", "NCA"]
    # 36 rows in src/analogwatch/web/examples/reports.csv
    assert "36 loaded" in first.stdout
    engine = create_engine(db)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar_one() == 36
        assert conn.execute(text("SELECT count(*) FROM agreements")).scalar_one() == 1
        sharing = {r[0] for r in conn.execute(text("SELECT DISTINCT sharing FROM reports"))}
        assert sharing == {"private", "partners", "network"}
    listings = tmp_path / "dash" / "listings" / "example-market.jsonl"
    assert len(listings.read_text(encoding="utf-8").splitlines()) == 16  # rows in examples/example-market.csv
    summary = json.loads((tmp_path / "dash" / "anticipation" / "example-nitazene" / "summary.json").read_text())
    assert summary["families"] == ["nitazene"]

    again = run("demo-data", "--database", db, "--no-anticipation", env=env)
    assert again.returncode == 0, again.stderr
    assert "already loaded" in again.stdout
    new_tokens = re.findall(r"analyst\s+(aw_\S+)$", again.stdout, re.M)
    assert len(new_tokens) == 3 and not set(new_tokens) & {t[2] for t in tokens}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar_one() == 36
    engine.dispose()
