"""Delivery returns: filed for published offers, impossible numbers refused with a pointer, corrected while the
window is open, read by the covenant's officers."""

from datetime import date, timedelta

import pytest

from tests.flows import bearer, council, published_pledge, register


def report(**overrides):
    body = {
        "period_start": "2025-04-01",
        "period_end": "2025-09-30",
        "places_offered": 4,
        "referrals": 9,
        "applications": 6,
        "starts": 3,
        "sustained": 2,
        "narrative": "Three care leavers started in the bakery.",
    }
    return body | overrides


@pytest.fixture
async def offer(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire)
    return {"id": pledge["commitments"][0]["id"], "org_key": org_key, "council": lancashire}


async def file(client, offer, body):
    return await client.post(
        f"/v1/commitments/{offer['id']}/progress-reports", json=body, headers=bearer(offer["org_key"])
    )


async def test_a_valid_return_is_filed_and_officers_read_it(client, offer):
    filed = await file(client, offer, report())
    assert filed.status_code == 201
    assert filed.json()["starts"] == 3
    assert filed.json()["correctable_until"] == "2025-12-29"
    listed = await client.get(
        f"/v1/covenants/{offer['council'].slug}/progress-reports", headers=bearer(offer["council"].officer_key)
    )
    assert [item["id"] for item in listed.json()["items"]] == [filed.json()["id"]]
    assert listed.json()["items"][0]["starts"] == 3  # officers see exact numbers


async def test_officers_page_through_returns_and_filter_by_period(client, offer):
    spring = (await file(client, offer, report(period_start="2025-04-01", period_end="2025-06-30"))).json()
    autumn = (await file(client, offer, report(period_start="2025-09-01", period_end="2025-09-30"))).json()
    path, officer = f"/v1/covenants/{offer['council'].slug}/progress-reports", bearer(offer["council"].officer_key)
    first = (await client.get(path, params={"limit": 1}, headers=officer)).json()
    second = (await client.get(path, params={"limit": 1, "cursor": first["next_cursor"]}, headers=officer)).json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [spring["id"], autumn["id"]]
    assert second["next_cursor"] is None
    later = (await client.get(path, params={"period_from": "2025-07-01"}, headers=officer)).json()
    assert [item["id"] for item in later["items"]] == [autumn["id"]]
    earlier = (await client.get(path, params={"period_to": "2025-07-01"}, headers=officer)).json()
    assert [item["id"] for item in earlier["items"]] == [spring["id"]]


@pytest.mark.parametrize(
    "overrides, pointer",
    [
        ({"starts": 7, "applications": 6}, "/starts"),
        ({"sustained": 4, "starts": 3}, "/sustained"),
        ({"referrals": -1}, "/referrals"),
        ({"places_offered": -3}, "/places_offered"),
        ({"period_end": "2025-03-01"}, "/period_end"),
        ({"period_start": "2030-04-01", "period_end": "2030-09-30"}, "/period_end"),
        ({"period_end": (date.today() + timedelta(days=1)).isoformat()}, "/period_end"),
        ({"period_start": "not a date"}, "/period_start"),
    ],
)
async def test_impossible_returns_are_422_with_a_pointer(client, offer, overrides, pointer):
    response = await file(client, offer, report(**overrides))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["pointer"] == pointer


async def test_a_period_overlapping_an_earlier_return_is_422(client, offer):
    assert (await file(client, offer, report())).status_code == 201
    overlapping = await file(client, offer, report(period_start="2025-09-01", period_end="2026-02-28"))
    assert overlapping.status_code == 422
    assert overlapping.json()["errors"][0]["pointer"] == "/period_start"
    following = await file(client, offer, report(period_start="2025-10-01", period_end="2026-03-31"))
    assert following.status_code == 201


async def test_correction_while_window_is_open(client, offer):
    recent_end = date.today() - timedelta(days=10)
    filed = await file(
        client,
        offer,
        report(period_start=(recent_end - timedelta(days=90)).isoformat(), period_end=recent_end.isoformat()),
    )
    headers = {**bearer(offer["org_key"]), "If-Match": filed.headers["etag"]}
    corrected = await client.patch(
        f"/v1/progress-reports/{filed.json()['id']}", json={"starts": 4, "applications": 8}, headers=headers
    )
    assert corrected.status_code == 200
    assert (corrected.json()["starts"], corrected.json()["applications"]) == (4, 8)
    impossible = await client.patch(
        f"/v1/progress-reports/{filed.json()['id']}",
        json={"sustained": 9},
        headers={**bearer(offer["org_key"]), "If-Match": corrected.headers["etag"]},
    )
    assert impossible.status_code == 422
    assert impossible.json()["errors"][0]["pointer"] == "/sustained"


async def test_correction_after_the_window_closed_is_409(client, offer):
    filed = await file(client, offer, report(period_start="2024-04-01", period_end="2024-09-30"))
    response = await client.patch(
        f"/v1/progress-reports/{filed.json()['id']}",
        json={"narrative": "Late change"},
        headers={**bearer(offer["org_key"]), "If-Match": filed.headers["etag"]},
    )
    assert response.status_code == 409
    assert "closed" in response.json()["detail"]


async def test_another_organisation_cannot_file_or_read(client, offer):
    from tests.flows import register

    _, other_key = await register(client)
    response = await client.post(
        f"/v1/commitments/{offer['id']}/progress-reports", json=report(), headers=bearer(other_key)
    )
    assert response.status_code == 404
    listed = await client.get(f"/v1/commitments/{offer['id']}/progress-reports", headers=bearer(other_key))
    assert listed.status_code == 404


async def test_draft_offers_take_no_returns(client, keyring):
    from tests.flows import draft_pledge, register

    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug)
    offer_id = (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"][0]["id"]
    response = await client.post(f"/v1/commitments/{offer_id}/progress-reports", json=report(), headers=bearer(org_key))
    assert response.status_code == 409


async def test_a_return_read_on_its_own_gives_the_etag_its_correction_takes(client, offer):
    ended = date.today() - timedelta(days=10)
    filed = await file(client, offer, report(period_start=str(ended - timedelta(days=90)), period_end=str(ended)))
    assert filed.status_code == 201, filed.text
    path = f"/v1/progress-reports/{filed.json()['id']}"
    officers_read = await client.get(path, headers=bearer(offer["council"].officer_key))
    assert officers_read.status_code == 200
    assert officers_read.json() == filed.json()
    read = await client.get(path, headers=bearer(offer["org_key"]))
    corrected = await client.patch(
        path, json={"starts": 2}, headers={**bearer(offer["org_key"]), "If-Match": read.headers["etag"]}
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["starts"] == 2
    assert (await client.get(path)).status_code == 401
    _, stranger_key = await register(client)
    assert (await client.get(path, headers=bearer(stranger_key))).status_code == 404
