"""When the public last saw an offer change (the ORUK feed's `last_modified`, what `modified_after` filters on):
it moves when the offer's public face changes and only then, so a directory syncing by time fetches what
changed and nothing else. Expected times are the ones the feed gave before each change, and the change's own
moment, read from the clock around the request."""

from datetime import UTC, datetime

from tests.flows import bearer, council, published_pledge


def uuid_of(record_id: str) -> str:
    """Our id's ULID as the UUID of the same 128 bits (Crockford base32, as the ULID specification writes it)."""
    value = 0
    for character in record_id.partition("_")[2]:
        value = value * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".index(character)
    hexadecimal = f"{value:032x}"
    return "-".join((hexadecimal[:8], hexadecimal[8:12], hexadecimal[12:16], hexadecimal[16:20], hexadecimal[20:]))


async def last_modified(client, commitment_id: str) -> datetime:
    answer = await client.get(f"/oruk/services/{uuid_of(commitment_id)}")
    assert answer.status_code == 200, answer.text
    return datetime.fromisoformat(answer.json()["last_modified"])


async def test_an_edit_moves_its_offer_s_time_and_not_its_sibling_s(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire, offers=2)
    edited, sibling = (offer["id"] for offer in pledge["commitments"])
    before = {offer: await last_modified(client, offer) for offer in (edited, sibling)}

    started = datetime.now(UTC)  # after the pledge's approval; the feed writes whole seconds
    etag = (await client.get(f"/v1/commitments/{edited}", headers=bearer(org_key))).headers["etag"]
    changed = await client.patch(
        f"/v1/commitments/{edited}", json={"status": "paused"}, headers={**bearer(org_key), "If-Match": etag}
    )
    assert changed.status_code == 200, changed.text

    assert await last_modified(client, sibling) == before[sibling]  # re-rendered the same: its time kept
    assert await last_modified(client, edited) >= started.replace(microsecond=0)
    found = await client.get("/oruk/services", params={"modified_after": started.isoformat(), "per_page": 100})
    ids = {service["id"] for service in found.json()["contents"]}
    assert uuid_of(edited) in ids and uuid_of(sibling) not in ids


async def test_an_organisation_renamed_moves_the_time_of_every_offer_it_makes(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key, pledge = await published_pledge(client, lancashire, offers=2)
    offers = [offer["id"] for offer in pledge["commitments"]]

    started = datetime.now(UTC).replace(microsecond=0)  # compared with the feed's whole seconds
    etag = (await client.get(f"/v1/signatories/{signatory['id']}", headers=bearer(org_key))).headers["etag"]
    renamed = await client.patch(
        f"/v1/signatories/{signatory['id']}",
        json={"name": "Renamed Bakery Ltd"},
        headers={**bearer(org_key), "If-Match": etag},
    )
    assert renamed.status_code == 200, renamed.text

    for offer in offers:  # each offer's document names its organisation, so each changed in public
        assert await last_modified(client, offer) >= started
