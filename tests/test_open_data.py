"""Open data: CSV downloads of public records only, one row each, streamed a page at a time."""

import asyncio
import csv
import io
import re
import tracemalloc
from datetime import date
from pathlib import Path

from app.demo.synthetic import seed_synthetic
from app.services.open_data import COMMITMENT_COLUMNS, SIGNATORY_COLUMNS


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_commitments_csv_has_every_public_offer_and_nothing_else(client, factory):
    public = [await factory.public_offer(title=f"Offer {n}") for n in range(3)]
    covenant, priorities = await factory.covenant()
    hidden_pledge = await factory.pledge(await factory.signatory(), covenant, status="draft")
    await factory.commitment(hidden_pledge, priorities[0], title="Draft offer")

    response = await client.get("/v1/commitments.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="commitments-{date.today().isoformat()}.csv"' in response.headers["content-disposition"]
    header = response.text.splitlines()[0].split(",")
    assert header == COMMITMENT_COLUMNS
    rows = parse(response.text)
    assert sorted(row["id"] for row in rows) == sorted(offer.id for offer in public)
    assert "Draft offer" not in response.text
    assert "private.person" not in response.text


async def test_commitments_csv_row_matches_the_json(client, factory):
    offer = await factory.public_offer(areas=("E10000017", "remote"), care_statuses=("former_relevant",))
    document = (await client.get(f"/v1/commitments/{offer.id}")).json()
    (row,) = parse((await client.get("/v1/commitments.csv")).text)
    assert row["signatory_name"] == document["signatory"]["name"]
    assert row["priority_code"] == document["priority"]["code"]
    assert row["areas"] == "remote;E10000017"
    assert row["care_statuses"] == "former_relevant"
    assert row["min_age"] == str(document["eligibility"]["min_age"])
    assert row["updated_at"] == document["updated_at"]


async def test_csv_takes_the_list_filters(client, factory):
    first = await factory.public_offer(offer_type="mentoring")
    await factory.public_offer(offer_type="job")
    rows = parse((await client.get("/v1/commitments.csv?offer_type=mentoring")).text)
    assert [row["id"] for row in rows] == [first.id]


async def test_spreadsheet_formulas_are_neutralised(client, factory):
    await factory.public_offer(title='=HYPERLINK("http://evil.example","Click")')
    (row,) = parse((await client.get("/v1/commitments.csv")).text)
    assert row["title"].startswith("'=HYPERLINK")


async def test_signatories_csv_has_verified_organisations_without_private_contact(client, factory):
    shown = await factory.signatory(name="Visible Co-operative", areas=("E10000017", "national"))
    await factory.signatory(name="Pending Partnership", status="pending")
    response = await client.get("/v1/signatories.csv")
    assert response.text.splitlines()[0].split(",") == SIGNATORY_COLUMNS
    rows = parse(response.text)
    assert [row["id"] for row in rows] == [shown.id]
    assert rows[0]["areas"] == "national;E10000017"
    assert shown.contact_email not in response.text


async def export_peak(app) -> tuple[int, int]:
    """Bytes of /v1/commitments.csv sent through the whole application, middleware included, and the peak
    memory allocated meanwhile. A bare ASGI call: each chunk is counted and dropped, as a socket would."""
    received, requested, finished = 0, False, asyncio.Event()

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()  # the client stays until the whole body has come
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal received
        if message["type"] == "http.response.body":
            received += len(message.get("body", b""))
            if not message.get("more_body", False):
                finished.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/v1/commitments.csv",
        "raw_path": b"/v1/commitments.csv",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "app": app,
    }
    tracemalloc.start()
    try:
        await app(scope, receive, send)
        return received, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_large_export_streams_in_constant_memory(app, engine):
    """Three times the rows, the same peak memory: rows are fetched and sent a page at a time, and nothing on
    the way out (the middleware that remembers public answers included) gathers them.

    (bench/ measures a real server's resident memory over 200,000 rows.)"""
    await seed_synthetic(engine, signatories=200, commitments=4_000, seed=7)
    small_size, small_peak = await export_peak(app)
    await seed_synthetic(engine, signatories=400, commitments=8_000, seed=8)
    large_size, large_peak = await export_peak(app)
    assert large_size > 2.5 * small_size
    # Gathering the body anywhere would add at least the extra bytes to the peak; streaming adds next to nothing.
    growth = large_peak - small_peak
    assert growth < (large_size - small_size) / 2, f"{small_peak} bytes for {small_size}, {large_peak} for {large_size}"


def test_the_readme_documents_every_csv_column_in_order():
    """The contract points CSV users at the README; the columns they find there are the ones they download."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Open data", 1)[1].split("\n## ", 1)[0]
    commitments_part, signatories_part = section.split("`signatories.csv`", 1)
    documented = re.findall(r"`([a-z_]+)`", commitments_part.split("`commitments.csv`", 1)[1])
    assert [name for name in documented if name in COMMITMENT_COLUMNS] == COMMITMENT_COLUMNS
    assert [name for name in re.findall(r"`([a-z_]+)`", signatories_part) if name in SIGNATORY_COLUMNS] == (
        SIGNATORY_COLUMNS
    )


async def test_a_download_revalidates_by_etag_until_the_next_write(client, factory):
    await factory.public_offer()
    first = await client.get("/v1/commitments.csv")
    assert first.headers["etag"]
    again = await client.get("/v1/commitments.csv", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    await factory.public_offer()
    changed = await client.get("/v1/commitments.csv", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    assert len(parse(changed.text)) == 2


async def test_the_excel_dialect_has_a_byte_order_mark_and_keeps_registration_numbers_as_text(client, factory):
    await factory.signatory(name="Café £ Bakery", companies_house_number="09876543")
    plain = await client.get("/v1/signatories.csv")
    excel = await client.get("/v1/signatories.csv", params={"excel": "true"})
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert excel.content.startswith(b"\xef\xbb\xbf")
    (plain_row,) = parse(plain.text)
    (excel_row,) = parse(excel.content.decode("utf-8-sig"))
    assert plain_row["companies_house_number"] == "09876543"
    assert excel_row["companies_house_number"] == '="09876543"'
    assert excel_row["name"] == plain_row["name"] == "Café £ Bakery"
