"""What a fast typist sends to the live panel (`python -m scripts.panel_rate`): a measurement, not a test.

Starts the production stack on loopback (gunicorn behind nginx with deploy/nginx.conf), opens the
workup screen in the system Chromium and types golden cases field after field with no pause
between fields and `--key-delay` ms between keys (70 ms is about 170 words a minute, faster than
almost anyone types numbers). It records when each panel request (htmx POST to /) leaves the page
and prints the most sent in any one second and in any five seconds, and how many nginx refused
with 429. deploy/nginx.conf's panel limit (10 a second, bursts of 20) is sized from this.

    python -m scripts.panel_rate [--cases 8] [--key-delay 70]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from scripts import serving
from scripts.bench_keystroke import CHROMIUM, CHROMIUM_ARGS, enter
from scripts.typing_sessions import STEP_ORDER, fields_of, golden_cases, representative


def most_within(times: list[float], seconds: float) -> int:
    """The largest number of times that fall within any window of `seconds`."""
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=8)
    parser.add_argument("--key-delay", type=int, default=70, help="ms between keystrokes within a field")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    sent: list[float] = []
    refused = 0
    with tempfile.TemporaryDirectory(prefix="marrow-panel-rate-") as tmp:
        workdir = Path(tmp)
        env = serving.production_env(workdir=workdir)
        serving.prepare(env)
        app_port = serving.free_port()
        gunicorn = serving.start_gunicorn(env, port=app_port, workers=2, log=workdir / "gunicorn.log")
        try:
            nginx, _, https_port = serving.start_nginx(workdir, app_port=app_port)
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    page = browser.new_context(ignore_https_errors=True).new_page()

                    def on_request(request):
                        if request.method == "POST" and request.headers.get("hx-request") == "true":
                            sent.append(time.monotonic())

                    def on_response(response):
                        nonlocal refused
                        refused += response.status == 429

                    page.on("request", on_request)
                    page.on("response", on_response)
                    for case in representative(golden_cases(), args.cases):
                        page.goto(f"https://127.0.0.1:{https_port}/")
                        fields = fields_of(case)
                        for index, step in enumerate(STEP_ORDER):
                            for field in (f for f in fields if f.step == step):
                                enter(page, field, args.key_delay)
                            if index < len(STEP_ORDER) - 1:
                                page.locator(f"#step-{step} .step-next").click()
                        time.sleep(0.5)
                    browser.close()
            finally:
                serving.stop(nginx)
        finally:
            serving.stop(gunicorn)
    print(f"panel requests while typing {args.cases} golden cases, {args.key_delay} ms between keys: {len(sent)}")
    print(f"  most in any 1 s: {most_within(sent, 1.0)}; in any 5 s: {most_within(sent, 5.0)}; "
          f"refused 429: {refused}")


if __name__ == "__main__":
    main()
