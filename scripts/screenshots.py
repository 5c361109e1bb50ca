"""Render the filled workup screen in the dark and the light theme into docs/screenshots/.

Usage: DJANGO_ALLOW_DEV_SECRET=1 .venv/bin/python scripts/screenshots.py
Starts a throwaway development server on a free port, enters a golden case step by step with the
system Chromium (the same page object as the browser tests), and writes workup-dark.png and
workup-light.png.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.workup_screen import enter_case  # noqa: E402
from tests.pathway.test_report_docs import DOC_CASES  # noqa: E402

# A complete case a radiologist would enter: MRI signs, the full core panel, anaemia and an M-protein
# (the first of the three typical cases whose copied impression docs/workup-screen.md shows).
CASE = {"input": DOC_CASES[0][1]}
OUT = ROOT / "docs" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """A development server on the port (its own process), once it answers /healthz."""
    env = {**os.environ, "DJANGO_DEBUG": "1", **(extra_env or {})}
    server = subprocess.Popen(  # noqa: S603 - fixed argv, our own manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310 - local
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the development server did not start")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = serve(port)
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for theme in ("dark", "light"):
                context = browser.new_context(
                    viewport={"width": 1440, "height": 1100}, color_scheme=theme, reduced_motion="reduce"
                )
                page = context.new_page()
                page.goto(url)
                enter_case(page, CASE)
                page.locator(".step-link[data-step-target=labs]").click()
                page.wait_for_timeout(800)
                page.locator("[data-rule-id=BX-ANEMIA] summary").click()
                page.mouse.move(0, 0)
                page.screenshot(path=OUT / f"workup-{theme}.png")
                print(OUT / f"workup-{theme}.png")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
