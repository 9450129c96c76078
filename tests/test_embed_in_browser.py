"""The offers finder in a real browser: headless Chromium (Debian's, driven by Playwright) on a council's page
served from another origin than the registry, so the script and its API calls cross origins as they will on a
council's site.

Checked: the finder loads and finds what the JSON API finds for the same postcode, age, kind of offer and words;
"show more" pages without repeats; a keyboard alone reaches every control and result; nothing goes to any other
host and nothing is written to the console; the iframe page works with JavaScript off; axe-core finds no
accessibility violations at 1280 and 320 pixels wide; a second visit takes the script from the browser's cache
and revalidates the results with a 304. Screenshots are left in test-artifacts/.
"""

import json
import os
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from app.config import PROJECT_ROOT
from tests.live import free_port, serving
from tests.test_report_in_browser import ARTIFACTS, chromium

BROWSER_PACKAGES = PROJECT_ROOT / "tests" / "browser"
AXE = BROWSER_PACKAGES / "node_modules" / "axe-core" / "axe.min.js"
PRESTON, LANCASHIRE, LEEDS = "E07000123", "E10000017", "E08000035"
PAGE_SIZE = 3
WIDTHS = (1280, 320)


# ---------------------------------------------------------------- the two origins and the browser


class CouncilSite:
    """A council's web server on its own origin: serves the pages a test puts in `pages`, and nothing else."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/favicon.ico":  # asked for by the browser itself: the council's own business
                    self.send_response(204)
                    self.end_headers()
                    return
                body = site.pages.get(path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write((body or "Not found").encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def put(self, path: str, html: str) -> str:
        self.pages[path] = html
        return self.origin + path


@pytest.fixture(scope="module")
def registry_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("registry") / "access.log"


@pytest.fixture(scope="module")
def registry(database_url: str, registry_log: Path) -> Iterator[str]:
    # DATA_VERSION_TTL=0: the server sees each test's records at once. The public cache time stays as shipped.
    # PROBLEM_FORM_MIN_SECONDS: a test fills the problem form faster than a person could.
    settings = {"DATA_VERSION_TTL": "0", "LOG_FORMAT": "json", "PROBLEM_FORM_MIN_SECONDS": "0.3"}
    with serving(database_url, log=registry_log, **settings) as api:
        yield api


@pytest.fixture(scope="module")
def council() -> Iterator[CouncilSite]:
    site = CouncilSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()  # Debian's; skips when it cannot be had. Playwright never downloads a browser here.
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


def axe_source() -> str:
    """axe-core from the npm registry (tests/browser/package-lock.json), installed by `make test`, or here."""
    if not AXE.exists():
        try:
            command = ["npm", "ci", "--no-audit", "--no-fund"]
            subprocess.run(command, cwd=BROWSER_PACKAGES, check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.CalledProcessError) as error:
            reason = f"axe-core is not installed and npm ci failed: {error}"
            if os.environ.get("REQUIRE_NODE"):
                pytest.fail(reason)
            pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- the records and the pages


@pytest.fixture
async def offers(factory) -> dict[str, Any]:
    """Lancashire's covenant with eleven public offers across Preston, the county, Leeds, national and remote."""
    lancashire = await factory.authority(name="Lancashire County Council", gss_code=LANCASHIRE)
    covenant, priorities = await factory.covenant(
        lancashire, slug="lancashire-care-leavers", title="Lancashire Care Leavers Covenant"
    )
    plan = [
        ((PRESTON,), "job", 16, "Kitchen porter job"),
        ((LANCASHIRE,), "apprenticeship", 18, "Chef apprenticeship"),
        (("national",), "job", 21, "Warehouse job"),
        ((LEEDS,), "job", 16, "Kitchen job in Leeds"),
        ((PRESTON,), "mentoring", 16, "Kitchen mentoring"),
        ((LANCASHIRE,), "job", 16, "Kitchen assistant job"),
        (("remote",), "job", 16, "Online customer support job"),
        ((PRESTON,), "job", 20, "Kitchen supervisor job"),
        ((LANCASHIRE,), "discount", 16, "Half-price gym membership"),
        ((PRESTON,), "job", 16, "Bakery kitchen job"),
        ((LANCASHIRE,), "guarantor", 18, "Rent guarantor"),
    ]
    made = []
    for number, (areas, offer_type, min_age, title) in enumerate(plan):
        signatory = await factory.signatory(name=f"Organisation {number:02d} Ltd")
        pledge = await factory.pledge(signatory, covenant)
        made.append(
            await factory.commitment(
                pledge,
                priorities[number % 3],
                areas=areas,
                offer_type=offer_type,
                min_age=min_age,
                title=title,
                access_url=f"https://org{number}.example.org/apply",
            )
        )
    return {"covenant": covenant, "priorities": priorities, "offers": made}


def host_page(registry: str, covenant: str, **attributes: str) -> str:
    """A council's page with the finder, as the README tells councils to write it."""
    extra = "".join(f' {name}="{value}"' for name, value in attributes.items())
    fallback = f"{registry}/embed/v1/offers?{urlencode({'covenant': covenant})}"
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Care leavers' local offer: Lancashire County Council</title>
<style>body {{ font-family: Georgia, serif; margin: 16px; }}</style></head>
<body>
<header><p>Lancashire County Council</p></header>
<main>
<h1>Care leavers' local offer</h1>
<p>Jobs, training, money and somewhere to live: what organisations in Lancashire offer care leavers.</p>
<covenant-offers covenant="{covenant}"{extra}>
  <a href="{fallback}">Find offers for care leavers</a>
</covenant-offers>
<script type="module" src="{registry}/embed/v1/offers.js"></script>
</main>
</body>
</html>"""


class Watch:
    """Every request a page makes and every console error it logs."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("response", self.failed)
        page.on(
            "console",
            lambda message: message.type == "error" and self.errors.append(f"{message.text} {message.location}"),
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def failed(self, response: Any) -> None:
        if response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def origins(self) -> set[str]:
        return {"{0.scheme}://{0.netloc}".format(urlsplit(url)) for url in self.urls}


async def api_ids(registry: str, **query: Any) -> list[str]:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{registry}/v1/commitments", params=query)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def settled(page: Page) -> str:
    """Wait until the finder has answered (results or a problem) and say which."""
    await page.wait_for_function(
        "() => ['ready', 'problem'].includes(document.querySelector('covenant-offers')?.dataset.state)", timeout=15000
    )
    return str(await page.locator("covenant-offers").get_attribute("data-state"))


async def card_ids(page: Page, within: str = "covenant-offers") -> list[str]:
    return await page.locator(f"{within} li.card").evaluate_all("cards => cards.map(card => card.dataset.id)")


async def search(page: Page, *, area: str = "", age: str = "", offer_type: str = "", q: str = "") -> str:
    finder = page.locator("covenant-offers")
    await finder.locator("input[name=area]").fill(area)
    await finder.locator("input[name=age]").fill(age)
    await finder.locator("select[name=offer_type]").select_option(offer_type)
    await finder.locator("input[name=q]").fill(q)
    await finder.locator("button[type=submit]").click()
    return await settled(page)


async def open_finder(browser: Browser, url: str, *, width: int = 1280, **context: Any) -> tuple[Page, Watch]:
    page = await (await browser.new_context(viewport={"width": width, "height": 900}, **context)).new_page()
    watch = Watch(page)
    await page.goto(url)
    return page, watch


# ---------------------------------------------------------------- the finder


async def test_the_finder_finds_what_the_api_finds_across_origins(browser, registry, council, offers):
    slug = offers["covenant"].slug
    url = council.put("/offers.html", host_page(registry, slug, **{"page-size": str(PAGE_SIZE)}))
    page, watch = await open_finder(browser, url)
    assert await settled(page) == "ready"
    finder = page.locator("covenant-offers")
    # It starts from the covenant's own council, by name.
    assert await finder.locator("input[name=area]").input_value() == "Lancashire"
    assert await card_ids(page) == await api_ids(registry, covenant=slug, area=LANCASHIRE, limit=PAGE_SIZE)
    assert "Lancashire Care Leavers Covenant" in await finder.locator("[part=lead]").inner_text()

    for typed in [
        {"area": "PR1 2HE"},
        {"area": "PR1 2HE", "age": "17"},
        {"area": "Leeds", "offer_type": "job"},
        {"q": "kitchen"},
        {"area": "PR1 2HE", "age": "19", "offer_type": "job", "q": "kitchen"},
    ]:
        assert await search(page, **typed) == "ready", typed
        expected = await api_ids(registry, covenant=slug, limit=PAGE_SIZE, **typed)
        assert expected, f"{typed} finds nothing: the check would prove little"
        assert await card_ids(page) == expected, typed
    status = await finder.locator("[part=status]").inner_text()
    assert status.startswith("Showing ")
    assert await finder.locator("[part=status]").get_attribute("role") == "status"

    # The priority, fixed by the covenant's own list, and nothing found: what to try next.
    await finder.locator("select[name=priority]").select_option(offers["priorities"][2].code)
    assert await search(page, area="PR1 2HE", q="submarine") == "ready"
    assert await card_ids(page) == []
    assert await finder.locator("[part=status]").inner_text() == "No offers match your search."
    assert await finder.locator("[part=empty]").is_visible()

    assert watch.origins() == {council.origin, registry}, watch.urls
    assert watch.errors == []


async def test_show_more_pages_through_every_offer_once(browser, registry, council, offers):
    slug = offers["covenant"].slug
    url = council.put("/more.html", host_page(registry, slug, **{"page-size": str(PAGE_SIZE)}))
    page, watch = await open_finder(browser, url)
    await settled(page)
    await search(page, area="")
    more = page.locator("covenant-offers [part=more]")
    for _ in range(10):
        if not await more.is_visible():
            break
        shown = len(await card_ids(page))
        await more.click()
        await page.wait_for_function(
            f"() => document.querySelector('covenant-offers').shadowRoot.querySelectorAll('li.card').length > {shown}"
        )
        await settled(page)
    seen = await card_ids(page)
    assert len(seen) == len(set(seen)) == len(offers["offers"])
    assert seen == await api_ids(registry, covenant=slug, limit=100)
    status = await page.locator("covenant-offers [part=status]").inner_text()
    assert status == f"Showing {len(seen)} offers."
    assert watch.errors == []


DEEP_FOCUS = """() => {
  let active = document.activeElement;
  while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
  if (!active || active === document.body) return null;
  const style = getComputedStyle(active);
  return {
    name: active.getAttribute('name') || active.getAttribute('part') || active.tagName.toLowerCase(),
    text: active.textContent.trim(),
    href: active.getAttribute('href'),
    outline: style.outlineStyle + ' ' + style.outlineWidth,
    height: active.getBoundingClientRect().height,
  };
}"""


async def tab_through(page: Page, presses: int = 40) -> list[dict[str, Any]]:
    stops = []
    for _ in range(presses):
        await page.keyboard.press("Tab")
        stop = await page.evaluate(DEEP_FOCUS)
        if stop is None:
            break
        stops.append(stop)
    return stops


async def test_a_keyboard_alone_reaches_every_control_and_result(browser, registry, council, offers):
    slug = offers["covenant"].slug
    url = council.put("/keys.html", host_page(registry, slug, **{"page-size": str(PAGE_SIZE)}))
    page, watch = await open_finder(browser, url)
    await settled(page)
    stops = await tab_through(page)
    names = [stop["name"] for stop in stops]
    controls = ["area", "age", "offer_type", "priority", "q", "button"]
    assert names[: len(controls)] == controls, names
    for part in ("link", "report"):
        links = [stop["href"] for stop in stops if stop["name"] == part]
        shown = await page.locator(f"covenant-offers li.card a[part={part}]").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        assert links == shown and len(links) == PAGE_SIZE, part
    assert names[-2:] == ["more", "tell"]
    # Every stop is visibly focused and big enough to press.
    assert all(stop["outline"] == "solid 3px" for stop in stops if stop["name"] != "a"), stops
    big = (*controls, "link", "report", "more", "tell")
    assert all(stop["height"] >= 44 for stop in stops if stop["name"] in big), stops

    # Show more, by keyboard: focus moves to the first new offer, and the next Tab reaches its link.
    await page.locator("covenant-offers [part=more]").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        f"() => document.querySelector('covenant-offers').shadowRoot.querySelectorAll('li.card').length > {PAGE_SIZE}"
    )
    focused = await page.evaluate(DEEP_FOCUS)
    assert focused["name"] == "card-title"
    await page.keyboard.press("Tab")
    assert (await page.evaluate(DEEP_FOCUS))["name"] == "link"

    # A search by keyboard only: type where you live and press Enter.
    area = page.locator("covenant-offers input[name=area]")
    await area.focus()
    await area.fill("PR1 2HE")
    await page.keyboard.press("Enter")
    await page.wait_for_function("() => document.querySelector('covenant-offers').dataset.state === 'ready'")
    assert await card_ids(page) == await api_ids(registry, covenant=slug, area="PR1 2HE", limit=PAGE_SIZE)
    assert watch.errors == []


async def test_what_cannot_be_used_is_said_beside_its_field(browser, registry, council, offers):
    slug = offers["covenant"].slug
    url = council.put("/problems.html", host_page(registry, slug))
    page, watch = await open_finder(browser, url)
    await settled(page)
    finder = page.locator("covenant-offers")

    assert await search(page, area="ZZ9 9ZZ") == "problem"
    area = finder.locator("input[name=area]")
    assert await area.get_attribute("aria-invalid") == "true"
    message = finder.locator(".field.area [part=message]")
    assert "We could not find “ZZ9 9ZZ”" in await message.inner_text()
    assert (await message.get_attribute("id")) in (await area.get_attribute("aria-describedby") or "")
    assert (await page.evaluate(DEEP_FOCUS))["name"] == "area"  # focus goes to the field to change

    # A name that could be several councils: each is a button, and choosing one searches there.
    async with httpx.AsyncClient() as http:
        problem = (await http.get(f"{registry}/v1/commitments", params={"area": "North"})).json()
    assert await search(page, area="North") == "problem"
    choices = finder.locator(".candidates button")
    assert await choices.all_inner_texts() == [candidate["name"] for candidate in problem["candidates"]]
    chosen = problem["candidates"][0]
    await choices.first.focus()
    await page.keyboard.press("Enter")
    assert await settled(page) == "ready"
    assert await card_ids(page) == await api_ids(registry, covenant=slug, area=chosen["code"], limit=10)
    assert await area.get_attribute("aria-invalid") is None

    assert await search(page, age="forty") == "problem"
    assert "Enter your age as a number" in await finder.locator(".field.age [part=message]").inner_text()
    # The browser logs the 422s it was answered; nothing else may appear.
    answered = [error for error in watch.errors if "status of 422" not in error and not error.startswith("422 ")]
    assert answered == []


async def test_the_example_page_runs_the_finder_under_its_own_content_security_policy(browser, registry, offers):
    # No bypass here: a stylesheet or script the policy did not allow would be a console error.
    slug = offers["covenant"].slug
    page, watch = await open_finder(browser, f"{registry}/embed/v1/example?covenant={slug}")
    assert await settled(page) == "ready"
    assert len(await card_ids(page)) == 3  # its page-size
    frame = page.frame_locator("iframe")
    assert await frame.locator("li.card").count() == 10
    assert watch.origins() == {registry}
    assert watch.errors == []


# ---------------------------------------------------------------- without JavaScript


async def test_the_iframe_page_works_with_javascript_off(browser, registry, council, offers):
    slug = offers["covenant"].slug
    context = await browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    watch = Watch(page)
    await page.goto(f"{registry}/embed/v1/offers?{urlencode({'covenant': slug, 'limit': PAGE_SIZE})}")
    await page.fill("#area", "PR1 2HE")
    await page.select_option("#offer_type", "job")
    await page.click("button[type=submit]")
    expected = await api_ids(registry, covenant=slug, area="PR1 2HE", offer_type="job", limit=100)
    seen = await card_ids(page, "main")
    while await page.locator("text=Next page of offers").count():
        await page.click("text=Next page of offers")
        seen += await card_ids(page, "main")
    assert len(seen) > PAGE_SIZE and seen == expected and len(set(seen)) == len(seen)

    # A council page with the element: with scripts off, its own link to the same finder shows instead.
    fallback = council.put("/no-script.html", host_page(registry, slug))
    await page.goto(fallback)
    link = page.get_by_role("link", name="Find offers for care leavers")
    assert await link.is_visible()
    await link.click()
    assert await page.locator("h1").inner_text() == "Find offers for care leavers"
    assert await card_ids(page, "main") == await api_ids(registry, covenant=slug, area=LANCASHIRE, limit=10)

    # And framed by the council's page (another origin), as frame-ancestors allows.
    framed = council.put(
        "/framed.html",
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Offers</title></head><body><main>'
        f'<h1>Offers</h1><iframe title="Find offers for care leavers" style="width:100%;height:800px" '
        f'src="{registry}/embed/v1/offers?covenant={slug}&amp;area="></iframe></main></body></html>',
    )
    await page.goto(framed)
    frame = page.frame_locator("iframe")
    assert await frame.locator("h1").inner_text() == "Find offers for care leavers"
    assert await frame.locator("li.card").count() == 10
    assert watch.origins() == {council.origin, registry}
    assert watch.errors == [], "\n".join(watch.urls)


# ---------------------------------------------------------------- accessibility and small screens


async def axe_violations(page: Page, source: str) -> list[dict[str, Any]]:
    await page.evaluate(source)
    results = await page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [
        {"id": violation["id"], "help": violation["help"], "nodes": [node["target"] for node in violation["nodes"]]}
        for violation in results["violations"]
    ]


@pytest.mark.parametrize("width", WIDTHS)
async def test_axe_finds_no_violations_and_nothing_scrolls_sideways(browser, registry, council, offers, width):
    source = axe_source()
    slug = offers["covenant"].slug
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {
        "finder": council.put("/a11y.html", host_page(registry, slug, **{"page-size": "4"})),
        "page": f"{registry}/embed/v1/offers?{urlencode({'covenant': slug, 'limit': 4})}",
        "example": f"{registry}/embed/v1/example?{urlencode({'covenant': slug})}",
    }
    found = {}
    for name, url in pages.items():
        # The iframe page allows no script but its own: axe-core is let in for the check (the page's policy is
        # tested in test_embed.py), as it is injected into every page it checks.
        page, watch = await open_finder(browser, url, width=width, bypass_csp=True)
        if name != "page":
            await settled(page)
        await page.wait_for_load_state("networkidle")
        found[name] = await axe_violations(page, source)
        scroll = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert scroll <= 0, f"{name} scrolls sideways by {scroll}px at {width}px"
        await page.screenshot(path=str(ARTIFACTS / f"embed-{name}-{width}.png"), full_page=True)
        assert watch.errors == [], (name, watch.errors)
        await page.context.close()
    assert found == {name: [] for name in pages}, json.dumps(found, indent=1)


# ---------------------------------------------------------------- caching


def registry_requests(log: Path, start: int) -> list[tuple[str, str, int]]:
    """The requests the registry served after `start` bytes of its log: (method, path, status)."""
    lines = log.read_bytes()[start:].decode(errors="replace").splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    return [(entry["method"], entry["path"], entry["status"]) for entry in entries if "status" in entry]


async def test_a_second_visit_takes_the_script_from_cache_and_revalidates_the_results(
    browser, registry, registry_log, council, offers
):
    slug = offers["covenant"].slug
    url = council.put("/again.html", host_page(registry, slug))
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url)
    await settled(page)
    first = registry_requests(registry_log, 0)
    assert ("GET", "/embed/v1/offers.js", 200) in first

    before = registry_log.stat().st_size
    conditional: list[str | None] = []

    async def note(request: Any) -> None:
        if "/v1/commitments" in request.url:
            conditional.append((await request.all_headers()).get("if-none-match"))

    page.on("request", note)
    await page.goto(council.origin + "/")  # away, then back by a plain link, as a person would come back
    await page.goto(url)
    await settled(page)
    await page.wait_for_timeout(300)  # the access line is written just after the answer
    again = registry_requests(registry_log, before)
    # The script (a day's max-age) and the covenant's details (a minute's) come from the browser's cache; the
    # results, fetched with cache: no-cache, are asked again with If-None-Match, and the registry answers 304.
    assert again == [("GET", "/v1/commitments", 304)], again
    assert conditional and conditional[-1], "the results were not revalidated by ETag"
    await context.close()


# ---------------------------------------------------------------- the public forms


SEND_BY_FETCH = """async ({ registry, slug }) => {
  const response = await fetch(`${registry}/v1/covenants/${slug}/you-said/intake`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": "council-page-1", "X-Request-ID": "council-1" },
    body: JSON.stringify({ words: "The bus pass should last until 25.", source: "care_leavers_forum" }),
  });
  const answer = {
    status: response.status,
    body: await response.json(),
    remaining: response.headers.get("RateLimit-Remaining"),
    limit: response.headers.get("RateLimit-Limit"),
    requestId: response.headers.get("X-Request-ID"),
  };
  try {
    const json = { "Content-Type": "application/json" };
    await fetch(`${registry}/v1/pledges`, { method: "POST", headers: json, body: "{}" });
    answer.otherWrite = "sent";
  } catch {
    answer.otherWrite = "blocked";
  }
  return answer;
}"""


async def test_a_council_page_may_send_a_you_said_by_fetch_and_read_the_answer(
    browser, registry, council, offers, keyring
):
    covenant = offers["covenant"]
    url = council.put("/tell-us.html", host_page(registry, covenant.slug))
    page, watch = await open_finder(browser, url)
    await settled(page)

    answer = await page.evaluate(SEND_BY_FETCH, {"registry": registry, "slug": covenant.slug})

    assert answer["status"] == 202 and answer["body"]["status"] == "received", answer
    assert answer["requestId"] == "council-1"
    assert int(answer["limit"]) > 0 and int(answer["remaining"]) == int(answer["limit"]) - 1
    # Any other write is not offered to browsers: its preflight is refused, and the browser sends nothing.
    assert answer["otherWrite"] == "blocked"
    officers = {"Authorization": f"Bearer {await keyring.officer_of_covenant(covenant.id)}"}
    async with httpx.AsyncClient() as http:
        listed = await http.get(f"{registry}/v1/covenants/{covenant.slug}/you-said", headers=officers)
    (entry,) = listed.json()["items"]
    assert entry["words"] == "The bus pass should last until 25." and entry["through_intake"] is True
    refused = [error for error in watch.errors if "/v1/pledges" not in error]
    assert refused == [], watch.errors


async def focused_name(page: Page) -> str | None:
    return await page.evaluate("() => document.activeElement?.getAttribute('name') || document.activeElement?.id")


async def tab_to(page: Page, name: str, presses: int = 20) -> None:
    for _ in range(presses):
        await page.keyboard.press("Tab")
        if await focused_name(page) == name:
            return
    raise AssertionError(f"Tab never reached {name}")


async def test_a_problem_is_reported_from_the_finder_with_the_keyboard(browser, registry, council, offers, keyring):
    covenant = offers["covenant"]
    url = council.put("/report.html", host_page(registry, covenant.slug, **{"page-size": str(PAGE_SIZE)}))
    page, watch = await open_finder(browser, url)
    await settled(page)
    first = page.locator("covenant-offers li.card").first
    offer_id = await first.get_attribute("data-id")
    title = await first.locator("[part=card-title]").inner_text()

    await first.locator("a[part=report]").click()
    await page.wait_for_url(f"{registry}/embed/v1/offers/{offer_id}/problem?*")
    assert await page.locator("h1").inner_text() == "Report a problem with an offer"
    assert title in await page.locator(".lead").inner_text()

    await tab_to(page, "reason")
    await page.keyboard.press("ArrowDown")  # the second reason: the offer is no longer available
    await page.keyboard.press("Tab")
    assert await focused_name(page) == "details"
    await page.keyboard.type("The apprenticeship page says it has closed.")
    await page.keyboard.press("Tab")
    assert await focused_name(page) == "contact"
    await page.keyboard.type("pa.team@adviser.example.org")
    await page.keyboard.press("Tab")
    assert await focused_name(page) == "send"  # the field for bots is not a stop
    await page.wait_for_timeout(400)  # as long as PROBLEM_FORM_MIN_SECONDS, and more
    await page.keyboard.press("Enter")

    await page.wait_for_selector("h1:text('Thank you')")
    back = page.get_by_role("link", name="Back to the offers")
    assert await back.get_attribute("href") == url
    officers = {"Authorization": f"Bearer {await keyring.officer_of_covenant(covenant.id)}"}
    async with httpx.AsyncClient() as http:
        queue = await http.get(f"{registry}/v1/covenants/{covenant.slug}/problems?status=open", headers=officers)
    (report,) = queue.json()["items"]
    assert report["commitment"]["id"] == offer_id and report["reason"] == "no_longer_available"
    assert report["details"] == "The apprenticeship page says it has closed."
    assert report["contact"] == "pa.team@adviser.example.org"

    await back.click()
    assert await settled(page) == "ready"  # back on the council's page, the finder working
    assert watch.origins() == {council.origin, registry}
    assert watch.errors == []


async def test_the_voice_form_works_with_javascript_off(browser, registry, offers, keyring):
    covenant = offers["covenant"]
    context = await browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 900})
    page = await context.new_page()
    await page.goto(f"{registry}/embed/v1/offers?{urlencode({'covenant': covenant.slug, 'limit': 2})}")
    await page.get_by_role("link", name="Tell the council something").click()
    await page.get_by_label("What you want the council to know").fill("More drop-in times after college.")
    await page.get_by_label("The children in care council").check()
    await page.click("#send")
    await page.wait_for_selector("h1:text('Thank you')")
    await page.get_by_role("link", name="Back to the offers").click()
    assert await page.locator("h1").inner_text() == "Find offers for care leavers"
    officers = {"Authorization": f"Bearer {await keyring.officer_of_covenant(covenant.id)}"}
    async with httpx.AsyncClient() as http:
        listed = await http.get(f"{registry}/v1/covenants/{covenant.slug}/you-said", headers=officers)
    (entry,) = listed.json()["items"]
    assert (entry["words"], entry["source"]) == ("More drop-in times after college.", "children_in_care_council")
    await context.close()


@pytest.mark.parametrize("width", WIDTHS)
async def test_axe_finds_no_violations_on_the_form_pages_and_their_errors(browser, registry, offers, width):
    source = axe_source()
    slug, offer_id = offers["covenant"].slug, offers["offers"][0].id
    back = {"return": "https://www.council.example.gov.uk/offers"}
    pages = {
        "problem": f"{registry}/embed/v1/offers/{offer_id}/problem?{urlencode(back)}",
        "voice": f"{registry}/embed/v1/you-said?{urlencode({'covenant': slug, **back})}",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    found = {}
    for name, url in pages.items():
        page, watch = await open_finder(browser, url, width=width, bypass_csp=True)
        for state in ("form", "errors"):
            if state == "errors":
                await page.click("#send")  # nothing chosen or written: what to change, beside each field
                await page.wait_for_selector(".error-summary")
            found[f"{name}-{state}"] = await axe_violations(page, source)
            scroll = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert scroll <= 0, f"{name} ({state}) scrolls sideways by {scroll}px at {width}px"
            await page.screenshot(path=str(ARTIFACTS / f"embed-{name}-{state}-{width}.png"), full_page=True)
        # The browser logs the 422 the error state was answered with; nothing else may appear.
        assert [error for error in watch.errors if "422" not in error] == [], (name, watch.errors)
        await page.context.close()
    assert found == {name: [] for name in found}, json.dumps(found, indent=1)
