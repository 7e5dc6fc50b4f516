"""Ingestion end to end: rows out == rows in, in order, whatever the rows hold."""

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analogwatch.markets.ingest import ingest, plan
from analogwatch.markets.profiles import generic_profile
from analogwatch.markets.writers import read_records, write_records

cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(cell, cell, cell), max_size=12))
def test_csv_rows_out_equal_rows_in(tmp_path_factory, extractor, rows):
    d = tmp_path_factory.mktemp("csv")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["title", "vendor", "price"])
    kept = [r for r in rows if any(c.strip() for c in r)]  # a wholly blank line is not a record
    w.writerows(kept)
    p = d / "dump.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    records, _ = ingest([p], extractor=extractor)
    assert len(records) == len(kept)
    assert [r.row for r in records] == list(range(len(kept)))
    assert all(r.status in ("ok", "invalid") for r in records)
    nulls = set(generic_profile("csv").null_values)  # "null", "NA": a missing title
    for r, src in zip(records, kept, strict=True):
        title = " ".join(src[0].split())
        assert (r.status == "invalid") == (not title or src[0].strip() in nulls)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.dictionaries(st.sampled_from(["title", "vendor", "x"]), cell, max_size=3),
                          st.integers(), st.text(st.characters(blacklist_characters="\n\r"), max_size=5)), max_size=10))
def test_jsonl_rows_out_equal_rows_in(tmp_path_factory, extractor, items):
    d = tmp_path_factory.mktemp("jsonl")
    lines = [json.dumps(i) if not isinstance(i, str) else "{" + i for i in items]
    lines = [ln for ln in lines if ln.strip()]
    p = d / "dump.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records, _ = ingest([p], extractor=extractor, mapping={"title": "title"})
    assert len(records) == len(lines)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_writers_round_trip(tmp_path: Path, extractor, suffix):
    p = tmp_path / "d.csv"
    p.write_text('title,vendor,from,to\n"X50 OXYCODONE 30MG",v,USA,"Worldwide except Australia"\n,v,,\n',
                 encoding="utf-8")
    records, _ = ingest([p], extractor=extractor)
    out = tmp_path / f"out{suffix}"
    assert write_records(records, out) == 2
    back = read_records(out)
    assert [r.status for r in back] == ["ok", "invalid"]
    assert back[0].substances[0].name == "Oxycodone" and back[0].unit_count == 50
    assert back[0].ships_to == ["WW"] and back[0].ships_to_excluded == ["AU"]


def test_folder_walk_picks_profiles_and_skips_rate_files(darknet: Path):
    p = plan([darknet])
    markets = {prof.market for _, prof, _ in p.files}
    assert {"agora", "agartha", "berlusconi", "drugsmedicine"} <= markets
    assert any(h.name.startswith("btc_usd") for h in p.btc_histories)
    assert not any(f.name.startswith("btc_usd") for f, _, _ in p.files)


def test_ingest_all_shared_data(darknet: Path, extractor):
    """The README command's library call: every listing of every dump comes out, in order."""
    records, p = ingest([darknet], extractor=extractor)
    by_file: dict[str, list[int]] = {}
    for r in records:
        by_file.setdefault(Path(r.source_file).name, []).append(r.row)
    # products-2014-01-01.csv holds 7,986 listings (counted with Python's csv module)
    assert len(by_file["products-2014-01-01.csv"]) == 7986
    assert len(by_file["agartha_products_2020-03-31.json"]) == 630  # 630 objects in the file
    assert all(rows == list(range(len(rows))) for rows in by_file.values())
    agora = next(r for r in records if r.market == "agora" and r.substances)
    assert agora.date and agora.currency == "BTC" and agora.price
