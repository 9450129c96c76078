"""The corporate parenting panel's pack and the young people's version of the year: figures that reconcile with
the records the test makes (delivery this year and last, actions' RAG from their dates, measures' values), for
officers only or through a signed link; the pack's PDF pages numbered and none left mostly empty; the young
people's page plain, public and accessible."""

import re
from datetime import UTC, date, datetime, timedelta

import pypdfium2
import pytest

from tests.flows import bearer
from tests.test_embed_in_browser import axe_source, axe_violations
from tests.test_report_in_browser import ARTIFACTS
from tests.test_report_print import MARGIN, MOSTLY_EMPTY, browser, ink_rows  # noqa: F401 (browser: a fixture)

TODAY = date.today()
YEAR = TODAY.year if TODAY.month >= 4 else TODAY.year - 1  # the financial year now under way


@pytest.fixture
async def panel_year(client, factory, keyring):
    """A covenant with a strategy over this year, actions in each RAG, a measure with values, and delivery
    returns this year and last under two priorities."""
    covenant, priorities = await factory.covenant(priorities=3, title="Northshire Care Leavers Covenant")
    officer_key = await keyring.officer(covenant.authority_id)
    officer = bearer(officer_key)
    signatory = await factory.signatory(status="verified")
    pledge = await factory.pledge(signatory, covenant, published_at=datetime(YEAR - 1, 5, 1, tzinfo=UTC))
    returns = {}  # (priority index, year) -> starts
    for index in (0, 1):
        offer = await factory.commitment(pledge, priorities[index], created_at=datetime(YEAR - 1, 5, 1, tzinfo=UTC))
        for year, starts in ((YEAR - 1, 2 + index), (YEAR, 6 + index)):
            start = date(year, 4, 1)
            end = min(date(year, 9, 30), TODAY - timedelta(days=1))
            await factory.progress_report(
                offer, period_start=start, period_end=end, applications=starts, starts=starts, sustained=1
            )
            returns[index, year] = starts
    strategy = await client.post(
        f"/v1/covenants/{covenant.slug}/strategies",
        json={
            "title": "Corporate parenting strategy",
            "period_start": f"{YEAR - 1}-04-01",
            "period_end": f"{YEAR + 2}-03-31",
            "approved_by": "cabinet",
        },
        headers=officer,
    )
    assert strategy.status_code == 201, strategy.text
    strategy_id = strategy.json()["id"]
    actions = {
        "EET-1": {"due_on": str(TODAY - timedelta(days=1)), "status": "on_track"},  # overdue: red
        "EET-2": {"due_on": str(TODAY), "status": "on_track"},  # due today: amber
        "EET-3": {"due_on": str(TODAY + timedelta(days=90)), "status": "on_track"},  # green
    }
    for reference, fields in actions.items():
        body = {"priority": priorities[0].code, "reference": reference, "description": f"Do {reference}"}
        body |= {"owner_role": "Head of service", **fields}
        made = await client.post(f"/v1/strategies/{strategy_id}/actions", json=body, headers=officer)
        assert made.status_code == 201, made.text
    measure = await client.post(
        f"/v1/strategies/{strategy_id}/measures",
        json={"priority": priorities[1].code, "name": "Care leavers in work", "unit": "percentage", "target": 60},
        headers=officer,
    )
    assert measure.status_code == 201, measure.text
    label = f"{YEAR - 1}/{YEAR % 100:02d}"
    value = await client.post(
        f"/v1/measures/{measure.json()['id']}/values", json={"period": label, "value": 52}, headers=officer
    )
    assert value.status_code in (200, 201), value.text
    return covenant, priorities, officer_key, returns


async def test_the_pack_reconciles_with_the_records(client, panel_year):
    covenant, priorities, officer_key, returns = panel_year
    answer = await client.get(f"/v1/covenants/{covenant.slug}/panel-pack?year={YEAR}", headers=bearer(officer_key))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    pack = answer.json()

    by_code = {entry["priority"]["code"]: entry for entry in pack["priorities"]}
    for index in (0, 1):
        delivery = by_code[priorities[index].code]["delivery"]
        assert delivery["this_year"]["starts"] == returns[index, YEAR]
        assert delivery["last_year"]["starts"] == returns[index, YEAR - 1]
        assert delivery["change"]["starts"] == returns[index, YEAR] - returns[index, YEAR - 1]
    this_year = sum(starts for (_, year), starts in returns.items() if year == YEAR)
    assert pack["summary"]["this_year"]["starts"] == this_year  # exact: 13, and the parts 6 and 7, unsuppressed
    eet = by_code[priorities[0].code]
    assert {action["reference"]: action["rag"] for action in eet["actions"]} == {
        "EET-1": "red",
        "EET-2": "amber",
        "EET-3": "green",
    }
    assert eet["rag_counts"] == pack["rag_counts"] == {"red": 1, "amber": 1, "green": 1, "none": 0}
    (measure,) = by_code[priorities[1].code]["measures"]
    assert [value["value"] for value in measure["values"]] == [52] and measure["on_track"] is False
    assert pack["strategy"]["approved_by"] == "cabinet"


async def test_the_pack_is_for_the_covenant_s_officers_only(client, panel_year, factory, keyring):
    covenant, _, _, _ = panel_year
    path = f"/v1/covenants/{covenant.slug}/panel-pack?year={YEAR}"
    stranger = await keyring.officer((await factory.authority()).id)
    organisation = await keyring.organisation((await factory.signatory()).id)

    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=bearer(stranger))).status_code == 403
    assert (await client.get(path, headers=bearer(organisation))).status_code == 403
    assert (await client.get(f"/v1/covenants/{covenant.slug}/panel-pack.html?year={YEAR}")).status_code == 401


async def test_a_signed_link_opens_the_pack_once_and_only_the_pack(client, panel_year):
    covenant, _, officer_key, _ = panel_year
    made = await client.post(
        f"/v1/covenants/{covenant.slug}/report-links",
        json={"year": YEAR, "report": "panel_pack", "format": "pdf"},
        headers=bearer(officer_key),
    )
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith(f"/v1/covenants/{covenant.slug}/panel-pack.pdf?")
    token = re.search(r"link=([^&]+)", url).group(1)  # type: ignore[union-attr]

    as_annual_report = await client.get(
        f"/v1/covenants/{covenant.slug}/annual-report.pdf", params={"year": YEAR, "link": token}
    )
    assert as_annual_report.status_code == 403
    opened = await client.get(url)
    assert opened.status_code == 200 and opened.headers["content-type"] == "application/pdf"
    assert (await client.get(url)).status_code == 410

    document = pypdfium2.PdfDocument(opened.content)
    pages = len(document)
    ARTIFACTS.mkdir(exist_ok=True)
    for number in range(pages):
        page = document[number]
        text = page.get_textpage().get_text_range()
        assert f"Page {number + 1} of {pages}" in text and "Panel pack" in text
        image = page.render(scale=1).to_pil()
        image.save(ARTIFACTS / f"panel-pack-page-{number + 1}.png")
        height = image.size[1]
        body = [y for y in ink_rows(image) if MARGIN * height < y < (1 - MARGIN) * height]
        used = (max(body) - MARGIN * height) / ((1 - 2 * MARGIN) * height) if body else 0
        if number < pages - 1:
            assert used >= MOSTLY_EMPTY, f"page {number + 1} of {pages} is {used:.0%} used"


async def test_the_pack_prints_with_its_rag_in_words_and_passes_axe(client, panel_year, browser):  # noqa: F811
    covenant, _, officer_key, _ = panel_year
    page_answer = await client.get(
        f"/v1/covenants/{covenant.slug}/panel-pack.html?year={YEAR}", headers=bearer(officer_key)
    )
    assert page_answer.status_code == 200
    html = page_answer.text
    assert ">Red</span>" in html and ">Amber</span>" in html and ">Green</span>" in html  # not colour alone
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.set_content(html)
    assert await axe_violations(page, axe_source()) == []
    await context.close()


def flesch_kincaid_grade(text: str) -> float:
    """The US school grade a text reads at (Flesch-Kincaid), with a plain vowel-group syllable count."""
    sentences = max(1, len(re.findall(r"[.!?:](\s|$)", text)))
    words = re.findall(r"[A-Za-z']+", text)
    syllables = sum(max(1, len(re.findall(r"[aeiouy]+", word.lower().rstrip("e")))) for word in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / max(1, len(words)) - 15.59


async def test_the_young_people_s_version_is_plain_public_and_accessible(client, panel_year, browser):  # noqa: F811
    covenant, _, officer_key, _ = panel_year
    path = f"/v1/covenants/{covenant.slug}/annual-report-for-young-people.html?year={YEAR}"
    page_answer = await client.get(path)
    as_officer = await client.get(path, headers=bearer(officer_key))  # an officer too gets the public figures
    public = (await client.get(f"/v1/covenants/{covenant.slug}/annual-report?year={YEAR}")).json()
    assert page_answer.status_code == 200 and "public" in page_answer.headers["cache-control"]
    html = page_answer.text
    assert as_officer.text.split("<main>")[1].split("</main>")[0] == html.split("<main>")[1].split("</main>")[0]
    assert f"<strong>{public['summary']['offers']}</strong>" in html
    assert "&lt;5" not in html and "[c]" not in html

    context = await browser.new_context(viewport={"width": 320, "height": 800})
    page = await context.new_page()
    await page.set_content(html)
    assert await axe_violations(page, axe_source()) == []
    text = await page.inner_text("main")
    assert await page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    await page.screenshot(path=str(ARTIFACTS / "young-people-320px.png"), full_page=True)
    await context.close()
    # A reading age of 16 or under is a US grade of 11 or under; plain public writing aims lower.
    assert flesch_kincaid_grade(text) <= 8, text


async def test_the_annual_report_shows_the_strategy_where_the_council_publishes_it(client, panel_year):
    covenant, _, officer_key, _ = panel_year
    report_path = f"/v1/covenants/{covenant.slug}/annual-report?year={YEAR}"
    page_path = f"/v1/covenants/{covenant.slug}/annual-report.html?year={YEAR}"

    assert (await client.get(report_path)).json()["strategy"] is None
    assert "own promises" not in (await client.get(page_path)).text
    officers = (await client.get(report_path, headers=bearer(officer_key))).json()["strategy"]
    assert officers["view"] == "private" and officers["approved_by"] == "cabinet"
    assert ">Red</span>" in (await client.get(page_path, headers=bearer(officer_key))).text

    covenant_path = f"/v1/covenants/{covenant.slug}"
    etag = (await client.get(covenant_path, headers=bearer(officer_key))).headers["etag"]
    published = await client.patch(
        covenant_path, json={"publish_strategy": True}, headers={**bearer(officer_key), "If-Match": etag}
    )
    assert published.status_code == 200, published.text

    public = (await client.get(report_path)).json()["strategy"]
    assert public["view"] == "public"
    actions = [action for entry in public["priorities"] for action in entry["actions"]]
    assert sorted(action["reference"] for action in actions) == ["EET-1", "EET-2", "EET-3"]
    assert not any("rag" in action for action in actions)
    page = (await client.get(page_path)).text
    assert "own promises" in page and "Do EET-1" in page and ">Red</span>" not in page
