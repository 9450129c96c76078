"""Open data: every public signatory and commitment as CSV, one row per record, streamed page by page.

Each page is one keyset query of `BATCH` rows, turned into CSV text and sent before the next is read, so a
million rows never sit in memory. Columns are public fields only, in a fixed order (listed in the README's "Open
data" section). Text that a spreadsheet would run as a formula (starting =, +, -, @) is prefixed with an apostrophe.
"""

import csv
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from app.schemas.commitments import CommitmentFilters
from app.schemas.signatories import SignatoryFilters
from app.serialization import dump_json
from app.services import public_read
from app.services.pagination import Page

BATCH = 1_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# For Excel: a byte order mark, without which it reads UTF-8 as Windows-1252 (£ becomes Â£), and registration
# numbers written so that it keeps them as text (09876543, not 9876543).
BYTE_ORDER_MARK = "\ufeff".encode()
TEXT_IDENTIFIERS = frozenset({"companies_house_number", "charity_number"})

COMMITMENT_COLUMNS = [
    "id", "title", "description", "offer_type", "status", "covenant_id", "covenant_slug", "signatory_id",
    "signatory_name", "signatory_sector", "priority_id", "priority_code", "priority_title", "min_age", "max_age",
    "audiences", "care_statuses", "areas", "capacity_places", "capacity_period", "how_to_access", "access_url",
    "starts_on", "ends_on", "apply_by", "updated_at", "area_names",
]  # fmt: skip
SIGNATORY_COLUMNS = [
    "id", "name", "description", "sector", "organisation_type", "size_band", "companies_house_number",
    "charity_number", "website", "public_contact", "areas", "verified_at", "area_names",
]  # fmt: skip


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def commitment_row(document: dict[str, Any]) -> list[Any]:
    eligibility, capacity, access = document["eligibility"], document["capacity"], document["how_to_access"]
    return [
        document["id"], document["title"], document["description"], document["offer_type"], document["status"],
        document["covenant"]["id"], document["covenant"]["slug"], document["signatory"]["id"],
        document["signatory"]["name"], document["signatory"]["sector"], document["priority"]["id"],
        document["priority"]["code"], document["priority"]["title"], eligibility["min_age"], eligibility["max_age"],
        ";".join(eligibility["audiences"]), ";".join(eligibility["care_statuses"]), ";".join(document["areas"]),
        capacity["places"], capacity["period"], access["text"], access["url"], document["starts_on"],
        document["ends_on"], document["apply_by"], document["updated_at"], area_names(document),
    ]  # fmt: skip


def signatory_row(document: dict[str, Any]) -> list[Any]:
    # Dates and times go through the same JSON encoding as the API, so both say 2026-11-22T10:15:00Z.
    verified_at = orjson.loads(dump_json(document["verified_at"]))
    return [
        *(document[column] for column in SIGNATORY_COLUMNS[:10]),
        ";".join(document["areas"]),
        verified_at,
        area_names(document),
    ]


def area_names(document: dict[str, Any]) -> str:
    # Last, so that readers of the earlier columns by position are not disturbed.
    return ";".join(detail["name"] or detail["code"] for detail in document["area_details"])


def as_text_for_excel(value: Any) -> Any:
    # ="…" is how a CSV tells Excel a value is text; only digits are ever wrapped, so nothing else can run.
    return f'="{value}"' if isinstance(value, str) and value.isdigit() else safe_cell(value)


def _csv_text(rows: list[list[Any]], text_columns: frozenset[int] = frozenset()) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(
        [as_text_for_excel(cell) if n in text_columns else safe_cell(cell) for n, cell in enumerate(row)]
        for row in rows
    )
    return buffer.getvalue().encode()


async def _stream(
    engine: AsyncEngine,
    header: list[str],
    fetch: Callable[[Any, str | None], Any],
    to_row: Callable[[Any], list[Any]],
    for_excel: bool,
) -> AsyncIterator[bytes]:
    text_columns = (
        frozenset(n for n, name in enumerate(header) if name in TEXT_IDENTIFIERS) if for_excel else frozenset()
    )
    yield (BYTE_ORDER_MARK if for_excel else b"") + _csv_text([header])
    cursor: str | None = None
    while True:
        # A short-lived connection per page: a slow download never holds a pooled connection for minutes.
        async with engine.connect() as conn:
            page = await fetch(conn, cursor)
        if page.items:
            yield _csv_text([to_row(item) for item in page.items], text_columns)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def commitments_csv(engine: AsyncEngine, filters: CommitmentFilters, *, for_excel: bool) -> AsyncIterator[bytes]:
    async def fetch(conn: Any, cursor: str | None) -> Page:
        page_filters = filters.model_copy(update={"cursor": cursor, "limit": BATCH})
        rows, next_cursor = await public_read.commitment_rows(conn, page_filters)
        return Page([orjson.loads(row.document) for row in rows], next_cursor)

    return _stream(engine, COMMITMENT_COLUMNS, fetch, commitment_row, for_excel)


def signatories_csv(engine: AsyncEngine, filters: SignatoryFilters, *, for_excel: bool) -> AsyncIterator[bytes]:
    async def fetch(conn: Any, cursor: str | None) -> Page:
        return await public_read.list_signatories(conn, filters.model_copy(update={"cursor": cursor, "limit": BATCH}))

    return _stream(engine, SIGNATORY_COLUMNS, fetch, signatory_row, for_excel)
