"""Retrospective validation on a small registry whose listing dates the test controls."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from analogwatch.anticipate.retrospective import attested_transformations, figure, retrospective, write_outputs
from analogwatch.anticipate.vocabulary import default_vocabulary
from analogwatch.registry import Registry

BEFORE = date(2016, 1, 1)


def test_recall_from_what_was_listed_before_the_cutoff(mini_registry: Registry) -> None:
    # In the small registry fentanyl is listed from 1971 and butyrylfentanyl from 12 May 2016.
    r = retrospective(before=BEFORE, family_names=["fentanyl"], depth=1, registry=mini_registry)
    assert [s.name for s in r.seeds["fentanyl"]] == ["Fentanyl"]
    assert [(t.name, t.first_listed, t.first_by) for t in r.targets] == [
        ("Butyrylfentanyl", date(2016, 5, 12), ("US",))]
    full = r.targets[0].found["full"]
    assert full is not None and (full.depth, full.path, full.root) == (1, ("fentanyl-acyl-butyryl",), "Fentanyl")
    assert r.recall("full", 1) == (1, 1)
    # Nothing listed before 2016 in this registry reflects the butyryl swap: the attested vocabulary
    # (what the lists of the time showed) does not make butyrylfentanyl.
    assert "fentanyl-acyl-butyryl" not in r.attested_ids
    assert r.targets[0].found["attested"] is None and r.recall("attested", 1) == (0, 1)
    full_mode, attested_mode = r.modes
    # the price of each: here the attested transformations only give fentanyl back
    assert full_mode.candidates[1] > 0 and attested_mode.candidates == {1: 0}


def test_attested_transformations_follow_the_listing_dates(mini_registry: Registry) -> None:
    vocab = default_vocabulary()
    early = attested_transformations(vocab, mini_registry, BEFORE)
    late = attested_transformations(vocab, mini_registry, date(2017, 1, 1))
    assert "fentanyl-acyl-propionyl" in early  # reflects fentanyl itself
    assert set(early) < set(late) and "fentanyl-acyl-butyryl" in late


def test_outputs_and_figure(tmp_path: Path, mini_registry: Registry) -> None:
    r = retrospective(before=BEFORE, family_names=["fentanyl"], depth=2, registry=mini_registry, limit=300)
    paths = write_outputs(r, tmp_path / "out", figure_path=tmp_path / "fig.svg")
    assert {p.name for p in paths} == {"retrospective.csv", "retrospective.json", "retrospective.svg", "fig.svg"}
    rows = list(csv.DictReader((tmp_path / "out" / "retrospective.csv").open(encoding="utf-8")))
    assert [row["name"] for row in rows] == ["Butyrylfentanyl"] and rows[0]["full_depth"] == "1"
    s = json.loads((tmp_path / "out" / "retrospective.json").read_text(encoding="utf-8"))
    assert s["recall"]["full"]["all"]["depth<=2"] == {"found": 1, "targets": 1}
    assert sum(s["modes"][0]["candidates_per_depth"].values()) <= 300
    svg = figure(r)
    assert svg.startswith("<?xml") and "xmlns='http://www.w3.org/2000/svg'" in svg and svg.endswith("</svg>")
    assert "1/1" in svg and "0/1" in svg
