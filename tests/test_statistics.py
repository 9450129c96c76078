"""Statistics and the annual report match figures computed here, independently, from the records created;
counts of young people from 1 to 4 are "<5" in public and exact for the covenant's officers, and counts of
organisations, pledges and offers are exact for everyone."""

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from tests.flows import all_pages, bearer, council, published_pledge


def shown(count: int) -> int | str:
    return "<5" if 1 <= count <= 4 else count


@pytest.fixture
async def registry(factory, keyring):
    """A covenant with offers in many states, and the records' own account of what is public."""
    covenant, priorities = await factory.covenant(priorities=3)
    world = {"covenant": covenant, "priorities": priorities, "offers": [], "reports": [], "signatories": []}

    async def organisation(sector, size, status="verified", pledge_status="published", published=None):
        signatory = await factory.signatory(sector=sector, size_band=size, status=status)
        pledge = await factory.pledge(
            signatory, covenant, status=pledge_status, published_at=published or datetime(2025, 6, 10, tzinfo=UTC)
        )
        world["signatories"].append((signatory, pledge))
        return signatory, pledge

    plan = [  # sector, size, offers as (priority index, offer type, status)
        ("private", "small", [(0, "apprenticeship", "active")]),
        ("private", "small", [(0, "apprenticeship", "active"), (1, "mentoring", "paused")]),
        ("private", "medium", [(0, "job", "ended")]),
        ("voluntary", "medium", [(1, "mentoring", "active")] * 3),
        ("voluntary", "medium", [(1, "mentoring", "active"), (2, "accommodation", "full")]),
        ("voluntary", "large", [(1, "advice", "active")]),
        ("voluntary", "large", [(1, "advice", "withdrawn")]),
        ("public", "large", [(1, "guaranteed_interview", "active")] * 2),
        ("voluntary", "micro", [(1, "mentoring", "active")]),
        ("voluntary", "micro", [(1, "leisure", "active")]),
    ]
    for number, (sector, size, offers) in enumerate(plan):
        published = datetime(2025, 4 + number % 9, 15, tzinfo=UTC)
        _, pledge = await organisation(sector, size, published=published)
        for priority_index, offer_type, status in offers:
            withdrawn_at = datetime(2025, 1, 10, tzinfo=UTC) if status == "withdrawn" else None
            world["offers"].append(
                await factory.commitment(
                    pledge,
                    priorities[priority_index],
                    offer_type=offer_type,
                    status=status,
                    created_at=published,
                    withdrawn_at=withdrawn_at,
                )
            )
    # Never counted: a draft pledge, and an unverified organisation.
    _, draft = await organisation("education", "large", pledge_status="draft")
    await factory.commitment(draft, priorities[2], offer_type="bursary")
    _, pending = await organisation("education", "small", status="pending")
    await factory.commitment(pending, priorities[2], offer_type="bursary")

    for offer, (places, starts, sustained) in zip(world["offers"][:3], [(5, 3, 2), (2, 2, 1), (8, 0, 0)], strict=True):
        world["reports"].append(
            await factory.progress_report(
                offer, places_offered=places, applications=starts + 1, starts=starts, sustained=sustained
            )
        )
    world["reports"].append(
        await factory.progress_report(
            world["offers"][3],
            period_start=date(2024, 4, 1),
            period_end=date(2025, 3, 31),
            places_offered=1,
            applications=1,
            starts=1,
            sustained=1,
        )
    )
    world["officer_key"] = await keyring.officer(covenant.authority_id)
    world["public"] = [offer for offer in world["offers"] if offer.status in ("active", "paused", "full")]
    world["published"] = [(s, p) for s, p in world["signatories"] if s.status == "verified" and p.status == "published"]
    return world


def expected_statistics(world, exact: bool) -> dict:
    count = (lambda n: n) if exact else shown  # for counts of young people only
    sectors = Counter(signatory.sector for signatory, _ in world["published"])
    sizes = Counter(signatory.size_band for signatory, _ in world["published"])
    by_priority = Counter(offer.priority_id for offer in world["public"])
    by_type = Counter(offer.offer_type for offer in world["public"])
    active = {offer.priority_id for offer in world["public"] if offer.status == "active"}
    years: dict[str, list[int]] = {}
    for report in world["reports"]:
        label = "2025/26" if report.period_start >= date(2025, 4, 1) else "2024/25"
        totals = years.setdefault(label, [0, 0, 0, 0])
        for index, value in enumerate((1, report.places_offered, report.starts, report.sustained)):
            totals[index] += value
    return {
        "sectors": {sector: sectors[sector] for sector in ("private", "public", "voluntary", "education")},
        "sizes": {size: sizes[size] for size in ("micro", "small", "medium", "large")},
        "pledges": len(world["published"]),
        "by_priority": [by_priority[p.id] for p in world["priorities"]],
        "by_type": dict(by_type),
        "gaps": [p.code for p in world["priorities"] if p.id not in active],
        "years": [
            {
                "year": label,
                "returns": r,
                "places_offered": pl,
                "starts": count(st),
                "sustained": count(su),
            }
            for label, (r, pl, st, su) in sorted(years.items())
        ],
    }


@pytest.mark.parametrize("exact", [False, True])
async def test_statistics_match_the_records(client, registry, exact):
    headers = bearer(registry["officer_key"]) if exact else {}
    response = await client.get(f"/v1/covenants/{registry['covenant'].slug}/statistics", headers=headers)
    assert response.status_code == 200
    figures = response.json()
    expected = expected_statistics(registry, exact)
    assert figures["exact"] is exact
    assert figures["signatories_by_sector"] == expected["sectors"]
    assert figures["signatories_by_size"] == expected["sizes"]
    assert figures["published_pledges"] == expected["pledges"]
    assert [row["commitments"] for row in figures["commitments_by_priority"]] == expected["by_priority"]
    assert {k: v for k, v in figures["commitments_by_offer_type"].items() if v != 0} == expected["by_type"]
    assert [gap["code"] for gap in figures["priorities_without_active_offer"]] == expected["gaps"]
    assert figures["delivery_by_year"] == expected["years"]


async def test_organisations_are_counted_exactly_and_young_people_suppressed(client, registry):
    # Three private organisations have published pledges; one young person started in 2024/25.
    path = f"/v1/covenants/{registry['covenant'].slug}/statistics"
    public = (await client.get(path)).json()
    officer_answer = await client.get(path, headers=bearer(registry["officer_key"]))
    officer = officer_answer.json()
    assert public["signatories_by_sector"]["private"] == officer["signatories_by_sector"]["private"] == 3
    assert public["signatories_by_sector"]["education"] == 0
    public_year, officer_year = public["delivery_by_year"][0], officer["delivery_by_year"][0]
    assert (public_year["year"], public_year["starts"], public_year["sustained"]) == ("2024/25", "<5", "<5")
    assert (officer_year["starts"], officer_year["sustained"]) == (1, 1)
    assert public_year["returns"] == officer_year["returns"] == 1  # returns are filed by organisations: exact
    assert "no-store" in officer_answer.headers["cache-control"]


async def test_another_authoritys_officer_sees_suppressed_figures(client, registry, factory, keyring):
    elsewhere = await factory.authority()
    key = await keyring.officer(elsewhere.id)
    figures = (await client.get(f"/v1/covenants/{registry['covenant'].slug}/statistics", headers=bearer(key))).json()
    assert figures["exact"] is False
    assert figures["delivery_by_year"][0]["starts"] == "<5"


async def test_annual_report_matches_the_records(client, registry):
    year_start, year_end = datetime(2025, 4, 1, tzinfo=UTC), datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
    response = await client.get(
        f"/v1/covenants/{registry['covenant'].slug}/annual-report?year=2025", headers=bearer(registry["officer_key"])
    )
    assert response.status_code == 200
    report = response.json()
    assert report["year"] == "2025/26"
    offered = [offer for offer in registry["offers"] if not offer.withdrawn_at or offer.withdrawn_at >= year_start]
    offers = Counter(offer.priority_id for offer in offered)
    in_year = [r for r in registry["reports"] if date(2025, 4, 1) <= r.period_start <= date(2026, 3, 31)]
    offer_priority = {offer.id: offer.priority_id for offer in registry["offers"]}
    for row in report["priorities"]:
        priority_id = row["priority"]["id"]
        assert row["offers"] == offers[priority_id]
        assert row["places_offered"] == sum(
            r.places_offered for r in in_year if offer_priority[r.commitment_id] == priority_id
        )
        assert row["starts"] == sum(r.starts for r in in_year if offer_priority[r.commitment_id] == priority_id)
    new_signatories = {
        s.id for s, p in registry["signatories"] if p.published_at and year_start <= p.published_at <= year_end
    }
    assert report["summary"]["new_signatories"] == len(new_signatories)
    assert sum(month["signatories"] for month in report["new_signatories_by_month"]) == len(new_signatories)
    assert report["summary"]["starts"] == sum(r.starts for r in in_year)
    assert [gap["code"] for gap in report["gaps"]] == [p.code for p in registry["priorities"] if offers[p.id] == 0]


async def test_public_annual_report_suppresses_small_counts(client, registry):
    report = (await client.get(f"/v1/covenants/{registry['covenant'].slug}/annual-report?year=2025")).json()
    assert report["exact"] is False
    values = [row["starts"] for row in report["priorities"]] + [report["summary"]["sustained"]]
    assert all(value in ("<5", "[c]") or value == 0 or value >= 5 for value in values)
    assert "<5" in values


async def test_annual_report_as_printable_html(client, registry):
    asked_as_a_browser = await client.get(
        f"/v1/covenants/{registry['covenant'].slug}/annual-report?year=2025", headers={"Accept": "text/html"}
    )
    assert asked_as_a_browser.status_code == 303
    page_path = f"/v1/covenants/{registry['covenant'].slug}/annual-report.html?year=2025"
    assert asked_as_a_browser.headers["location"] == page_path
    response = await client.get(page_path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert page.count("<svg") == 3
    assert "size: A4 portrait" in page and "counter(pages)" in page
    assert "What changed under each priority" in page and "<h3>Priority 0</h3>" in page
    assert "<script" not in page


async def test_a_year_that_has_not_started_has_no_report(client, registry):
    response = await client.get(f"/v1/covenants/{registry['covenant'].slug}/annual-report?year=2099")
    assert response.status_code == 404
    assert "2099/00" in response.json()["detail"]


async def counted_in_public_list(client, slug: str) -> tuple[Counter, Counter, set]:
    """Offers by priority id and by offer type, and priorities with an active offer, from the public list."""
    by_priority, by_type, active = Counter(), Counter(), set()
    for offer in await all_pages(client, "/v1/commitments", covenant=slug):
        by_priority[offer["priority"]["id"]] += 1
        by_type[offer["offer_type"]] += 1
        if offer["status"] == "active":
            active.add(offer["priority"]["id"])
    return by_priority, by_type, active


async def test_offer_counts_follow_every_change_that_alters_the_public_list(client, keyring):
    """Statistics read counts kept up to date by each change, not a count of the offers; after each kind of
    change they must still equal what the public list shows."""
    area = await council(client, await keyring.operator())
    officer = bearer(area.officer_key)
    priority_ids = [priority["id"] for priority in area.covenant["priorities"]]

    async def assert_counts_agree(expected_total: int) -> None:
        by_priority, by_type, active = await counted_in_public_list(client, area.slug)
        figures = (await client.get(f"/v1/covenants/{area.slug}/statistics", headers=officer)).json()
        assert sum(by_priority.values()) == expected_total
        assert {row["priority"]["id"]: row["commitments"] for row in figures["commitments_by_priority"]} == {
            priority_id: by_priority[priority_id] for priority_id in priority_ids
        }
        assert {k: v for k, v in figures["commitments_by_offer_type"].items() if v} == dict(by_type)
        assert {gap["id"] for gap in figures["priorities_without_active_offer"]} == set(priority_ids) - active

    first, first_key, first_pledge = await published_pledge(client, area, offers=3)
    await assert_counts_agree(3)

    offer = first_pledge["commitments"][0]
    etag = (await client.get(f"/v1/commitments/{offer['id']}", headers=bearer(first_key))).headers["etag"]
    paused = await client.patch(
        f"/v1/commitments/{offer['id']}", json={"status": "paused"}, headers={**bearer(first_key), "If-Match": etag}
    )
    assert paused.status_code == 200, paused.text
    await assert_counts_agree(3)  # same offers, one no longer active

    withdrawn = await client.post(
        f"/v1/commitments/{first_pledge['commitments'][1]['id']}/withdraw",
        json={"reason": "The scheme has ended."},
        headers=bearer(first_key),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    await assert_counts_agree(2)

    _, second_key, second_pledge = await published_pledge(client, area, offers=2)
    await assert_counts_agree(4)

    suspended = await client.post(f"/v1/signatories/{first['id']}/suspend", json={"note": "Checks"}, headers=officer)
    assert suspended.status_code == 200, suspended.text
    await assert_counts_agree(2)
    reinstated = await client.post(f"/v1/signatories/{first['id']}/reinstate", headers=officer)
    assert reinstated.status_code == 200, reinstated.text
    await assert_counts_agree(4)

    gone = await client.post(
        f"/v1/pledges/{second_pledge['id']}/withdraw", json={"reason": "We are closing."}, headers=bearer(second_key)
    )
    assert gone.status_code == 200, gone.text
    await assert_counts_agree(2)
