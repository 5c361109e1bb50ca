"""Render the hematologist's view of a referred case into docs/screenshots/.

Usage: DJANGO_ALLOW_DEV_SECRET=1 .venv/bin/python scripts/screenshots_cases.py
Uses a throwaway SQLite database (never the project's), saves and refers one golden case as a
radiologist, then photographs, as a hematologist, the case page at 1366 px and the queue on a
390 px phone, in the dark theme: case-hematologist.png and queue-phone.png.
"""

from __future__ import annotations

import json
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
from tests.support import golden  # noqa: E402

CASE = "all-triggers-and-flags"
OUT = ROOT / "docs" / "screenshots"
SETUP = """
import json, sys
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.contrib.auth import get_user_model
User = get_user_model()
from workup.saved import services as saved
call_command("setup_roles", verbosity=0)
rad = User.objects.create_user(username="rad-ana", password="pw-rad-ana-long")
rad.groups.add(Group.objects.get(name="radiologist"))
hem = User.objects.create_user(username="hem-dora", password="pw-hem-dora-long")
hem.groups.add(Group.objects.get(name="hematologist"))
w = saved.workup_save(author=rad, inputs_json=sys.stdin.read(), label="reading room 2")
saved.workup_refer(workup=w, actor=rad, version=w.version)
print(w.reference)
"""


def _manage(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run(  # noqa: S603 - fixed argv, our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return result.stdout.strip()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite3"}
        _manage(env, "migrate", "--noinput")
        reference = _manage(
            env, "shell", "-c", SETUP, stdin=json.dumps(golden(CASE)["input"], default=float)
        ).splitlines()[-1]
        port = free_port()
        server = serve(port, {"DATABASE_URL": env["DATABASE_URL"]})
        site = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, width, height, path in (
                    ("case-hematologist", 1366, 1500, f"/cases/{reference}"),
                    ("queue-phone", 390, 844, "/cases/queue"),
                ):
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, reduced_motion="reduce"
                    )
                    page = context.new_page()
                    page.goto(f"{site}/accounts/login/")
                    page.get_by_label("Username").fill("hem-dora")
                    page.get_by_label("Password").fill("pw-hem-dora-long")
                    page.get_by_role("button", name="Sign in").click()
                    page.goto(site + path)
                    page.screenshot(path=OUT / f"{name}.png")
                    print(OUT / f"{name}.png")
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
