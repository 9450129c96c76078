"""The demo councils' own records, beside the organisations' in app/demo/content.py: Lancashire's corporate
parenting strategy with its action plan and measures, what its young people said and what was done about it, and
problems reported with offers. Invented, as the rest of the demo data is. Loaded by app/demo/loader.py.

The dates are set against the demo's "today" in late 2026: some actions are done, some on track, one overdue;
"you said" entries run from early 2026, one still waiting for an officer to approve a wording.
"""

from typing import Any

LANCASHIRE = "lancashire-care-leavers"

STRATEGIES: list[dict[str, Any]] = [
    {
        "key": "lancashire-2025-28",
        "covenant": LANCASHIRE,
        "publish": True,
        "title": "Lancashire Corporate Parenting Strategy 2025 to 2028",
        "period_start": "2025-04-01",
        "period_end": "2028-03-31",
        "approved_on": "2025-03-20",
        "approved_by": "Cabinet",
        "body": (
            "Our promises to the children we look after and the young people leaving our care, agreed with them "
            "through the children in care council and the care leavers' forum. This plan says who does what by "
            "when, and how we will know it has made a difference."
        ),
        "actions": [
            {
                "reference": "EET-1",
                "priority": "EET",
                "description": "Every care leaver in year 13 is offered a guaranteed interview by a covenant employer.",
                "owner_role": "Head of the Virtual School",
                "due_on": "2026-03-31",
                "status": "done",
                "completed_on": "2026-02-20",
            },
            {
                "reference": "EET-2",
                "priority": "EET",
                "description": "Twenty apprenticeships kept for care leavers across covenant employers each year.",
                "owner_role": "Employment and Skills Lead",
                "due_on": "2027-03-31",
                "status": "on_track",
            },
            {
                "reference": "HOUSING-1",
                "priority": "HOUSING",
                "description": "Care leavers exempt from council tax to 25 in all twelve districts.",
                "owner_role": "Leaving Care Service Manager",
                "due_on": "2026-09-30",
                "status": "at_risk",
            },
            {
                "reference": "HOUSING-2",
                "priority": "HOUSING",
                "description": "A rent guarantor scheme with at least three housing providers.",
                "owner_role": "Housing Partnerships Officer",
                "due_on": "2027-06-30",
                "status": "not_started",
            },
            {
                "reference": "VOICE-1",
                "priority": "VOICE",
                "description": "The care leavers' forum reviews the local offer each year and reports to the panel.",
                "owner_role": "Participation Lead",
                "due_on": "2026-06-30",
                "status": "done",
                "completed_on": "2026-06-12",
            },
        ],
        "measures": [
            {
                "key": "eet-19-21",
                "priority": "EET",
                "name": "Care leavers aged 19 to 21 in education, employment or training",
                "unit": "percentage",
                "direction": "higher_is_better",
                "baseline": 52.0,
                "baseline_period": "2024/25",
                "target": 65.0,
                "source_note": "DfE SSDA903 return, care leavers aged 19 to 21",
                "values": {"2025/26": 56.0},
            },
            {
                "key": "suitable-accommodation",
                "priority": "HOUSING",
                "name": "Care leavers aged 19 to 21 in suitable accommodation",
                "unit": "percentage",
                "direction": "higher_is_better",
                "baseline": 84.0,
                "baseline_period": "2024/25",
                "target": 92.0,
                "source_note": "DfE SSDA903 return",
                "values": {"2025/26": 87.0},
            },
            {
                "key": "covenant-starts",
                "priority": "EET",
                "name": "Young people starting an offer made through the covenant",
                "unit": "count",
                "direction": "higher_is_better",
                "evidence": "starts",
            },
        ],
    },
]

# "You said": public once `public_words` is given (the officers approved a wording); with their "we did".
YOU_SAID: list[dict[str, Any]] = [
    {
        "key": "first-flat",
        "covenant": LANCASHIRE,
        "source": "care_leavers_forum",
        "raised_on": "2026-01-21",
        "priority": "HOUSING",
        "words": "When I moved into my flat nobody told me what the council would pay for. I slept on the floor "
        "for a week before I found out about the grant.",
        "public_words": "Young people moving into their first home did not know what the council would pay for.",
        "responses": [
            {
                "did": "The local offer now lists the setting-up-home allowance and what it covers, and personal "
                "advisers go through it with every young person before a move.",
                "status": "done",
                "done_on": "2026-04-01",
            }
        ],
    },
    {
        "key": "try-jobs",
        "covenant": LANCASHIRE,
        "source": "children_in_care_council",
        "raised_on": "2026-03-10",
        "priority": "EET",
        "words": "We want to try jobs out before we apply for them, not just get told about them at school.",
        "public_words": "Young people want to try out jobs before they apply.",
        "responses": [
            {
                "did": "Covenant employers now run insight days each term; three took place in the summer term.",
                "status": "in_progress",
                "action": "EET-2",
            }
        ],
    },
    {
        "key": "bus-fares",
        "covenant": LANCASHIRE,
        "source": "survey",
        "raised_on": "2026-06-05",
        "priority": "MONEY",
        "words": "Bus fares to college cost me more than my phone every month.",
        "public_words": "Bus fares make it hard to get to college and to work.",
        "responses": [
            {
                "did": "We asked the county's bus operators to give care leavers free travel up to 25.",
                "status": "not_possible",
                "reason": "The operators would not extend free travel beyond 21 this year. We will ask again when "
                "the contracts are renewed in 2027, and care leavers can claim fares back in the meantime.",
                "done_on": "2026-09-15",
            }
        ],
    },
    {
        "key": "saturday-drop-in",
        "covenant": LANCASHIRE,
        "source": "individual",
        "raised_on": "2026-10-28",
        "through_intake": True,
        "words": "Could there be a drop-in on Saturdays? I work in the week and can't get to the office.",
        "public_words": None,
        "responses": [],
    },
]

# Problems reported with offers: one answered by the organisation, one still waiting.
PROBLEMS: list[dict[str, Any]] = [
    {
        "key": "bakery-no-reply",
        "offer": "larkhill-loaf/lancashire-care-leavers/0",
        "reason": "no_reply",
        "details": "I emailed about work experience in September and had no reply.",
        "contact": "pa.team@adviser.example.org",
        "received_on": "2026-10-06",
        "status": "resolved",
        "closed_on": "2026-10-09",
        "closed_by": "organisation",
        "note": "The email went to an old inbox. We have replied and fixed the address.",
    },
    {
        "key": "bakery-link",
        "offer": "larkhill-loaf/lancashire-care-leavers/0",
        "reason": "not_as_described",
        "details": "The bus fares were not paid as the offer says.",
        "contact": None,
        "received_on": "2026-10-30",
        "status": "open",
    },
]
