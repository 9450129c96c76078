"""Probes and request ids: what an operator and a load balancer rely on."""

import httpx

from app.config import Settings
from app.main import create_app
from tests.conftest import drop_database, fresh_database_url


async def test_healthz_answers_without_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.headers["cache-control"] == "no-store"


async def test_readyz_when_schema_is_at_head(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "schema": "ok"}


async def request_readiness(database_url: str) -> httpx.Response:
    application = create_app(Settings(database_url=database_url))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.get("/readyz")


async def test_readyz_is_503_before_migrations(tmp_path_factory):
    url = fresh_database_url(tmp_path_factory, "unmigrated")
    try:
        response = await request_readiness(url)
    finally:
        drop_database(url)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/service-unavailable"
    assert response.json()["checks"]["schema"] != "ok"


async def test_readyz_is_503_when_database_is_unreachable():
    response = await request_readiness("postgresql://nobody@127.0.0.1:9/nowhere")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"


async def test_request_id_is_echoed_when_plain(client):
    response = await client.get("/v1", headers={"X-Request-ID": "council-page-42"})
    assert response.headers["x-request-id"] == "council-page-42"


async def test_request_id_is_replaced_when_unsafe(client):
    response = await client.get("/v1", headers={"X-Request-ID": "bad id with spaces"})
    assert response.headers["x-request-id"] != "bad id with spaces"
    assert len(response.headers["x-request-id"]) == 32


async def test_problem_pages_explain_each_type(client):
    problem = (await client.get("/v1/commitments?limit=1000")).json()
    page = await client.get(problem["type"])
    assert page.status_code == 200
    assert problem["title"] in page.text


async def test_oversized_body_is_413_problem(client):
    response = await client.post(
        "/v1/commitments", content=b"x" * 1_000_001, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["request_id"] == response.headers["x-request-id"]


async def test_method_not_allowed_names_every_method_of_the_path(client):
    # GET /v1/authorities is public and POST is the operator's: two routers serve one path.
    response = await client.put("/v1/authorities", json={})
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["allow"] == "GET, POST"


async def test_a_body_that_is_not_text_is_a_documented_400(client, app):
    response = await client.post(
        "/v1/signatories", content=b"\xff\xfe\x00", headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    documented = app.openapi()["paths"]["/v1/signatories"]["post"]["responses"]
    assert str(response.status_code) in documented
