"""Recognition earned by delivery: an organisation's level as the public sees it (computed from its record, or
`withheld`), what officers see besides (the earned level and why it is withheld), and withholding it."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.enums import RecognitionLevel
from app.schemas.fields import MULTI_LINE, Strict

RECOGNITION_RULE = (
    "`signed`: a published pledge. `delivering`: signed, and a delivery return with at least one start whose "
    "period ended within the last 12 months (on or after the same day a year ago). `sustaining`: delivering, and "
    "returns with young people still in place after six months (`sustained` > 0) in each of two consecutive "
    "financial years (April to March, a return counting in the year its period ends), the later of them the "
    "current financial year or the one before. `none`: no published pledge yet. `withheld`: a council officer "
    "has withheld the level."
)

EarnedLevel = Literal["signed", "delivering", "sustaining"]


class RecognitionPublic(BaseModel):
    __doc__ = f"What an organisation's delivery record earns it, computed, never self-declared. {RECOGNITION_RULE}"

    level: RecognitionLevel = Field(description="The level shown.", examples=["delivering"])
    years: list[str] = Field(
        description="The financial years whose returns earned it (none for `signed`, `none` and `withheld`).",
        examples=[["2025/26"]],
    )


class Withheld(BaseModel):
    """An officer's decision not to show an organisation's level."""

    reason: str = Field(description="Why (officers only: the public sees `withheld`).")
    withheld_at: datetime = Field(description="When it was withheld.")
    authority_id: str | None = Field(description="The authority whose officer withheld it (null: the operator).")


class RecognitionPrivate(RecognitionPublic):
    """The level shown, the level the record earns, and whether and why it is withheld."""

    earned_level: RecognitionLevel = Field(description="What the record earns, whether shown or withheld.")
    withheld: Withheld | None = Field(description="Set while the level is withheld.")


class WithholdRecognition(Strict):
    """Why an organisation's level should not be shown (kept for officers and in the audit trail)."""

    reason: Annotated[str, Field(min_length=3, max_length=2000, pattern=MULTI_LINE)] = Field(
        description="Why the level is withheld.", examples=["Returns for 2025/26 are being checked with the employer."]
    )


class ReinstateRecognition(Strict):
    """A note on why the level shows again."""

    note: Annotated[str, Field(max_length=2000, pattern=MULTI_LINE)] = Field(
        default="", description="Why it is reinstated.", examples=["Returns checked and confirmed."]
    )
