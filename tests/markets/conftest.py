"""Fixtures for market watch: an extractor over the small test registry (fast, and independent of
the shipped registry's data files), and the shared darknet data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

from analogwatch.markets.extract import Extractor
from analogwatch.registry import Registry


@pytest.fixture(scope="session")
def extractor(mini_registry: Registry) -> Extractor:
    return Extractor(mini_registry, use_opsin=False)


@pytest.fixture
def darknet(shared_data: Path) -> Path:
    path = shared_data / "darknet"
    if not path.is_dir():
        pytest.skip("../shared/data/darknet is not present on this machine")
    return path
