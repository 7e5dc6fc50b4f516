"""Market watch: ingest darknet-market listings, extract what is sold, track vendors.

The public surface: ``analogwatch.markets.ingest.ingest`` (files and folders to records),
``Extractor`` (one listing to a
record), the record models, ``build_report`` (vendor tracking) and ``submit_sightings``.
Imports are lazy so that ``analogwatch --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analogwatch.markets.extract import Extractor
    from analogwatch.markets.model import ListingRecord, RawListing, SubstanceMention
    from analogwatch.markets.service import submit_sightings
    from analogwatch.markets.vendors import build_report

__all__ = ["Extractor", "ListingRecord", "RawListing", "SubstanceMention", "build_report",
           "submit_sightings"]

_WHERE = {
    "Extractor": "extract", "ListingRecord": "model", "RawListing": "model",
    "SubstanceMention": "model", "submit_sightings": "service", "build_report": "vendors",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"analogwatch.markets.{_WHERE[name]}"), name)
    raise AttributeError(name)
