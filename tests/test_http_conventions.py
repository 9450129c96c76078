"""HTTP as the conventions promise it, for whatever a client sends: cursors the service did not issue, HEAD,
bodies that are not JSON or are too large however they are sent, control characters in text, and keyed reads
that no shared cache may keep."""

import asyncio
import base64

import pytest

from tests.flows import bearer, commitment_body, council, draft_pledge, published_pledge, register, registration


def unsigned(raw: bytes) -> str:
    """A cursor as a client might make one up: the right shape of key, no signature."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    return problem


# ---------------------------------------------------------------- cursors


LISTS = ["/v1/commitments", "/v1/pledges", "/v1/signatories", "/v1/authorities", "/v1/covenants"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "cursor",
    [
        unsigned(b'["x\\u0000"]'),  # a NUL, once a 500
        unsigned(b'["cmt_01K4195M2GFKZ6PXKGDWQJG4HF"]'),  # well formed, but not issued
        unsigned(b'["Amberline Buses Ltd", "sig_01K4195M0XP52PJN0ZCDXCY6AT"]'),
        unsigned(b'["x\\u0000"]') + "AAAAAAAAAAAAAAAA",  # a signature that is not the service's
    ],
)
async def test_a_cursor_the_service_did_not_issue_is_a_422(client, factory, path, cursor):
    await factory.public_offer()
    problem = await assert_problem(await client.get(path, params={"cursor": cursor}), 422)
    assert problem["errors"][0]["pointer"] == "/cursor"


async def test_an_issued_cursor_is_good_only_for_its_own_list(client, factory):
    for _ in range(2):
        await factory.public_offer()
    offers = (await client.get("/v1/commitments", params={"limit": 1})).json()
    assert offers["next_cursor"] is not None
    assert (await client.get("/v1/commitments", params={"cursor": offers["next_cursor"]})).status_code == 200
    await assert_problem(await client.get("/v1/pledges", params={"cursor": offers["next_cursor"]}), 422)


async def test_the_cursor_after_an_organisation_with_the_longest_name_is_accepted(client, factory):
    for letter in "ab":
        await factory.signatory(name=letter * 200)
    first = (await client.get("/v1/signatories", params={"limit": 1})).json()
    following = await client.get("/v1/signatories", params={"limit": 1, "cursor": first["next_cursor"]})
    assert following.status_code == 200, following.text
    assert following.json()["items"][0]["name"] == "b" * 200


# ---------------------------------------------------------------- HEAD


@pytest.mark.parametrize("path", ["/v1", "/v1/commitments", "/v1/covenants", "/healthz", "/openapi.json"])
async def test_head_answers_as_get_does_without_a_body(client, factory, path):
    await factory.public_offer()
    for encoding in ("identity", "gzip"):
        headers = {"Accept-Encoding": encoding}
        got = await client.get(path, headers=headers)
        head = await client.head(path, headers=headers)
        assert head.status_code == got.status_code == 200
        assert head.content == b""
        for name in ("content-type", "content-length", "content-encoding", "etag"):
            assert head.headers.get(name) == got.headers.get(name), (encoding, name)


async def test_head_of_a_record_that_is_not_there_is_404_without_a_body(client):
    head = await client.head("/v1/commitments/cmt_01K4195M2GFKZ6PXKGDWQJG4HF")
    assert head.status_code == 404
    assert head.content == b""


# ---------------------------------------------------------------- bodies


async def test_a_body_that_is_not_json_is_a_400(client):
    response = await client.post(
        "/v1/signatories", content=b'{"name": "Ribble', headers={"Content-Type": "application/json"}
    )
    problem = await assert_problem(response, 400)
    assert "not valid JSON" in problem["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_not_sent_as_json_is_a_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/v1/signatories", content=b'{"name": "Ribble"}', headers=headers)
    await assert_problem(response, 415)


async def test_a_json_media_type_with_a_charset_is_accepted(client):
    body = b'{"name": "x"}'
    response = await client.post(
        "/v1/signatories", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    await assert_problem(response, 422)  # read as JSON, refused for what it says


async def test_a_post_with_no_body_needs_no_content_type(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, _ = await register(client)
    response = await client.post(f"/v1/signatories/{signatory['id']}/verify", headers=bearer(lancashire.officer_key))
    assert response.status_code in (200, 404)  # not a 415: there is no body to type


async def test_an_oversized_body_sent_in_chunks_is_a_413(client, app):
    limit = app.state.settings.max_request_body_bytes

    async def chunks():
        for _ in range(limit // 50_000 + 2):
            yield b" " * 50_000

    response = await client.post("/v1/signatories", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers  # sent chunked, with no declared size
    await assert_problem(response, 413)


@pytest.mark.parametrize(
    ("field", "value"),
    [("website", "https://bakery.example.org/\x00jobs"), ("name", "Ribble\x00Bakery"), ("description", "a\x07b")],
)
async def test_control_characters_in_text_are_a_422_naming_the_field(client, field, value):
    problem = await assert_problem(await client.post("/v1/signatories", json=registration(**{field: value})), 422)
    assert f"/{field}" in [error["pointer"] for error in problem["errors"]]


async def test_prose_keeps_its_line_breaks_and_tabs(client):
    description = "We bake bread.\n\tAnd we train bakers.\r\n"
    response = await client.post("/v1/signatories", json=registration(description=description))
    assert response.status_code == 201, response.text
    assert response.json()["signatory"]["description"] == description


# ---------------------------------------------------------------- caching


async def test_a_public_read_made_with_a_key_is_never_stored(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire)
    for path in ["/v1/commitments", f"/v1/covenants/{lancashire.slug}", f"/v1/pledges/{pledge['id']}"]:
        keyless = await client.get(path)
        keyed = await client.get(path, headers=bearer(org_key))
        assert keyless.headers["cache-control"].startswith("public"), path
        assert keyed.headers["cache-control"] == "no-store", path


async def test_the_report_negotiates_by_accept_and_a_304_names_one_representation(client, keyring):
    lancashire = await council(client, await keyring.operator())
    await published_pledge(client, lancashire)
    path = f"/v1/covenants/{lancashire.slug}/annual-report?year=2025"
    as_json = await client.get(path, headers={"Accept": "application/json"})
    assert as_json.status_code == 200
    assert "accept" in as_json.headers["vary"].lower()
    etag = as_json.headers["etag"]
    revalidated = await client.get(path, headers={"Accept": "application/json", "If-None-Match": etag})
    assert revalidated.status_code == 304
    to_the_page = await client.get(path, headers={"Accept": "text/html", "If-None-Match": etag})
    assert to_the_page.status_code == 303  # the tag names the JSON, not the page
    assert "accept" in to_the_page.headers["vary"].lower()
    page = await client.get(to_the_page.headers["location"], headers={"Accept": "text/html", "If-None-Match": etag})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["etag"] != etag
    page_again = await client.get(
        to_the_page.headers["location"], headers={"Accept": "text/html", "If-None-Match": page.headers["etag"]}
    )
    assert page_again.status_code == 304


# ---------------------------------------------------------------- reads give the ETag their PATCH takes


async def test_an_officer_reads_a_covenant_and_patches_it_with_that_read_s_etag(client, keyring):
    lancashire = await council(client, await keyring.operator())
    read = await client.get(f"/v1/covenants/{lancashire.slug}", headers=bearer(lancashire.officer_key))
    assert read.status_code == 200
    assert read.headers["cache-control"] == "no-store"
    changed = await client.patch(
        f"/v1/covenants/{lancashire.slug}",
        json={"description": "Our promise to young people leaving our care."},
        headers={**bearer(lancashire.officer_key), "If-Match": read.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "Our promise to young people leaving our care."


async def test_an_officer_reads_a_priority_and_patches_it_with_that_read_s_etag(client, keyring):
    lancashire = await council(client, await keyring.operator())
    priority = lancashire.covenant["priorities"][0]
    public = await client.get(f"/v1/priorities/{priority['id']}")
    assert public.status_code == 200
    assert public.json() == priority
    read = await client.get(f"/v1/priorities/{priority['id']}", headers=bearer(lancashire.officer_key))
    changed = await client.patch(
        f"/v1/priorities/{priority['id']}",
        json={"title": "Education, training and jobs"},
        headers={**bearer(lancashire.officer_key), "If-Match": read.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get(f"/v1/priorities/{priority['id']}")).json()["title"] == "Education, training and jobs"


async def test_a_draft_covenant_and_its_priorities_are_seen_only_by_their_own_officers(client, keyring):
    operator = await keyring.operator()
    lancashire, cumbria = await council(client, operator), await council(client, operator)
    draft = await client.post(
        "/v1/covenants",
        json={
            "slug": "lancashire-send",
            "title": "SEND",
            "audience": "send",
            "priorities": [{"code": "A", "title": "A"}],
        },
        headers=bearer(lancashire.officer_key),
    )
    assert draft.status_code == 201, draft.text
    priority_id = draft.json()["priorities"][0]["id"]
    for path in ["/v1/covenants/lancashire-send", f"/v1/priorities/{priority_id}"]:
        assert (await client.get(path, headers=bearer(lancashire.officer_key))).status_code == 200, path
        assert (await client.get(path)).status_code == 404, path
        assert (await client.get(path, headers=bearer(cumbria.officer_key))).status_code == 404, path


# ---------------------------------------------------------------- concurrency a caller did not condition


async def test_fifty_concurrent_offers_added_to_one_pledge_are_all_created(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = (
        await client.post(
            "/v1/pledges", json={"covenant": lancashire.slug, "statement": "We open doors."}, headers=bearer(org_key)
        )
    ).json()

    async def add(number: int):
        body = {**commitment_body(), "title": f"Offer {number}"}
        return await client.post(f"/v1/pledges/{pledge['id']}/commitments", json=body, headers=bearer(org_key))

    responses = await asyncio.gather(*(add(number) for number in range(50)))
    assert sorted(response.status_code for response in responses) == [201] * 50
    held = (await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))).json()["commitments"]
    assert sorted(offer["title"] for offer in held) == sorted(f"Offer {number}" for number in range(50))


async def test_racing_lifecycle_actions_answer_only_documented_statuses(client, keyring):
    lancashire = await council(client, await keyring.operator())
    _, org_key, pledge = await published_pledge(client, lancashire)
    reason = {"reason": "The scheme has ended."}
    responses = await asyncio.gather(
        *(client.post(f"/v1/pledges/{pledge['id']}/withdraw", json=reason, headers=bearer(org_key)) for _ in range(5)),
        *(
            client.post(f"/v1/pledges/{pledge['id']}/withdraw", json=reason, headers=bearer(lancashire.officer_key))
            for _ in range(5)
        ),
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * 9, statuses
    for refused in (response for response in responses if response.status_code == 409):
        assert "withdrawn" in refused.json()["detail"]


# ---------------------------------------------------------------- compression


async def test_a_large_answer_is_compressed_with_a_weak_etag_that_still_revalidates(client, factory):
    for number in range(30):
        await factory.public_offer(title=f"Offer {number}")
    plain = await client.get("/v1/commitments", params={"limit": 100}, headers={"Accept-Encoding": "identity"})
    packed = await client.get("/v1/commitments", params={"limit": 100}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.json() == plain.json()  # httpx has decompressed it
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert packed.headers["etag"] == "W/" + plain.headers["etag"]
    again = await client.get(
        "/v1/commitments",
        params={"limit": 100},
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]},
    )
    assert again.status_code == 304


async def test_a_small_answer_is_sent_as_it_is(client):
    response = await client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers


# ---------------------------------------------------------------- what the caller may do next


async def test_allowed_actions_are_what_the_calling_key_could_do_now(client, keyring):
    lancashire = await council(client, await keyring.operator())
    signatory, org_key = await register(client)
    pledge = (
        await client.post(
            "/v1/pledges", json={"covenant": lancashire.slug, "statement": "We open doors."}, headers=bearer(org_key)
        )
    ).json()
    assert pledge["allowed_actions"] == ["submit"]
    await client.post(f"/v1/pledges/{pledge['id']}/commitments", json=commitment_body(), headers=bearer(org_key))
    submitted = (await client.post(f"/v1/pledges/{pledge['id']}/submit", headers=bearer(org_key))).json()
    assert submitted["allowed_actions"] == []  # only an officer can move a submitted pledge on

    def actions(response):
        assert response.status_code == 200, response.text
        return response.json()["allowed_actions"]

    officer = bearer(lancashire.officer_key)
    assert actions(await client.get(f"/v1/pledges/{pledge['id']}", headers=officer)) == ["approve", "request_changes"]
    assert actions(await client.get(f"/v1/signatories/{signatory['id']}", headers=officer)) == ["verify"]
    assert actions(await client.get(f"/v1/signatories/{signatory['id']}", headers=bearer(org_key))) == []

    reader = (
        await client.post("/v1/keys", json={"name": "Reporting", "scopes": ["read"]}, headers=bearer(org_key))
    ).json()["key"]
    await client.post(f"/v1/signatories/{signatory['id']}/verify", headers=officer)
    published = (await client.post(f"/v1/pledges/{pledge['id']}/approve", headers=officer)).json()
    assert published["allowed_actions"] == ["withdraw"]
    assert actions(await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(org_key))) == ["withdraw"]
    assert actions(await client.get(f"/v1/pledges/{pledge['id']}", headers=bearer(reader))) == []
    public = (await client.get(f"/v1/pledges/{pledge['id']}")).json()
    assert "allowed_actions" not in public


# ---------------------------------------------------------------- a priority by the code writes use


async def test_the_offers_list_takes_a_priority_s_code_within_a_covenant(client, keyring):
    operator = await keyring.operator()
    lancashire, cumbria = await council(client, operator), await council(client, operator)
    _, _, ours = await published_pledge(client, lancashire, offers=2)
    await published_pledge(client, cumbria)  # the same code, EET, in another covenant
    eet = next(p for p in lancashire.covenant["priorities"] if p["code"] == "EET")

    def ids(response):
        assert response.status_code == 200, response.text
        return sorted(item["id"] for item in response.json()["items"])

    by_id = ids(await client.get("/v1/commitments", params={"priority": eet["id"]}))
    assert by_id == sorted(offer["id"] for offer in ours["commitments"])
    for covenant in (lancashire.slug, lancashire.covenant["id"]):
        assert ids(await client.get("/v1/commitments", params={"priority": "EET", "covenant": covenant})) == by_id
    assert ids(await client.get("/v1/commitments", params={"priority": "HOME", "covenant": lancashire.slug})) == []
    everywhere = ids(await client.get("/v1/commitments", params={"priority": "EET"}))
    assert set(by_id) < set(everywhere) and len(everywhere) == len(by_id) + 1  # Cumbria's EET offer too


# ---------------------------------------------------------------- no content means no body


async def test_a_204_has_no_body(client, keyring):
    # A server like uvicorn drops the connection of a 204 that then sends bytes: a client's next call fails.
    lancashire = await council(client, await keyring.operator())
    _, org_key = await register(client)
    pledge = await draft_pledge(client, org_key, lancashire.slug, offers=0)
    added = await client.post(
        f"/v1/pledges/{pledge['id']}/commitments", json=commitment_body(), headers=bearer(org_key)
    )
    offer = added.json()
    read = await client.get(f"/v1/commitments/{offer['id']}", headers=bearer(org_key))
    deleted = await client.delete(
        f"/v1/commitments/{offer['id']}", headers={**bearer(org_key), "If-Match": read.headers["etag"]}
    )
    assert deleted.status_code == 204
    assert deleted.content == b"" and "content-type" not in deleted.headers
