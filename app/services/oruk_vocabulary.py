"""The registry's vocabularies as Open Referral taxonomies, and the UUIDs the standard asks for.

A record's UUID is its id's own 128 bits (our ids are a kind and a ULID), so it is stable and maps back without a
table. What has no id of its own (a taxonomy of ours, a term of it, a service's area or cost option) gets a
name-based UUID (RFC 9562 version 5) in the registry's namespace, stable across releases.
"""

import uuid
from dataclasses import dataclass

from app.enums import Audience, CareStatus, OfferType
from app.ids import ID_BODY_LENGTH, PREFIXES, decode_crockford, encode_crockford

NAMESPACE = uuid.UUID("5d7f6a2e-0c4b-5b8e-9a61-3f2d8c4e7b90")
# The registry's three closed vocabularies; each covenant's priorities are a taxonomy too (see `priority_*`).
OFFER_TYPE, AUDIENCE, CARE_STATUS = "offer_type", "audience", "care_status"


def record_uuid(record_id: str) -> str:
    """`cmt_01JD5X3K8Q2W7N4B6C9D0E1F2G` → the UUID of the same 128 bits."""
    return str(uuid.UUID(int=decode_crockford(record_id.partition("_")[2])))


def record_id(kind: str, text: str) -> str:
    """The id of kind `kind` whose UUID is `text` (a UUID no record has maps to an id no record has)."""
    return f"{PREFIXES[kind]}_{encode_crockford(uuid.UUID(text).int, ID_BODY_LENGTH)}"


def named_uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class Vocabulary:
    key: str
    name: str
    description: str
    link_type: str  # what its terms say of a service, as an attribute's link_type
    terms: dict[str, tuple[str, str]]  # our code: (name, description)

    @property
    def id(self) -> str:
        return named_uuid(self.key)

    def term_id(self, code: str) -> str:
        return named_uuid(self.key, code)


OFFER_TYPES = {
    OfferType.APPRENTICESHIP: ("Apprenticeship", "A paid job with training towards a recognised qualification."),
    OfferType.INTERNSHIP: ("Internship", "A fixed period of paid work experience."),
    OfferType.JOB: ("Job", "A paid job, or places set aside in recruitment."),
    OfferType.TRAINEESHIP: ("Traineeship", "A course with work experience that prepares for a job."),
    OfferType.WORK_EXPERIENCE: ("Work experience", "Time in a workplace to see what a job is like."),
    OfferType.INSIGHT_DAY: ("Insight day", "A day or two finding out about a workplace or career."),
    OfferType.GUARANTEED_INTERVIEW: ("Guaranteed interview", "An interview for any vacancy the applicant meets."),
    OfferType.MENTORING: ("Mentoring", "A mentor or coach for a period."),
    OfferType.TRAINING: ("Training", "A course, qualification or skills session."),
    OfferType.BURSARY: ("Bursary", "Money towards study or training."),
    OfferType.ACCOMMODATION: ("Accommodation", "Somewhere to live, or help to find and keep a home."),
    OfferType.GUARANTOR: ("Guarantor", "A guarantor for a tenancy."),
    OfferType.DISCOUNT: ("Discount", "Something at a reduced price."),
    OfferType.LEISURE: ("Leisure", "Sport, arts, culture or days out."),
    OfferType.FINANCIAL_SUPPORT: ("Financial support", "Money, grants or help with bills."),
    OfferType.ADVICE: ("Advice", "Advice or guidance from a professional."),
    OfferType.OTHER: ("Other", "Another kind of offer."),
}
AUDIENCES = {
    Audience.CARE_LEAVERS: ("Care leavers", "Young people who have left the care of a local authority."),
    Audience.CHILDREN_IN_CARE: ("Children in care", "Children and young people looked after by a local authority."),
    Audience.SEND: ("Young people with SEND", "Children and young people with special educational needs."),
}
# The categories of the Children (Leaving Care) Act 2000, as the Children Act 1989 and its guidance define them.
CARE_STATUSES = {
    CareStatus.ELIGIBLE: ("Eligible child", "Aged 16 or 17 and still in care, after 13 weeks in care since 14."),
    CareStatus.RELEVANT: ("Relevant child", "Aged 16 or 17, left care after being an eligible child."),
    CareStatus.FORMER_RELEVANT: ("Former relevant child", "Aged 18 to 25, having been an eligible or relevant child."),
    CareStatus.QUALIFYING: ("Qualifying care leaver", "Under 25, looked after at or after 16 but not eligible."),
}

VOCABULARIES = {
    vocabulary.key: vocabulary
    for vocabulary in (
        Vocabulary(
            OFFER_TYPE,
            "Covenant offer types",
            "What a covenant offer is: a job, an apprenticeship, mentoring, a rent guarantor…",
            "service_type",
            {code.value: words for code, words in OFFER_TYPES.items()},
        ),
        Vocabulary(
            AUDIENCE,
            "Covenant audiences",
            "Who a covenant offer is for.",
            "eligibility",
            {code.value: words for code, words in AUDIENCES.items()},
        ),
        Vocabulary(
            CARE_STATUS,
            "Care leaver statuses",
            "The statutory categories of care leaver an offer may be limited to (Children (Leaving Care) Act 2000).",
            "eligibility",
            {code.value: words for code, words in CARE_STATUSES.items()},
        ),
    )
}
VOCABULARY_BY_ID = {vocabulary.id: vocabulary for vocabulary in VOCABULARIES.values()}
TERM_BY_ID = {
    vocabulary.term_id(code): (vocabulary, code) for vocabulary in VOCABULARIES.values() for code in vocabulary.terms
}
PRIORITY_LINK_TYPE = "priority"


def vocabulary_document(vocabulary: Vocabulary) -> dict[str, str]:
    return {"id": vocabulary.id, "name": vocabulary.name, "description": vocabulary.description}


def term_document(vocabulary: Vocabulary, code: str) -> dict[str, str]:
    name, description = vocabulary.terms[code]
    return {
        "id": vocabulary.term_id(code),
        "name": name,
        "description": description,
        "taxonomy": vocabulary.name,
        "taxonomy_id": vocabulary.id,
        "term": code,
    }


def priorities_taxonomy_name(covenant_title: str) -> str:
    return f"Priorities of the {covenant_title}"
