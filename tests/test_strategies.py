"""A council's strategy for its covenant, through HTTP on the migrated database: the action plan's RAG at its
edges, bad input refused with nothing written, who may write, If-Match and Idempotency-Key, measures against
their targets, the registry's own evidence as measures (checked against sums of the delivery returns the test
filed), what the public sees where the council publishes its strategy, and the action plan as CSV."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from app.services.rag import derived_rag, financial_years, parse_period
from tests.flows import bearer

TODAY = datetime.now(UTC).date()
START, END = TODAY - timedelta(days=400), TODAY + timedelta(days=700)


async def council_with_strategy(client, factory, keyring, *, start=START, end=END, **covenant):
    covenant_row, priorities = await factory.covenant(priorities=2, **covenant)
    officer = await keyring.officer(covenant_row.authority_id)
    answer = await client.post(
        f"/v1/covenants/{covenant_row.slug}/strategies",
        json={
            "title": "Corporate parenting strategy",
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "approved_on": start.isoformat(),
            "approved_by": "Cabinet",
            "body": "Every young person leaving our care has a home and a purpose.",
        },
        headers=bearer(officer),
    )
    assert answer.status_code == 201, answer.text
    return covenant_row, priorities, officer, answer.json()


def action_body(reference: str, due_on: date, **overrides):
    return {
        "priority": "P0",
        "reference": reference,
        "description": f"Action {reference}",
        "owner_role": "Head of virtual school",
        "milestones": "Plan agreed; first review at panel.",
        "due_on": due_on.isoformat(),
    } | overrides


async def add_action(client, strategy, officer, reference, due_on, **overrides):
    answer = await client.post(
        f"/v1/strategies/{strategy['id']}/actions",
        json=action_body(reference, due_on, **overrides),
        headers=bearer(officer),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def change(client, path, officer, body):
    etag = (await client.get(path, headers=bearer(officer))).headers["etag"]
    return await client.patch(path, json=body, headers={**bearer(officer), "If-Match": etag})


def test_the_rag_rules_at_their_edges_on_a_fixed_day():
    day = date(2026, 6, 15)
    assert derived_rag("not_started", day, None, day).rag == "amber"
    assert derived_rag("on_track", day - timedelta(days=1), None, day).rag == "red"
    late = derived_rag("done", day - timedelta(days=1), day, day)
    assert (late.rag, late.done_late) == ("green", True)
    on_time = derived_rag("done", day, day, day)
    assert (on_time.rag, on_time.done_late) == ("green", False)
    assert derived_rag("not_started", day + timedelta(days=30), None, day).rag == "amber"
    assert derived_rag("not_started", day + timedelta(days=31), None, day).rag == "green"
    assert derived_rag("on_track", day + timedelta(days=1), None, day).rag == "green"
    assert derived_rag("at_risk", day + timedelta(days=90), None, day).rag == "amber"
    assert derived_rag("off_track", day + timedelta(days=90), None, day).rag == "red"
    assert derived_rag("dropped", day - timedelta(days=9), None, day).rag is None


def test_periods_are_financial_years_and_their_quarters():
    assert (parse_period("2025/26").first_day, parse_period("2025/26").last_day) == (
        date(2025, 4, 1),
        date(2026, 3, 31),
    )
    assert (parse_period("2025/26 Q3").first_day, parse_period("2025/26 Q3").last_day) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
    assert parse_period("2025/26 Q4").first_day == date(2026, 1, 1)
    assert parse_period("2025/27") is None
    assert [year.label for year in financial_years(date(2025, 9, 1), date(2027, 2, 1))] == ["2025/26", "2026/27"]


async def test_rag_comes_from_status_and_due_date_unless_an_officer_sets_it(client, factory, keyring):
    _, _, officer, strategy = await council_with_strategy(client, factory, keyring)
    due_today = await add_action(client, strategy, officer, "EET-1", TODAY)
    overdue = await add_action(client, strategy, officer, "EET-2", TODAY - timedelta(days=1), status="on_track")
    at_risk = await add_action(client, strategy, officer, "EET-3", TODAY + timedelta(days=200), status="at_risk")
    soon = await add_action(client, strategy, officer, "EET-4", TODAY + timedelta(days=30))
    later = await add_action(client, strategy, officer, "EET-5", TODAY + timedelta(days=31))
    assert [a["rag"] for a in (due_today, overdue, at_risk, soon, later)] == ["amber", "red", "amber", "amber", "green"]
    assert {a["rag_source"] for a in (due_today, overdue, at_risk, soon, later)} == {"derived"}

    done = await change(client, f"/v1/actions/{overdue['id']}", officer, {"status": "done"})
    assert done.status_code == 200, done.text
    assert (done.json()["rag"], done.json()["done_late"], done.json()["completed_on"]) == (
        "green",
        True,
        TODAY.isoformat(),
    )

    dropped = await change(
        client, f"/v1/actions/{later['id']}", officer, {"status": "dropped", "dropped_reason": "Replaced by EET-4."}
    )
    assert dropped.status_code == 200, dropped.text
    assert (dropped.json()["rag"], dropped.json()["rag_source"]) == (None, None)

    path = f"/v1/actions/{soon['id']}"
    overridden = await change(
        client, path, officer, {"rag_override": "red", "rag_reason": "The provider has pulled out."}
    )
    assert overridden.status_code == 200, overridden.text
    assert [overridden.json()[field] for field in ("rag", "rag_source", "rag_reason")] == [
        "red",
        "officer",
        "The provider has pulled out.",
    ]
    cleared = await change(client, path, officer, {"rag_override": None, "rag_reason": None})
    assert [cleared.json()[field] for field in ("rag", "rag_source", "rag_reason")] == ["amber", "derived", None]

    events = (await client.get("/v1/audit-events", headers=bearer(officer))).json()["items"]
    actions = [event["action"] for event in events]
    assert actions.count("strategy_action.create") == 5 and actions.count("strategy_action.update") == 4
    assert "strategy.create" in actions


async def test_progress_updates_are_listed_newest_first(client, factory, keyring):
    _, _, officer, strategy = await council_with_strategy(client, factory, keyring)
    action = await add_action(client, strategy, officer, "HOME-1", TODAY + timedelta(days=90))
    for noted_on, text in [(TODAY - timedelta(days=60), "Older."), (TODAY - timedelta(days=5), "Newer.")]:
        answer = await client.post(
            f"/v1/actions/{action['id']}/updates",
            json={"noted_on": noted_on.isoformat(), "text": text},
            headers=bearer(officer),
        )
        assert answer.status_code == 201, answer.text
    shown = answer.json()
    assert [update["text"] for update in shown["updates"]] == ["Newer.", "Older."]
    assert shown["last_update_on"] == (TODAY - timedelta(days=5)).isoformat()
    future = await client.post(
        f"/v1/actions/{action['id']}/updates",
        json={"noted_on": (TODAY + timedelta(days=1)).isoformat(), "text": "Not yet."},
        headers=bearer(officer),
    )
    assert future.status_code == 422
    assert len((await client.get(f"/v1/actions/{action['id']}", headers=bearer(officer))).json()["updates"]) == 2


async def test_bad_input_is_refused_and_nothing_is_written(client, factory, keyring):
    _, _, officer, strategy = await council_with_strategy(client, factory, keyring)
    _, others = await factory.covenant(priorities=1)
    actions_path = f"/v1/strategies/{strategy['id']}/actions"
    refusals = [
        (action_body("X-1", END + timedelta(days=1)), "/due_on"),
        (action_body("X-2", START - timedelta(days=1)), "/due_on"),
        (action_body("X-3", TODAY, priority=others[0].id), "/priority"),
        (action_body("X-4", TODAY, status="dropped"), "/dropped_reason"),
        (action_body("X-5", TODAY, rag_override="green"), "/rag_reason"),
        (action_body("X-6", TODAY, rag_reason="Because we say so."), "/rag_override"),
    ]
    for body, pointer in refusals:
        answer = await client.post(actions_path, json=body, headers=bearer(officer))
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"][0]["pointer"] == pointer, body

    kept = await add_action(client, strategy, officer, "EET-1", TODAY)
    duplicate = await client.post(actions_path, json=action_body("EET-1", TODAY), headers=bearer(officer))
    assert duplicate.status_code == 409
    undropped = await change(client, f"/v1/actions/{kept['id']}", officer, {"status": "dropped"})
    assert undropped.status_code == 422 and undropped.json()["errors"][0]["pointer"] == "/dropped_reason"
    listed = (await client.get(actions_path, headers=bearer(officer))).json()["items"]
    assert [(item["reference"], item["status"]) for item in listed] == [("EET-1", "not_started")]

    measures_path = f"/v1/strategies/{strategy['id']}/measures"
    unknown = await client.post(
        measures_path, json={"priority": "P0", "name": "Rooms", "unit": "rooms"}, headers=bearer(officer)
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["pointer"] == "/unit"
    measure = await client.post(
        measures_path, json={"priority": "P1", "name": "Care leavers in work", "unit": "count"}, headers=bearer(officer)
    )
    assert measure.status_code == 201, measure.text
    outside = parse_period(f"{END.year + 2}/{(END.year + 3) % 100:02d}")
    too_late = await client.post(
        f"/v1/measures/{measure.json()['id']}/values",
        json={"period": outside.label, "value": 3},
        headers=bearer(officer),
    )
    assert too_late.status_code == 422 and too_late.json()["errors"][0]["pointer"] == "/period"
    measures = (await client.get(measures_path, headers=bearer(officer))).json()["items"]
    assert [(item["name"], item["values"]) for item in measures] == [("Care leavers in work", [])]


async def test_only_the_covenant_s_officers_write(client, factory, keyring):
    covenant, _, _, strategy = await council_with_strategy(client, factory, keyring)
    stranger = await keyring.officer((await factory.authority()).id)
    organisation = await keyring.organisation((await factory.signatory()).id)
    path = f"/v1/strategies/{strategy['id']}/actions"
    body = action_body("EET-1", TODAY)

    assert (await client.post(path, json=body, headers=bearer(stranger))).status_code == 403
    assert (await client.post(path, json=body, headers=bearer(organisation))).status_code == 403
    assert (await client.post(path, json=body)).status_code == 401
    assert (await client.get(f"/v1/strategies/{strategy['id']}", headers=bearer(stranger))).status_code == 403
    another = {"title": "Not ours", "period_start": START.isoformat(), "period_end": END.isoformat()}
    created = await client.post(f"/v1/covenants/{covenant.slug}/strategies", json=another, headers=bearer(stranger))
    assert created.status_code == 403
    listed = (await client.get(f"/v1/covenants/{covenant.slug}/strategies", headers=bearer(stranger))).status_code
    assert listed == 403

    draft, _, _, hidden = await council_with_strategy(client, factory, keyring, status="draft")
    assert (await client.get(f"/v1/strategies/{hidden['id']}", headers=bearer(stranger))).status_code == 404
    assert (await client.get(f"/v1/covenants/{draft.slug}/strategy", headers=bearer(stranger))).status_code == 404


async def test_changes_name_the_version_they_were_based_on(client, factory, keyring):
    _, _, officer, strategy = await council_with_strategy(client, factory, keyring)
    action = await add_action(client, strategy, officer, "EET-1", TODAY + timedelta(days=60))
    path = f"/v1/actions/{action['id']}"
    etag = (await client.get(path, headers=bearer(officer))).headers["etag"]

    missing = await client.patch(path, json={"status": "on_track"}, headers=bearer(officer))
    assert missing.status_code == 428
    first = await client.patch(path, json={"status": "on_track"}, headers={**bearer(officer), "If-Match": etag})
    assert first.status_code == 200 and first.headers["etag"] != etag
    stale = await client.patch(path, json={"status": "at_risk"}, headers={**bearer(officer), "If-Match": etag})
    assert stale.status_code == 412
    assert (await client.get(path, headers=bearer(officer))).json()["status"] == "on_track"

    strategy_path = f"/v1/strategies/{strategy['id']}"
    shrunk = await change(client, strategy_path, officer, {"period_end": (TODAY + timedelta(days=10)).isoformat()})
    assert shrunk.status_code == 422 and shrunk.json()["errors"][0]["pointer"] == "/period_end"


async def test_a_retried_create_gives_the_same_action(client, factory, keyring):
    _, _, officer, strategy = await council_with_strategy(client, factory, keyring)
    path = f"/v1/strategies/{strategy['id']}/actions"
    headers = {**bearer(officer), "Idempotency-Key": "action-eet-1"}
    first = await client.post(path, json=action_body("EET-1", TODAY), headers=headers)
    again = await client.post(path, json=action_body("EET-1", TODAY), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert len((await client.get(path, headers=bearer(officer))).json()["items"]) == 1


async def test_entered_measures_against_their_targets(client, factory, keyring):
    start = date(TODAY.year - 1, 4, 1)
    _, _, officer, strategy = await council_with_strategy(client, factory, keyring, start=start, end=END)
    first_year = parse_period(f"{start.year}/{(start.year + 1) % 100:02d}")
    path = f"/v1/strategies/{strategy['id']}/measures"

    async def measure(**body):
        answer = await client.post(path, json={"priority": "P0", "name": "A measure"} | body, headers=bearer(officer))
        assert answer.status_code == 201, answer.text
        return answer.json()

    async def value(measure_id, period, number):
        answer = await client.post(
            f"/v1/measures/{measure_id}/values", json={"period": period, "value": number}, headers=bearer(officer)
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    higher = await measure(unit="percentage", direction="higher_is_better", baseline=48, target=60)
    assert (higher["values"], higher["latest"], higher["on_track"]) == ([], None, None)
    await value(higher["id"], f"{first_year.label} Q1", 50)
    shown = await value(higher["id"], first_year.label, 58.5)
    assert [v["period"] for v in shown["values"]] == [f"{first_year.label} Q1", first_year.label]
    assert (shown["latest"]["value"], shown["on_track"]) == (58.5, False)
    replaced = await value(higher["id"], first_year.label, 61)
    assert [v["value"] for v in replaced["values"]] == [50, 61] and replaced["on_track"] is True

    lower = await measure(unit="days", direction="lower_is_better", target=20)
    assert (await value(lower["id"], first_year.label, 25))["on_track"] is False
    assert (await value(lower["id"], first_year.label, 20))["on_track"] is True

    over = await client.post(
        f"/v1/measures/{higher['id']}/values", json={"period": first_year.label, "value": 101}, headers=bearer(officer)
    )
    assert over.status_code == 422 and over.json()["errors"][0]["pointer"] == "/value"

    renamed = await change(client, f"/v1/measures/{lower['id']}", officer, {"target": 30})
    assert renamed.status_code == 200 and renamed.json()["target"] == 30


@pytest.mark.parametrize("evidence", ["offers", "places_offered", "starts", "sustained"])
async def test_the_registry_s_own_evidence_as_measures(client, factory, keyring, evidence):
    start, end = date(2025, 4, 1), date(2028, 3, 31)
    covenant, priorities, officer, strategy = await council_with_strategy(
        client, factory, keyring, start=start, end=end
    )
    signatory = await factory.signatory()
    pledge = await factory.pledge(signatory, covenant)
    made = datetime(2025, 5, 1, tzinfo=UTC)
    offers = [await factory.commitment(pledge, priorities[0], created_at=made) for _ in range(2)]
    elsewhere = await factory.commitment(pledge, priorities[1], created_at=made)
    returns = [
        await factory.progress_report(offers[0], places_offered=3, applications=4, starts=3, sustained=2),
        await factory.progress_report(offers[1], places_offered=5, applications=6, starts=6, sustained=1),
        await factory.progress_report(
            offers[0],
            period_start=date(2026, 4, 1),
            period_end=date(2026, 9, 30),
            places_offered=2,
            applications=2,
            starts=1,
            sustained=0,
        ),
        await factory.progress_report(elsewhere, places_offered=9, applications=9, starts=9, sustained=9),
    ]

    answer = await client.post(
        f"/v1/strategies/{strategy['id']}/measures",
        json={
            "priority": "P0",
            "name": f"Registry {evidence}",
            "unit": "count",
            "source": "registry",
            "evidence": evidence,
        },
        headers=bearer(officer),
    )
    assert answer.status_code == 201, answer.text
    measure = answer.json()

    begun = [year for year in financial_years(start, end) if year.first_day <= TODAY]
    expected = []
    for year in begun:
        if evidence == "offers":
            # Both offers under the priority were on the register from the pledge's publication (February 2026).
            total = 2 if year.last_day >= date(2026, 2, 1) else 0
        else:
            total = sum(
                getattr(report, evidence)
                for report in returns[:3]
                if year.first_day <= report.period_start <= year.last_day
            )
        expected.append({"period": year.label, "value": total, "note": ""})
    assert measure["values"] == expected
    assert measure["latest"] == expected[-1]

    refused = await client.post(
        f"/v1/measures/{measure['id']}/values", json={"period": "2025/26", "value": 1}, headers=bearer(officer)
    )
    assert refused.status_code == 409


async def test_the_public_reads_the_strategy_only_where_the_council_publishes_it(client, factory, keyring):
    covenant, priorities, officer, strategy = await council_with_strategy(client, factory, keyring)
    priority_path = f"/v1/priorities/{priorities[0].id}"
    led = await change(
        client, priority_path, officer, {"lead_role": "Director of children's services", "lead_name": "Alex Morgan"}
    )
    assert led.status_code == 200, led.text
    action = await add_action(client, strategy, officer, "EET-1", TODAY + timedelta(days=90))
    await change(
        client, f"/v1/actions/{action['id']}", officer, {"rag_override": "amber", "rag_reason": "Staff off sick."}
    )
    await client.post(
        f"/v1/actions/{action['id']}/updates",
        json={"noted_on": TODAY.isoformat(), "text": "Private words about a named young person."},
        headers=bearer(officer),
    )
    path = f"/v1/covenants/{covenant.slug}/strategy"

    assert (await client.get(path)).status_code == 404
    officers_view = await client.get(path, headers=bearer(officer))
    assert officers_view.status_code == 200 and officers_view.json()["view"] == "private"
    assert officers_view.json()["id"] == strategy["id"]

    covenant_path = f"/v1/covenants/{covenant.slug}"
    published = await change(client, covenant_path, officer, {"publish_strategy": True})
    assert published.status_code == 200 and published.json()["publish_strategy"] is True

    public = await client.get(path)
    assert public.status_code == 200, public.text
    document = public.json()
    assert document["view"] == "public" and document["id"] == strategy["id"]
    first = document["priorities"][0]
    assert first["lead"] == {"role": "Director of children's services", "name": "Alex Morgan"}
    shown = first["actions"][0]
    assert (shown["reference"], shown["status"]) == (
        "EET-1",
        officers_view.json()["priorities"][0]["actions"][0]["status"],
    )
    assert shown["last_update_on"] == TODAY.isoformat()
    # RAG is worked out on the day asked, and a public answer may be remembered until the next public write: not public.
    assert not {"updates", "rag", "rag_source", "rag_reason", "dropped_reason", "created_at"} & set(shown)
    assert "Private words" not in public.text and "Staff off sick" not in public.text
    assert public.headers["cache-control"].startswith("public")
    again = await client.get(path, headers={"If-None-Match": public.headers["etag"]})
    assert again.status_code == 304


async def test_the_current_strategy_is_the_one_whose_period_holds_today(client, factory, keyring):
    covenant, _, officer, current = await council_with_strategy(client, factory, keyring)
    later = await client.post(
        f"/v1/covenants/{covenant.slug}/strategies",
        json={"title": "Next strategy", "period_start": (END + timedelta(days=1)).isoformat(),
              "period_end": (END + timedelta(days=1000)).isoformat()},
        headers=bearer(officer),
    )  # fmt: skip
    assert later.status_code == 201
    shown = await client.get(f"/v1/covenants/{covenant.slug}/strategy", headers=bearer(officer))
    assert shown.json()["id"] == current["id"]
    listed = (await client.get(f"/v1/covenants/{covenant.slug}/strategies", headers=bearer(officer))).json()
    assert [item["id"] for item in listed["items"]] == [later.json()["id"], current["id"]]
    backwards = await client.post(
        f"/v1/covenants/{covenant.slug}/strategies",
        json={"title": "Backwards", "period_start": TODAY.isoformat(), "period_end": TODAY.isoformat()},
        headers=bearer(officer),
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["pointer"] == "/period_end"


async def test_the_action_plan_as_the_table_the_panel_reads(client, factory, keyring):
    _, _, officer, strategy = await council_with_strategy(client, factory, keyring)
    made = [
        await add_action(client, strategy, officer, "HOME-1", TODAY + timedelta(days=120), priority="P1"),
        await add_action(client, strategy, officer, "EET-1", TODAY, description="=SUM(A1:A9) apprenticeships"),
    ]
    await client.post(
        f"/v1/actions/{made[1]['id']}/updates",
        json={"noted_on": TODAY.isoformat(), "text": "Two places filled."},
        headers=bearer(officer),
    )
    answer = await client.get(f"/v1/strategies/{strategy['id']}/action-plan.csv", headers=bearer(officer))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))
    assert rows[0] == ["Ref", "Priority", "Action", "Owner", "Milestones", "Due", "Status", "RAG", "Latest update"]
    assert rows[1:] == [
        ["EET-1", "P0 Priority 0", "'=SUM(A1:A9) apprenticeships", "Head of virtual school",
         "Plan agreed; first review at panel.", TODAY.isoformat(), "Not started", "Amber",
         f"{TODAY.isoformat()}: Two places filled."],
        ["HOME-1", "P1 Priority 1", "Action HOME-1", "Head of virtual school", "Plan agreed; first review at panel.",
         (TODAY + timedelta(days=120)).isoformat(), "Not started", "Green", ""],
    ]  # fmt: skip
    organisation = await keyring.organisation((await factory.signatory()).id)
    refused = await client.get(f"/v1/strategies/{strategy['id']}/action-plan.csv", headers=bearer(organisation))
    assert refused.status_code == 403


async def test_counts_of_young_people_in_a_published_strategy_are_suppressed(client, factory, keyring):
    start, end = date(2025, 4, 1), date(2028, 3, 31)
    covenant, priorities, officer, strategy = await council_with_strategy(
        client, factory, keyring, start=start, end=end, publish_strategy=True
    )
    pledge = await factory.pledge(await factory.signatory(), covenant)
    offer = await factory.commitment(pledge, priorities[0], created_at=datetime(2025, 5, 1, tzinfo=UTC))
    await factory.progress_report(offer, places_offered=6, applications=3, starts=3, sustained=0)
    for evidence in ("starts", "places_offered"):
        answer = await client.post(
            f"/v1/strategies/{strategy['id']}/measures",
            json={"priority": "P0", "name": evidence, "unit": "count", "source": "registry", "evidence": evidence},
            headers=bearer(officer),
        )
        assert answer.status_code == 201, answer.text

    public = (await client.get(f"/v1/covenants/{covenant.slug}/strategy")).json()
    officers = (await client.get(f"/v1/covenants/{covenant.slug}/strategy", headers=bearer(officer))).json()

    def first_year(document):
        return {measure["name"]: measure["values"][0]["value"] for measure in document["priorities"][0]["measures"]}

    assert first_year(public) == {"starts": "<5", "places_offered": 6}
    assert first_year(officers) == {"starts": 3, "places_offered": 6}
    assert public["priorities"][0]["measures"][0]["on_track"] is None
