"""The annual report as officers print it and as cabinet reads it: the PDF's pages (rendered to images and read
as text with pdfium, as a PDF reader would) carry page numbers and the running header, and no page but the last
is left mostly empty; the printable page passes axe-core at desktop and phone widths, and nothing is clipped
sideways at 390 px; each chart has a table of its figures. Page images and screenshots go to test-artifacts/."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pypdfium2
import pytest
from playwright.async_api import Browser, async_playwright

from tests.flows import bearer
from tests.test_embed_in_browser import axe_source, axe_violations
from tests.test_report_in_browser import ARTIFACTS, chromium

# The page's margins (18 mm top and bottom on 297 mm): the running header and the page number live in them.
MARGIN = 18 / 297
MOSTLY_EMPTY = 1 / 3


@pytest.fixture
async def busy_year(factory, keyring):
    """A covenant with eight priorities, offers under most, and delivery returns with approved narratives."""
    covenant, priorities = await factory.covenant(priorities=8, title="Northshire Care Leavers Covenant")
    published = datetime(2025, 5, 1, tzinfo=UTC)
    for number in range(14):
        signatory = await factory.signatory(name=f"Northshire Employer {number:02d}")
        pledge = await factory.pledge(signatory, covenant, published_at=published.replace(month=5 + number % 7))
        offer = await factory.commitment(pledge, priorities[number % 6], created_at=published)
        words = f"Employer {number} took on care leavers in the spring; the team mentored each of them."
        await factory.progress_report(
            offer,
            places_offered=6,
            applications=6,
            starts=2 + number % 5,
            sustained=1,
            narrative=words,
            public_narrative=words,
            narrative_approved_at=published,
        )
    return covenant, await keyring.officer(covenant.authority_id)


def ink_rows(image) -> list[int]:  # type: ignore[no-untyped-def]
    """The rows of a page image with anything darker than near-white on them."""
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    return [y for y in range(height) if any(pixels[x, y] < 235 for x in range(0, width, 2))]


async def test_the_pdf_has_numbered_pages_with_a_running_header_and_none_left_mostly_empty(client, busy_year):
    covenant, _ = busy_year
    answer = await client.get(f"/v1/covenants/{covenant.slug}/annual-report.pdf?year=2025")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "annual-report.pdf").write_bytes(answer.content)

    text = check_pages(answer.content, f"{covenant.title} · Annual report 2025/26", "annual-report-page")
    assert "Employer 3 took on care leavers" in text


def check_pages(pdf: bytes, header: str, artefact: str) -> str:
    """Every page numbered "Page N of M" under `header`, none but the last less than a third used; the text."""
    document = pypdfium2.PdfDocument(pdf)
    pages = len(document)
    assert pages >= 2, "the fixture's year should need more than one page"
    texts = []
    for number in range(pages):
        page = document[number]
        text = page.get_textpage().get_text_range()
        texts.append(text)
        assert f"Page {number + 1} of {pages}" in text
        assert header in text
        image = page.render(scale=1).to_pil()
        image.save(ARTIFACTS / f"{artefact}-{number + 1}.png")
        height = image.size[1]
        body = [y for y in ink_rows(image) if MARGIN * height < y < (1 - MARGIN) * height]
        used = (max(body) - MARGIN * height) / ((1 - 2 * MARGIN) * height) if body else 0
        if number < pages - 1:
            assert used >= MOSTLY_EMPTY, f"{artefact}: page {number + 1} of {pages} is {used:.0%} used"
    return "".join(texts)


async def test_the_pdf_follows_the_page_s_rules_for_who_sees_what(client, busy_year):
    covenant, officer_key = busy_year
    path = f"/v1/covenants/{covenant.slug}/annual-report.pdf?year=2025"
    public = await client.get(path)
    exact = await client.get(path, headers=bearer(officer_key))

    def text(pdf: bytes) -> str:
        document = pypdfium2.PdfDocument(pdf)
        return "".join(document[n].get_textpage().get_text_range() for n in range(len(document)))

    assert "<5" in text(public.content) and "<5" not in text(exact.content)
    assert "public" in public.headers["cache-control"] and public.headers.get("etag")
    assert exact.headers["cache-control"] == "no-store"
    again = await client.get(path, headers={"If-None-Match": public.headers["etag"]})
    assert again.status_code == 304


async def test_each_chart_has_a_table_of_its_figures(client, busy_year):
    covenant, officer_key = busy_year
    page = (
        await client.get(f"/v1/covenants/{covenant.slug}/annual-report.html?year=2025", headers=bearer(officer_key))
    ).text
    report = (
        await client.get(f"/v1/covenants/{covenant.slug}/annual-report?year=2025", headers=bearer(officer_key))
    ).json()
    assert page.count("<svg") == page.count("<table") == 3
    for row in report["priorities"]:
        cells = f'{row["priority"]["title"]}</th><td class="number">{row["places_offered"]}</td>'
        assert cells + f'<td class="number">{row["starts"]}</td>' in page


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()  # Debian's; skips when it cannot be had. Playwright never downloads a browser here.
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_printable_page_passes_axe_and_fits_a_phone(client, busy_year, browser, width):
    covenant, _ = busy_year
    html = (await client.get(f"/v1/covenants/{covenant.slug}/annual-report.html?year=2025")).text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "annual-report-printable.html").write_text(html, encoding="utf-8")
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    await page.set_content(html)

    assert await axe_violations(page, axe_source()) == []
    overflow = await page.evaluate(
        "() => [...document.querySelectorAll('.figure')].filter(e => e.getBoundingClientRect().right > innerWidth)"
        ".length + (document.documentElement.scrollWidth > innerWidth ? 100 : 0)"
    )
    assert overflow == 0, "a summary tile or the page runs off the side"
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"annual-report-{width}px.png"), full_page=True)
    assert errors == []
    await context.close()


async def test_the_printable_page_printed_by_chromium_is_numbered_and_none_left_mostly_empty(
    client, busy_year, browser
):
    """What an officer gets from the browser's Print: Chromium lays the page out with the same paged media."""
    covenant, _ = busy_year
    html = (await client.get(f"/v1/covenants/{covenant.slug}/annual-report.html?year=2025")).text
    context = await browser.new_context()
    page = await context.new_page()
    await page.set_content(html)
    await page.emulate_media(media="print")
    pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
    await context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "annual-report-chromium.pdf").write_bytes(pdf)
    check_pages(pdf, f"{covenant.title} · Annual report 2025/26", "annual-report-chromium-page")
