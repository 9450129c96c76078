"""Recognition earned by delivery: the rule at its edges (as a pure function of returns and `today`), the same
levels through HTTP from delivery returns written in the test (public document, list and its filter), withheld
by an officer and reinstated, and the organisations the annual report celebrates."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from app.enums import RecognitionLevel
from app.ids import utcnow
from app.services import recognition
from app.services.dates import add_months
from app.services.recognition import Return, earned, financial_year_of, year_bounds
from tests.flows import bearer

TODAY = date(2026, 12, 1)  # financial year 2026/27; the one before is 2025/26


def ended(day: date, starts: int = 2, sustained: int = 0) -> Return:
    return Return(day, starts, sustained)


@pytest.mark.parametrize(
    ("returns", "level", "years"),
    [
        ([], "signed", ()),
        ([ended(date(2025, 12, 1))], "delivering", ("2025/26",)),  # exactly 12 months before
        ([ended(date(2025, 11, 30))], "signed", ()),  # a day more
        ([ended(date(2026, 6, 30), starts=0)], "signed", ()),  # a return without a start
        # two consecutive years, the later the previous one
        ([ended(date(2025, 3, 31), sustained=1), ended(date(2026, 3, 31), sustained=1)], "sustaining",
         ("2024/25", "2025/26")),
        # the later the current one
        ([ended(date(2026, 3, 31), sustained=1), ended(date(2026, 9, 30), sustained=1)], "sustaining",
         ("2025/26", "2026/27")),
        ([ended(date(2026, 3, 31), sustained=1)], "delivering", ("2025/26",)),  # one year only
        # two years, not consecutive
        ([ended(date(2024, 3, 31), sustained=1), ended(date(2026, 3, 31), sustained=1)], "delivering",
         ("2025/26",)),
        # consecutive, but the later is two years back: delivering on a fresh start, not sustaining
        ([ended(date(2024, 3, 31), sustained=1), ended(date(2025, 3, 31), sustained=1), ended(date(2026, 6, 30))],
         "delivering", ("2026/27",)),
        # consecutive and recent enough, but no start in the last 12 months
        ([ended(date(2025, 3, 31), sustained=1), ended(date(2025, 9, 30), sustained=1)], "signed", ()),
    ],
)  # fmt: skip
def test_the_rule_at_its_edges(returns, level, years):
    assert earned(True, returns, TODAY) == recognition.Earned(RecognitionLevel(level), years)


def test_nothing_is_earned_without_a_published_pledge():
    assert earned(False, [ended(date(2026, 6, 30), sustained=1)], TODAY).level == "none"


def test_a_return_counts_in_the_financial_year_its_period_ends():
    assert [financial_year_of(date(2026, 3, 31)), financial_year_of(date(2026, 4, 1))] == [2025, 2026]


# ---------------------------------------------------------------- through HTTP, from returns in the database


class Registry:
    """A covenant with organisations whose returns the tests write, period by period."""

    def __init__(self, factory) -> None:  # type: ignore[no-untyped-def]
        self.factory = factory

    async def setup(self) -> None:
        self.covenant, self.priorities = await self.factory.covenant()

    async def organisation(self, *ends: tuple[date, int, int], published: bool = True):  # type: ignore[no-untyped-def]
        signatory = await self.factory.signatory()
        pledge = await self.factory.pledge(signatory, self.covenant, **({} if published else {"status": "submitted"}))
        offer = await self.factory.commitment(pledge, self.priorities[0])
        for period_end, starts, sustained in ends:
            await self.factory.progress_report(
                offer,
                period_start=period_end - timedelta(days=60),
                period_end=period_end,
                starts=starts,
                sustained=sustained,
            )
        return signatory


@pytest.fixture
async def registry(factory) -> Registry:  # type: ignore[no-untyped-def]
    made = Registry(factory)
    await made.setup()
    return made


def today() -> date:
    return utcnow().date()


async def level_of(client, signatory_id: str) -> dict:  # type: ignore[no-untyped-def]
    answer = await client.get(f"/v1/signatories/{signatory_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()["recognition"]  # type: ignore[no-any-return]


async def listed(client, **params: str) -> set[str]:  # type: ignore[no-untyped-def]
    answer = await client.get("/v1/signatories", params={"limit": "100", **params})
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


async def test_levels_from_returns_match_the_rule_and_the_filter_agrees(client, registry, engine):
    now = today()
    current = financial_year_of(now)
    previous_end, before_end, older_end = (year_bounds(year)[1] for year in (current - 1, current - 2, current - 3))
    year_ago = add_months(now, -12)
    made = {
        "only signed": await registry.organisation(),
        "exactly 12 months": await registry.organisation((year_ago, 1, 0)),
        "a day more": await registry.organisation((year_ago - timedelta(days=1), 3, 0)),
        "two years running": await registry.organisation((before_end, 2, 1), (previous_end, 2, 1)),
        "one year only": await registry.organisation((previous_end, 2, 2)),
        "not consecutive": await registry.organisation((older_end, 2, 1), (previous_end, 2, 1)),
    }
    pending = await registry.organisation((previous_end, 2, 1), published=False)
    expected = {
        "only signed": "signed",
        "exactly 12 months": "delivering",
        "a day more": "signed",
        "two years running": "sustaining",
        "one year only": "delivering",
        "not consecutive": "delivering",
    }

    shown = {name: await level_of(client, row.id) for name, row in made.items()}
    assert {name: document["level"] for name, document in shown.items()} == expected
    label = lambda year: f"{year}/{(year + 1) % 100:02d}"  # noqa: E731
    assert shown["two years running"]["years"] == [label(current - 2), label(current - 1)]
    assert (await level_of(client, pending.id))["level"] == "none"
    page = (await client.get("/v1/signatories", params={"limit": "100"})).json()["items"]
    assert {item["id"]: item["recognition"]["level"] for item in page if item["id"] != pending.id} == {
        made[name].id: level for name, level in expected.items()
    }
    for wanted in ("signed", "delivering", "sustaining"):
        at_least = {
            made[name].id
            for name, level in expected.items()
            if recognition.at_least(RecognitionLevel(level), RecognitionLevel(wanted))
        }
        assert await listed(client, recognition=wanted) == at_least, wanted
    assert (await client.get("/v1/signatories", params={"recognition": "withheld"})).status_code == 422

    async with engine.connect() as conn:
        celebrated = await recognition.celebrated(conn, registry.covenant.id, now)
    assert [(entry["signatory"]["id"], entry["level"]) for entry in celebrated] == sorted(
        [(made[name].id, level) for name, level in expected.items() if level in ("delivering", "sustaining")],
        key=lambda pair: next(row.name for row in made.values() if row.id == pair[0]),
    )
    assert all(set(entry) == {"signatory", "level", "years"} for entry in celebrated)


async def test_an_officer_withholds_a_level_and_reinstates_it(client, registry, keyring, factory):
    now = today()
    delivering = await registry.organisation((year_bounds(financial_year_of(now) - 1)[1], 3, 0))
    officer = bearer(await keyring.officer_of_covenant(registry.covenant.id))
    other_covenant, _ = await factory.covenant()
    stranger = bearer(await keyring.officer_of_covenant(other_covenant.id))
    own = bearer(await keyring.organisation(delivering.id))
    path = f"/v1/signatories/{delivering.id}/recognition"
    reason = "Returns for last year are being checked with the employer."

    assert (await client.post(f"{path}/withhold", json={"reason": reason}, headers=own)).status_code == 403
    assert (await client.post(f"{path}/withhold", json={"reason": reason}, headers=stranger)).status_code == 404
    assert (await client.post(f"{path}/withhold", json={"reason": "x\x00y"}, headers=officer)).status_code == 422
    withheld = await client.post(f"{path}/withhold", json={"reason": reason}, headers=officer)
    assert withheld.status_code == 200, withheld.text
    assert withheld.json()["recognition"]["level"] == "withheld"
    assert withheld.json()["recognition"]["earned_level"] == "delivering"
    assert withheld.json()["recognition"]["withheld"]["reason"] == reason
    assert (await client.post(f"{path}/withhold", json={"reason": reason}, headers=officer)).status_code == 409

    public = await client.get(f"/v1/signatories/{delivering.id}")
    assert public.json()["recognition"] == {"level": "withheld", "years": []}
    for answer in (public, await client.get("/v1/signatories"), await client.get("/v1/signatories.csv")):
        assert reason not in answer.text
    assert delivering.id not in await listed(client, recognition="signed")
    private = await client.get(f"/v1/signatories/{delivering.id}", headers=officer)
    assert private.json()["recognition"]["withheld"]["reason"] == reason

    reinstated = await client.post(f"{path}/reinstate", json={"note": "Checked: all correct."}, headers=officer)
    assert reinstated.status_code == 200, reinstated.text
    assert (await level_of(client, delivering.id))["level"] == "delivering"
    assert delivering.id in await listed(client, recognition="delivering")
    assert (await client.post(f"{path}/reinstate", headers=officer)).status_code == 409
    events = (await client.get("/v1/audit-events?limit=100", headers=officer)).json()["items"]
    actions = [event["action"] for event in events if event["record_id"] == delivering.id]
    assert actions[:2] == ["recognition.reinstate", "recognition.withhold"]
    assert reason in str(events)


async def test_the_annual_report_celebrates_organisations_that_deliver(client, factory):
    """The celebration section lists exactly the organisations the rule recognises, by the year's end."""
    covenant, priorities = await factory.covenant(priorities=1)
    delivering = await factory.signatory(status="verified", name="Delivering Bakery")
    only_signed = await factory.signatory(status="verified", name="Signed Only Garage")
    for signatory in (delivering, only_signed):
        pledge = await factory.pledge(signatory, covenant)
        offer = await factory.commitment(pledge, priorities[0])
        if signatory is delivering:
            await factory.progress_report(offer, applications=2, starts=2, sustained=0)
    # The factory's return runs April 2025 to March 2026: the 2025/26 report's year end is within 12 months of it.
    report = (await client.get(f"/v1/covenants/{covenant.slug}/annual-report?year=2025")).json()
    assert [(entry["signatory"]["name"], entry["level"]) for entry in report["celebrated"]] == [
        ("Delivering Bakery", "delivering")
    ]
    page = (await client.get(f"/v1/covenants/{covenant.slug}/annual-report.html?year=2025")).text
    assert (
        "Delivering Bakery: delivering" in page
        and "Signed Only Garage" not in page.split("Celebrating")[1].split("</section>")[0]
    )


async def test_a_level_that_lapses_with_the_date_is_not_answered_from_yesterday_s_copy(client, registry):
    """Nothing is written when a start drops out of the last 12 months, so the data version stands still: the day
    itself must keep a copy made yesterday, remembered or revalidated, from answering for today."""
    now = today()
    organisation = await registry.organisation((add_months(now, -12), 1, 0))
    path = f"/v1/signatories/{organisation.id}"
    first = await client.get(path)
    assert first.json()["recognition"]["level"] == "delivering"
    assert (await client.get(path, headers={"If-None-Match": first.headers["etag"]})).status_code == 304
    later = now + timedelta(days=1)
    while add_months(later, -12) <= add_months(now, -12):  # the window's start clamps at a month's end
        later += timedelta(days=1)
    with time_machine.travel(datetime.combine(later, time(9, 0), tzinfo=UTC), tick=True):
        remembered = await client.get(path)
        revalidated = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert remembered.json()["recognition"]["level"] == "signed"
    assert revalidated.status_code == 200 and revalidated.json()["recognition"]["level"] == "signed"
