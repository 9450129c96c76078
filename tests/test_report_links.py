"""Signed links to the exact annual report: an officer opens and prints it in a browser with no key. A link
opens its own report once, in its own format, before it expires; an altered one opens nothing."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pypdfium2
import pytest

from app.ids import utcnow
from app.services import report_links
from tests.flows import bearer


@pytest.fixture
async def year_with_small_counts(factory, keyring):
    """A covenant whose 2025/26 has 3 starts: "<5" in public, 3 in the exact report."""
    covenant, priorities = await factory.covenant(priorities=1)
    signatory = await factory.signatory(status="verified")
    pledge = await factory.pledge(signatory, covenant)
    offer = await factory.commitment(pledge, priorities[0])
    await factory.progress_report(offer, applications=3, starts=3, sustained=1)
    return covenant, await keyring.officer(covenant.authority_id)


async def make_link(client, covenant, officer_key: str, **body) -> dict:
    answer = await client.post(
        f"/v1/covenants/{covenant.slug}/report-links", json={"year": 2025, **body}, headers=bearer(officer_key)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def starts_cell(page: str) -> str:
    return page.split("All priorities</th>", 1)[1].split("</td>", 2)[1].rsplit(">", 1)[1]


async def test_a_link_opens_the_exact_report_once(client, year_with_small_counts):
    covenant, officer_key = year_with_small_counts
    link = await make_link(client, covenant, officer_key)
    assert link["format"] == "html" and link["url"].startswith(f"/v1/covenants/{covenant.slug}/annual-report.html?")
    lifetime = report_links.LIFETIME.total_seconds()
    expires = datetime.fromisoformat(link["expires_at"].replace("Z", "+00:00"))
    assert abs((utcnow() + report_links.LIFETIME - expires).total_seconds()) < lifetime / 10

    opened = await client.get(link["url"])  # no key: a browser
    public = await client.get(f"/v1/covenants/{covenant.slug}/annual-report.html?year=2025")

    assert opened.status_code == 200, opened.text
    assert starts_cell(opened.text) == "3" and starts_cell(public.text) == "&lt;5"
    assert opened.headers["cache-control"] == "no-store"
    again = await client.get(link["url"])
    assert again.status_code == 410
    assert again.headers["content-type"].startswith("application/problem+json")


async def test_a_pdf_link_opens_the_exact_pdf_and_not_the_page(client, year_with_small_counts):
    covenant, officer_key = year_with_small_counts
    link = await make_link(client, covenant, officer_key, format="pdf")
    token = parse_qs(urlsplit(link["url"]).query)["link"][0]

    as_page = await client.get(
        f"/v1/covenants/{covenant.slug}/annual-report.html", params={"year": 2025, "link": token}
    )
    assert as_page.status_code == 403
    pdf = await client.get(link["url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(pdf.content)
    text = "".join(document[n].get_textpage().get_text_range() for n in range(len(document)))
    assert "<5" not in text


async def test_a_link_opens_nothing_but_its_own_report(client, year_with_small_counts, factory, keyring):
    covenant, officer_key = year_with_small_counts
    other, _ = await factory.covenant(priorities=1)
    token = parse_qs(urlsplit((await make_link(client, covenant, officer_key))["url"]).query)["link"][0]
    page = f"/v1/covenants/{covenant.slug}/annual-report.html"

    another_year = await client.get(page, params={"year": 2024, "link": token})
    another_covenant = await client.get(
        f"/v1/covenants/{other.slug}/annual-report.html", params={"year": 2025, "link": token}
    )
    version, body, signature = token.split(".")
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    altered = await client.get(page, params={"year": 2025, "link": f"{version}.{flipped}.{signature}"})
    made_up = await client.get(page, params={"year": 2025, "link": "v1.e30.AAAA"})

    assert [answer.status_code for answer in (another_year, another_covenant, altered, made_up)] == [403] * 4
    assert (await client.get(page, params={"year": 2025, "link": token})).status_code == 200  # still unused


async def test_an_expired_link_is_gone(client, year_with_small_counts):
    covenant, _ = year_with_small_counts
    past = report_links.Grant(covenant.id, 2025, "html", utcnow() - timedelta(seconds=1), "expired-link-1")
    answer = await client.get(
        f"/v1/covenants/{covenant.slug}/annual-report.html", params={"year": 2025, "link": report_links.sign(past)}
    )
    assert answer.status_code == 410
    assert "expired" in answer.json()["detail"]


async def test_only_the_covenant_s_officers_get_links(client, year_with_small_counts, factory, keyring):
    covenant, officer_key = year_with_small_counts
    stranger = await keyring.officer((await factory.authority()).id)
    organisation = await keyring.organisation((await factory.signatory()).id)
    path = f"/v1/covenants/{covenant.slug}/report-links"

    assert (await client.post(path, json={"year": 2025}, headers=bearer(stranger))).status_code == 403
    assert (await client.post(path, json={"year": 2025}, headers=bearer(organisation))).status_code == 403
    assert (await client.post(path, json={"year": 2025})).status_code == 401
    bad = await client.post(path, json={"year": 2025, "format": "docx"}, headers=bearer(officer_key))
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/format"
    await make_link(client, covenant, officer_key)
    audit = (await client.get("/v1/audit-events", headers=bearer(officer_key))).json()["items"]
    assert "report_link.issue" in {event["action"] for event in audit}
