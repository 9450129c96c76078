"""What the public may never see: pledges that are not published, organisations that are not verified, offers
that are not active, paused or full, private contacts and key material. Checked on every public read, by list,
by id, by filter and as CSV."""

import csv
import io
from datetime import date

import pytest

from app.services.keys import hash_secret
from tests.flows import bearer, council, draft_pledge, published_pledge, register

HIDDEN_PLEDGE_STATUSES = ["draft", "submitted", "changes_requested", "withdrawn", "lapsed"]
HIDDEN_SIGNATORY_STATUSES = ["pending", "suspended", "withdrawn"]


@pytest.fixture
async def registry(factory):
    """One public offer, and next to it an active offer behind every state that must keep it out of sight."""
    covenant, priorities = await factory.covenant()
    shown = await factory.signatory(name="Shown Organisation")
    shown_pledge = await factory.pledge(shown, covenant)
    world = {
        "covenant": covenant,
        "shown": shown,
        "shown_pledge": shown_pledge,
        "offer": await factory.commitment(shown_pledge, priorities[0], title="The public offer"),
        "hidden_offers": [
            await factory.commitment(shown_pledge, priorities[0], status=status, title=f"A {status} offer")
            for status in ("ended", "withdrawn")
        ],
        "hidden_pledges": [],
        "unpublished_signatories": [],  # verified, but with no published pledge
        "hidden_signatories": [],
    }
    for status in HIDDEN_PLEDGE_STATUSES:
        signatory = await factory.signatory(name=f"Organisation with a {status} pledge")
        published_at = shown_pledge.published_at if status in ("withdrawn", "lapsed") else None
        pledge = await factory.pledge(signatory, covenant, status=status, published_at=published_at)
        world["hidden_offers"].append(
            await factory.commitment(pledge, priorities[1], title=f"Offer of a {status} pledge")
        )
        world["hidden_pledges"].append(pledge)
        world["unpublished_signatories"].append(signatory)
    for status in HIDDEN_SIGNATORY_STATUSES:
        signatory = await factory.signatory(name=f"A {status} organisation", status=status)
        pledge = await factory.pledge(signatory, covenant)
        world["hidden_offers"].append(await factory.commitment(pledge, priorities[1], title=f"Offer of a {status} org"))
        world["hidden_pledges"].append(pledge)
        world["hidden_signatories"].append(signatory)
    return world


async def ids_of(client, path: str, **params) -> list[str]:
    response = await client.get(path, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def csv_ids(client, path: str) -> list[str]:
    response = await client.get(path)
    assert response.status_code == 200
    return [row["id"] for row in csv.DictReader(io.StringIO(response.text))]


async def assert_not_found(client, path: str, headers: dict[str, str] | None = None) -> None:
    response = await client.get(path, headers=headers or {})
    assert response.status_code == 404, (path, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_lists_show_only_public_records(client, registry):
    assert await ids_of(client, "/v1/commitments") == [registry["offer"].id]
    assert await ids_of(client, "/v1/pledges") == [registry["shown_pledge"].id]
    verified = {registry["shown"].id} | {row.id for row in registry["unpublished_signatories"]}
    assert set(await ids_of(client, "/v1/signatories")) == verified


async def test_csv_downloads_show_only_public_records(client, registry):
    assert await csv_ids(client, "/v1/commitments.csv") == [registry["offer"].id]
    verified = {registry["shown"].id} | {row.id for row in registry["unpublished_signatories"]}
    assert set(await csv_ids(client, "/v1/signatories.csv")) == verified


async def test_hidden_records_are_not_found_by_id(client, registry):
    assert (await client.get(f"/v1/commitments/{registry['offer'].id}")).status_code == 200
    for offer in registry["hidden_offers"]:
        await assert_not_found(client, f"/v1/commitments/{offer.id}")
    for pledge in registry["hidden_pledges"]:
        await assert_not_found(client, f"/v1/pledges/{pledge.id}")
    for signatory in registry["hidden_signatories"]:
        await assert_not_found(client, f"/v1/signatories/{signatory.id}")


async def test_public_details_list_only_public_pledges_and_offers(client, registry):
    shown = (await client.get(f"/v1/signatories/{registry['shown'].id}")).json()
    assert [(p["id"], p["commitment_count"]) for p in shown["pledges"]] == [(registry["shown_pledge"].id, 1)]
    pledge = (await client.get(f"/v1/pledges/{registry['shown_pledge'].id}")).json()
    assert [offer["id"] for offer in pledge["commitments"]] == [registry["offer"].id]
    assert pledge["commitment_count"] == 1
    for signatory in registry["unpublished_signatories"]:
        response = await client.get(f"/v1/signatories/{signatory.id}")
        assert response.status_code == 200
        assert response.json()["pledges"] == []


async def test_filters_do_not_reach_hidden_records(client, registry):
    for pledge in registry["hidden_pledges"]:
        assert await ids_of(client, "/v1/commitments", pledge=pledge.id) == []
        assert await ids_of(client, "/v1/commitments", signatory=pledge.signatory_id) == []
        assert await ids_of(client, "/v1/pledges", signatory=pledge.signatory_id) == []
    for signatory in registry["hidden_signatories"]:
        assert await ids_of(client, "/v1/signatories", q=signatory.name) == []
    for status in ("active", "paused", "full"):
        assert set(await ids_of(client, "/v1/commitments", status=status)) <= {registry["offer"].id}
    covenant = registry["covenant"].slug
    assert await ids_of(client, "/v1/signatories", covenant=covenant) == [registry["shown"].id]
    assert await ids_of(client, "/v1/pledges", covenant=covenant) == [registry["shown_pledge"].id]


async def test_a_key_of_another_organisation_does_not_reveal_hidden_records(client, keyring, registry):
    stranger = bearer(await keyring.organisation(registry["shown"].id))
    draft_pledge_row = registry["hidden_pledges"][0]
    draft_offer = next(row for row in registry["hidden_offers"] if row.pledge_id == draft_pledge_row.id)
    pending = registry["hidden_signatories"][0]
    for path in (
        f"/v1/commitments/{draft_offer.id}",
        f"/v1/pledges/{draft_pledge_row.id}",
        f"/v1/signatories/{pending.id}",
    ):
        await assert_not_found(client, path, stranger)
    # The records do exist: their own organisation sees them.
    owner = bearer(await keyring.organisation(draft_pledge_row.signatory_id))
    assert (await client.get(f"/v1/commitments/{draft_offer.id}", headers=owner)).status_code == 200


# ---------------------------------------------------------------- changes made through the API


async def public_views_of(client, signatory_id: str, pledge_id: str, offer_id: str) -> dict[str, bool]:
    """Where the offer, its pledge and its organisation show up in public."""
    return {
        "offer list": offer_id in await ids_of(client, "/v1/commitments"),
        "offer csv": offer_id in await csv_ids(client, "/v1/commitments.csv"),
        "offer": (await client.get(f"/v1/commitments/{offer_id}")).status_code == 200,
        "pledge list": pledge_id in await ids_of(client, "/v1/pledges"),
        "pledge": (await client.get(f"/v1/pledges/{pledge_id}")).status_code == 200,
        "signatory list": signatory_id in await ids_of(client, "/v1/signatories"),
        "signatory csv": signatory_id in await csv_ids(client, "/v1/signatories.csv"),
        "signatory": (await client.get(f"/v1/signatories/{signatory_id}")).status_code == 200,
    }


async def test_suspension_hides_an_organisation_everywhere_until_reinstated(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, _, pledge = await published_pledge(client, lancashire)
    offer_id = pledge["commitments"][0]["id"]
    everywhere = dict.fromkeys(await public_views_of(client, signatory["id"], pledge["id"], offer_id), True)
    assert await public_views_of(client, signatory["id"], pledge["id"], offer_id) == everywhere

    officer = bearer(lancashire.officer_key)
    suspended = await client.post(f"/v1/signatories/{signatory['id']}/suspend", headers=officer)
    assert suspended.status_code == 200, suspended.text
    nowhere = dict.fromkeys(everywhere, False)
    assert await public_views_of(client, signatory["id"], pledge["id"], offer_id) == nowhere

    reinstated = await client.post(f"/v1/signatories/{signatory['id']}/reinstate", headers=officer)
    assert reinstated.status_code == 200, reinstated.text
    assert await public_views_of(client, signatory["id"], pledge["id"], offer_id) == everywhere


async def test_a_withdrawn_offer_leaves_its_published_pledge(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key, pledge = await published_pledge(client, lancashire, offers=2)
    kept, withdrawn = (offer["id"] for offer in pledge["commitments"])
    response = await client.post(
        f"/v1/commitments/{withdrawn}/withdraw", json={"reason": "The scheme has closed."}, headers=bearer(org_key)
    )
    assert response.status_code == 200, response.text
    assert await ids_of(client, "/v1/commitments") == [kept]
    assert await csv_ids(client, "/v1/commitments.csv") == [kept]
    await assert_not_found(client, f"/v1/commitments/{withdrawn}")
    detail = (await client.get(f"/v1/pledges/{pledge['id']}")).json()
    assert [offer["id"] for offer in detail["commitments"]] == [kept]
    assert detail["commitment_count"] == 1
    summary = (await client.get(f"/v1/signatories/{signatory['id']}")).json()["pledges"]
    assert [item["commitment_count"] for item in summary] == [1]


# ---------------------------------------------------------------- private contact and key material


def public_paths(slug: str, authority_id: str, signatory_id: str, pledge_id: str, offer_id: str) -> list[str]:
    today = date.today()
    year = today.year if today.month >= 4 else today.year - 1  # the financial year under way
    return [
        "/v1",
        "/v1/authorities",
        f"/v1/authorities/{authority_id}",
        "/v1/covenants",
        f"/v1/covenants/{slug}",
        f"/v1/covenants/{slug}/priorities",
        "/v1/signatories",
        f"/v1/signatories/{signatory_id}",
        "/v1/pledges",
        f"/v1/pledges/{pledge_id}",
        "/v1/commitments",
        f"/v1/commitments/{offer_id}",
        "/v1/commitments.csv",
        "/v1/signatories.csv",
        f"/v1/covenants/{slug}/statistics",
        f"/v1/covenants/{slug}/annual-report?year={year}",
        f"/v1/covenants/{slug}/annual-report.html?year={year}",
    ]


def secrets_of(key: str) -> list[str]:
    """A key, its secret part, and the hash the registry stores of it."""
    return [key, key[-40:], hash_secret(key[-40:])]


async def test_private_contacts_and_keys_never_appear_in_public_responses(client, keyring, factory):
    operator_key = await keyring.operator()
    lancashire = await council(client, operator_key)
    signatory, org_key, pledge = await published_pledge(client, lancashire)
    offer_id = pledge["commitments"][0]["id"]
    contact = (await client.get(f"/v1/signatories/{signatory['id']}", headers=bearer(org_key))).json()["contact"]
    pending, pending_key = await register(
        client,
        name="Quietly Pending Ltd",
        contact={"name": "Ottoline Vantreight", "email": "ottoline.v@pending.example.net", "phone": "+44 20 7946 0999"},
    )
    await draft_pledge(client, pending_key, lancashire.slug)
    direct = await factory.signatory(contact_name="Perpetua Inglethorpe", contact_phone="0161 496 0777")
    never_shown = [
        contact["name"],
        contact["email"],
        contact["phone"],
        contact["phone"].replace(" ", ""),
        "Ottoline Vantreight",
        "ottoline.v@pending.example.net",
        "7946 0999",
        direct.contact_name,
        direct.contact_email,
        direct.contact_phone,
        "Quietly Pending Ltd",
        *secrets_of(org_key),
        *secrets_of(pending_key),
        *secrets_of(lancashire.officer_key),
        *secrets_of(operator_key),
        "ccreg_",
    ]
    responses = []
    for path in public_paths(lancashire.slug, lancashire.authority_id, signatory["id"], pledge["id"], offer_id):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert pending["id"] not in response.text, f"{path} shows the pending organisation"
        responses.append((path, response))
    for path in (f"/v1/signatories/{pending['id']}", f"/v1/signatories?q={contact['email']}"):
        responses.append((path, await client.get(path)))
    for path, response in responses:
        for secret in never_shown:
            assert secret.lower() not in response.text.lower(), f"{path} shows {secret!r}"


@pytest.mark.parametrize("field", ["email", "phone", "name"])
async def test_searching_for_a_private_contact_finds_nothing(client, factory, field):
    signatory = await factory.signatory(
        contact_name="Hermione Blackwood", contact_email="h.blackwood@hidden.example.net", contact_phone="01632 960111"
    )
    covenant, priorities = await factory.covenant()
    await factory.commitment(await factory.pledge(signatory, covenant), priorities[0])
    value = getattr(signatory, f"contact_{field}")
    assert await ids_of(client, "/v1/signatories", q=value) == []
    assert await ids_of(client, "/v1/commitments", q=value) == []
