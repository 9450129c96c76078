"""The SQL statements an organisation's writes run, counted on the test's own engine: a pledge created with many
commitments costs no more statements than with one, no write reads the same thing twice, and writes the public
cannot see leave the read model and the change feed alone."""

import uuid
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import event

from tests.flows import Council, bearer, commitment_body, council, register


async def statements_of(
    client: httpx.AsyncClient, app: Any, path: str, key: str, body: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """One POST with an Idempotency-Key (as every client of the bench does), its answer and its statements."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        headers = {**bearer(key), "Idempotency-Key": str(uuid.uuid4())}
        response = await client.post(path, json=body, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code in (200, 201), response.text
    return response.json(), statements


async def organisation(client: httpx.AsyncClient) -> str:
    """A new organisation's key, used once already: the update of its last use (once a minute) is behind it."""
    signatory, key = await register(client)
    assert (await client.get(f"/v1/signatories/{signatory['id']}/pledges", headers=bearer(key))).status_code == 200
    return key


def pledge_with(lancashire: Council, offers: int, **more: Any) -> dict[str, Any]:
    commitments = [commitment_body(title=f"Apprenticeship number {number}") for number in range(offers)]
    return {"covenant": lancashire.slug, "statement": "We will open doors.", "commitments": commitments, **more}


def shown(statements: list[str]) -> str:
    return "\n".join(statement[:110] for statement in statements)


def repeated_reads(statements: list[str]) -> list[str]:
    return [text for text, times in Counter(s for s in statements if s.startswith("SELECT")).items() if times > 1]


async def test_a_pledge_with_ten_commitments_runs_the_statements_of_a_pledge_with_one(client, app, keyring):
    lancashire = await council(client, await keyring.operator())
    one, with_one = await statements_of(
        client, app, "/v1/pledges", await organisation(client), pledge_with(lancashire, 1)
    )
    ten, with_ten = await statements_of(
        client, app, "/v1/pledges", await organisation(client), pledge_with(lancashire, 10)
    )
    assert (len(one["commitments"]), len(ten["commitments"])) == (1, 10)
    # k, the statements each further commitment may add, is 0. Per commitment the request writes one commitment
    # row, one commitment_area row per area and one audit event; each table's rows go in one INSERT for the whole
    # batch (SQLAlchemy groups a flush's rows of one table into one executemany, or one multi-row INSERT of up to
    # 1000 rows; the cap is 50), the priorities are read once for all, and the answer's commitments come from one
    # query. So nothing is run per commitment: count(10) - count(1) <= 9 * k with k = 0.
    k = 0
    assert len(with_ten) - len(with_one) <= 9 * k, f"one:\n{shown(with_one)}\n\nten:\n{shown(with_ten)}"
    # And one request for all of them runs fewer statements than its first two commitments added one by one.
    pledge, _ = await statements_of(
        client, app, "/v1/pledges", key := await organisation(client), pledge_with(lancashire, 0)
    )
    _, add_one = await statements_of(client, app, f"/v1/pledges/{pledge['id']}/commitments", key, commitment_body())
    assert len(with_ten) < 2 * len(add_one)


async def test_no_write_reads_the_same_thing_twice(client, app, keyring):
    lancashire = await council(client, await keyring.operator())
    key = await organisation(client)
    pledge, create = await statements_of(client, app, "/v1/pledges", key, pledge_with(lancashire, 0))
    _, add = await statements_of(client, app, f"/v1/pledges/{pledge['id']}/commitments", key, commitment_body())
    _, submit = await statements_of(client, app, f"/v1/pledges/{pledge['id']}/submit", key)
    _, all_at_once = await statements_of(
        client, app, "/v1/pledges", await organisation(client), pledge_with(lancashire, 10, submit=True)
    )
    for name, statements in [("create", create), ("add", add), ("submit", submit), ("all at once", all_at_once)]:
        assert repeated_reads(statements) == [], f"{name} repeats a read:\n{shown(statements)}"


async def test_writes_the_public_cannot_see_leave_the_read_model_and_the_change_feed_alone(client, app, keyring):
    lancashire = await council(client, await keyring.operator())
    key = await organisation(client)
    pledge, create = await statements_of(client, app, "/v1/pledges", key, pledge_with(lancashire, 2))
    _, add = await statements_of(client, app, f"/v1/pledges/{pledge['id']}/commitments", key, commitment_body())
    _, submit = await statements_of(client, app, f"/v1/pledges/{pledge['id']}/submit", key)
    # A draft, its offers and its submission are private: nothing of the public read model is re-rendered and
    # no change-feed row waits to be stamped, so neither table is touched.
    for name, statements in [("create", create), ("add", add), ("submit", submit)]:
        touched = [s for s in statements if "public_commitment" in s or "public_change" in s]
        assert touched == [], f"{name}:\n{shown(touched)}"
