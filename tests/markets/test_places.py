import pytest

from analogwatch.markets.places import parse_destinations, parse_origin


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("United States", "US"), ("USA", "US"), ("  usa \n ", "US"), ("Worldwide", "WW"), ("Europe", "EU"),
        ("Netherlands", "NL"), ("Holland", "NL"), ("UK", "GB"), ("From: USA To: USA", "US"), ("Torland", None),
        ("Undeclared;)", None), ("NA", None), ("", None), (None, None), ("Hong Kong", "HK"),
    ],
)
def test_origin(text, code):
    assert parse_origin(text) == code


def test_destinations_with_exceptions():
    d = parse_destinations("Worldwide except Australia, New Zealand, Russia")
    assert d.to == ["WW"] and d.excluded == ["AU", "NZ", "RU"]
    d = parse_destinations("We do not ship to USA / Canada")
    assert d.to == ["WW"] and d.excluded == ["US", "CA"]
    assert parse_destinations(["Worldwide"]).to == ["WW"]
    assert parse_destinations("EU, North America").to == ["EU", "US", "CA", "MX"]
    assert parse_destinations("Ships in 24h to US").to == ["US"]  # "in" is not India
    assert parse_destinations(None).to == []
