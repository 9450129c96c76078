"""Remake docs/embed-example.png, the README's picture of the offers finder on a council's page.

Runs a registry with the demo data on a free port (a throwaway SQLite database), opens /embed/v1/example in
Debian's headless Chromium through Playwright, and saves the top of the page at 860 pixels wide.

    .venv/bin/python scripts/embed_screenshot.py
"""

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "embed-example.png"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def shoot(api: str, chromium: str) -> None:
    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = await browser.new_page(viewport={"width": 860, "height": 1900})
        await page.goto(f"{api}/embed/v1/example?covenant=lancashire-care-leavers")
        await page.wait_for_function("() => document.querySelector('covenant-offers')?.dataset.state === 'ready'")
        OUT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(OUT))
        await browser.close()


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("needs Debian's chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/demo.db", "LOG_LEVEL": "warning"}
        cli = [sys.executable, "-m", "app.cli"]
        for command in ("migrate", "demo-data"):
            subprocess.run([*cli, command], env=env, check=True, cwd=ROOT)
        port = free_port()
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=ROOT)
        api = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{api}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit("the registry did not start")
                time.sleep(0.2)
            asyncio.run(shoot(api, chromium))
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
