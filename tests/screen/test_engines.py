"""Chunking, resume after an interrupted run, and the engines' row-for-row agreement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analogwatch.checker import Checker
from analogwatch.errors import InputError
from analogwatch.screen import screen_file
from analogwatch.screen.pipeline import parts_folder

AS_OF = date(2025, 1, 1)
LINES = [
    "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1 f1",
    "CCCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1.Cl b1",
    "",
    "not( bad",
    "O=C1CCN(CCc2ccccc2)CC1 npp",
    "CCO e",
    "c1ccccc1 benzene",
    "C1CC ring",
    "COc1ccc2c(c1)[C@@]13CCCC[C@H]1[C@@H](C2)N(C)CC3 levo",
    "CN1CCC[C@H]1c1cccnc1 nic",
    "OCCCCCCCCCO diol",
]


@pytest.fixture
def src(tmp_path: Path) -> Path:
    p = tmp_path / "in.smi"
    p.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return p


def _checker(reg) -> Checker:  # type: ignore[no-untyped-def]
    return Checker(reg, class_evaluators=[], analogue_flagger=None, use_opsin=False)


def _run(src: Path, out: Path, reg, **kw) -> bytes:  # type: ignore[no-untyped-def]
    screen_file(src, out, checker=_checker(reg), as_of=AS_OF, **kw)
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_chunk_size_does_not_change_the_output(tmp_path: Path, src: Path, mini_registry, fmt: str) -> None:  # type: ignore[no-untyped-def]
    whole = _run(src, tmp_path / f"a.{fmt}", mini_registry, chunk_size=1000)
    small = _run(src, tmp_path / f"b.{fmt}", mini_registry, chunk_size=3)
    single = _run(src, tmp_path / f"c.{fmt}", mini_registry, chunk_size=1)
    assert whole == small == single
    assert len(whole.decode().strip().splitlines()) == len(LINES) + (fmt == "csv")
    assert not parts_folder(tmp_path / f"b.{fmt}").exists()


def test_parquet_chunks_are_joined_in_order(tmp_path: Path, src: Path, mini_registry) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    _run(src, tmp_path / "a.parquet", mini_registry, chunk_size=2)
    t = pq.read_table(tmp_path / "a.parquet")
    assert t.column("id").to_pylist() == [ln.split()[1] if ln else "3" for ln in LINES]
    assert t.schema.metadata[b"analogwatch.as_of"] == b"2025-01-01"


def test_local_processes_agree_with_one_process(tmp_path: Path, src: Path, mini_registry) -> None:  # type: ignore[no-untyped-def]
    one = _run(src, tmp_path / "a.jsonl", mini_registry, chunk_size=2)
    two = _run(src, tmp_path / "b.jsonl", mini_registry, chunk_size=2, jobs=2)
    assert one == two


@pytest.mark.xdist_group("dask")
def test_dask_engine_agrees_row_for_row(tmp_path: Path, src: Path, mini_registry) -> None:  # type: ignore[no-untyped-def]
    local = _run(src, tmp_path / "a.csv", mini_registry, chunk_size=2)
    dask = _run(src, tmp_path / "b.csv", mini_registry, chunk_size=2, engine="dask", jobs=2)
    assert local == dask


class _Crash(Exception):
    pass


class _CrashingChecker(Checker):
    """Fails on its n-th batch, like a run killed part-way through."""

    def __init__(self, reg, fail_on: int) -> None:  # type: ignore[no-untyped-def]
        super().__init__(reg, class_evaluators=[], analogue_flagger=None, use_opsin=False)
        self.calls = 0
        self.fail_on = fail_on

    def screen_many(self, records, *, as_of):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == self.fail_on:
            raise _Crash("killed")
        return super().screen_many(records, as_of=as_of)


def test_resume_after_interruption_redoes_only_missing_chunks(tmp_path: Path, src: Path, mini_registry) -> None:  # type: ignore[no-untyped-def]
    expected = _run(src, tmp_path / "ref.csv", mini_registry, chunk_size=2)
    out = tmp_path / "out.csv"
    with pytest.raises(_Crash):
        screen_file(src, out, checker=_CrashingChecker(mini_registry, fail_on=3), as_of=AS_OF, chunk_size=2)
    parts = sorted(p.name for p in parts_folder(out).glob("part-*.csv"))
    assert parts == ["part-00000000.csv", "part-00000001.csv"]
    assert not out.exists()
    again = _CrashingChecker(mini_registry, fail_on=-1)
    summary = screen_file(src, out, checker=again, as_of=AS_OF, chunk_size=2, resume=True)
    assert summary.resumed_chunks == 2 and summary.chunks == 6
    assert again.calls == 4  # six chunks, two kept from the interrupted run
    assert out.read_bytes() == expected
    assert summary.total == len(LINES)


def test_resume_refuses_parts_from_another_input(tmp_path: Path, src: Path, mini_registry) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.csv"
    with pytest.raises(_Crash):
        screen_file(src, out, checker=_CrashingChecker(mini_registry, fail_on=2), as_of=AS_OF, chunk_size=2)
    with pytest.raises(InputError, match="different input"):
        screen_file(src, out, checker=_checker(mini_registry), as_of=date(2024, 1, 1), chunk_size=2, resume=True)
    # Without --resume the run starts afresh and succeeds.
    screen_file(src, out, checker=_checker(mini_registry), as_of=AS_OF, chunk_size=2)
    assert out.exists() and not parts_folder(out).exists()
