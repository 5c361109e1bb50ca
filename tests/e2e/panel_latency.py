"""Keystroke to panel, as a clinician feels it (issue 13): a benchmark, not a test.

Types every number of a representative subset of the golden cases, field by field, at a steady
typing pace, and reports the time from the last keystroke of each field to the morphed panel
(htmx:afterSettle on the panel, for the request sent after that keystroke), debounce included:
median and 95th percentile. Measure on an otherwise idle machine: the browser shares its cores.

    python -m tests.e2e.panel_latency http://127.0.0.1:8000 [ms between keys] [number of golden cases]
"""

from __future__ import annotations

import statistics
import sys

from tests.support import GOLDEN, form_data

WATCH = """() => {
  window.__settled = [];
  window.__lastKey = 0;
  window.__requestAt = 0;
  document.addEventListener('keydown', () => { window.__lastKey = performance.now(); }, true);
  document.body.addEventListener('htmx:beforeRequest', (event) => {
    if (event.detail.elt.id === 'workup-form') { window.__requestAt = performance.now(); }
  });
  document.body.addEventListener('htmx:afterSettle', (event) => {
    // Only the answer to a request sent after the last keystroke counts, once per keystroke.
    if (event.detail.target.id === 'recommendation-panel' && window.__lastKey
        && window.__requestAt >= window.__lastKey) {
      window.__settled.push(performance.now() - window.__lastKey);
      window.__lastKey = 0;
    }
  });
}"""


def measure(url: str, pace_ms: int = 120, cases: int = 24) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.workup_screen import step_of

    samples: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        for case in GOLDEN[:cases]:
            data = form_data(case["input"])
            numbers = [k for k in data if f"{k}_unit" in data or k in ("age", "flc_ratio")]
            if not numbers:
                continue
            page.goto(url)
            page.evaluate(WATCH)
            for key in numbers:
                page.locator(f".step-link[data-step-target={step_of(key)}]").click()
                if key.endswith(("_lln", "_uln")):
                    continue  # reference limits sit in a closed section: the typical case leaves them
                if f"{key}_unit" in data:
                    page.select_option(f"#id_{key}_unit", data[f"{key}_unit"])
                    page.wait_for_timeout(300)
                before = page.evaluate("() => window.__settled.length")
                page.locator(f"#id_{key}").press_sequentially(str(data[key]), delay=pace_ms)
                page.wait_for_function(f"() => window.__settled.length > {before}", timeout=5000)
                # the field's last keystroke: its answer is the one a person waits for
                samples.append(page.evaluate("() => window.__settled[window.__settled.length - 1]"))
        browser.close()
    return samples


if __name__ == "__main__":  # pragma: no cover - a measurement run, see docs/workup-screen.md
    pace = int(sys.argv[2]) if len(sys.argv) > 2 else 120
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 24
    result = measure(sys.argv[1], pace, count)
    print(f"{len(result)} fields; median {statistics.median(result):.0f} ms, "
          f"p95 {statistics.quantiles(result, n=20)[-1]:.0f} ms (typing every {pace} ms)")
