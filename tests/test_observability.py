"""What an operator sees: /metrics in Prometheus' format, moving as requests are made, and JSON logs that parse
line by line, carry the trace a caller sent, and never hold a key."""

import json
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import migrated_database
from tests.flows import bearer, council, published_pledge
from tests.live import serving


def scrape(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, by name and labels, read with Prometheus' own parser rather than ours."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def metrics(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return scrape(response.text)


def requests_of(samples, route: str, status: str, method: str = "GET") -> float:  # type: ignore[no-untyped-def]
    labels = (("method", method), ("route", route), ("status", status))
    return samples.get(("registry_http_requests_total", labels), 0.0)


def cache(samples, outcome: str) -> float:  # type: ignore[no-untyped-def]
    return samples.get(("registry_public_answer_cache_total", (("outcome", outcome),)), 0.0)


async def test_the_series_move_as_requests_are_made(client, keyring):
    lancashire = await council(client, await keyring.operator())
    before = await metrics(client)

    first = await client.get("/v1/commitments", params={"covenant": lancashire.slug})
    await client.get("/v1/commitments", params={"covenant": lancashire.slug})  # the same answer, from memory
    await client.get("/v1/commitments", headers={"If-None-Match": first.headers["etag"]}, params={"x": "1"})
    await client.get(f"/v1/commitments/cmt_{'0' * 26}")  # a 404, counted under its route, not its path
    await client.get("/no/such/page")
    key = {**bearer(lancashire.officer_key), "Idempotency-Key": "metrics-priority"}
    body = {"code": "LEISURE", "title": "Sport, arts and leisure"}
    for _ in range(2):  # the second is the first's stored answer
        made = await client.post(f"/v1/covenants/{lancashire.slug}/priorities", json=body, headers=key)
        assert made.status_code == 201, made.text
    after = await metrics(client)

    assert requests_of(after, "/v1/commitments", "200") - requests_of(before, "/v1/commitments", "200") == 2
    detail = "/v1/commitments/{commitment_id}"
    assert requests_of(after, detail, "404") - requests_of(before, detail, "404") == 1
    assert requests_of(after, "unmatched", "404") - requests_of(before, "unmatched", "404") == 1
    assert cache(after, "hit") - cache(before, "hit") >= 1
    assert cache(after, "miss") - cache(before, "miss") >= 1
    replays = ("registry_idempotency_replays_total", ())
    assert after[replays] - before.get(replays, 0.0) == 1
    count = ("registry_http_request_duration_seconds_count", (("method", "GET"), ("route", "/v1/commitments")))
    assert requests_of(after, "/v1/commitments", "304") - requests_of(before, "/v1/commitments", "304") == 1
    assert after[count] - before.get(count, 0.0) == 3  # latency counts every answer, 304s too
    pool_size = after[("registry_db_connections", (("state", "size"),))]
    assert pool_size >= 1
    assert ("registry_db_waiting", (("at", "read_gate"),)) in after
    assert after[("registry_data_version_age_seconds", ())] >= 0
    assert all("ccreg_" not in str(name) for name in after)  # never a key, in a name or a label


async def test_a_public_write_forgets_only_the_answers_it_touched(client, keyring):
    operator = await keyring.operator()
    lancashire, cumbria = await council(client, operator), await council(client, operator)
    _, org_key, pledge = await published_pledge(client, lancashire)
    _, _, other = await published_pledge(client, cumbria)
    paused, kept = (
        f"/v1/commitments/{pledge['commitments'][0]['id']}",
        f"/v1/commitments/{other['commitments'][0]['id']}",
    )
    for path in (paused, kept):
        assert (await client.get(path)).status_code == 200
    before = await metrics(client)
    etag = (await client.get(paused, headers=bearer(org_key))).headers["etag"]
    changed = await client.patch(paused, json={"status": "paused"}, headers={**bearer(org_key), "If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert (await client.get(kept)).status_code == 200
    assert (await client.get(paused)).json()["status"] == "paused"
    after = await metrics(client)
    forgotten = ("registry_public_answers_forgotten_total", ())
    # The paused offer (and anything else depending on Lancashire's or on everything) went; Cumbria's offer was
    # answered from memory, the paused one built again.
    assert after[forgotten] - before.get(forgotten, 0.0) >= 1
    assert cache(after, "hit") - cache(before, "hit") == 1
    assert cache(after, "miss") - cache(before, "miss") >= 1  # the paused offer (and the scrape itself)


async def test_a_scraper_asking_for_openmetrics_gets_it(client):
    response = await client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


# ---------------------------------------------------------------- JSON logs, from a live server


@pytest.fixture
def logged_database(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with migrated_database(tmp_path_factory, "logs") as url:
        yield url


def test_json_logs_parse_line_by_line_carry_the_trace_and_never_a_key(logged_database, tmp_path):
    log = tmp_path / "server.log"
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    traceparent = f"00-{trace_id}-00f067aa0ba902b7-01"
    with serving(logged_database, log=log, LOG_FORMAT="json") as api, httpx.Client(base_url=api) as http:
        registered = http.post(
            "/v1/signatories",
            json={
                "name": "Logged Bakery",
                "sector": "private",
                "organisation_type": "business",
                "size_band": "small",
                "areas": ["E06000063"],
                "contact": {"name": "Priya Shah", "email": "priya@bakery.example.org"},
            },
        )
        assert registered.status_code == 201
        key = registered.json()["api_key"]["key"]
        key_id = registered.json()["api_key"]["id"]
        assert http.get("/v1/keys", headers=bearer(key)).status_code in (200, 403)
        assert http.get("/v1/commitments", headers={"traceparent": traceparent}).status_code == 200
        assert http.get(f"/v1/commitments?api_key={key}").status_code == 401  # a key in a URL is refused
        assert http.get("/v1/commitments", headers={"traceparent": "00-not-a-trace"}).status_code == 200

    lines = [line for line in log.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(key not in line for line in lines)
    access = [entry for entry in entries if entry["logger"] == "app.access"]
    assert len(access) >= 5
    for entry in access:
        assert {"request_id", "trace_id", "route", "status", "duration_ms", "client", "key_id"} <= entry.keys()
        assert entry["client"] == "127.0.0.1"
    assert [entry["key_id"] for entry in access if entry["path"] == "/v1/keys"] == [key_id]
    traced = [entry for entry in access if entry["trace_id"] == trace_id]
    assert [entry["route"] for entry in traced] == ["/v1/commitments"]
    fresh = [entry["trace_id"] for entry in access if entry["path"] == "/v1/commitments"]
    assert all(len(found) == 32 for found in fresh) and len(set(fresh)) == len(fresh)
