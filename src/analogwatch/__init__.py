"""analogwatch: control status of synthetic drugs under listings and class-wide legal definitions."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("analogwatch")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
