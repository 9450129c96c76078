"""Problems reported with a public offer: the anonymous report (and the form token that makes a person's report
distinguishable from a script's), the queues the covenant's officers and the organisation work through, and
their answers."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from app.enums import ProblemReason, ProblemStatus
from app.schemas.fields import EMAIL_PATTERN, MULTI_LINE, PHONE_PATTERN, RECORD_ID, SINGLE_LINE, Strict
from app.schemas.pages import PageParams

DETAILS_MAX = 2000
# An email address or a phone number, nothing else: it is the reporter's, and only for a reply.
CONTACT_PATTERN = f"^(?:{EMAIL_PATTERN[1:-1]}|{PHONE_PATTERN[1:-1]})$"
HONEYPOT_FIELD = "website"
FLAG_AFTER_DAYS = 14
Note = Annotated[str, Field(min_length=3, max_length=2000, pattern=MULTI_LINE)]

# ---------------------------------------------------------------- the public form


class ProblemForm(BaseModel):
    """What a page needs to offer the form: a token to send back with the report, and when it may be sent."""

    form_token: str = Field(description="Send it back as `form_token`; good for one day, for this offer only.")
    not_before: datetime = Field(
        description="A report sent before this is refused as too quick to be a person's (a few seconds)."
    )
    expires_at: datetime = Field(description="After this, fetch a new token.")
    honeypot_field: str = Field(
        description=f"A field (`{HONEYPOT_FIELD}`) a page renders hidden from people: it must stay empty.",
        examples=[HONEYPOT_FIELD],
    )
    reasons: list[ProblemReason] = Field(description="The reasons a report may give.")


class ProblemReportCreate(Strict):
    """Something wrong with an offer, told anonymously. `details` is required for `other`; `contact` only if you
    would like a reply, and only the organisation and the council's officers ever see it."""

    reason: ProblemReason = Field(description="What went wrong.")
    details: Annotated[str, Field(max_length=DETAILS_MAX, pattern=MULTI_LINE)] = Field(
        default="",
        description=f"What happened, in your words (at most {DETAILS_MAX} characters; required for `other`). "
        "Please leave out names and anything that identifies a young person.",
        examples=["I emailed twice in October and nobody replied."],
    )
    contact: Annotated[str, Field(max_length=254, pattern=CONTACT_PATTERN)] | None = Field(
        default=None,
        description="An email address or phone number for a reply, if you want one. Private: never shown publicly.",
        examples=["pa.team@council.example.gov.uk"],
    )
    form_token: Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)] = Field(
        description="The token from GET /v1/commitments/{commitment_id}/problems/form."
    )
    website: Annotated[str, Field(max_length=500, pattern=SINGLE_LINE)] = Field(
        default="",
        description="Leave empty. A field hidden from people on a page's form: only scripts fill it in, and their "
        "reports are answered as usual but go nowhere.",
    )


class ProblemReceipt(BaseModel):
    """A report received. Neither the contact nor the details are echoed back."""

    id: str = Field(description="The report's reference.", examples=["prb_01JD5X3K8Q2W7N4B6C9D0E1F2G"])
    commitment_id: str = Field(description="The offer it is about.")
    reason: ProblemReason = Field(description="What went wrong.")
    received_at: datetime = Field(description="When it was received.")
    message: str = Field(description="What happens next, in plain words.")


# ---------------------------------------------------------------- the queues and answers


class CommitmentRef(BaseModel):
    """The offer a report is about."""

    id: str = Field(description="The commitment's id.")
    title: str = Field(description="The offer's title.")


class OrganisationRef(BaseModel):
    """The organisation that makes the offer."""

    id: str = Field(description="The signatory's id.")
    name: str = Field(description="The organisation's name.")


class ProblemReportOut(BaseModel):
    """A report as the covenant's officers and the organisation see it: with the reporter's contact, if given."""

    id: str = Field(description="The report's id.")
    commitment: CommitmentRef = Field(description="The offer.")
    signatory: OrganisationRef = Field(description="The organisation.")
    covenant_id: str = Field(description="The covenant the offer is in.")
    reason: ProblemReason = Field(description="What went wrong.")
    details: str = Field(description="The reporter's words.")
    contact: str | None = Field(description="How the reporter asked to be answered (private).")
    status: ProblemStatus = Field(description="open until answered (resolved, not_upheld) or dismissed.")
    received_at: datetime = Field(description="When it was received.")
    flagged_for_review: bool = Field(
        description=f"Open for more than {FLAG_AFTER_DAYS} days: its offer needs reviewing."
    )
    closed_at: datetime | None = Field(description="When it was answered or dismissed.")
    closed_by: str | None = Field(description="officers or organisation.")
    note: str | None = Field(description="The answer's note.")


class ProblemSummary(BaseModel):
    """An offer's open problem reports, as its organisation and officers see them."""

    open: int = Field(description="Reports not yet answered.")
    flagged_for_review: bool = Field(
        description=f"One of them has been open for more than {FLAG_AFTER_DAYS} days: the offer needs reviewing."
    )


class ProblemReportPage(BaseModel):
    """A page of problem reports, newest first."""

    items: list[ProblemReportOut] = Field(description="The reports on this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ProblemFilters(PageParams):
    status: ProblemStatus | None = Field(default=None, description="Only reports in this state (`open`: the queue).")
    signatory: Annotated[str | None, Field(default=None, max_length=40, pattern=RECORD_ID)] = Field(
        default=None, description="Only reports on this organisation's offers."
    )
    commitment: Annotated[str | None, Field(default=None, max_length=40, pattern=RECORD_ID)] = Field(
        default=None, description="Only reports on this offer."
    )


class ProblemResolution(Strict):
    """The answer to a report."""

    outcome: Literal["resolved", "not_upheld"] = Field(
        description="resolved: put right; not_upheld: looked into, and nothing was wrong.", examples=["resolved"]
    )
    note: Note = Field(description="What was done, or why it is not upheld.", examples=["Link fixed; replied."])


class ProblemDismissal(Strict):
    """Open reports to clear at once as noise: by id, or every open one received in a time range (or both)."""

    ids: list[Annotated[str, Field(max_length=40, pattern=RECORD_ID)]] = Field(
        default_factory=list, max_length=1000, description="These reports (at most 1,000)."
    )
    received_from: AwareDatetime | None = Field(default=None, description="Open reports received at or after this.")
    received_to: AwareDatetime | None = Field(default=None, description="Open reports received before this.")
    note: Note = Field(description="Why they are dismissed.", examples=["A burst of automated submissions."])


class ProblemDismissed(BaseModel):
    """How many open reports were dismissed."""

    dismissed: int = Field(description="Reports dismissed by this call.")
