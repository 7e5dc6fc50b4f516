"""The screening pipeline: stream records from a file, check each, write results in order."""

from analogwatch.screen.pipeline import ScreenSummary, screen_file
from analogwatch.screen.readers import Record, read_records

__all__ = ["Record", "ScreenSummary", "read_records", "screen_file"]
