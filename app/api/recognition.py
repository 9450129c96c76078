"""Recognition earned by delivery: officers withhold an organisation's level (with a reason) and reinstate it.
The level itself is computed (app/services/recognition.py) and shown on the organisation's documents."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from app.api import examples
from app.api.auth import OfficerWriter
from app.api.deps import RecordId
from app.api.problems import ACTION_ERRORS, problem_docs
from app.api.responses import Rendered, current
from app.api.transactions import PostTransaction
from app.models import Signatory
from app.schemas.recognition import RECOGNITION_RULE, ReinstateRecognition, WithholdRecognition
from app.schemas.signatories import SignatoryPrivate
from app.services import private_read, recognition
from app.services.access import Principal

router = APIRouter(prefix="/v1", tags=["Signatories"])


def render(caller: Principal) -> Callable[[AsyncSession, Signatory], Awaitable[Rendered]]:
    async def rendered(session: AsyncSession, signatory: Signatory) -> Rendered:
        return current(await private_read.signatory_document(session, signatory, caller), signatory)

    return rendered


@router.post(
    "/signatories/{signatory_id}/recognition/withhold",
    response_model=SignatoryPrivate,
    summary="Withhold an organisation's recognition",
    description="Show `withheld` instead of the level the organisation's record earns, for a reason the public "
    "never sees (officers read it in `recognition.withheld` and in the audit trail). For an organisation that "
    f"pledged to one of your covenants; 409 if already withheld. How levels are earned: {RECOGNITION_RULE}",
    responses={**problem_docs(*ACTION_ERRORS, 413), 200: examples.json_example(examples.SIGNATORY_WITHHELD)},
)
async def withhold_recognition(
    signatory_id: RecordId, body: WithholdRecognition, caller: OfficerWriter, tx: PostTransaction
) -> Response:
    return await tx.run(
        lambda session: recognition.withhold(session, caller, signatory_id, body.reason), render(caller)
    )


@router.post(
    "/signatories/{signatory_id}/recognition/reinstate",
    response_model=SignatoryPrivate,
    summary="Reinstate an organisation's recognition",
    responses={**problem_docs(*ACTION_ERRORS, 413), 200: examples.json_example(examples.SIGNATORY_PRIVATE)},
)
async def reinstate_recognition(
    signatory_id: RecordId, caller: OfficerWriter, tx: PostTransaction, body: ReinstateRecognition | None = None
) -> Response:
    """Show the earned level again. Only the officers of the authority that withheld it (or the operator);
    409 if it is not withheld."""
    note = body.note if body else ""
    return await tx.run(lambda session: recognition.reinstate(session, caller, signatory_id, note), render(caller))
