"""The demo data a new user sees on first start: believable, loaded once however often it is loaded, and only
its published offers of verified organisations are public."""

import pytest

from app.demo import content, council_content
from app.demo.loader import load_demo_data
from app.enums import PUBLIC_COMMITMENT_STATUSES
from tests.flows import all_pages


def public_titles_in_content() -> list[str]:
    verified = {s["key"] for s in content.SIGNATORIES if s["status"] == "verified"}
    return sorted(
        item["title"]
        for pledge in content.PLEDGES
        if pledge["status"] == "published" and pledge["signatory"] in verified
        for item in pledge["commitments"]
        if item["status"] in PUBLIC_COMMITMENT_STATUSES
    )


def test_demo_content_covers_what_a_new_user_should_see():
    covenants = {c["key"]: c for c in content.COVENANTS}
    assert len(content.AUTHORITIES) == 3
    assert sorted(len(c["priorities"]) for c in covenants.values()) == [5, 6, 10]
    assert len(content.SIGNATORIES) >= 30
    assert {s["sector"] for s in content.SIGNATORIES} >= {"private", "public", "voluntary"}
    assert len({s["size_band"] for s in content.SIGNATORIES}) >= 4
    commitments = [item for pledge in content.PLEDGES for item in pledge["commitments"]]
    assert len(commitments) >= 80
    assert len({item["offer_type"] for item in commitments}) >= 12
    assert {p["status"] for p in content.PLEDGES} == {
        "draft", "submitted", "changes_requested", "published", "withdrawn", "lapsed"
    }  # fmt: skip
    assert any(item["progress"] for item in commitments)


async def test_loading_twice_adds_nothing_the_second_time(app, client):
    first = await load_demo_data(app.state.sessionmaker)
    second = await load_demo_data(app.state.sessionmaker)
    assert first > 400
    assert second == 0
    commitments = await all_pages(client, "/v1/commitments")
    assert sorted(item["title"] for item in commitments) == public_titles_in_content()


async def test_only_published_offers_of_verified_organisations_are_public(app, client):
    await load_demo_data(app.state.sessionmaker)
    public_signatories = {item["name"] for item in await all_pages(client, "/v1/signatories")}
    assert public_signatories == {s["name"] for s in content.SIGNATORIES if s["status"] == "verified"}
    body = (await client.get("/v1/commitments?limit=100")).text
    for signatory in content.SIGNATORIES:
        contact = signatory.get("contact") or {}
        if contact.get("email"):
            assert contact["email"] not in body


@pytest.mark.parametrize("slug", [c["key"] for c in content.COVENANTS])
async def test_every_demo_covenant_is_public_with_its_priorities(app, client, slug):
    await load_demo_data(app.state.sessionmaker)
    priorities = (await client.get(f"/v1/covenants/{slug}/priorities")).json()
    expected = next(c for c in content.COVENANTS if c["key"] == slug)["priorities"]
    assert [p["code"] for p in priorities["items"]] == [p["code"] for p in expected]


async def test_the_demo_council_shows_its_strategy_and_what_young_people_said(app, client):
    """After `make run` a new user finds the council's side too: the published strategy, "you said, we did" with
    only approved wordings, and the annual report built from them."""
    await load_demo_data(app.state.sessionmaker)
    (strategy,) = council_content.STRATEGIES
    slug = strategy["covenant"]
    shown = await client.get(f"/v1/covenants/{slug}/strategy")
    assert shown.status_code == 200, shown.text
    references = [action["reference"] for priority in shown.json()["priorities"] for action in priority["actions"]]
    assert sorted(references) == sorted(action["reference"] for action in strategy["actions"])

    approved = [entry for entry in council_content.YOU_SAID if entry["public_words"] is not None]
    said = (await client.get(f"/v1/covenants/{slug}/you-said-we-did")).json()["items"]
    newest_first = sorted(approved, key=lambda entry: entry["raised_on"], reverse=True)
    assert [item["said"] for item in said] == [entry["public_words"] for entry in newest_first]
    assert [[r["did"] for r in item["responses"]] for item in said] == [
        [r["did"] for r in entry["responses"]] for entry in newest_first
    ]
    everything_public = (await client.get(f"/v1/covenants/{slug}/you-said-we-did.html")).text + str(said)
    for entry in council_content.YOU_SAID:
        assert entry["words"] not in everything_public
    for problem in council_content.PROBLEMS:
        assert problem["details"] not in everything_public
