"""The public change feed: every public change in commit order, for partners that mirror the registry."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.api.deps import ReadConnection
from app.api.http import public_json
from app.api.problems import read_docs
from app.schemas.changes import ChangePage, ChangeParams
from app.services import changes

router = APIRouter(prefix="/v1", tags=["Changes"])

EXAMPLE = {
    "items": [
        {
            "id": "chg_01JD5X3K8Q2W7N4B6C9D0E1F2H",
            "type": "offer.status_changed",
            "record": {"type": "commitment", "id": "cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G"},
            "changes": ["status", "updated_at"],
            "occurred_at": "2026-12-01T10:15:00Z",
        }
    ],
    "next_cursor": "WzEyLDQwXQPfK2mN8sQ1vT4x",
}


@router.get(
    "/changes", response_model=ChangePage, summary="Follow public changes", responses=read_docs(422, example=EXAMPLE)
)
async def list_changes(request: Request, params: Annotated[ChangeParams, Query()], conn: ReadConnection) -> Response:
    """What changed in public since your last read, oldest first: offers published, changed, paused or full,
    withdrawn; organisations verified, suspended, withdrawn; covenants opened, closed. Store `next_cursor` and
    poll with `after=` it: you see every change exactly once, in the order the changes were committed, however
    many writers made them at once. Each change names its record; read the record for what it now says (a
    withdrawn offer is gone: its read is a 404). Private changes (drafts, pending organisations, contacts) are
    never listed."""
    page = await changes.list_changes(conn, params.after or None, params.limit)
    return public_json(request, page.as_document())
