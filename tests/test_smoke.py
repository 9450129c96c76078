"""The service answers, and a public offer shows up where a council page would look for it."""


async def test_service_metadata(client):
    response = await client.get("/v1")
    assert response.status_code == 200
    body = response.json()
    assert body["api_version"] == "v1"
    assert body["openapi_url"] == "/openapi.json"


async def test_published_offer_is_listed(client, factory):
    offer = await factory.public_offer(title="Paid bakery apprenticeship")
    response = await client.get("/v1/commitments")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == [offer.id]
    assert items[0]["title"] == "Paid bakery apprenticeship"
    assert items[0]["signatory"]["name"].startswith("Organisation")


async def test_tables_are_empty_again(client):
    response = await client.get("/v1/commitments")
    assert response.json()["items"] == []
