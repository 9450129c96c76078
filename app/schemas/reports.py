"""Statistics and the annual report. In public output a count of young people from 1 to 4 is the string "<5",
and one that would give such a count away through a published total is "[c]"; counts of organisations, pledges,
offers and places are exact."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.enums import RecognitionLevel
from app.schemas.covenants import CovenantRef, PriorityRef
from app.schemas.fields import Strict
from app.schemas.strategies import ActionOut, Lead, MeasureOut, StrategyRead, StrategySummary
from app.schemas.voice import YouSaid


class Suppressed(StrEnum):
    """A count of young people hidden in public output, so that nobody can be identified: "<5" for a count from
    1 to 4; "[c]" for one hidden only because, with the total and the other parts published, it would reveal a
    "<5" by subtraction."""

    FEWER_THAN_FIVE = "<5"
    CONFIDENTIAL = "[c]"


# An integer, or a string enum of the markers. An enum rather than a const: client generators
# (openapi-python-client, openapi-typescript) turn an enum into a type they test values against, where a const in a
# union made the Python client refuse every integer.
Count = Annotated[
    int | Suppressed,
    Field(
        description='A count of young people; in public output a count from 1 to 4 is "<5", and one that would '
        'reveal such a count through the published total is "[c]".'
    ),
]


class AuthorityName(BaseModel):
    """The authority that runs the covenant."""

    id: str = Field(description="The authority's id.")
    name: str = Field(description="The authority's name.")


class PriorityOffers(BaseModel):
    """Public offers under one priority."""

    priority: PriorityRef = Field(description="The priority.")
    commitments: int = Field(description="Public commitments (active, paused or full) under it.")


class YearDelivery(BaseModel):
    """What delivery returns report for one financial year."""

    year: str = Field(description="UK financial year, April to March.", examples=["2025/26"])
    returns: int = Field(description="Delivery returns filed for periods starting in the year.")
    places_offered: int = Field(description="Places offered.")
    starts: Count = Field(description="Young people who started.")
    sustained: Count = Field(description="Still in place six months after starting.")


class CovenantStatistics(BaseModel):
    """A covenant in figures. Officers of the covenant (with their key) see exact numbers."""

    covenant: CovenantRef = Field(description="The covenant.")
    exact: bool = Field(
        description="True when counts are exact (an officer's view); false when small ones are suppressed."
    )
    signatories_by_sector: dict[str, int] = Field(
        description="Verified organisations with a published pledge, by sector."
    )
    signatories_by_size: dict[str, int] = Field(description="The same organisations, by size band.")
    published_pledges: int = Field(description="Published pledges of verified organisations.")
    commitments_by_priority: list[PriorityOffers] = Field(description="Public offers under each priority, in order.")
    commitments_by_offer_type: dict[str, int] = Field(description="Public offers by offer type.")
    priorities_without_active_offer: list[PriorityRef] = Field(
        description="Priorities with no active offer: the gaps the council needs to fill."
    )
    delivery_by_year: list[YearDelivery] = Field(description="Reported delivery per financial year.")


class OfferChange(BaseModel):
    """One thing that happened to an offer."""

    offer: str = Field(description="The offer's title.")
    detail: str = Field(description="Who made it, or what they reported.")


class PriorityChanges(BaseModel):
    """Changes recorded under a priority during the year ("you said, we did")."""

    added: list[OfferChange] = Field(description="Offers that went public during the year (with the organisation).")
    withdrawn: list[OfferChange] = Field(description="Offers withdrawn during the year (with the organisation).")
    delivered: list[OfferChange] = Field(
        description="What organisations reported delivering: in public, only the wording an officer approved."
    )


class PriorityYear(BaseModel):
    """One priority's year."""

    priority: PriorityRef = Field(description="The priority.")
    offers: int = Field(description="Offers on the register at some point in the year.")
    places_offered: int = Field(description="Places offered, from delivery returns.")
    starts: Count = Field(description="Young people who started, from delivery returns.")
    sustained: Count = Field(description="Still in place after six months, from delivery returns.")
    changes: PriorityChanges = Field(description="What changed under this priority.")


class YearSummary(BaseModel):
    """The headline figures."""

    offers: int = Field(description="Offers on the register at some point in the year.")
    new_signatories: int = Field(description="Organisations whose first pledge was published in the year.")
    places_offered: int = Field(description="Places offered.")
    starts: Count = Field(description="Young people who started.")
    sustained: Count = Field(description="Still in place after six months.")


class MonthSignatories(BaseModel):
    """New signatories in one month."""

    month: str = Field(description="Month, April first.", examples=["Apr"])
    signatories: int = Field(description="Organisations whose first pledge was published that month.")


class OrganisationName(BaseModel):
    """An organisation, by id and name."""

    id: str = Field(description="The organisation's id.")
    name: str = Field(description="Its name.")


class Celebrated(BaseModel):
    """An organisation the report celebrates, and the recognition its delivery earned."""

    signatory: OrganisationName = Field(description="The organisation.")
    level: RecognitionLevel = Field(description="delivering or sustaining.")
    years: list[str] = Field(description="The financial years its delivery earned the level in.")


class AnnualReport(BaseModel):
    """A covenant's year, for cabinet: the same figures as the printable page (Accept: text/html)."""

    covenant: CovenantRef = Field(description="The covenant.")
    authority: AuthorityName = Field(description="The authority.")
    year: str = Field(description="UK financial year.", examples=["2025/26"])
    period_start: date = Field(description="1 April of the year.")
    period_end: date = Field(description="31 March of the next year.")
    generated_at: datetime = Field(description="When the report was produced.")
    exact: bool = Field(description="True when counts are exact (an officer's view).")
    summary: YearSummary = Field(description="The year in numbers.")
    priorities: list[PriorityYear] = Field(description="Each priority's year, in order.")
    new_signatories_by_month: list[MonthSignatories] = Field(description="New signatories, April to March.")
    gaps: list[PriorityRef] = Field(description="Priorities with no offer during the year.")
    celebrated: list[Celebrated] = Field(
        description="Organisations whose delivery earned recognition (delivering or sustaining) by the year's end."
    )
    you_said_we_did: list[YouSaid] = Field(
        description="What young people raised during the year (approved public wording only), with what was done."
    )
    strategy: StrategyRead | None = Field(
        description="The council's strategy covering the year (its leads, actions and measures): for officers "
        "always, in public only where the covenant publishes it; null otherwise, or if no strategy covers the year."
    )


class ReportLinkCreate(Strict):
    """Which report a signed link opens."""

    year: int = Field(ge=2000, le=2100, description="Financial year by its first year: 2025 is 2025/26.")
    format: Literal["html", "pdf"] = Field(default="html", description="The printable page, or its PDF.")
    report: Literal["annual_report", "panel_pack"] = Field(
        default="annual_report", description="The annual report (exact), or the corporate parenting panel's pack."
    )


class ReportLink(BaseModel):
    """A signed link to one exact report: it works once, until `expires_at`, and opens nothing else."""

    url: str = Field(description="The report's address with the signed token; relative to the registry.")
    report: Literal["annual_report", "panel_pack"] = Field(description="Which report it opens.")
    year: int = Field(description="The report's financial year, by its first year.")
    format: Literal["html", "pdf"] = Field(description="The page or the PDF.")
    expires_at: datetime = Field(description="When the link stops working (15 minutes after it was made).")


class PanelFigures(BaseModel):
    """Offers and delivery in one year (exact)."""

    offers: int = Field(description="Offers on the register at some point in the year.")
    places_offered: int = Field(description="Places offered, from delivery returns.")
    starts: int = Field(description="Young people who started.")
    sustained: int = Field(description="Still in place after six months.")


class YearOnYear(BaseModel):
    """This year's figures beside last year's, and the change."""

    this_year: PanelFigures = Field(description="The year of the pack.")
    last_year: PanelFigures = Field(description="The year before.")
    change: PanelFigures = Field(description="This year less last year.")


class RagCounts(BaseModel):
    """How many actions are red, amber or green (and how many have none: dropped)."""

    red: int
    amber: int
    green: int
    none: int


class PanelPriority(BaseModel):
    """One priority in the pack."""

    priority: PriorityRef = Field(description="The priority.")
    lead: Lead | None = Field(description="Who leads it; null: no lead named.")
    actions: list[ActionOut] = Field(description="Its actions in the strategy covering the year, with RAG.")
    rag_counts: RagCounts = Field(description="Its actions by RAG.")
    measures: list[MeasureOut] = Field(description="Its measures, with their values over the years held.")
    delivery: YearOnYear = Field(description="Offers and delivery under it, this year and last.")
    changes: PriorityChanges = Field(description="What changed under it during the year.")


class PanelPack(BaseModel):
    """The corporate parenting panel's pack for one financial year: officers' exact figures, never public."""

    covenant: CovenantRef = Field(description="The covenant.")
    authority: AuthorityName = Field(description="The authority.")
    year: str = Field(description="UK financial year.", examples=["2025/26"])
    period_start: date = Field(description="1 April of the year.")
    period_end: date = Field(description="31 March of the next year.")
    generated_at: datetime = Field(description="When the pack was made (RAG is worked out on that day).")
    strategy: StrategySummary | None = Field(description="The strategy covering the year; null if none does.")
    summary: YearOnYear = Field(description="The covenant's offers and delivery, this year and last.")
    rag_counts: RagCounts = Field(description="All the strategy's actions by RAG.")
    priorities: list[PanelPriority] = Field(description="Each priority, in order.")
    gaps: list[PriorityRef] = Field(description="Priorities with no offer during the year.")
