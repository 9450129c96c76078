"""The private lists run a fixed number of SQL statements per page, whatever the page size: no statement per
pledge, commitment, organisation or report shown."""

from typing import Any

import httpx
from sqlalchemy import event

from tests.flows import bearer, council, published_pledge


async def statements_for(client: httpx.AsyncClient, app: Any, path: str, key: str, limit: int) -> list[str]:
    """The statements one request runs, after checking it filled its page. The key has been used in the last
    minute (see `assert_fixed_statements`), so its last_used_at update does not run."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = await client.get(path, params={"limit": limit}, headers=bearer(key))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == limit, "the test made too few records to fill the page"
    return statements


async def assert_fixed_statements(client: httpx.AsyncClient, app: Any, path: str, key: str) -> None:
    warm = await client.get(path, params={"limit": 2}, headers=bearer(key))  # uses the key: last_used_at is set
    assert warm.status_code == 200, warm.text
    small = await statements_for(client, app, path, key, limit=2)
    large = await statements_for(client, app, path, key, limit=10)
    shown = "\n".join(" ".join(statement.split())[:100] for statement in large)
    assert len(small) == len(large), f"{path}: limit=2 ran {len(small)} statements, limit=10 ran {len(large)}:\n{shown}"


async def covenant_of_pledges(factory, pledges: int = 12):  # type: ignore[no-untyped-def]
    """A covenant with `pledges` organisations, each with a published pledge of 2 or 3 commitments, each
    commitment with a delivery return."""
    covenant, priorities = await factory.covenant()
    for number in range(pledges):
        pledge = await factory.pledge(await factory.signatory(), covenant)
        for priority in priorities[: 2 + number % 2]:
            await factory.progress_report(await factory.commitment(pledge, priority))
    return covenant


async def test_a_covenants_pledges_take_the_same_statements_for_any_page_size(client, app, factory, keyring):
    covenant = await covenant_of_pledges(factory)
    officer = await keyring.officer_of_covenant(covenant.id)
    await assert_fixed_statements(client, app, f"/v1/covenants/{covenant.slug}/pledges", officer)


async def test_an_organisations_pledges_take_the_same_statements_for_any_page_size(client, app, factory, keyring):
    signatory = await factory.signatory()
    for number in range(12):
        covenant, priorities = await factory.covenant()  # an authority has one covenant per audience
        pledge = await factory.pledge(signatory, covenant)
        for priority in priorities[: 2 + number % 2]:
            await factory.commitment(pledge, priority)
    org_key = await keyring.organisation(signatory.id)
    await assert_fixed_statements(client, app, f"/v1/signatories/{signatory.id}/pledges", org_key)


async def test_a_covenants_organisations_take_the_same_statements_for_any_page_size(client, app, factory, keyring):
    covenant = await covenant_of_pledges(factory)
    officer = await keyring.officer_of_covenant(covenant.id)
    await assert_fixed_statements(client, app, f"/v1/covenants/{covenant.slug}/signatories", officer)


async def test_the_audit_trail_takes_the_same_statements_for_any_page_size(client, app, keyring):
    lancashire = await council(client, await keyring.operator())
    for _ in range(2):
        await published_pledge(client, lancashire, offers=2)
    await assert_fixed_statements(client, app, "/v1/audit-events", lancashire.officer_key)


async def test_a_covenants_delivery_returns_take_the_same_statements_for_any_page_size(client, app, factory, keyring):
    covenant = await covenant_of_pledges(factory)
    officer = await keyring.officer_of_covenant(covenant.id)
    await assert_fixed_statements(client, app, f"/v1/covenants/{covenant.slug}/progress-reports", officer)
