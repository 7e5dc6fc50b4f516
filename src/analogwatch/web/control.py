"""Control dates per jurisdiction and the lag between a substance's first sighting and its control.

The control date of a jurisdiction is the earliest date from which a ground in force today has
applied: a listing's effective date, or for a class definition the first instrument that made the
matched clauses law (a class may have been temporary, then permanent: the lag runs to the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from analogwatch.verdicts import Match, Result, Verdict

JURISDICTIONS = ("US", "CN", "UN")
JURISDICTION_NAMES = {"US": "United States", "CN": "China", "UN": "UN conventions"}


@dataclass(frozen=True)
class ControlDate:
    jurisdiction: str
    controlled: bool
    since: date | None
    basis: str
    ground: str | None
    certainty: str


@dataclass(frozen=True)
class Lag:
    """Days from the first sighting to control (negative: controlled before it was seen);
    for a jurisdiction that does not control the substance, ``days`` is None and ``open_days``
    counts from the first sighting to ``today``."""

    jurisdiction: str
    control: ControlDate
    first_sighting: date
    days: int | None
    open_days: int | None


@lru_cache(maxsize=1)
def _definitions() -> dict[str, object]:
    from analogwatch.rules import default_definitions

    return {d.id: d for d in default_definitions()}


def first_effective(match: Match) -> date | None:
    """When the ground of ``match`` first applied (class: the first instrument of its clauses)."""
    if match.basis == "class" and match.rule_id and ":" in match.rule_id:
        rule, clauses = match.rule_id.split(":", 1)
        definition = _definitions().get(rule)
        if definition is not None:
            names = [c for c in clauses.split("+") if c]
            try:
                since: date = definition.first_effective(names)  # type: ignore[attr-defined]
            except KeyError:
                return match.effective
            return min(since, match.effective) if match.effective else since
    return match.effective


def control_date(jurisdiction: str, verdict: Verdict | None) -> ControlDate:
    if verdict is None or not verdict.controlled:
        return ControlDate(jurisdiction, False, None, verdict.basis if verdict else "none", None,
                           verdict.certainty if verdict else "definite")
    dates = [d for d in (first_effective(m) for m in verdict.matches) if d is not None]
    since = min(dates) if dates else verdict.effective
    ground = verdict.substance or verdict.rule_id
    if verdict.schedule:
        ground = f"{ground} ({verdict.schedule})" if ground else verdict.schedule
    return ControlDate(jurisdiction, True, since, verdict.basis, ground, verdict.certainty)


def control_dates(result: Result) -> list[ControlDate]:
    return [control_date(j, result.verdicts.get(j)) for j in JURISDICTIONS]


def lags(first_sighting: date, controls: list[ControlDate], today: date | None = None) -> list[Lag]:
    today = today or date.today()
    out = []
    for c in controls:
        if c.controlled and c.since is not None:
            out.append(Lag(c.jurisdiction, c, first_sighting, (c.since - first_sighting).days, None))
        else:
            out.append(Lag(c.jurisdiction, c, first_sighting, None, max(0, (today - first_sighting).days)))
    return out


def describe_days(days: int) -> str:
    """'3 years 2 months', '5 months', '12 days' for an absolute number of days."""
    days = abs(days)
    years, rest = divmod(days, 365)
    months = round(rest / 30.44)
    if months == 12:
        years, months = years + 1, 0
    if years and months:
        return f"{years} year{'s' * (years > 1)} {months} month{'s' * (months > 1)}"
    if years:
        return f"{years} year{'s' * (years > 1)}"
    if months:
        return f"{months} month{'s' * (months > 1)}"
    return f"{days} day{'s' * (days != 1)}"


def lag_sentence(lag: Lag) -> str:
    name = JURISDICTION_NAMES[lag.jurisdiction]
    if lag.days is None:
        return f"{name}: not controlled, {describe_days(lag.open_days or 0)} after the first sighting"
    if lag.days > 0:
        return f"{name}: controlled {describe_days(lag.days)} after the first sighting"
    if lag.days == 0:
        return f"{name}: controlled on the day of the first sighting"
    return f"{name}: controlled {describe_days(lag.days)} before the first sighting"
