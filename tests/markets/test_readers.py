"""Every input kind, unseen column layouts and malformed rows."""

import json
from pathlib import Path

import pytest

from analogwatch.errors import InputError
from analogwatch.markets.profiles import find_profile, generic_profile, load_profile, profile_for, shipped_profiles
from analogwatch.markets.readers import read_listings


def rows(path, fmt, mapping=None, market=None):
    prof = find_profile(market) if market else generic_profile(fmt)
    if mapping:
        prof = prof.with_map(mapping)
    return list(read_listings(path, prof, fmt))


def test_csv_with_multiline_cells_and_padding(tmp_path: Path):
    p = tmp_path / "dump.csv"
    p.write_text('id,title,vendor,from\n1,"5g 5F-PB22\nsecond line","v1","\n   China\n  "\n2,MDMA 1g,v2,NL\n',
                 encoding="utf-8")
    got = rows(p, "csv")
    assert [r.values["title"] for r in got] == ["5g 5F-PB22 second line", "MDMA 1g"]
    assert got[0].values["ships_from"] == "China" and got[1].values["listing_id"] == "2"


def test_bad_bytes_are_repaired_per_cell_and_noted(tmp_path: Path):
    p = tmp_path / "dump.csv"
    p.write_bytes("title,vendor\nKetamine 1g,caf\u00e9\n".encode() + b"Coca\xefne 1g,v\xe9ndor\n")
    got = rows(p, "csv")
    assert got[0].values["vendor"] == "caf\u00e9" and not got[0].repairs
    assert got[1].values["title"] == "Coca\u00efne 1g" and got[1].values["vendor"] == "v\u00e9ndor"
    assert any("cp1252" in r for r in got[1].repairs)


def test_missing_and_extra_fields(tmp_path: Path):
    p = tmp_path / "dump.csv"
    p.write_text("title,vendor,price\nMDMA 1g\nKetamine 1g,v,0.1,EXTRA\n,v,0.2\n", encoding="utf-8")
    got = rows(p, "csv")
    assert len(got) == 3
    assert got[0].values["vendor"] is None and got[0].repairs
    assert got[1].problems and "fields" in got[1].problems[0]
    assert got[2].values["title"] is None


def test_unseen_layout_needs_only_a_map(tmp_path: Path):
    p = tmp_path / "weird.tsv"
    p.write_text("ref\tWhat\tWho\tCost\tOrigin\nA1\tU4 10 grams\tbob\t12\tUSA\n", encoding="utf-8")
    with pytest.raises(InputError, match="no title column"):
        rows(p, "csv")
    got = rows(p, "csv", {"title": "What", "vendor": "Who", "price": "Cost", "ships_from": "Origin",
                          "listing_id": "ref", "currency": "value:USD"})
    assert got[0].values == {"listing_id": "A1", "title": "U4 10 grams", "vendor": "bob", "price": "12",
                             "ships_from": "USA", "currency": "USD"}
    with pytest.raises(InputError, match="not in the file"):
        rows(p, "csv", {"title": "Nope"})


def test_json_list_and_nested_object_of_records(tmp_path: Path):
    p = tmp_path / "a.json"
    p.write_text(json.dumps([{"name": "Xanax 2mg", "seller": "s"}, 5]), encoding="utf-8")
    got = rows(p, "json")
    assert got[0].values["title"] == "Xanax 2mg" and got[0].values["vendor"] == "s"
    assert got[1].problems == ["record is a int, not an object"]
    p2 = tmp_path / "b.json"
    p2.write_text(json.dumps({"k1": {"page": {"t": "MDMA 1g"}}}), encoding="utf-8")
    got = rows(p2, "json", {"title": "page.t", "listing_id": "$key"})
    assert got[0].values == {"title": "MDMA 1g", "listing_id": "k1"}


def test_jsonl_malformed_lines_become_invalid_rows(tmp_path: Path):
    p = tmp_path / "a.jsonl"
    p.write_bytes(b'{"title": "MDMA 1g"}\n{"title": broken\n\n[1]\n{"title": "Coca\xefne"}\n')
    got = rows(p, "jsonl")
    assert len(got) == 4
    assert got[0].values["title"] == "MDMA 1g"
    assert "not valid JSON" in got[1].problems[0]
    assert "not an object" in got[2].problems[0]
    assert got[3].values["title"] == "Coca\u00efne"


def test_html_profile_from_data(tmp_path: Path):
    prof = tmp_path / "mymarket.yaml"
    prof.write_text(
        "market: mymarket\nformat: html\nlisting: 'div.item'\nfields:\n"
        "  title: {css: h2}\n  vendor: {css: '.seller', page: false}\n  ships_from: {label: 'Ships from'}\n"
        "  price: {css: '.price'}\n  listing_id: {css: a, attr: href, regex: 'id=(\\d+)'}\n",
        encoding="utf-8",
    )
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body>"
        "<div class=item><h2>1g 4-FIBF</h2><span class=seller>x</span><a href='?id=7'>buy</a>"
        "<table><tr><td>Ships from</td><td>China</td></tr></table><b class=price>$40</b></div>"
        "<div class=item><h2>U4 5g</h2><a href='?id=8'>buy</a></div></body></html>",
        encoding="utf-8",
    )
    got = rows(page, "html", market=str(prof))
    assert [r.values["title"] for r in got] == ["1g 4-FIBF", "U4 5g"]
    assert got[0].values["ships_from"] == "China" and got[0].values["listing_id"] == "7"
    assert got[1].values["vendor"] is None


def test_broken_profile_fails_loudly(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("market: x\nfields:\n  titel: product\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown field 'titel'"):
        load_profile(bad)


def test_shipped_profiles_and_file_name_matching():
    names = {p.market for p in shipped_profiles()}
    assert {"agora", "agartha", "berlusconi", "drugsmedicine"} <= names
    assert profile_for(Path("products-2014-01-01.csv")).market == "agora"
    assert profile_for(Path("agartha_products_2020-03-31.json")).market == "agartha"
    assert profile_for(Path("somewhere_else.csv")) is None


def test_shipped_profiles_read_the_saved_pages(darknet: Path):
    anita = darknet / "anita-2020"
    (b,) = list(read_listings(anita / "berlusconi_product_page.htm", profile_for(anita / "berlusconi_product_page.htm"),
                              "html"))
    assert b.values["title"] == "AXA MED TREN 1MG" and b.values["vendor"] == "SocialPharma"
    assert b.values["ships_from"] == "Europe" and b.values["price"] == "35 EUR"
    (p,) = list(read_listings(anita / "drugsmedicine_product_page.htm",
                              profile_for(anita / "drugsmedicine_product_page.htm"), "html"))
    assert p.values["title"] == "1G of PURE UNCUT PERUVIAN COCAINE" and p.values["vendor"] == "fredthebaker"
    v = list(read_listings(anita / "drugsmedicine_vendor_page.htm",
                           profile_for(anita / "drugsmedicine_vendor_page.htm"), "html"))
    assert len(v) == 4 and {r.values["vendor"] for r in v} == {"fredthebaker"}
    assert v[3].values["title"] == "1g Beautiful MDMA 80%+" and v[3].values["ships_from"] == "Germany"
