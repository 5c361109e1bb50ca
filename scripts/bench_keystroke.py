"""Keystroke to panel (`make bench-keystroke`): a benchmark, not a test.

Starts the production stack on loopback (gunicorn with 2 workers and DEBUG off, behind nginx with
deploy/nginx.conf and a throwaway certificate), opens the workup screen in the system Chromium and
types golden cases field by field at a person's pace. For each field it measures the time from the
last input event of the field (the last keystroke, or the choice of an option) to the moment the
recommendation panel has been updated from a request the page sent after that event. It assumes
no debounce and no request strategy: whatever the page does is what is timed. It then checks the
panel shows the case's expected disposition (a lost or out-of-order update would not).

    python -m scripts.bench_keystroke [--cases 24] [--key-delay 120]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from scripts import serving
from scripts.typing_sessions import STEP_ORDER, Field, fields_of, golden_cases, representative, typed
from workup.forms import RADIO_CHOICE_KEYS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
UPDATE_TIMEOUT_MS = 5_000

# Injected before the page's own scripts. Input events carry their time (event.timeStamp, the same
# clock as performance.now()); a panel update counts when htmx settles a swap into the panel from
# a request that started at or after the last input.
INSTRUMENT = """
window.__bench = {lastInput: -1, updated: -1, starts: new WeakMap()};
const markInput = (event) => { window.__bench.lastInput = event.timeStamp; };
document.addEventListener('input', markInput, true);
document.addEventListener('change', markInput, true);
document.addEventListener('htmx:beforeRequest', (event) => {
  window.__bench.starts.set(event.detail.xhr, performance.now());
}, true);
document.addEventListener('htmx:afterSettle', (event) => {
  const panel = document.getElementById('recommendation-panel');
  const target = event.detail.target;
  if (!panel || !target || !(target === panel || target.contains(panel) || panel.contains(target))) return;
  const start = window.__bench.starts.get(event.detail.xhr);
  if (start !== undefined && start >= window.__bench.lastInput) window.__bench.updated = performance.now();
}, true);
"""
LAST_INPUT = "() => window.__bench.lastInput"
UPDATED_SINCE_LAST_INPUT = "() => window.__bench.updated >= window.__bench.lastInput"
LATENCY = "() => window.__bench.updated - window.__bench.lastInput"
DISPOSITION = """() => {
  const headline = document.querySelector('#recommendation-panel [data-disposition]');
  return headline ? headline.dataset.disposition : null;
}"""


def enter(page, field: Field, key_delay: int) -> None:
    """Enter one field the way its widget is used: the unit first, then the number key by key."""
    if field.step == "labs" and page.locator(f"details.reference-limits #id_{field.key}").count():
        details = page.locator("details.reference-limits")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
    if field.unit is not None:
        page.select_option(f"#id_{field.key}_unit", field.unit)
    if typed(field):
        page.locator(f"#id_{field.key}").press_sequentially(str(field.value), delay=key_delay)
    elif field.kind == "checkbox":
        page.check(f"#id_{field.key}")
    elif field.key in RADIO_CHOICE_KEYS:  # a few choices are radio buttons on the screen
        page.check(f"input[name={field.key}][value={field.value}]")
    elif field.kind == "choice":
        page.select_option(f"#id_{field.key}", field.value)
    elif field.kind == "boolean":
        page.check(f"input[name={field.key}][value={field.value}]")
    elif field.kind == "set":
        for item in field.value:
            page.check(f"input[name={field.key}][value={item}]")
    else:
        page.fill(f"#id_{field.key}", str(field.value))


def type_case(page, base_url: str, case: dict, key_delay: int) -> tuple[list[float], int, str | None]:
    """Type one case from a fresh screen; per-field latencies (ms), fields never answered, disposition."""
    page.goto(base_url + "/")
    latencies, unanswered = [], 0
    fields = fields_of(case)
    for index, step in enumerate(STEP_ORDER):
        for field in (f for f in fields if f.step == step):
            before = page.evaluate(LAST_INPUT)
            enter(page, field, key_delay)
            if page.evaluate(LAST_INPUT) == before:
                continue  # the widget already held this value: nothing was entered
            try:
                page.wait_for_function(UPDATED_SINCE_LAST_INPUT, timeout=UPDATE_TIMEOUT_MS, polling="raf")
            except Exception:  # noqa: BLE001 - Playwright's TimeoutError: counted, not fatal
                unanswered += 1
                continue
            latencies.append(page.evaluate(LATENCY))
        if index < len(STEP_ORDER) - 1:
            page.locator(f"#step-{step} .step-next").click()
    time.sleep(0.2)
    return latencies, unanswered, page.evaluate(DISPOSITION)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=24, help="golden cases to type (every disposition included)")
    parser.add_argument("--key-delay", type=int, default=120, help="ms between keystrokes within a field")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    cases = representative(golden_cases(), args.cases)
    with tempfile.TemporaryDirectory(prefix="marrow-keystroke-") as tmp:
        workdir = Path(tmp)
        env = serving.production_env(workdir=workdir, GUNICORN_ACCESS_LOG=str(workdir / "access.log"))
        serving.prepare(env)
        app_port = serving.free_port()
        gunicorn = serving.start_gunicorn(env, port=app_port, workers=2, log=workdir / "gunicorn.log")
        try:
            nginx, _, https_port = serving.start_nginx(workdir, app_port=app_port)
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 1000})
                    context.add_init_script(INSTRUMENT)
                    context.set_default_timeout(10_000)
                    page = context.new_page()
                    results = []
                    for case in cases:
                        results.append(type_case(page, f"https://127.0.0.1:{https_port}", case, args.key_delay))
                        timings = results[-1][0]
                        print(f"  {case['name']}: {len(timings)} fields, slowest {max(timings, default=0):.0f} ms, "
                              f"panel {results[-1][2]}", flush=True)
                    browser.close()
            finally:
                serving.stop(nginx)
        finally:
            serving.stop(gunicorn)
    latencies = [ms for case_latencies, _, _ in results for ms in case_latencies]
    unanswered = sum(n for _, n, _ in results)
    wrong = [case["name"] for case, (_, _, shown) in zip(cases, results, strict=True)
             if shown != case["expected"]["disposition"]]
    print(f"keystroke to panel: {len(cases)} golden cases, {len(latencies)} fields, {args.key_delay} ms between keys, "
          "production stack (nginx + gunicorn, 2 workers, DEBUG off), system Chromium")
    print(f"  median {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
          f"max {max(latencies):.0f} ms (target p95 ≤ 150 ms)")
    print(f"  fields with no panel update within {UPDATE_TIMEOUT_MS / 1000:.0f} s: {unanswered}")
    print(f"  cases whose final panel is not the expected disposition: {len(wrong)} {wrong or ''}")


if __name__ == "__main__":
    main()
