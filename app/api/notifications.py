"""Email notifications: an authority's officers say where they want to be told of new submissions, and anyone
with a key sees the latest messages sent about their records. The worker (`covenant-registry worker`) sends
them; app/services/notifications.py decides who hears of what."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api.auth import AnyReader, OfficerReader, OfficerWriter
from app.api.deps import PrivateSession, RecordId
from app.api.examples import json_example
from app.api.http import private_json
from app.api.problems import problem_docs
from app.api.responses import Rendered
from app.api.transactions import ChangeTransaction
from app.models import Authority
from app.schemas.notifications import NotificationList, NotificationSettings, NotificationSettingsUpdate
from app.services import notifications

router = APIRouter(prefix="/v1", tags=["Notifications"])

SETTINGS_EXAMPLE = {
    "authority_id": "aut_01JD5X3K8Q2W7N4B6C9D0E1F2G",
    "officer_email": "corporate.parenting@lancashire.example.gov.uk",
    "updated_at": "2026-12-01T10:15:00Z",
}
NOTIFICATION_EXAMPLE: dict[str, Any] = {
    "id": "ntf_01JD5X3K8Q2W7N4B6C9D0E1F2G",
    "kind": "pledge.changes_requested",
    "audience": "organisation",
    "recipient": "priya.shah@bakery.example.org",
    "subject": "Changes requested to your pledge to Lancashire Care Leavers Covenant",
    "record_id": "pdg_01JD5X3K8Q2W7N4B6C9D0E1F2G",
    "status": "sent",
    "attempts": 1,
    "last_error": None,
    "created_at": "2026-12-01T10:15:00Z",
    "sent_at": "2026-12-01T10:15:02Z",
}


@router.get(
    "/authorities/{authority_id}/notification-settings",
    response_model=NotificationSettings,
    summary="See where officers are emailed",
    responses={**problem_docs(401, 403, 404, 422), 200: json_example(SETTINGS_EXAMPLE)},
)
async def get_notification_settings(authority_id: RecordId, caller: OfficerReader, session: PrivateSession) -> Response:
    """Officers of the authority, and the operator: the address the registry emails when an organisation
    submits a pledge to one of its covenants, or one of its webhook endpoints is disabled."""
    return private_json(await notifications.settings_of(session, caller, authority_id))


@router.put(
    "/authorities/{authority_id}/notification-settings",
    response_model=NotificationSettings,
    summary="Set where officers are emailed",
    responses={**problem_docs(401, 403, 404, 413, 415, 422), 200: json_example(SETTINGS_EXAMPLE)},
)
async def put_notification_settings(
    authority_id: RecordId, body: NotificationSettingsUpdate, caller: OfficerWriter, tx: ChangeTransaction
) -> Response:
    """Officers of the authority, and the operator: set the officers' address (a shared mailbox is best), or
    null to stop. It is private: no public answer ever shows it. The change is audited."""

    async def render(_session: AsyncSession, authority: Authority) -> Rendered:
        return Rendered(notifications.settings_document(authority))

    return await tx.run(
        lambda session: notifications.set_officer_email(session, caller, authority_id, body.officer_email), render
    )


@router.get(
    "/notifications",
    response_model=NotificationList,
    summary="List notifications",
    responses={**problem_docs(401, 403, 422), 200: json_example({"items": [NOTIFICATION_EXAMPLE]})},
)
async def list_notifications(
    caller: AnyReader,
    session: PrivateSession,
    limit: Annotated[int, Query(ge=1, le=100, description="How many of the latest to show.")] = 20,
) -> Response:
    """The latest emails about your records, newest first, and whether each was sent: an organisation's to its
    contact; an officer's to their authority's officers and to organisations in its covenants."""
    return private_json(await notifications.recent(session, caller, limit))
