"""Filters of the public lists, alone and combined: each answer is the exact set of records a young person or a
council page should see, worked out from the records the test created."""

from urllib.parse import urlencode

import pytest

from app.enums import Audience

LANCASHIRE = "E10000017"
BRISTOL = "E06000023"

# name: (organisation, covenant/priority, min_age, max_age, areas, offer_type, audiences, status, title, description)
OFFERS = {
    "bakery_apprenticeship": (
        "bakery", "a_eet", 16, 18, (LANCASHIRE,), "apprenticeship", ("care_leavers",), "active",
        "Bakery apprenticeship", "Early starts and a named mentor.",
    ),
    "bakery_job": (
        "bakery", "a_eet", 19, 25, (LANCASHIRE,), "job", ("care_leavers",), "active",
        "Shop assistant", "Serve customers in our BAKERY shop.",
    ),
    "mentoring_19": (
        "trust", "a_home", 19, 19, (BRISTOL,), "mentoring", ("care_leavers",), "paused",
        "Mentoring at nineteen", "A mentor for the year you turn nineteen.",
    ),
    "flat_share": (
        "trust", "a_home", 21, 25, (LANCASHIRE, BRISTOL), "accommodation", ("care_leavers",), "full",
        "Supported flat share", "A room of your own.",
    ),
    "national_bursary": (
        "college", "b_study", 16, 19, ("national",), "bursary", ("care_leavers", "send"), "active",
        "Study bursary, 100% funded", "Fees and books paid.",
    ),
    "remote_mentoring": (
        "trust", "a_home", 18, 24, ("remote",), "mentoring", ("children_in_care",), "active",
        "Online mentoring", "Weekly video calls.",
    ),
    "bristol_job": (
        "college", "b_study", 18, 25, (BRISTOL,), "job", ("send",), "active",
        "Bristol café job", "Paid work in the college Café.",
    ),
}  # fmt: skip


@pytest.fixture
async def world(factory):
    """Two covenants, three verified organisations and one pending, and the offers above: names mapped to ids."""
    covenant_a, (eet, home) = await factory.covenant(priorities=2)
    covenant_b, (study,) = await factory.covenant(priorities=1, audience=Audience.SEND)
    organisations = {
        "bakery": await factory.signatory(name="Ribble Valley Bakery", sector="private", size_band="small"),
        "trust": await factory.signatory(
            name="Bristol Youth Trust", sector="voluntary", size_band="medium", areas=(BRISTOL,)
        ),
        "college": await factory.signatory(
            name="Northern College", sector="education", size_band="large", areas=("national",)
        ),
        "pending": await factory.signatory(name="Pending Bakery", status="pending", verified_at=None),
    }
    pledges = {
        ("bakery", "a"): await factory.pledge(organisations["bakery"], covenant_a),
        ("trust", "a"): await factory.pledge(organisations["trust"], covenant_a),
        ("college", "b"): await factory.pledge(organisations["college"], covenant_b),
        ("pending", "a"): await factory.pledge(organisations["pending"], covenant_a),
    }
    # Not published in covenant B: the trust must not count as one of its signatories.
    await factory.pledge(organisations["trust"], covenant_b, status="draft", published_at=None)
    priorities = {"a_eet": eet, "a_home": home, "b_study": study}
    ids = {}
    for name, (org, priority, low, high, areas, offer_type, audiences, status, title, description) in OFFERS.items():
        row = await factory.commitment(
            pledges[(org, priority[0])],
            priorities[priority],
            areas=areas,
            audiences=audiences,
            min_age=low,
            max_age=high,
            offer_type=offer_type,
            status=status,
            title=title,
            description=description,
        )
        ids[name] = row.id
    # A pending organisation's offer matches many filters but is never public.
    await factory.commitment(pledges[("pending", "a")], eet, title="Pending bakery job", offer_type="job")
    return {
        "ids": ids,
        "covenants": {"a": covenant_a, "b": covenant_b},
        "priorities": priorities,
        "signatories": {name: row.id for name, row in organisations.items()},
    }


async def listed(client, path: str, params) -> list[str]:
    response = await client.get(f"{path}?{urlencode([*params, ('limit', 100)], doseq=True)}")
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    ids = [item["id"] for item in response.json()["items"]]
    assert len(ids) == len(set(ids)), "an item is listed twice"
    return ids


async def offers(client, world, params) -> set[str]:
    """The names of the offers GET /v1/commitments returns for these query parameters."""
    by_id = {offer_id: name for name, offer_id in world["ids"].items()}
    ids = await listed(client, "/v1/commitments", params)
    assert set(ids) <= set(by_id), "a record that is not public was listed"
    return {by_id[offer_id] for offer_id in ids}


ALL = set(OFFERS)


async def test_no_filter_lists_every_public_offer(client, world):
    assert await offers(client, world, []) == ALL


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (19, {"bakery_job", "mentoring_19", "national_bursary", "remote_mentoring", "bristol_job"}),
        (18, {"bakery_apprenticeship", "remote_mentoring", "bristol_job", "national_bursary"}),
        (16, {"bakery_apprenticeship", "national_bursary"}),
        (25, {"bakery_job", "flat_share", "bristol_job"}),
        (15, set()),
        (26, set()),
    ],
)
async def test_age_includes_both_ends_of_the_range(client, world, age, expected):
    assert await offers(client, world, [("age", age)]) == expected


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (LANCASHIRE, {"bakery_apprenticeship", "bakery_job", "flat_share", "national_bursary", "remote_mentoring"}),
        (BRISTOL, {"mentoring_19", "flat_share", "bristol_job", "national_bursary", "remote_mentoring"}),
        ("E08000012", {"national_bursary", "remote_mentoring"}),
    ],
)
async def test_area_adds_national_and_remote_offers(client, world, area, expected):
    assert await offers(client, world, [("area", area)]) == expected


async def test_priority_takes_the_priority_id(client, world):
    eet, home = world["priorities"]["a_eet"], world["priorities"]["a_home"]
    assert await offers(client, world, [("priority", eet.id)]) == {"bakery_apprenticeship", "bakery_job"}
    assert await offers(client, world, [("priority", home.id)]) == {"mentoring_19", "flat_share", "remote_mentoring"}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["job"], {"bakery_job", "bristol_job"}),
        (["job", "mentoring"], {"bakery_job", "bristol_job", "mentoring_19", "remote_mentoring"}),
        (["guarantor"], set()),
    ],
)
async def test_offer_type_repeated_matches_any(client, world, values, expected):
    assert await offers(client, world, [("offer_type", value) for value in values]) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["voluntary"], {"mentoring_19", "flat_share", "remote_mentoring"}),
        (["private", "education"], {"bakery_apprenticeship", "bakery_job", "national_bursary", "bristol_job"}),
        (["public"], set()),
    ],
)
async def test_sector_is_the_organisations(client, world, values, expected):
    assert await offers(client, world, [("sector", value) for value in values]) == expected


async def test_covenant_by_id_or_slug(client, world):
    covenant_a, covenant_b = world["covenants"]["a"], world["covenants"]["b"]
    in_a = {"bakery_apprenticeship", "bakery_job", "mentoring_19", "flat_share", "remote_mentoring"}
    assert await offers(client, world, [("covenant", covenant_a.id)]) == in_a
    assert await offers(client, world, [("covenant", covenant_a.slug)]) == in_a
    assert await offers(client, world, [("covenant", covenant_b.slug)]) == {"national_bursary", "bristol_job"}
    assert await offers(client, world, [("covenant", "no-such-covenant")]) == set()


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("send", {"national_bursary", "bristol_job"}),
        ("children_in_care", {"remote_mentoring"}),
        ("care_leavers", ALL - {"bristol_job", "remote_mentoring"}),
    ],
)
async def test_audience(client, world, audience, expected):
    assert await offers(client, world, [("audience", audience)]) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["paused"], {"mentoring_19"}),
        (["full"], {"flat_share"}),
        (["active", "full"], ALL - {"mentoring_19"}),
        (["active", "paused", "full"], ALL),
    ],
)
async def test_status(client, world, values, expected):
    assert await offers(client, world, [("status", value) for value in values]) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("bakery", {"bakery_apprenticeship", "bakery_job"}),  # in one title and in another description
        ("BaKeRy", {"bakery_apprenticeship", "bakery_job"}),
        ("CAFÉ", {"bristol_job"}),
        # Under three letters in a row PostgreSQL searches without its trigram index: the same answers.
        ("rY", {"bakery_apprenticeship", "bakery_job", "national_bursary"}),
        ("É", {"bristol_job"}),
        ("  mentor  ", {"bakery_apprenticeship", "mentoring_19", "remote_mentoring"}),
        ("100%", {"national_bursary"}),
        ("%", {"national_bursary"}),  # a literal percent sign, not a wildcard
        ("_", set()),  # a literal underscore, not a wildcard
        ("flat share room", set()),  # the words must appear together
        ("   ", ALL),  # an empty search box lists everything
    ],
)
async def test_free_text_searches_title_and_description(client, world, q, expected):
    assert await offers(client, world, [("q", q)]) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("age", 19), ("area", LANCASHIRE), ("offer_type", "job")], {"bakery_job"}),
        (
            [("age", 19), ("area", LANCASHIRE), ("offer_type", "job"), ("offer_type", "bursary")],
            {"bakery_job", "national_bursary"},
        ),
        ([("age", 19), ("area", BRISTOL), ("sector", "voluntary")], {"mentoring_19", "remote_mentoring"}),
        ([("age", 19), ("area", BRISTOL), ("sector", "voluntary"), ("status", "active")], {"remote_mentoring"}),
        ([("area", BRISTOL), ("audience", "send"), ("q", "café")], {"bristol_job"}),
        ([("area", LANCASHIRE), ("audience", "send"), ("q", "café")], set()),
        ([("age", 21), ("offer_type", "mentoring")], {"remote_mentoring"}),
    ],
)
async def test_filters_combine_with_and(client, world, params, expected):
    assert await offers(client, world, params) == expected


async def test_covenant_priority_and_text_combine(client, world):
    covenant_a, eet = world["covenants"]["a"], world["priorities"]["a_eet"]
    params = [("covenant", covenant_a.slug), ("priority", eet.id), ("q", "shop")]
    assert await offers(client, world, params) == {"bakery_job"}
    # The same priority in the other covenant can never match.
    assert await offers(client, world, [("covenant", world["covenants"]["b"].slug), ("priority", eet.id)]) == set()


async def test_signatory_and_pledge_filters(client, world):
    trust = world["signatories"]["trust"]
    assert await offers(client, world, [("signatory", trust)]) == {"mentoring_19", "flat_share", "remote_mentoring"}
    assert await offers(client, world, [("signatory", world["signatories"]["pending"])]) == set()


async def test_filtered_items_carry_what_was_filtered_on(client, world):
    response = await client.get(f"/v1/commitments?age=19&area={LANCASHIRE}&sector=private")
    (item,) = response.json()["items"]
    assert item["id"] == world["ids"]["bakery_job"]
    assert item["eligibility"]["min_age"] <= 19 <= item["eligibility"]["max_age"]
    assert item["areas"] == [LANCASHIRE]
    assert item["signatory"] == {
        "id": world["signatories"]["bakery"],
        "name": "Ribble Valley Bakery",
        "sector": "private",
    }


# ---------------------------------------------------------------- signatories


async def organisations(client, world, params) -> set[str]:
    by_id = {signatory_id: name for name, signatory_id in world["signatories"].items()}
    return {by_id[signatory_id] for signatory_id in await listed(client, "/v1/signatories", params)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([], {"bakery", "trust", "college"}),
        ([("sector", "private")], {"bakery"}),
        ([("sector", "voluntary"), ("sector", "education")], {"trust", "college"}),
        ([("size_band", "medium"), ("size_band", "large")], {"trust", "college"}),
        ([("size_band", "micro")], set()),
        ([("area", LANCASHIRE)], {"bakery", "college"}),
        ([("area", BRISTOL)], {"trust", "college"}),
        ([("q", "bakery")], {"bakery"}),
        ([("q", "BRISTOL youth")], {"trust"}),
        ([("q", "rY")], {"bakery"}),
        ([("q", "bR")], {"trust"}),
        ([("q", "%")], set()),
        ([("area", LANCASHIRE), ("sector", "education")], {"college"}),
        ([("area", BRISTOL), ("size_band", "medium"), ("q", "trust")], {"trust"}),
        ([("area", BRISTOL), ("size_band", "small")], set()),
    ],
)
async def test_signatory_filters(client, world, params, expected):
    assert await organisations(client, world, params) == expected


@pytest.mark.parametrize("q", ["café élan", "CAFÉ ÉLAN", "élan"])
async def test_signatory_name_search_ignores_case_beyond_ascii(client, factory, q):
    shown = await factory.signatory(name="Café Élan Co-operative")
    await factory.signatory(name="Cafe Elan Ltd")
    response = await client.get("/v1/signatories", params={"q": q})
    assert [item["id"] for item in response.json()["items"]] == [shown.id]


async def test_signatories_of_a_covenant_are_those_with_a_published_pledge_in_it(client, world):
    covenant_a, covenant_b = world["covenants"]["a"], world["covenants"]["b"]
    assert await organisations(client, world, [("covenant", covenant_a.slug)]) == {"bakery", "trust"}
    assert await organisations(client, world, [("covenant", covenant_a.id)]) == {"bakery", "trust"}
    assert await organisations(client, world, [("covenant", covenant_b.slug)]) == {"college"}
    assert await organisations(client, world, [("covenant", covenant_b.slug), ("sector", "private")]) == set()


async def test_signatories_are_listed_in_name_order(client, world):
    names = [item["name"] for item in (await client.get("/v1/signatories")).json()["items"]]
    assert names == ["Bristol Youth Trust", "Northern College", "Ribble Valley Bakery"]


# ---------------------------------------------------------------- invalid values


@pytest.mark.parametrize(
    ("path", "query", "pointer"),
    [
        ("/v1/commitments", "age=-1", "/age"),
        ("/v1/commitments", "age=31", "/age"),
        ("/v1/commitments", "age=nineteen", "/age"),
        ("/v1/commitments", "limit=101", "/limit"),
        ("/v1/commitments", "limit=0", "/limit"),
        ("/v1/commitments", "offer_type=spaceship", "/offer_type/0"),
        ("/v1/commitments", "offer_type=job&offer_type=spaceship", "/offer_type/1"),
        ("/v1/commitments", "status=withdrawn", "/status/0"),
        ("/v1/commitments", "status=ended", "/status/0"),
        ("/v1/commitments", "sector=charity", "/sector/0"),
        ("/v1/commitments", "audience=everyone", "/audience"),
        ("/v1/commitments", "area=Narnia", "/area"),
        # A code (EET) is a valid priority since the filter takes codes as writes do; this is neither.
        ("/v1/commitments", "priority=not%20a%20priority", "/priority"),
        ("/v1/commitments", "covenant=Not%20A%20Slug", "/covenant"),
        ("/v1/commitments", "q=line%0Abreak", "/q"),
        ("/v1/signatories", "size_band=huge", "/size_band/0"),
        ("/v1/signatories", "sector=charity", "/sector/0"),
        ("/v1/signatories", "area=E1", "/area"),
        ("/v1/signatories", "limit=101", "/limit"),
        ("/v1/commitments.csv", "age=-1", "/age"),
    ],
)
async def test_invalid_filter_is_a_validation_problem(client, path, query, pointer):
    response = await client.get(f"{path}?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert pointer in [error["pointer"] for error in problem["errors"]]
