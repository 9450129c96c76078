"""The two public forms for council pages, over HTTP on the migrated database: CORS for their JSON endpoints
(and for no other write), and their server-rendered pages, which create a report or a "you said" through the
same service rules as the JSON API and say what to change beside each field."""

import pytest

from tests.flows import bearer, council, published_pledge
from tests.test_problem_reports import report_body

ORIGIN = "https://www.council.example.gov.uk"


async def offer_of(client, council_) -> str:  # type: ignore[no-untyped-def]
    _, _, pledge = await published_pledge(client, council_)
    return str(pledge["commitments"][0]["id"])


def preflight(method: str, headers: str = "content-type") -> dict[str, str]:
    return {"Origin": ORIGIN, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}


# ---------------------------------------------------------------- CORS


async def test_a_preflight_is_allowed_for_the_two_public_forms(client, keyring):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    for path in (f"/v1/covenants/{lancashire.slug}/you-said/intake", f"/v1/commitments/{offer_id}/problems"):
        answer = await client.options(path, headers=preflight("POST", "content-type, idempotency-key, x-request-id"))
        assert answer.status_code == 200, (path, answer.text)
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "POST" in answer.headers["access-control-allow-methods"]
        allowed = answer.headers["access-control-allow-headers"].lower()
        assert {"content-type", "idempotency-key", "x-request-id", "accept"} <= set(allowed.replace(" ", "").split(","))
        assert "access-control-allow-credentials" not in answer.headers


@pytest.mark.parametrize(
    "path", ["/v1/pledges", "/v1/signatories", "/v1/covenants/lancashire/you-said", "/v1/problems/prb_x/resolve"]
)
async def test_a_preflight_for_any_other_write_is_refused(client, path):
    answer = await client.options(path, headers=preflight("POST"))
    assert answer.status_code == 400
    assert "POST" not in answer.headers.get("access-control-allow-methods", "")


async def test_a_post_from_another_origin_may_read_the_answer_and_its_allowance(client, keyring):
    lancashire = await council(client, await keyring.operator())
    answer = await client.post(
        f"/v1/covenants/{lancashire.slug}/you-said/intake",
        json={"words": "Bus passes should last until 25."},
        headers={"Origin": ORIGIN},
    )
    assert answer.status_code == 202, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    exposed = {name.strip().lower() for name in answer.headers["access-control-expose-headers"].split(",")}
    assert {"retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "x-request-id"} <= exposed
    assert int(answer.headers["ratelimit-remaining"]) >= 0
    # Public reads are as open as before.
    read = await client.get("/v1/covenants", headers={"Origin": ORIGIN})
    assert read.headers["access-control-allow-origin"] == "*"
    assert "etag" in read.headers["access-control-expose-headers"].lower()


async def test_a_report_from_another_origin_may_read_where_it_went(client, keyring):
    lancashire = await council(client, await keyring.operator())
    offer_id = await offer_of(client, lancashire)
    answer = await client.post(
        f"/v1/commitments/{offer_id}/problems", json=report_body(offer_id), headers={"Origin": ORIGIN}
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "location" in answer.headers["access-control-expose-headers"].lower()
    queue = await client.get(f"/v1/covenants/{lancashire.slug}/problems", headers=bearer(lancashire.officer_key))
    assert [item["commitment"]["id"] for item in queue.json()["items"]] == [offer_id]
