from pathlib import Path

from rich.console import Console

from analogwatch.markets.model import JurisdictionStatus, ListingRecord, SubstanceMention
from analogwatch.markets.vendors import build_report, jurisdictions_for, print_report, write_report


def rec(i, vendor, market, date, name, us, un, frm="US", to=("WW",), per_mg=1.0):
    return ListingRecord(
        row=i, market=market, source_file="f", listing_id=f"L{i}", title=f"t{i}", vendor=vendor, date=date,
        substances=[SubstanceMention(name=name, matched_text=name, source="lexicon", in_registry=True, verdicts={
            "US": JurisdictionStatus(controlled=us, basis="listed" if us else "none"),
            "CN": JurisdictionStatus(controlled=True, basis="listed"),
            "UN": JurisdictionStatus(controlled=un, basis="listed" if un else "none"),
        })],
        ships_from=frm, ships_to=list(to), price_usd_per_mg=per_mg,
    )


RECORDS = [
    rec(0, "Alpha", "agora", "2014-01-01", "Cocaine", True, True),
    rec(1, "alpha ", "agora", "2014-03-01", "U-47700", False, False, per_mg=2.0),
    rec(2, "ALPHA", "agartha", "2020-03-30", "Cocaine", True, True, frm="NL", to=("EU",)),
    rec(3, "beta", "agora", "2014-02-01", "Cocaine", True, True, frm=None, to=()),
]


def test_report_tracks_vendors_across_dates_and_markets():
    report = build_report(RECORDS)
    a = next(v for v in report.vendors if v.market == "agora" and v.vendor.lower().strip() == "alpha")
    assert (a.first_seen, a.last_seen, len(a.listings)) == ("2014-01-01", "2014-03-01", 2)
    assert a.substances_by_date["2014-03-01"] == {"U-47700"}
    assert a.other_markets == ["agartha"] and report.cross_market == {"alpha": ["agartha", "agora"]}
    kinds = a.flag_counts()
    # US origin: cocaine controlled in the US; WW destination: U-47700 uncontrolled in US and UN
    assert kinds["controlled_in_origin"] == 1 and kinds["uncontrolled_in_destination"] == 2
    assert ("U-47700", "2014-03-01", 2.0) in a.price_history()
    b = next(v for v in report.vendors if v.vendor == "beta")
    assert not b.flags


def test_jurisdiction_mapping_is_explicit():
    assert jurisdictions_for("US", destination=False) == ["US"]
    assert jurisdictions_for("NL", destination=False) == ["UN"]
    assert jurisdictions_for("WW", destination=True) == ["US", "CN", "UN"]
    assert jurisdictions_for("WW", destination=False) == []


def test_report_renders(tmp_path: Path):
    report = build_report(RECORDS)
    console = Console(record=True, width=200)
    print_report(report, console)
    assert "Alpha" in console.export_text()
    write_report(report, tmp_path / "r.html")
    write_report(report, tmp_path / "r.md")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<script" not in html and "U-47700" in html
    assert "UN conventions" in (tmp_path / "r.md").read_text(encoding="utf-8")
