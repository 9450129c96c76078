"""Webhooks: the operator, or a council's officers, register endpoints that public changes are pushed to
(signed, retried for a day, at least once each). `covenant-registry worker` sends them."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api.auth import OfficerReader, OfficerWriter
from app.api.deps import PrivateSession
from app.api.examples import json_example
from app.api.http import private_json
from app.api.problems import ACTION_ERRORS, problem_docs
from app.api.responses import NO_CONTENT, Rendered, created
from app.api.transactions import ChangeTransaction, PostTransaction
from app.schemas.fields import ID_CHARS
from app.schemas.webhooks import WebhookCreate, WebhookCreated, WebhookDeliveries, WebhookList
from app.services import webhooks

router = APIRouter(prefix="/v1", tags=["Webhooks"])

ENDPOINT_EXAMPLE = {
    "id": "whk_01JD5X3K8Q2W7N4B6C9D0E1F2G",
    "url": "https://directory.example.gov.uk/hooks/covenant",
    "description": "The council's service directory",
    "event_types": ["offer.published", "offer.changed", "offer.withdrawn"],
    "owner": {"kind": "authority", "authority_id": "aut_01JD5X3K8Q2W7N4B6C9D0E1F2G"},
    "status": "active",
    "disabled_reason": None,
    "created_at": "2026-12-01T10:15:00Z",
}
DELIVERY_EXAMPLE = {
    "id": "dlv_01JD5X3K8Q2W7N4B6C9D0E1F2G",
    "change_id": "chg_01JD5X3K8Q2W7N4B6C9D0E1F2H",
    "status": "pending",
    "attempts": 2,
    "next_attempt_at": "2026-12-01T10:18:00Z",
    "last_status_code": 503,
    "last_error": "answered 503",
    "delivered_at": None,
    "created_at": "2026-12-01T10:15:00Z",
}

WebhookId = Annotated[str, Path(max_length=40, pattern=ID_CHARS, description="The endpoint's id.")]


async def render_created(_session: AsyncSession, document: dict[str, Any]) -> Rendered:
    # A replay of the request must not show the secret again.
    shown_once = {key: value for key, value in document.items() if key != "secret"}
    return created(document, f"/v1/webhooks/{document['id']}", replay_document=shown_once)


@router.post(
    "/webhooks",
    status_code=201,
    response_model=WebhookCreated,
    summary="Register a webhook",
    responses=problem_docs(401, 403, 413, 422),
)
async def create_webhook(request: Request, body: WebhookCreate, caller: OfficerWriter, tx: PostTransaction) -> Response:
    """Have public changes of the kinds you name POSTed to your URL as they happen: the operator's endpoint
    hears of every change, a council's of its covenants' offers and of the covenants. Each delivery carries
    `webhook-id` (the change's id: de-duplicate by it), `webhook-timestamp` and `webhook-signature`
    (`v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with the secret's bytes, as the
    Standard Webhooks specification describes). A delivery that fails is retried with growing waits for a day,
    then the endpoint is disabled. The secret is in this response only."""
    allow_private = request.app.state.settings.webhook_allow_private_networks
    return await tx.run(
        lambda session: webhooks.create(session, caller, body, allow_private=allow_private), render_created
    )


@router.get(
    "/webhooks",
    response_model=WebhookList,
    summary="List webhooks",
    responses={**problem_docs(401, 403), 200: json_example({"items": [ENDPOINT_EXAMPLE]})},
)
async def list_webhooks(caller: OfficerReader, session: PrivateSession) -> Response:
    """Your council's endpoints (the operator: every endpoint), never their secrets."""
    return private_json({"items": await webhooks.listed(session, caller)})


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=WebhookDeliveries,
    summary="See a webhook's deliveries",
    responses={
        **problem_docs(401, 403, 404, 422),
        200: json_example(
            {"endpoint": ENDPOINT_EXAMPLE, "counts": {"delivered": 41, "pending": 1}, "items": [DELIVERY_EXAMPLE]}
        ),
    },
)
async def list_webhook_deliveries(
    webhook_id: WebhookId,
    caller: OfficerReader,
    session: PrivateSession,
    limit: Annotated[int, Query(ge=1, le=100, description="How many of the latest to show.")] = 20,
) -> Response:
    """The endpoint, how many deliveries are pending, delivered or abandoned, and the latest ones with their
    attempts and last error."""
    return private_json(await webhooks.deliveries(session, caller, webhook_id, limit))


@router.delete(
    "/webhooks/{webhook_id}", status_code=204, summary="Remove a webhook", responses=problem_docs(*ACTION_ERRORS)
)
async def delete_webhook(webhook_id: WebhookId, caller: OfficerWriter, tx: ChangeTransaction) -> Response:
    """Stop sending to this endpoint and forget its deliveries."""

    async def render(_session: AsyncSession, _none: None) -> Rendered:
        return NO_CONTENT

    return await tx.run(lambda session: webhooks.remove(session, caller, webhook_id), render)
