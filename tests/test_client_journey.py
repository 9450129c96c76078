"""An integrator's whole journey through the Python client generated from the committed contract
(openapi-python-client), against a live server: operator, council, officer key, covenant, registration, pledge,
offers, submit, verify, approve, public finder, delivery return, statistics, annual report, withdrawal, and every
other operation of the contract on the way.

Every answer must come back with a status the contract documents for it (the client raises on any other), parse
into the model the contract names for it (an owner's read as the private type, the public's as the public type),
and leave no field undeclared. At the end, every operation the client has must have been called."""

import asyncio
import importlib
import pkgutil
from collections.abc import Iterator
from datetime import date, timedelta
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import in_thread, migrated_database
from tests.flows import run_command
from tests.live import serving
from tests.test_generated_client import generated_client, leftovers

GSS = "E06000063"  # Cumberland: an area code of the ONS, as a council would use it


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Iterator[ModuleType]:  # type: ignore[no-untyped-def]
    """The client generated from openapi/openapi.json, imported as `journey_client`."""
    with generated_client(tmp_path_factory.mktemp("journey-client"), "journey_client") as client:
        yield client


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """A live server on a migrated database of its own: (base URL, database URL)."""
    # Webhooks to loopback allowed (the journey registers one), and no worker sending to it.
    # No wait between the problem form and the report: the journey is a script, and says so.
    settings = {"WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true", "IN_PROCESS_WORKER": "false", "PROBLEM_FORM_MIN_SECONDS": "0"}
    with migrated_database(tmp_path_factory, "client_journey") as url, serving(url, **settings) as api:
        yield api, url


class Integrator:
    """Calls operations of the generated client and holds each answer to the contract."""

    def __init__(self, package: ModuleType, api: str) -> None:
        self.package = package
        self.models = importlib.import_module(f"{package.__name__}.models")
        self.api = api
        self.called: set[str] = set()

    def client(self, key: str | None = None) -> Any:
        if key is None:
            return self.package.Client(base_url=self.api, raise_on_unexpected_status=True)
        return self.package.AuthenticatedClient(base_url=self.api, token=key, raise_on_unexpected_status=True)

    def operation(self, name: str) -> ModuleType:
        for tag in pkgutil.iter_modules(importlib.import_module(f"{self.package.__name__}.api").__path__):
            module_name = f"{self.package.__name__}.api.{tag.name}.{name}"
            try:
                return importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
        raise AssertionError(f"the client has no operation {name}")

    def call(self, name: str, *args: Any, expect: int = 200, parses_as: str | None = None, **kwargs: Any) -> Any:
        """The answer of operation `name`, which must be status `expect` and, for JSON, parse as `parses_as`.
        (`expect`, not `status`: some operations have a `status` parameter of their own.)"""
        response = self.operation(name).sync_detailed(*args, **kwargs)
        self.called.add(name)
        assert response.status_code == HTTPStatus(expect), f"{name}: {response.status_code} {response.content!r}"
        parsed = response.parsed
        if parses_as is not None:
            assert type(parsed).__name__ == parses_as, f"{name} parsed as {type(parsed).__name__}"
            assert leftovers(parsed) == [], f"{name}: undeclared fields {leftovers(parsed)}"
        return response

    def every_operation(self) -> set[str]:
        api = importlib.import_module(f"{self.package.__name__}.api")
        return {
            module.name
            for tag in pkgutil.iter_modules(api.__path__)
            for module in pkgutil.iter_modules([str(Path(api.__path__[0]) / tag.name)])
        }


def test_the_whole_journey_through_the_generated_client(package, server):
    api, database_url = server
    you = Integrator(package, api)
    m = you.models
    public = you.client()

    # The service and the operator's first key (from the command line on the server, as the README says).
    you.call("get_service_info", client=public, parses_as="ServiceInfo")
    you.call("get_health", client=public, parses_as="Health")
    you.call("get_readiness", client=public, parses_as="Health")
    assert "registry_http_requests_total" in you.call("get_metrics", client=public).parsed
    operator = you.client(in_thread(asyncio.run, run_command(database_url, "create-operator-key")).strip())

    # A council, its officers' key, and its covenant with a priority.
    council = you.call(
        "create_authority",
        client=operator,
        body=m.AuthorityCreate(name="Cumberland Council", gss_code=GSS, region="North West"),
        expect=201,
        parses_as="AuthorityPublic",
    ).parsed
    you.call("get_authority", council.id, client=public, parses_as="AuthorityPublic")
    listed = you.call("list_authorities", client=public, gss_code=GSS, parses_as="AuthorityPage").parsed
    assert [item.id for item in listed.items] == [council.id]
    officer_key = you.call(
        "create_key",
        client=operator,
        body=m.KeyCreate(name="Care leavers team", authority_id=council.id),
        expect=201,
        parses_as="IssuedKey",
    ).parsed
    officer = you.client(officer_key.key)
    keys = you.call("list_keys", client=operator, authority=council.id, parses_as="KeyList").parsed
    assert officer_key.id in [key.id for key in keys.items]

    covenant = you.call(
        "create_covenant",
        client=officer,
        body=m.CovenantCreate(
            slug="cumberland-care-leavers",
            title="Cumberland Care Leavers Covenant",
            status=m.CovenantStatus.OPEN,
            priorities=[m.PriorityInput(code="EET", title="Education, training and employment")],
        ),
        expect=201,
        parses_as="CovenantDetail",
    ).parsed
    slug = covenant.slug
    you.call("list_covenants", client=public, authority=council.id, parses_as="CovenantPage")
    you.call("get_covenant", slug, client=public, parses_as="CovenantDetail")
    as_read = you.call("get_covenant", slug, client=officer, parses_as="CovenantDetail")
    you.call(
        "update_covenant",
        slug,
        client=officer,
        body=m.CovenantUpdate(description="Our promise to young people leaving our care."),
        if_match=as_read.headers["etag"],
        parses_as="CovenantDetail",
    )
    housing = you.call(
        "create_priority",
        slug,
        client=officer,
        body=m.PriorityInput(code="HOME", title="A home of their own"),
        expect=201,
        parses_as="PriorityPublic",
    ).parsed
    priorities = you.call("list_priorities", slug, client=public, parses_as="PriorityList").parsed
    assert {priority.code for priority in priorities.items} == {"EET", "HOME"}
    priority_read = you.call("get_priority", housing.id, client=officer, parses_as="PriorityPublic")
    you.call(
        "update_priority",
        housing.id,
        client=officer,
        body=m.PriorityUpdate(description="Tenancies, guarantors and deposits."),
        if_match=priority_read.headers["etag"],
        parses_as="PriorityPublic",
    )

    # An organisation registers with no key, keeps its first key, and edits its own profile.
    registration = you.call(
        "register_signatory",
        client=public,
        body=m.SignatoryRegistration(
            name="Eden Valley Bakery",
            sector=m.Sector.PRIVATE,
            organisation_type=m.OrganisationType.BUSINESS,
            size_band=m.SizeBand.SMALL,
            companies_house_number="07654321",
            areas=[GSS],
            public_contact="jobs@bakery.example.org",
            contact=m.PrivateContact(name="Priya Shah", email="priya@bakery.example.org"),
        ),
        idempotency_key="journey-registration",
        expect=201,
        parses_as="Registration",
    ).parsed
    organisation = you.client(registration.api_key.key)
    signatory_id = registration.signatory.id
    own_profile = you.call("get_signatory", signatory_id, client=organisation, parses_as="SignatoryPrivate")
    you.call(
        "update_signatory",
        signatory_id,
        client=organisation,
        body=m.SignatoryUpdate(description="An employee-owned bakery in the Eden valley."),
        if_match=own_profile.headers["etag"],
        parses_as="SignatoryPrivate",
    )

    # Its pledge and offers, one of them dropped before submitting.
    pledge = you.call(
        "create_pledge",
        client=organisation,
        body=m.PledgeCreate(covenant=slug, statement="We will offer care leavers a paid apprenticeship."),
        idempotency_key="journey-pledge",
        expect=201,
        parses_as="PledgePrivate",
    ).parsed
    pledge_read = you.call("get_pledge", pledge.id, client=organisation, parses_as="PledgePrivate")
    you.call(
        "update_pledge",
        pledge.id,
        client=organisation,
        body=m.PledgeUpdate(statement="We will offer care leavers a paid apprenticeship every year."),
        if_match=pledge_read.headers["etag"],
        parses_as="PledgePrivate",
    )

    def offer_body(title: str, priority: str) -> Any:
        return m.CommitmentCreate(
            priority=priority,
            offer_type=m.OfferType.APPRENTICESHIP,
            title=title,
            eligibility=m.EligibilityInput(min_age=16, max_age=24),
            areas=[GSS],
            capacity=m.CapacityInput(places=2, period=m.CapacityPeriod.PER_YEAR),
            how_to_access=m.HowToAccessInput(text="Ask your personal adviser to email us, or apply directly."),
        )

    def offer(title: str, priority: str) -> Any:
        return you.call(
            "create_commitment",
            pledge.id,
            client=organisation,
            body=offer_body(title, priority),
            expect=201,
            parses_as="CommitmentPrivate",
        ).parsed

    apprenticeship = offer("Paid bakery apprenticeship", "EET")
    dropped = offer("Weekend shifts", "EET")
    own_offer = you.call("get_commitment", apprenticeship.id, client=organisation, parses_as="CommitmentPrivate")
    you.call(
        "update_commitment",
        apprenticeship.id,
        client=organisation,
        body=m.CommitmentUpdate(description="A Level 2 baker apprenticeship over 15 months, paid."),
        if_match=own_offer.headers["etag"],
        parses_as="CommitmentPrivate",
    )
    dropped_read = you.call("get_commitment", dropped.id, client=organisation, parses_as="CommitmentPrivate")
    you.call("delete_commitment", dropped.id, client=organisation, if_match=dropped_read.headers["etag"], expect=204)

    # Submitted, sent back once, submitted again; the officer verifies the organisation and approves.
    you.call("submit_pledge", pledge.id, client=organisation, parses_as="PledgePrivate")
    queue = you.call(
        "list_covenant_pledges", slug, client=officer, status=[m.PledgeStatus.SUBMITTED], parses_as="PledgePrivatePage"
    ).parsed
    assert [item.id for item in queue.items] == [pledge.id]
    you.call(
        "request_pledge_changes",
        pledge.id,
        client=officer,
        body=m.ChangesRequested(comment="Please say how many places there are each year."),
        parses_as="PledgePrivate",
    )
    you.call("submit_pledge", pledge.id, client=organisation, parses_as="PledgePrivate")
    signatories = you.call("list_covenant_signatories", slug, client=officer, parses_as="SignatoryPrivatePage")
    assert signatory_id in [item.id for item in signatories.parsed.items]
    you.call("verify_signatory", signatory_id, client=officer, parses_as="SignatoryPrivate")  # no body: optional
    approved = you.call("approve_pledge", pledge.id, client=officer, parses_as="PledgePrivate").parsed
    assert approved.status == m.PledgeStatus.PUBLISHED

    # Where a young person lives: their postcode's council, and that council's tiers.
    where = you.call("search_areas", client=public, q="ca1 1aa", parses_as="AreaSearch").parsed
    assert where.postcode.district.code == GSS
    you.call("get_area", GSS, client=public, parses_as="Council")

    # The public finder: a young person of 19 in Cumberland looking for work and training.
    found = you.call(
        "list_commitments", client=public, covenant=slug, priority="EET", age=19, area=GSS, parses_as="CommitmentPage"
    ).parsed
    assert [item.id for item in found.items] == [apprenticeship.id]
    assert (
        you.call("list_commitments", client=public, covenant=slug, age=25, parses_as="CommitmentPage").parsed.items
        == []
    )
    you.call("get_commitment", apprenticeship.id, client=public, parses_as="CommitmentPublic")
    you.call("get_pledge", pledge.id, client=public, parses_as="PledgeDetail")
    you.call("get_signatory", signatory_id, client=public, parses_as="SignatoryDetail")
    you.call("list_signatories", client=public, covenant=slug, parses_as="SignatoryPage")
    you.call("list_pledges", client=public, covenant=slug, parses_as="PledgePage")
    offers_csv = you.call("download_commitments", client=public, covenant=slug).content.decode()
    assert "Paid bakery apprenticeship" in offers_csv
    organisations_csv = you.call("download_signatories", client=public, covenant=slug, excel=True).content
    assert organisations_csv.startswith("\ufeff".encode()) and b"Eden Valley Bakery" in organisations_csv
    you.call("list_signatory_pledges", signatory_id, client=organisation, parses_as="PledgePrivatePage")

    # A partner mirroring the registry follows the change feed: the approval made the offers public.
    feed = you.call("list_changes", client=public, limit=500, parses_as="ChangePage").parsed
    published = {item.record.id for item in feed.items if item.type_ == m.ChangeType.OFFER_PUBLISHED}
    assert apprenticeship.id in published
    after = you.call("list_changes", client=public, after=feed.next_cursor, parses_as="ChangePage").parsed
    assert after.items == [] and after.next_cursor

    # A delivery return for last month (still open to correction), corrected once.
    period_end = date.today().replace(day=1) - timedelta(days=1)
    period_start = period_end.replace(day=1)
    year = period_start.year if period_start.month >= 4 else period_start.year - 1  # its financial year
    report = you.call(
        "create_progress_report",
        apprenticeship.id,
        client=organisation,
        body=m.ProgressReportInput(
            period_start=period_start,
            period_end=period_end,
            places_offered=2,
            referrals=6,
            applications=4,
            starts=2,
            sustained=1,
        ),
        expect=201,
        parses_as="ProgressReportOut",
    ).parsed
    report_read = you.call("get_progress_report", report.id, client=officer, parses_as="ProgressReportOut")
    you.call(
        "update_progress_report",
        report.id,
        client=organisation,
        body=m.ProgressReportUpdate(sustained=2),
        if_match=report_read.headers["etag"],
        parses_as="ProgressReportOut",
    )
    # The narrative is private until an officer approves a public wording (here, with the detail taken out).
    wording = m.NarrativeApproval(public_narrative="Two care leavers started in September.")
    approved = you.call(
        "approve_progress_report_narrative", report.id, client=officer, body=wording, parses_as="ProgressReportOut"
    ).parsed
    assert approved.public_narrative == wording.public_narrative
    you.call("withhold_progress_report_narrative", report.id, client=officer, parses_as="ProgressReportOut")
    you.call(
        "approve_progress_report_narrative", report.id, client=officer, body=wording, parses_as="ProgressReportOut"
    )
    you.call("list_commitment_progress_reports", apprenticeship.id, client=organisation, parses_as="ProgressReportPage")
    you.call("list_covenant_progress_reports", slug, client=officer, parses_as="ProgressReportPage")

    # A personal adviser reports that nobody replied; the organisation answers it, officers clear the rest.
    form = you.call("get_problem_form", apprenticeship.id, client=public, parses_as="ProblemForm").parsed
    told = m.ProblemReportCreate(reason=m.ProblemReason.NO_REPLY, contact="pa@example.org", form_token=form.form_token)
    received = you.call(
        "report_problem", apprenticeship.id, client=public, body=told, expect=201, parses_as="ProblemReceipt"
    ).parsed
    you.call("report_problem", apprenticeship.id, client=public, body=told, expect=201, parses_as="ProblemReceipt")
    you.call("list_offer_problems", apprenticeship.id, client=organisation, parses_as="ProblemReportPage")
    queue = you.call(
        "list_covenant_problems", slug, client=officer, status=m.ProblemStatus.OPEN, parses_as="ProblemReportPage"
    )
    assert len(queue.parsed.items) == 2
    answer = m.ProblemResolution(outcome=m.ProblemResolutionOutcome.RESOLVED, note="Replied by phone.")
    you.call("resolve_problem", received.id, client=organisation, body=answer, parses_as="ProblemReportOut")
    # Answered, it becomes a "you said" about the offer with its "we did", in words an officer chose.
    fed = m.YouSaidFromProblem(did="The organisation now answers within a week.", public_words="Nobody replied.")
    made = you.call(
        "you_said_from_problem", received.id, client=officer, body=fed, expect=201, parses_as="YouSaidPrivate"
    ).parsed
    assert made.problem_report == received.id and made.offer.id == apprenticeship.id
    cleared = you.call(
        "dismiss_problems", slug, client=officer, body=m.ProblemDismissal(ids=[item.id for item in queue.parsed.items],
        note="Sent twice."), parses_as="ProblemDismissed",
    ).parsed  # fmt: skip
    assert cleared.dismissed == 1
    # Its recognition, earned by that return, withheld by an officer and reinstated.
    assert you.call("get_signatory", signatory_id, client=public).parsed.recognition.level.value == "delivering"
    why = m.WithholdRecognition(reason="Checking the return with the employer.")
    you.call("withhold_recognition", signatory_id, client=officer, body=why, parses_as="SignatoryPrivate")
    you.call("reinstate_recognition", signatory_id, client=officer, parses_as="SignatoryPrivate")

    # The covenant in figures: suppressed in public, exact for its officers; the report as JSON and as a page.
    in_public = you.call("get_covenant_statistics", slug, client=public, parses_as="CovenantStatistics").parsed
    exact = you.call("get_covenant_statistics", slug, client=officer, parses_as="CovenantStatistics").parsed
    assert in_public.published_pledges == exact.published_pledges == 1  # organisations: public anyway, so exact
    assert in_public.delivery_by_year[0].starts == m.Suppressed("<5") and exact.delivery_by_year[0].starts == 2
    annual = you.call("get_annual_report", slug, client=officer, year=year, parses_as="AnnualReport").parsed
    assert annual.summary.starts == 2 and annual.summary.sustained == 2
    you.call("get_annual_report", slug, client=public, year=year, parses_as="AnnualReport")
    page = you.call("get_annual_report_page", slug, client=public, year=year).parsed
    assert page.lstrip().lower().startswith("<!doctype html")
    pdf = you.call("get_annual_report_pdf", slug, client=public, year=year)
    assert pdf.content.startswith(b"%PDF-")
    # An officer's exact report in a browser: a signed link, once.
    asked = m.ReportLinkCreate(year=year)
    link = you.call("create_report_link", slug, client=officer, body=asked, expect=201, parses_as="ReportLink").parsed
    assert link.url.startswith(f"/v1/covenants/{slug}/annual-report.html?")
    plain = you.call("get_young_peoples_report", slug, client=public, year=year).parsed
    assert "What the" in plain
    pack = you.call("get_panel_pack", slug, client=officer, year=year, parses_as="PanelPack").parsed
    assert pack.year == annual.year
    assert you.call("get_panel_pack_page", slug, client=officer, year=year).parsed.lstrip().startswith("<!doctype")
    assert you.call("get_panel_pack_pdf", slug, client=officer, year=year).content.startswith(b"%PDF-")

    # Reviews, lapsing (nothing is overdue yet), suspension and reinstatement: optional bodies left out.
    you.call("list_reviews_due", slug, client=officer, parses_as="ReviewDuePage")
    lapsed = you.call("lapse_overdue_pledges", slug, client=officer, parses_as="LapseResult").parsed
    assert lapsed.lapsed == []
    you.call("suspend_signatory", signatory_id, client=officer, parses_as="SignatoryPrivate")
    you.call("reinstate_signatory", signatory_id, client=officer, parses_as="SignatoryPrivate")

    # Withdrawal: the offer, then the pledge; the finder no longer shows it.
    reason = m.Withdrawal(reason="The bakery has closed its kitchen.")
    you.call("withdraw_commitment", apprenticeship.id, client=organisation, body=reason, parses_as="CommitmentPrivate")
    you.call("withdraw_pledge", pledge.id, client=organisation, body=reason, parses_as="PledgePrivate")
    gone = you.call("list_commitments", client=public, covenant=slug, parses_as="CommitmentPage").parsed
    assert gone.items == []

    # Pledging again, with its offers and the submission in the same request this time.
    again = you.call(
        "create_pledge",
        client=organisation,
        body=m.PledgeCreate(
            covenant=slug,
            statement="We will offer care leavers paid work in our new kitchen.",
            commitments=[offer_body("Kitchen apprenticeship", "EET"), offer_body("Saturday kitchen shifts", "EET")],
            submit=True,
        ),
        idempotency_key="journey-pledge-again",
        expect=201,
        parses_as="PledgePrivate",
    ).parsed
    assert again.status == m.PledgeStatus.SUBMITTED
    assert [item.title for item in again.commitments] == ["Kitchen apprenticeship", "Saturday kitchen shifts"]

    # The council's directory asks to be told of new offers, looks at its deliveries, then stops.
    hook = m.WebhookCreate(url="http://127.0.0.1:9/hooks/covenant", event_types=[m.ChangeType.OFFER_PUBLISHED])
    created = you.call("create_webhook", client=officer, body=hook, expect=201, parses_as="WebhookCreated").parsed
    assert created.secret.startswith("whsec_")
    assert [item.id for item in you.call("list_webhooks", client=officer, parses_as="WebhookList").parsed.items] == [
        created.id
    ]
    you.call("list_webhook_deliveries", created.id, client=officer, parses_as="WebhookDeliveries")
    you.call("delete_webhook", created.id, client=officer, expect=204)

    # Where the officers are emailed (private), and what the organisation has been told so far.
    mailbox = m.NotificationSettingsUpdate(officer_email="corporate.parenting@northshire.example.gov.uk")
    you.call("put_notification_settings", council.id, client=officer, body=mailbox, parses_as="NotificationSettings")
    shown = you.call("get_notification_settings", council.id, client=officer, parses_as="NotificationSettings")
    assert shown.parsed.officer_email == mailbox.officer_email
    told = you.call("list_notifications", client=organisation, parses_as="NotificationList").parsed
    assert "pledge.approved" in [item.kind.value for item in told.items]

    # The council's strategy: an action with a progress update, a measure with a value, published, as a table.
    day = date.today()
    plan_body = m.StrategyCreate(
        title="Our promise 2026-28", period_start=day - timedelta(days=30), period_end=day + timedelta(days=700)
    )
    plan = you.call(
        "create_strategy", slug, client=officer, body=plan_body, expect=201, parses_as="StrategyPrivate"
    ).parsed
    you.call("list_strategies", slug, client=officer, parses_as="StrategyPage")
    plan_read = you.call("get_strategy", plan.id, client=officer, parses_as="StrategyPrivate")
    you.call(
        "update_strategy",
        plan.id,
        client=officer,
        body=m.StrategyUpdate(approved_by="Cabinet"),
        if_match=plan_read.headers["etag"],
        parses_as="StrategyPrivate",
    )
    step = m.ActionCreate(
        priority="HOME", reference="HOME-1", description="A guarantor scheme.", owner_role="Head of housing",
        due_on=day + timedelta(days=90),
    )  # fmt: skip
    action = you.call(
        "create_action", plan.id, client=officer, body=step, idempotency_key="journey-action", expect=201,
        parses_as="ActionOut",
    ).parsed  # fmt: skip
    you.call("list_actions", plan.id, client=officer, parses_as="ActionPage")
    action_read = you.call("get_action", action.id, client=officer, parses_as="ActionOut")
    you.call(
        "update_action",
        action.id,
        client=officer,
        body=m.ActionChange(status=m.ActionStatus.ON_TRACK),
        if_match=action_read.headers["etag"],
        parses_as="ActionOut",
    )
    note = m.ProgressNote(noted_on=day, text="Three landlords signed up.")
    you.call("create_action_update", action.id, client=officer, body=note, expect=201, parses_as="ActionOut")
    gauge = m.MeasureCreate(priority="HOME", name="Care leavers in suitable homes", unit=m.MeasureUnit.PERCENTAGE)
    measure = you.call("create_measure", plan.id, client=officer, body=gauge, expect=201, parses_as="MeasureOut").parsed
    you.call("list_measures", plan.id, client=officer, parses_as="MeasurePage")
    measure_read = you.call("get_measure", measure.id, client=officer, parses_as="MeasureOut")
    you.call(
        "update_measure",
        measure.id,
        client=officer,
        body=m.MeasureChange(target=90),
        if_match=measure_read.headers["etag"],
        parses_as="MeasureOut",
    )
    this_year = day.year if day.month >= 4 else day.year - 1
    value = m.MeasureValueInput(period=f"{this_year}/{(this_year + 1) % 100:02d}", value=84)
    you.call("record_measure_value", measure.id, client=officer, body=value, parses_as="MeasureOut")
    covenant_now = you.call("get_covenant", slug, client=officer, parses_as="CovenantDetail")
    you.call(
        "update_covenant", slug, client=officer, body=m.CovenantUpdate(publish_strategy=True),
        if_match=covenant_now.headers["etag"], parses_as="CovenantDetail",
    )  # fmt: skip
    you.call("get_current_strategy", slug, client=public, parses_as="StrategyPublic")
    table = you.call("download_action_plan", plan.id, client=officer).content.decode()
    assert "HOME-1" in table

    # What happened, and the officers' key rotated, then the new one revoked.
    events = you.call(
        "list_audit_events", client=officer, covenant_id=covenant.id, limit=100, parses_as="AuditEventPage"
    ).parsed
    assert "pledge.approve" in {event.action for event in events.items}
    # You said, we did: a forum's words recorded, approved, answered; the public form; a flood cleared.
    said = m.VoiceEntryCreate(
        source=m.VoiceSource.CARE_LEAVERS_FORUM,
        raised_on=date.today(),
        words="We never know what the council pays for in a first flat.",
    )
    entry = you.call("create_you_said", slug, client=officer, body=said, expect=201, parses_as="YouSaidPrivate").parsed
    wording = m.VoiceApproval(public_words="We don't know what the council pays for in a first flat.")
    you.call("approve_you_said", entry.id, client=officer, body=wording, parses_as="YouSaidPrivate")
    did = m.VoiceResponseCreate(did="The local offer now lists it.", status=m.VoiceResponseStatus.DONE)
    you.call("respond_to_you_said", entry.id, client=officer, body=did, expect=201, parses_as="YouSaidPrivate")
    shown = you.call("get_you_said_we_did", slug, client=public, parses_as="YouSaidWeDid").parsed
    assert [item.said for item in shown.items] == [wording.public_words, fed.public_words]  # newest first
    assert "first flat" in you.call("get_you_said_we_did_page", slug, client=public).parsed
    sent = m.VoiceIntake(words="Bus passes should last until 25.")
    you.call("send_you_said", slug, client=public, body=sent, expect=202, parses_as="IntakeReceived")
    waiting = you.call("list_you_said", slug, client=officer, status=m.VoiceEntryStatus.SUBMITTED).parsed
    you.call("dismiss_you_said", waiting.items[0].id, client=officer, parses_as="YouSaidPrivate")
    you.call("dismiss_many_you_said", slug, client=officer, body=m.VoiceDismissal(), parses_as="Dismissed")
    rotated = you.call("rotate_key", officer_key.id, client=operator, expect=201, parses_as="IssuedKey").parsed
    you.call("revoke_key", rotated.id, client=operator, parses_as="KeyInfo")

    assert you.every_operation() - you.called == set()
