"""The printable annual report, opened in headless Chromium: its charts render and nothing errors.

The page and its screenshot are left in test-artifacts/ for a person to look at. Chromium comes from Debian's
`chromium` package; the test installs it when it is missing and it can (as root, as in CI).
"""

import asyncio
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from tests.png import colour_counts

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHART_BLUE = (0x1D, 0x70, 0xB8)
CHART_GREEN = (0x00, 0x70, 0x3C)
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-logging=stderr",
    "--v=0", "--force-device-scale-factor=1",
]  # fmt: skip


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("chromium is not installed and only root can install it (apt-get install chromium)")
    for command in (["apt-get", "install", "-y", "-qq", "chromium"], ["apt-get", "update", "-qq"]):
        subprocess.run(command, check=False, capture_output=True, timeout=600)
        if installed := shutil.which("chromium"):
            return installed
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True, timeout=600)
    # The full path: Playwright's executable_path takes a file, not a name to look up on PATH.
    return shutil.which("chromium") or "/usr/bin/chromium"


async def run_chromium(*arguments: str, profile: Path) -> subprocess.CompletedProcess:
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments]
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
async def report_page(factory) -> Path:
    covenant, priorities = await factory.covenant(priorities=4, title="Northshire Care Leavers Covenant")
    published = datetime(2025, 7, 1, tzinfo=UTC)
    for number in range(8):
        signatory = await factory.signatory()
        pledge = await factory.pledge(signatory, covenant, published_at=published.replace(month=4 + number % 9))
        offer = await factory.commitment(pledge, priorities[number % 3], created_at=published)
        await factory.progress_report(offer, places_offered=6, applications=6, starts=5 + number % 2, sustained=3)
    return covenant


async def test_annual_report_renders_its_charts_in_chromium(client, report_page, tmp_path):
    response = await client.get(f"/v1/covenants/{report_page.slug}/annual-report.html?year=2025")
    assert response.status_code == 200
    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / "annual-report.html"
    page.write_text(response.text, encoding="utf-8")
    screenshot = ARTIFACTS / "annual-report.png"
    screenshot.unlink(missing_ok=True)

    shot = await run_chromium(
        f"--screenshot={screenshot}", "--window-size=1240,2400", page.as_uri(), profile=tmp_path / "profile-1"
    )
    dom = await run_chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile-2")

    assert screenshot.exists(), shot.stderr[-2000:]
    console = [line for line in (shot.stderr + dom.stderr).splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console
    assert dom.stdout.count("<svg") == 3 and "<rect" in dom.stdout
    colours = colour_counts(screenshot.read_bytes())
    assert colours[CHART_BLUE] > 2_000, "the blue bars of the offers and signatories charts are not on screen"
    assert colours[CHART_GREEN] > 1_000, "the green bars of the delivery chart are not on screen"
