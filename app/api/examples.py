"""Example documents for the OpenAPI, so generated clients and the docs page read like the real thing."""

from typing import Any

AUTHORITY = {
    "id": "aut_01JD5X3K8Q2W7N4B6C9D0E1F2A",
    "name": "Lancashire County Council",
    "gss_code": "E10000017",
    "region": "North West",
    "website": "https://www.lancashire.gov.uk",
}

COVENANT_REF = {
    "id": "cov_01JD5X3K8Q2W7N4B6C9D0E1F2B",
    "slug": "lancashire-care-leavers",
    "title": "Lancashire Care Leavers Covenant",
}

COVENANT = {
    **COVENANT_REF,
    "authority": {"id": AUTHORITY["id"], "name": AUTHORITY["name"]},
    "audience": "care_leavers",
    "min_age": 16,
    "max_age": 25,
    "description": "Our promise, with local employers and partners, to give care leavers the start a family would.",
    "status": "open",
    "launched_on": "2025-10-01",
    "review_cycle_months": 12,
    "publish_strategy": True,
}

PRIORITY = {
    "id": "pri_01JD5X3K8Q2W7N4B6C9D0E1F2C",
    "covenant_id": COVENANT_REF["id"],
    "code": "EET",
    "title": "Education, training and employment",
    "description": "Routes into further study, apprenticeships and good jobs.",
    "position": 2,
}

SIGNATORY_REF = {
    "id": "sig_01JD5X3K8Q2W7N4B6C9D0E1F2D",
    "name": "Ribble Valley Bakery Co-operative",
    "sector": "private",
}

SIGNATORY = {
    **SIGNATORY_REF,
    "description": "An employee-owned bakery with four shops and a wholesale kitchen.",
    "organisation_type": "business",
    "size_band": "small",
    "companies_house_number": "09876543",
    "charity_number": None,
    "website": "https://ribble-bakery.example.org",
    "public_contact": "careers@ribble-bakery.example.org",
    "areas": ["E10000017"],
    "status": "verified",
    "verified_at": "2026-03-02T09:30:00Z",
    "recognition": {"level": "delivering", "years": ["2025/26"]},
}

PLEDGE = {
    "id": "plg_01JD5X3K8Q2W7N4B6C9D0E1F2E",
    "signatory": SIGNATORY_REF,
    "covenant": COVENANT_REF,
    "statement": "We will offer care leavers a guaranteed interview and a paid bakery apprenticeship each year.",
    "status": "published",
    "signed_on": "2026-02-20",
    "published_at": "2026-03-04T14:00:00Z",
    "review_due": "2027-03-04",
    "commitment_count": 2,
}

COMMITMENT = {
    "id": "cmt_01JD5X3K8Q2W7N4B6C9D0E1F2F",
    "title": "Paid bakery apprenticeship",
    "description": "A Level 2 baker apprenticeship over 15 months, paid at the national living wage.",
    "offer_type": "apprenticeship",
    "status": "active",
    "pledge_id": PLEDGE["id"],
    "covenant": COVENANT_REF,
    "signatory": SIGNATORY_REF,
    "priority": {"id": PRIORITY["id"], "code": PRIORITY["code"], "title": PRIORITY["title"]},
    "eligibility": {"min_age": 16, "max_age": 24, "audiences": ["care_leavers"], "care_statuses": []},
    "areas": ["E10000017"],
    "capacity": {"places": 2, "period": "per_year"},
    "how_to_access": {
        "text": "Ask your personal adviser to email us, or apply directly and mention the covenant.",
        "url": "https://ribble-bakery.example.org/apprenticeships",
    },
    "starts_on": "2026-09-01",
    "ends_on": None,
    "apply_by": "2026-07-31",
    "updated_at": "2026-03-04T14:00:00Z",
    "view": "public",
}

NEXT_CURSOR = "WyJjbXRfMDFKRDVYM0s4UTJXN040QjZDOUQwRTFGMkYiXQ"


def page(item: dict[str, Any], *, next_cursor: str | None = NEXT_CURSOR) -> dict[str, Any]:
    return {"items": [item], "next_cursor": next_cursor}


def json_example(example: Any) -> dict[str, Any]:
    return {"content": {"application/json": {"example": example}}}


COMMITMENT_PRIVATE = {**COMMITMENT, "withdrawn_reason": None, "created_at": "2026-02-21T11:00:00Z", "view": "private"}

PLEDGE_PRIVATE = {
    "id": PLEDGE["id"],
    "signatory": SIGNATORY_REF,
    "covenant": COVENANT_REF,
    "statement": PLEDGE["statement"],
    "status": "submitted",
    "signed_on": "2026-02-20",
    "submitted_at": "2026-02-21T11:30:00Z",
    "published_at": None,
    "review_due": None,
    "review_comment": None,
    "withdrawn_reason": None,
    "withdrawn_at": None,
    "created_at": "2026-02-20T16:00:00Z",
    "updated_at": "2026-02-21T11:30:00Z",
    "allowed_actions": ["approve", "request_changes"],
    "commitments": [COMMITMENT_PRIVATE],
    "view": "private",
}

# Starting a pledge: a draft alone, or with its offers and sent for approval in the same request.
PLEDGE_CREATE = {"covenant": COVENANT_REF["slug"], "statement": PLEDGE["statement"], "signed_on": "2026-02-20"}
PLEDGE_CREATE_EXAMPLES = {
    "draft": {"summary": "A draft pledge, its offers added afterwards", "value": PLEDGE_CREATE},
    "with_commitments": {
        "summary": "A pledge with its offers, submitted for approval at once",
        "value": {
            **PLEDGE_CREATE,
            "commitments": [
                {
                    "priority": PRIORITY["code"],
                    "offer_type": "apprenticeship",
                    "title": COMMITMENT["title"],
                    "description": COMMITMENT["description"],
                    "eligibility": {"min_age": 16, "max_age": 24},
                    "areas": ["E10000017"],
                    "capacity": {"places": 2, "period": "per_year"},
                    "how_to_access": COMMITMENT["how_to_access"],
                    "starts_on": "2026-09-01",
                    "apply_by": "2026-07-31",
                },
                {
                    "priority": PRIORITY["code"],
                    "offer_type": "guaranteed_interview",
                    "title": "Guaranteed interview for any vacancy",
                    "eligibility": {"min_age": 16, "max_age": 25},
                    "areas": ["E10000017"],
                    "capacity": {"period": "ongoing"},
                    "how_to_access": {"text": "Say on your application that you are care-experienced."},
                },
            ],
            "submit": True,
        },
    },
}

SIGNATORY_PRIVATE: dict[str, Any] = {
    **{key: value for key, value in SIGNATORY.items() if key != "status"},
    "contact": {"name": "Priya Shah", "email": "priya.shah@ribble-bakery.example.org", "phone": "01772 000123"},
    "status": "pending",
    "verified_at": None,
    "created_at": "2026-02-18T09:00:00Z",
    "updated_at": "2026-02-18T09:00:00Z",
    "allowed_actions": ["verify"],
    "recognition": {"level": "none", "years": [], "earned_level": "none", "withheld": None},
    "view": "private",
}

KEY_INFO = {
    "id": "key_01JD5X3K8Q2W7N4B6C9D0E1F2H",
    "name": "HR system sync",
    "prefix": "ccreg_k3f9a2m1q7zx",
    "owner_kind": "signatory",
    "signatory_id": SIGNATORY["id"],
    "authority_id": None,
    "scopes": ["read", "write"],
    "created_at": "2026-02-18T09:00:00Z",
    "expires_at": None,
    "last_used_at": "2026-03-04T14:00:00Z",
    "revoked_at": None,
}

AUDIT_EVENT = {
    "id": "evt_01JD5X3K8Q2W7N4B6C9D0E1F2J",
    "occurred_at": "2026-03-04T14:00:00Z",
    "actor_kind": "authority",
    "actor_key_id": "key_01JD5X3K8Q2W7N4B6C9D0E1F2K",
    "action": "pledge.approve",
    "record_type": "pledge",
    "record_id": PLEDGE["id"],
    "covenant_id": COVENANT_REF["id"],
    "signatory_id": SIGNATORY["id"],
    "before": {"status": "submitted"},
    "after": {"status": "published"},
    "request_id": "5f0c6a8e2b9d4f1a8c3e7b6d5a4f3e2d",
}

PROGRESS_REPORT = {
    "id": "rpt_01JD5X3K8Q2W7N4B6C9D0E1F2M",
    "commitment_id": COMMITMENT["id"],
    "commitment_title": COMMITMENT["title"],
    "signatory": SIGNATORY_REF,
    "priority": COMMITMENT["priority"],
    "period_start": "2025-04-01",
    "period_end": "2026-03-31",
    "places_offered": 2,
    "referrals": 6,
    "applications": 4,
    "starts": 2,
    "sustained": 1,
    "narrative": "Two care leavers started in September; one has since moved on to a full-time job.",
    "public_narrative": "Two care leavers started in September.",
    "narrative_approved_at": "2026-04-20T14:30:00Z",
    "correctable_until": "2026-06-29",
    "created_at": "2026-04-10T09:00:00Z",
    "updated_at": "2026-04-10T09:00:00Z",
}

REVIEW_DUE = {
    "pledge": {
        "id": PLEDGE["id"],
        "signatory": SIGNATORY_REF,
        "status": "published",
        "published_at": "2025-12-01T10:00:00Z",
    },
    "review_due": "2026-12-01",
    "days_until_due": 9,
    "overdue": False,
}

PRIORITY_REF = {"id": PRIORITY["id"], "code": PRIORITY["code"], "title": PRIORITY["title"]}

STRATEGY_SUMMARY = {
    "id": "stg_01JD5X3K8Q2W7N4B6C9D0E1F2N",
    "covenant": COVENANT_REF,
    "title": "Corporate parenting strategy 2025 to 2028",
    "period_start": "2025-04-01",
    "period_end": "2028-03-31",
    "approved_on": "2025-03-20",
    "approved_by": "Cabinet",
    "body": "Our ambition is that every young person leaving our care has a home, a purpose and people around them.",
    "created_at": "2025-03-24T10:00:00Z",
    "updated_at": "2025-03-24T10:00:00Z",
}

ACTION_PUBLIC = {
    "id": "act_01JD5X3K8Q2W7N4B6C9D0E1F2P",
    "priority": PRIORITY_REF,
    "reference": "EET-3",
    "description": "Ring-fence ten council apprenticeships a year for care leavers.",
    "owner_role": "Head of HR",
    "milestones": "Scheme agreed by June; first starts in September.",
    "due_on": "2026-03-31",
    "status": "at_risk",
    "completed_on": None,
    "rag": "amber",
    "rag_source": "derived",
    "done_late": False,
    "last_update_on": "2026-01-15",
}

ACTION = {
    **ACTION_PUBLIC,
    "strategy_id": STRATEGY_SUMMARY["id"],
    "dropped_reason": None,
    "rag_reason": None,
    "updates": [
        {
            "id": "aup_01JD5X3K8Q2W7N4B6C9D0E1F2Q",
            "noted_on": "2026-01-15",
            "text": "Four of ten places filled; recruitment for the rest starts in February.",
            "created_at": "2026-01-16T09:00:00Z",
        }
    ],
    "created_at": "2025-04-10T09:00:00Z",
    "updated_at": "2026-01-16T09:00:00Z",
}

MEASURE_PUBLIC = {
    "id": "msr_01JD5X3K8Q2W7N4B6C9D0E1F2R",
    "priority": PRIORITY_REF,
    "name": "Care leavers aged 19 to 21 in education, employment or training",
    "unit": "percentage",
    "direction": "higher_is_better",
    "baseline": 48,
    "baseline_period": "2024/25",
    "target": 60,
    "source_note": "DfE SSDA903 return, our own figures.",
    "source": "entered",
    "evidence": None,
    "values": [{"period": "2025/26", "value": 53.5, "note": ""}],
    "latest": {"period": "2025/26", "value": 53.5, "note": ""},
    "on_track": False,
}

MEASURE = {
    **MEASURE_PUBLIC,
    "strategy_id": STRATEGY_SUMMARY["id"],
    "created_at": "2025-04-10T09:00:00Z",
    "updated_at": "2026-04-20T09:00:00Z",
}

STRATEGY = {
    **STRATEGY_SUMMARY,
    "publish_strategy": True,
    "priorities": [
        {
            **PRIORITY_REF,
            "lead": {"role": "Director of children's services", "name": "Alex Morgan"},
            "actions": [ACTION],
            "measures": [MEASURE],
        }
    ],
    "view": "private",
}

STRATEGY_PUBLIC = {
    **{key: value for key, value in STRATEGY_SUMMARY.items() if key not in ("created_at", "updated_at")},
    "priorities": [
        {
            **PRIORITY_REF,
            "lead": {"role": "Director of children's services", "name": "Alex Morgan"},
            "actions": [ACTION_PUBLIC],
            "measures": [MEASURE_PUBLIC],
        }
    ],
    "view": "public",
}

SIGNATORY_WITHHELD = {
    **SIGNATORY_PRIVATE,
    "status": "verified",
    "verified_at": "2026-03-02T09:30:00Z",
    "allowed_actions": ["suspend"],
    "recognition": {
        "level": "withheld",
        "years": [],
        "earned_level": "delivering",
        "withheld": {
            "reason": "Returns for 2025/26 are being checked with the employer.",
            "withheld_at": "2026-11-20T10:00:00Z",
            "authority_id": AUTHORITY["id"],
        },
    },
}

PROBLEM_FORM = {
    "form_token": "1795000000.q8Jm3vX0cT2aYwQ1rL9sKp4N",
    "not_before": "2026-11-22T10:15:03Z",
    "expires_at": "2026-11-23T10:15:00Z",
    "honeypot_field": "website",
    "reasons": ["no_reply", "no_longer_available", "link_or_contact_broken", "not_as_described", "other"],
}

PROBLEM_RECEIPT = {
    "id": "prb_01JD5X3K8Q2W7N4B6C9D0E1F2H",
    "commitment_id": COMMITMENT["id"],
    "reason": "no_reply",
    "received_at": "2026-11-22T10:16:00Z",
    "message": "Thank you. Your report has been passed to the organisation and to the council's officers, who "
    "will look into it. If you left a contact, they may reply.",
}

PROBLEM_REPORT = {
    "id": PROBLEM_RECEIPT["id"],
    "commitment": {"id": COMMITMENT["id"], "title": COMMITMENT["title"]},
    "signatory": {"id": SIGNATORY_REF["id"], "name": SIGNATORY_REF["name"]},
    "covenant_id": COVENANT_REF["id"],
    "reason": "no_reply",
    "details": "I emailed twice in October and nobody replied.",
    "contact": "pa.team@council.example.gov.uk",
    "status": "open",
    "received_at": "2026-11-22T10:16:00Z",
    "flagged_for_review": False,
    "closed_at": None,
    "closed_by": None,
    "note": None,
}

PROBLEM_REPORT_RESOLVED = {
    **PROBLEM_REPORT,
    "status": "resolved",
    "closed_at": "2026-11-24T09:00:00Z",
    "closed_by": "organisation",
    "note": "Our careers inbox had a fault; we have replied and fixed it.",
}
