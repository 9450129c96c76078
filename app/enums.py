"""The closed vocabularies of the registry, shared by tables, schemas and services.

The database stores each as plain text guarded by a CHECK constraint rather than a native ENUM type,
so adding a value is an ordinary migration on both SQLite and PostgreSQL.
"""

from collections.abc import Iterable
from enum import StrEnum


class Audience(StrEnum):
    """Who a covenant or an offer is for: care leavers, children in care, or young people with SEND."""

    CARE_LEAVERS = "care_leavers"
    CHILDREN_IN_CARE = "children_in_care"
    SEND = "send"


class CovenantStatus(StrEnum):
    """A covenant's state: `draft` (not public), `open` for pledges, or `closed`."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Sector(StrEnum):
    """The sector an organisation belongs to."""

    PRIVATE = "private"
    PUBLIC = "public"
    VOLUNTARY = "voluntary"
    EDUCATION = "education"


class OrganisationType(StrEnum):
    """The kind of organisation."""

    BUSINESS = "business"
    CHARITY = "charity"
    SOCIAL_ENTERPRISE = "social_enterprise"
    LOCAL_AUTHORITY = "local_authority"
    PUBLIC_BODY = "public_body"
    EDUCATION_INSTITUTION = "education_institution"
    HEALTH_BODY = "health_body"


class SizeBand(StrEnum):
    """Staff headcount band: micro (<10), small (10-49), medium (50-249), large (250+)."""

    MICRO = "micro"  # fewer than 10 staff
    SMALL = "small"  # 10-49
    MEDIUM = "medium"  # 50-249
    LARGE = "large"  # 250 or more


class SignatoryStatus(StrEnum):
    """An organisation's state: `pending` until a council officer verifies it."""

    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class PledgeStatus(StrEnum):
    """A pledge's state: draft, submitted, changes_requested, published, then withdrawn or lapsed."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


class OfferType(StrEnum):
    """The kind of offer a commitment makes."""

    APPRENTICESHIP = "apprenticeship"
    INTERNSHIP = "internship"
    JOB = "job"
    TRAINEESHIP = "traineeship"
    WORK_EXPERIENCE = "work_experience"
    INSIGHT_DAY = "insight_day"
    GUARANTEED_INTERVIEW = "guaranteed_interview"
    MENTORING = "mentoring"
    TRAINING = "training"
    BURSARY = "bursary"
    ACCOMMODATION = "accommodation"
    GUARANTOR = "guarantor"
    DISCOUNT = "discount"
    LEISURE = "leisure"
    FINANCIAL_SUPPORT = "financial_support"
    ADVICE = "advice"
    OTHER = "other"


class CareStatus(StrEnum):
    """Statutory care-leaver categories (Children (Leaving Care) Act 2000)."""

    ELIGIBLE = "eligible"
    RELEVANT = "relevant"
    FORMER_RELEVANT = "former_relevant"
    QUALIFYING = "qualifying"


class CapacityPeriod(StrEnum):
    """What a commitment's number of places counts."""

    ONE_OFF = "one_off"
    PER_YEAR = "per_year"
    ONGOING = "ongoing"
    UNLIMITED = "unlimited"


class CommitmentStatus(StrEnum):
    """A commitment's state; only active, paused and full are public."""

    ACTIVE = "active"
    PAUSED = "paused"
    FULL = "full"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class PublicCommitmentStatus(StrEnum):
    """The commitment statuses the public may see and filter on."""

    ACTIVE = "active"
    PAUSED = "paused"
    FULL = "full"


class KeyOwnerKind(StrEnum):
    """Who an API key belongs to."""

    SIGNATORY = "signatory"
    AUTHORITY = "authority"
    OPERATOR = "operator"


# Areas are GSS codes (E10000017) or one of these two words.
NATIONAL = "national"
REMOTE = "remote"

PUBLIC_COMMITMENT_STATUSES = tuple(s.value for s in PublicCommitmentStatus)


def enum_values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def flags_to_mask(enum: type[StrEnum], values: Iterable[str]) -> int:
    """Pack a set of enum values into a bit mask (bit i = i-th member), so one integer column can be filtered."""
    members = enum_values(enum)
    mask = 0
    for value in values:
        mask |= 1 << members.index(value)
    return mask


def mask_to_flags(enum: type[StrEnum], mask: int) -> list[str]:
    return [value for index, value in enumerate(enum_values(enum)) if mask & (1 << index)]


class ActionStatus(StrEnum):
    """Where an action of a strategy's action plan stands; `dropped` needs a reason."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    DONE = "done"
    DROPPED = "dropped"


class Rag(StrEnum):
    """Red, amber or green, as a corporate parenting panel reads an action plan."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class MeasureUnit(StrEnum):
    """What a measure's numbers count."""

    COUNT = "count"
    PERCENTAGE = "percentage"
    DAYS = "days"
    WEEKS = "weeks"
    POUNDS = "pounds"
    RATIO = "ratio"


class MeasureDirection(StrEnum):
    """Which way a measure improves."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class MeasureSource(StrEnum):
    """`entered`: officers type its values; `registry`: computed from the registry's own records."""

    ENTERED = "entered"
    REGISTRY = "registry"


class RegistryEvidence(StrEnum):
    """The registry's own figures a measure can follow: public offers, and delivery returns' places, starts and
    sustained."""

    OFFERS = "offers"
    PLACES_OFFERED = "places_offered"
    STARTS = "starts"
    SUSTAINED = "sustained"


class ProblemReason(StrEnum):
    """Why someone reports a problem with an offer."""

    NO_REPLY = "no_reply"
    NO_LONGER_AVAILABLE = "no_longer_available"
    LINK_OR_CONTACT_BROKEN = "link_or_contact_broken"
    NOT_AS_DESCRIBED = "not_as_described"
    OTHER = "other"


class ProblemStatus(StrEnum):
    """`open` until the organisation or an officer answers it (`resolved`, `not_upheld`), or officers clear it
    as noise (`dismissed`, in bulk)."""

    OPEN = "open"
    RESOLVED = "resolved"
    NOT_UPHELD = "not_upheld"
    DISMISSED = "dismissed"


class RecognitionLevel(StrEnum):
    """What an organisation's record earns it (app/services/recognition.py), lowest first; `withheld` when an
    officer has withheld it."""

    NONE = "none"
    SIGNED = "signed"
    DELIVERING = "delivering"
    SUSTAINING = "sustaining"
    WITHHELD = "withheld"


class VoiceSource(StrEnum):
    """Where something young people said was heard."""

    CHILDREN_IN_CARE_COUNCIL = "children_in_care_council"
    CARE_LEAVERS_FORUM = "care_leavers_forum"
    SURVEY = "survey"
    CONSULTATION_EVENT = "consultation_event"
    INDIVIDUAL = "individual"  # one young person, directly or through an advocate or personal adviser


class VoiceEntryStatus(StrEnum):
    """A "you said" is private until an officer approves its public wording; spam and the like are dismissed."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    DISMISSED = "dismissed"


class VoiceResponseStatus(StrEnum):
    """How far the council or a partner has got with what young people said; `not_possible` says why."""

    HEARD = "heard"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_POSSIBLE = "not_possible"
