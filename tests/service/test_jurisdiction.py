"""The country -> jurisdiction mapping used for 'home' in alerts."""

from __future__ import annotations

import pytest

from analogwatch.service.jurisdiction import countries, jurisdiction_of, normalise_country


def test_mapping() -> None:
    # 249 = the ISO 3166-1 alpha-2 codes in the tz database's iso3166.tab
    assert len(countries()) == 249
    assert jurisdiction_of("US") == "US"
    assert jurisdiction_of("PR") == "US"  # territories are States under 21 U.S.C. 802(26)
    assert jurisdiction_of("CN") == "CN"
    assert jurisdiction_of("HK") == "UN"
    assert jurisdiction_of("NL") == "UN"
    assert {j for _, j in countries().values()} == {"US", "CN", "UN"}


@pytest.mark.parametrize("bad", ["XX", "USA", "", "1", "U S"])
def test_unknown_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="ISO 3166-1"):
        normalise_country(bad)


def test_codes_are_normalised() -> None:
    assert normalise_country(" mx ") == "MX"
