"""Render the outcome registry page into docs/screenshots/ from synthetic cases.

Usage: DJANGO_ALLOW_DEV_SECRET=1 .venv/bin/python scripts/screenshots_registry.py
Uses a throwaway SQLite database (never the project's), fills it with `seed_registry --cases 3000`
(synthetic, and the page says so), then photographs the registry page as staff: at 1366 px in the
dark theme (registry-dark.png) and on a 390 px phone in the light theme (registry-phone.png).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from scripts.screenshots import free_port, serve  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
STAFF = "from django.contrib.auth import get_user_model; get_user_model().objects.create_user(username='staff-demo', password='pw-staff-demo-long', is_staff=True)"  # noqa: E501


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603 - our own manage.py


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite3"}
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_registry", "--cases", "3000")
        _manage(env, "shell", "-c", STAFF)
        port = free_port()
        server = serve(port, {"DATABASE_URL": env["DATABASE_URL"]})
        site = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, width, height, theme in (("registry-dark", 1366, 1400, "dark"), ("registry-phone", 390, 1400, "light")):
                    context = browser.new_context(viewport={"width": width, "height": height}, reduced_motion="reduce")
                    context.add_cookies([{"name": "theme", "value": theme, "url": site}])
                    page = context.new_page()
                    page.goto(f"{site}/accounts/login/")
                    page.get_by_label("Username").fill("staff-demo")
                    page.get_by_label("Password").fill("pw-staff-demo-long")
                    page.get_by_role("button", name="Sign in").click()
                    page.goto(f"{site}/registry/")
                    page.screenshot(path=OUT / f"{name}.png")
                    print(OUT / f"{name}.png")
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
