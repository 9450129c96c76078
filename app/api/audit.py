"""The audit trail: who changed what, when, before and after. Officers read their authority's; the operator
reads everything."""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api import examples
from app.api.auth import OfficerReader
from app.api.deps import PrivateSession
from app.api.http import private_json
from app.api.problems import problem_docs
from app.schemas.audit import AuditEventPage
from app.schemas.fields import ID_CHARS, RECORD_ID, SINGLE_LINE
from app.schemas.pages import PageParams
from app.services import private_read

router = APIRouter(prefix="/v1", tags=["Audit"])


@router.get(
    "/audit-events",
    response_model=AuditEventPage,
    summary="Read the audit trail",
    responses={**problem_docs(401, 403, 422), 200: examples.json_example(examples.page(examples.AUDIT_EVENT))},
)
async def list_audit_events(
    caller: OfficerReader,
    session: PrivateSession,
    page: Annotated[PageParams, Query()],
    record_type: Annotated[str | None, Query(max_length=40, pattern=SINGLE_LINE, description="e.g. pledge.")] = None,
    record_id: Annotated[str | None, Query(max_length=40, pattern=ID_CHARS, description="One record's events.")] = None,
    action: Annotated[str | None, Query(max_length=60, pattern=SINGLE_LINE, description="e.g. pledge.approve.")] = None,
    covenant_id: Annotated[str | None, Query(pattern=RECORD_ID, description="Events of one covenant.")] = None,
    signatory_id: Annotated[str | None, Query(pattern=RECORD_ID, description="Events of one organisation.")] = None,
) -> Response:
    """Who changed what, when, before and after, newest first: your authority's covenants and the organisations
    pledging to them (the operator: everything)."""
    filters = {
        "record_type": record_type,
        "record_id": record_id,
        "action": action,
        "covenant_id": covenant_id,
        "signatory_id": signatory_id,
    }
    result = await private_read.audit_events(session, caller, filters, page.cursor, page.limit)
    return private_json(result.as_document())
