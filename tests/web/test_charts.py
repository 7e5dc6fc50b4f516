"""Charts and control dates: the numbers behind the pictures."""

from __future__ import annotations

from datetime import date

from analogwatch.web import charts
from analogwatch.web.control import ControlDate, describe_days, lag_sentence, lags


def _control(j: str, since: date | None) -> ControlDate:
    return ControlDate(j, since is not None, since, "listed" if since else "none", None, "definite")


def test_lags_are_counted_from_the_first_sighting() -> None:
    first = date(2024, 1, 1)
    out = lags(first, [_control("US", date(2024, 7, 1)), _control("CN", date(2020, 1, 1)), _control("UN", None)],
               today=date(2025, 1, 1))
    assert [lag.days for lag in out] == [182, -1461, None]
    assert out[2].open_days == 366
    assert lag_sentence(out[0]) == "United States: controlled 6 months after the first sighting"
    assert lag_sentence(out[1]) == "China: controlled 4 years before the first sighting"
    assert lag_sentence(out[2]) == "UN conventions: not controlled, 1 year after the first sighting"
    assert describe_days(0) == "0 days" and describe_days(400) == "1 year 1 month"


def test_monthly_bars_fill_the_months_without_sightings() -> None:
    svg = charts.monthly_bars([("2024-01", 2), ("2024-04", 1)], title="t")
    assert svg.count("<rect") == 2 and "Apr 2024: 1 report" in svg
    assert "3 reports from" in svg  # the description read by screen readers
    empty = charts.monthly_bars([], title="none")
    assert "No sightings" in empty


def test_chart_text_is_escaped() -> None:
    first = date(2024, 1, 1)
    rows = [("<script>alert(1)</script>", "/substances/X", lags(first, [_control("US", None)], today=first))]
    svg = charts.lag_chart(rows, title="a & b")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    bars = charts.horizontal_bars([("<b>", 3, "#000")], title="x")
    assert "<b>" not in bars


def test_timeline_draws_old_control_at_the_edge() -> None:
    first = date(2024, 3, 1)
    controls = [_control("US", date(1971, 5, 1)), _control("CN", date(2024, 9, 1)), _control("UN", None)]
    svg = charts.substance_timeline(
        [("2024-03", 2), ("2024-05", 1)], [charts.CountryRow("US", "United States", first, date(2024, 5, 2), 3)],
        lags(first, controls, today=date(2025, 3, 1)), today=date(2025, 3, 1), title="t",
    )
    assert "since 1971-05-01" in svg  # more than three years before the first sighting: written out
    assert "not controlled" in svg and "first sighting 2024-03-01" in svg
