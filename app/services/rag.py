"""Red, amber, green: what a corporate parenting panel reads first on an action plan, and how a measure's periods
are named.

Pure functions of the record and of `today`, which the caller passes in, so that the rules at their edges (due
today, due yesterday, done late) are tested without waiting for a date to come round.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.enums import ActionStatus, MeasureDirection, Rag

# A not-started action this close to its due date needs the panel's attention before it is late.
STARTING_SOON = timedelta(days=30)


@dataclass(frozen=True)
class Derived:
    rag: Rag | None
    done_late: bool


def derived_rag(status: str, due_on: date, completed_on: date | None, today: date) -> Derived:
    """The RAG an action's status and due date give, on `today`.

    Done is green (late if it was completed after its due date); dropped has none; anything else past its due
    date is red, as is off track; at risk, due today, or not started within 30 days of its due date is amber;
    the rest is green."""
    if status == ActionStatus.DONE:
        return Derived(Rag.GREEN, completed_on is not None and completed_on > due_on)
    if status == ActionStatus.DROPPED:
        return Derived(None, False)
    if due_on < today or status == ActionStatus.OFF_TRACK:
        return Derived(Rag.RED, False)
    if status == ActionStatus.AT_RISK or due_on == today:
        return Derived(Rag.AMBER, False)
    if status == ActionStatus.NOT_STARTED and due_on - today <= STARTING_SOON:
        return Derived(Rag.AMBER, False)
    return Derived(Rag.GREEN, False)


def on_track(latest: float | None, target: float | None, direction: str) -> bool | None:
    """Whether a measure's latest value meets its target, the way the measure improves; null without both."""
    if latest is None or target is None:
        return None
    if direction == MeasureDirection.HIGHER_IS_BETTER:
        return latest >= target
    return latest <= target


# ---------------------------------------------------------------- periods

_PERIOD = re.compile(r"^([0-9]{4})/([0-9]{2})(?: Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    """A UK financial year (1 April to 31 March) or one of its quarters (Q1 is April to June)."""

    start_year: int
    quarter: int | None

    @property
    def label(self) -> str:
        year = financial_year_label(self.start_year)
        return year if self.quarter is None else f"{year} Q{self.quarter}"

    @property
    def first_day(self) -> date:
        if self.quarter is None:
            return date(self.start_year, 4, 1)
        month = 4 + 3 * (self.quarter - 1)
        return date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        if self.quarter is None or self.quarter == 4:
            return date(self.start_year + 1, 3, 31)
        following = Period(self.start_year, self.quarter + 1).first_day
        return following - timedelta(days=1)

    def overlaps(self, start: date, end: date) -> bool:
        return self.first_day <= end and self.last_day >= start

    @property
    def order(self) -> tuple[date, date]:
        # By when it ends; a year after its own fourth quarter, which ends the same day (the year sums it up).
        return self.last_day, date.max - (self.first_day - date.min)


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_period(text: str) -> Period | None:
    """`2025/26` or `2025/26 Q1`, or None if the text names no period (the second year must follow the first)."""
    match = _PERIOD.match(text)
    if match is None:
        return None
    start_year = int(match.group(1))
    if (start_year + 1) % 100 != int(match.group(2)):
        return None
    return Period(start_year, int(match.group(3)) if match.group(3) else None)


def financial_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def financial_years(start: date, end: date) -> list[Period]:
    """Every financial year a period of dates touches, in order."""
    return [Period(year, None) for year in range(financial_year_of(start), financial_year_of(end) + 1)]
