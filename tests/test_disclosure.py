"""What the public may learn about young people: counts of them from 1 to 4 are "<5", and a published total
never gives a hidden part away (secondary suppression, checked here by solving for the hidden cells from what is
published, not by repeating the rule); delivery narratives stay private until an officer approves a public
wording, which is then all the public reads."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.flows import bearer

WORDS = "Three apprentices started. One left for a job elsewhere; two are doing well."
REDACTED = "Three apprentices started in parks, housing and IT."


def possible_values(shown: list, total: int) -> list[set[int]]:
    """For each part, every value it could have, given the published cells and the total, as a reader who knows
    the rule would reason: a "<5" is 1 to 4, a "[c]" a count that was not small (5 up to the total), a number
    itself."""
    ranges = [
        range(1, 5) if cell == "<5" else range(5, total + 1) if cell == "[c]" else range(cell, cell + 1)
        for cell in shown
    ]
    found: list[set[int]] = [set() for _ in shown]
    for values in itertools.product(*ranges):
        if sum(values) == total:
            for index, value in enumerate(values):
                found[index].add(value)
    return found


async def covenant_with_starts(factory, keyring, starts: list[int]):
    covenant, priorities = await factory.covenant(priorities=len(starts))
    signatory = await factory.signatory(status="verified")
    pledge = await factory.pledge(signatory, covenant)
    for priority, count in zip(priorities, starts, strict=True):
        offer = await factory.commitment(pledge, priority, created_at=datetime(2025, 5, 1, tzinfo=UTC))
        await factory.progress_report(offer, applications=count, starts=count, sustained=0, referrals=count)
    return covenant, await keyring.officer(covenant.authority_id)


@pytest.mark.parametrize(
    "starts",
    [
        [3, 6, 7],
        [6, 3, 7],
        [3, 0, 13],
        [3, 4, 9],
        [2, 0, 0],
        [0, 0, 0],
        [5, 6, 7],
        [1, 1, 20],
        [4, 4, 20],
        [1, 5, 20],
        [1, 5, 0],
        [4, 5, 5],
    ],
)
async def test_no_hidden_count_can_be_worked_out_from_the_annual_report(client, factory, keyring, starts):
    covenant, officer_key = await covenant_with_starts(factory, keyring, starts)
    path = f"/v1/covenants/{covenant.slug}/annual-report?year=2025"

    public = (await client.get(path)).json()
    exact = (await client.get(path, headers=bearer(officer_key))).json()

    assert [row["starts"] for row in exact["priorities"]] == starts and exact["summary"]["starts"] == sum(starts)
    shown = [row["starts"] for row in public["priorities"]]
    total = public["summary"]["starts"]
    for cell, real in zip(shown, starts, strict=True):
        assert cell == real or cell in ("<5", "[c]")
        if 1 <= real <= 4:
            assert cell == "<5"
    statistics = (await client.get(f"/v1/covenants/{covenant.slug}/statistics")).json()
    years = statistics["delivery_by_year"]
    assert (years[0]["starts"] if years else 0) == total  # the statistics publish the same total, or hide it too
    if total in ("<5", "[c]"):
        assert total == "[c]" or 1 <= sum(starts) <= 4
        return
    assert total == sum(starts)
    for cell, real, values in zip(shown, starts, possible_values(shown, total), strict=True):
        if cell in ("<5", "[c]"):
            assert len(values) > 1, f"{shown} with total {total} gives away {real}"
    if "<5" not in shown:
        assert "[c]" not in shown  # nothing is hidden that need not be


async def test_the_issue_s_example_hides_one_more_cell(client, factory, keyring):
    """Parts 3, 6 and 7 of 16: publishing 6, 7 and 16 would reveal the 3, so the 6 is hidden too."""
    covenant, _ = await covenant_with_starts(factory, keyring, [3, 6, 7])
    public = (await client.get(f"/v1/covenants/{covenant.slug}/annual-report?year=2025")).json()
    assert [row["starts"] for row in public["priorities"]] == ["<5", "[c]", 7]
    assert public["summary"]["starts"] == 16
    statistics = (await client.get(f"/v1/covenants/{covenant.slug}/statistics")).json()
    assert statistics["delivery_by_year"] == [
        {"year": "2025/26", "returns": 3, "places_offered": 6, "starts": 16, "sustained": 0}
    ]


async def test_organisations_offers_and_places_are_exact_in_public(client, factory, keyring):
    covenant, _ = await covenant_with_starts(factory, keyring, [2, 0])
    public = (await client.get(f"/v1/covenants/{covenant.slug}/annual-report?year=2025")).json()
    assert [row["offers"] for row in public["priorities"]] == [1, 1]
    assert [row["places_offered"] for row in public["priorities"]] == [2, 2]
    assert public["summary"]["offers"] == 2 and public["summary"]["places_offered"] == 4


# A recent period, so the organisation may still correct its return; the report of the year it starts in.
PERIOD_END = date.today() - timedelta(days=10)
PERIOD_START = PERIOD_END - timedelta(days=60)
YEAR = PERIOD_START.year if PERIOD_START.month >= 4 else PERIOD_START.year - 1


async def reported(factory, keyring, narrative: str = WORDS):
    covenant, priorities = await factory.covenant(priorities=1)
    signatory = await factory.signatory(status="verified")
    pledge = await factory.pledge(signatory, covenant)
    offer = await factory.commitment(pledge, priorities[0])
    report = await factory.progress_report(offer, narrative=narrative, period_start=PERIOD_START, period_end=PERIOD_END)
    return covenant, report, await keyring.officer(covenant.authority_id), await keyring.organisation(signatory.id)


async def public_words(client, covenant) -> str:
    """Everything the public can read of the year: the report's JSON and its printable page."""
    answer = await client.get(f"/v1/covenants/{covenant.slug}/annual-report?year={YEAR}")
    page = await client.get(f"/v1/covenants/{covenant.slug}/annual-report.html?year={YEAR}")
    assert answer.status_code == page.status_code == 200
    return answer.text + page.text


async def test_a_narrative_is_private_until_an_officer_approves_a_public_wording(client, factory, keyring):
    covenant, report, officer_key, org_key = await reported(factory, keyring)
    path = f"/v1/progress-reports/{report.id}"

    assert "One left for a job" not in await public_words(client, covenant)
    officers_view = (
        await client.get(f"/v1/covenants/{covenant.slug}/annual-report?year={YEAR}", headers=bearer(officer_key))
    ).json()
    assert officers_view["priorities"][0]["changes"]["delivered"][0]["detail"] == WORDS

    approved = await client.post(
        f"{path}/approve-narrative", json={"public_narrative": REDACTED}, headers=bearer(officer_key)
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["public_narrative"] == REDACTED and approved.json()["narrative"] == WORDS
    words = await public_words(client, covenant)
    assert REDACTED in words and "One left for a job" not in words

    # A correction of the words takes the public version down until it is approved again.
    etag = (await client.get(path, headers=bearer(org_key))).headers["etag"]
    corrected = await client.patch(
        path, json={"narrative": WORDS + " More to come."}, headers={**bearer(org_key), "If-Match": etag}
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["public_narrative"] is None
    assert REDACTED not in await public_words(client, covenant)

    as_written = await client.post(f"{path}/approve-narrative", headers=bearer(officer_key))
    assert as_written.json()["public_narrative"] == WORDS + " More to come."
    assert "More to come." in await public_words(client, covenant)
    withheld = await client.post(f"{path}/withhold-narrative", headers=bearer(officer_key))
    assert withheld.status_code == 200 and withheld.json()["narrative_approved_at"] is None
    assert "More to come." not in await public_words(client, covenant)
    audit = (await client.get("/v1/audit-events", headers=bearer(officer_key))).json()["items"]
    assert {"progress_report.approve_narrative", "progress_report.withhold_narrative"} <= {
        event["action"] for event in audit
    }


async def test_only_the_covenant_s_officers_approve_narratives(client, factory, keyring):
    _, report, _, org_key = await reported(factory, keyring)
    stranger = await keyring.officer((await factory.authority()).id)
    path = f"/v1/progress-reports/{report.id}/approve-narrative"

    assert (await client.post(path, headers=bearer(org_key))).status_code == 403
    assert (await client.post(path, headers=bearer(stranger))).status_code == 404
    assert (await client.post(path)).status_code == 401


async def test_an_empty_narrative_needs_a_wording_to_publish(client, factory, keyring):
    _, report, officer_key, _ = await reported(factory, keyring, narrative="")
    path = f"/v1/progress-reports/{report.id}/approve-narrative"

    refused = await client.post(path, headers=bearer(officer_key))
    assert refused.status_code == 422 and refused.json()["errors"][0]["pointer"] == "/public_narrative"
    blank = await client.post(path, json={"public_narrative": ""}, headers=bearer(officer_key))
    assert blank.status_code == 422
    assert (await client.get(f"/v1/progress-reports/{report.id}", headers=bearer(officer_key))).json()[
        "narrative_approved_at"
    ] is None
