"""The registry of controlled substances: listings per jurisdiction, loaded from data files."""

from analogwatch.registry.loader import Registry, default_registry, load_registry
from analogwatch.registry.model import JURISDICTIONS, ControlList, Listing, Substance
from analogwatch.registry.names import normalize_name
from analogwatch.registry.resolve import Resolver

__all__ = [
    "JURISDICTIONS", "ControlList", "Listing", "Registry", "Resolver", "Substance",
    "default_registry", "load_registry", "normalize_name",
]
