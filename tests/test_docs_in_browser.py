"""The API documentation works with no internet: /docs (Swagger UI) and /redoc render every operation in headless
Chromium from a live server, with every host but the server's unreachable. The screenshot is left in
test-artifacts/ for a person to look at."""

from collections.abc import Iterator

import httpx
import pytest

from tests.live import serving
from tests.test_report_in_browser import ARTIFACTS, run_chromium

# Every name resolves to nothing except the server's own address: a page that needs a CDN fails to render.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


@pytest.fixture(scope="module")
def live_server(database_url) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(database_url) as api:
        yield api


async def test_swagger_ui_renders_every_operation_offline(live_server, tmp_path):
    async with httpx.AsyncClient() as http:
        document = (await http.get(f"{live_server}/openapi.json")).json()
    summaries = [operation["summary"] for path in document["paths"].values() for operation in path.values()]
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "docs.png"
    screenshot.unlink(missing_ok=True)
    wait = "--virtual-time-budget=15000"
    dom = await run_chromium(OFFLINE, wait, "--dump-dom", f"{live_server}/docs", profile=tmp_path / "profile-1")
    shot = await run_chromium(
        OFFLINE, wait, f"--screenshot={screenshot}", "--window-size=1280,2000", f"{live_server}/docs",
        profile=tmp_path / "profile-2",
    )  # fmt: skip
    missing = [summary for summary in summaries if summary not in dom.stdout]
    assert missing == [], f"{len(missing)} of {len(summaries)} operations not rendered, e.g. {missing[:3]}"
    assert screenshot.exists(), shot.stderr[-2000:]


async def test_redoc_renders_offline(live_server, tmp_path):
    wait = "--virtual-time-budget=15000"
    dom = await run_chromium(OFFLINE, wait, "--dump-dom", f"{live_server}/redoc", profile=tmp_path / "profile")
    assert "Find offers" in dom.stdout, dom.stderr[-2000:]


async def test_the_root_leads_to_the_docs(live_server):
    async with httpx.AsyncClient() as http:
        response = await http.get(live_server + "/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/docs"
