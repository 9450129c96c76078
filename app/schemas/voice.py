"""You said, we did: what young people raised with a covenant's council, and what was done about it."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from app.enums import VoiceEntryStatus, VoiceResponseStatus, VoiceSource
from app.schemas.covenants import CovenantRef, PriorityRef
from app.schemas.fields import MULTI_LINE, PRIORITY_REFERENCE, RECORD_ID, SINGLE_LINE, Strict

Words = Annotated[str, Field(min_length=1, max_length=2000, pattern=MULTI_LINE)]
OptionalPriority = Annotated[
    str | None,
    Field(
        default=None, max_length=40, pattern=PRIORITY_REFERENCE, description="The priority it is about (code or id)."
    ),
]
OptionalRecord = Annotated[str | None, Field(default=None, max_length=40, pattern=RECORD_ID)]

# ---------------------------------------------------------------- inputs


class VoiceEntryCreate(Strict):
    """Something young people said, as an officer records it. It is private until its public wording is approved."""

    source: VoiceSource = Field(description="Where it was heard.")
    raised_on: date = Field(description="When it was said (not in the future).", examples=["2026-10-14"])
    words: Words = Field(
        description="What was said, as it was said (private).",
        examples=["We don't know what the council will pay for when we move into our first flat."],
    )
    public_words: Words | None = Field(
        default=None,
        description="The wording the public may read; given here, the entry is approved at once. Leave out anything "
        "that could identify a young person.",
    )
    priority: OptionalPriority
    offer: OptionalRecord = Field(default=None, description="The offer it is about, if any (a commitment's id).")


class VoiceIntake(Strict):
    """What a young person, or someone for them, wants the council to hear: anonymous, no personal data asked."""

    words: Words = Field(description="What you want the council to know.")
    source: VoiceSource = Field(default=VoiceSource.INDIVIDUAL, description="Who is telling us.")
    priority: OptionalPriority
    offer: OptionalRecord = Field(default=None, description="The offer it is about, if any.")
    website: Annotated[str, Field(max_length=200, pattern=SINGLE_LINE)] = Field(
        default="",
        description="Leave empty. A field people never see on a form: automated senders fill it in, and what they "
        "send is dropped.",
    )


class VoiceApproval(Strict):
    """The wording of a "you said" the public may read."""

    public_words: Words = Field(description="Plain, and with nothing that could identify a young person.")


class VoiceDismissal(Strict):
    """Dismiss many submissions at once: every one still waiting in the covenant, sent through the public form,
    received between the two times (either may be left out)."""

    received_from: datetime | None = Field(default=None, description="From this time (inclusive).")
    received_until: datetime | None = Field(default=None, description="Until this time (inclusive).")


class VoiceResponseCreate(Strict):
    """What was done about a "you said"."""

    did: Words = Field(description="What the council or a partner did, in plain words.")
    status: VoiceResponseStatus = Field(description="Where it has got to.")
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=MULTI_LINE)] | None = Field(
        default=None, description="Why it was not possible (required with `not_possible`)."
    )
    done_on: date | None = Field(default=None, description="When it was done.")
    action: OptionalRecord = Field(default=None, description="The strategy's action it is part of (its id).")
    offer: OptionalRecord = Field(default=None, description="The offer it led to (a commitment's id).")
    measure: OptionalRecord = Field(default=None, description="The strategy's measure it moves (its id).")


class YouSaidFromProblem(Strict):
    """An answered problem report made a "you said" with its "we did". The report's own words stay private, as an
    entry's words as said do; the public reads only the wordings given here."""

    did: Words = Field(
        description="What was done about it, in plain words the public may read.",
        examples=["The organisation found the enquiries had gone to an old inbox, and now replies within a week."],
    )
    public_words: Words | None = Field(
        default=None,
        description="The wording of the problem the public may read; given here, the entry is approved at once. "
        "Leave out anything that could identify the young person.",
        examples=["Someone asked about an apprenticeship twice and nobody replied."],
    )
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=MULTI_LINE)] | None = Field(
        default=None,
        description="Why nothing could be done: required when the report was not upheld (its status is then "
        "`not_possible`).",
    )
    priority: OptionalPriority


# ---------------------------------------------------------------- outputs


class LinkedRecord(BaseModel):
    """A record a "you said" or "we did" points at."""

    id: str = Field(description="Its id.")
    title: str = Field(description="Its title or reference.")


class WeDid(BaseModel):
    """One thing done about a "you said"."""

    id: str = Field(description="The response's id.", examples=["vdd_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    did: str = Field(description="What was done.")
    status: VoiceResponseStatus = Field(description="Where it has got to.")
    reason: str | None = Field(description="Why it was not possible, if it was not.")
    done_on: date | None = Field(description="When it was done.")
    action: LinkedRecord | None = Field(description="The strategy's action it is part of.")
    offer: LinkedRecord | None = Field(description="The offer it led to.")
    measure: LinkedRecord | None = Field(description="The measure it moves.")
    created_at: datetime = Field(description="When it was recorded.")


class YouSaid(BaseModel):
    """A "you said" with its "we did", as the public reads it."""

    id: str = Field(description="The entry's id.", examples=["vsd_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    source: VoiceSource = Field(description="Where it was heard.")
    raised_on: date = Field(description="When it was said.")
    said: str = Field(description="What young people said, in its approved public wording.")
    priority: PriorityRef | None = Field(description="The priority it is about.")
    offer: LinkedRecord | None = Field(description="The offer it is about.")
    status: VoiceResponseStatus = Field(description="The latest response's status; `heard` before any.")
    responses: list[WeDid] = Field(description="What was done, newest first.")


class YouSaidPrivate(YouSaid):
    """A "you said" as the covenant's officers see it: the words as said, waiting ones and dismissed ones too."""

    words: str = Field(description="What was said, as it was said.")
    said: str | None = Field(description="The approved public wording; null until approved.")  # type: ignore[assignment]
    entry_status: VoiceEntryStatus = Field(description="submitted (waiting), approved (public) or dismissed.")
    through_intake: bool = Field(description="Sent through the public form rather than recorded by an officer.")
    problem_report: str | None = Field(description="The answered problem report it was made from, if any (its id).")
    approved_at: datetime | None = Field(description="When the public wording was approved.")
    created_at: datetime = Field(description="When it was received.")


class YouSaidWeDid(BaseModel):
    """A covenant's "you said, we did", newest first."""

    covenant: CovenantRef = Field(description="The covenant.")
    items: list[YouSaid] = Field(description='Each approved "you said" with its "we did", newest first.')


class YouSaidPrivatePage(BaseModel):
    """A covenant's "you said" entries as officers see them, newest first."""

    items: list[YouSaidPrivate] = Field(description="The entries.")
    next_cursor: str | None = Field(description="Always null: every entry asked for is on the page.")


class IntakeReceived(BaseModel):
    """What the public form answers: it was received, and nothing about it is public until an officer approves it."""

    status: str = Field(description="Always `received`.", examples=["received"])
    message: str = Field(description="What happens next, in plain words.")


class Dismissed(BaseModel):
    """How many submissions a bulk dismissal cleared."""

    dismissed: int = Field(description="How many were dismissed.")
