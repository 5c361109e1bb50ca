"""Keystrokes a keyboard-only person spends on three typical cases (issue 14 item 9).

Every press counts once (a chord such as Alt+2 is one press, a typed character one press). The route
is the plain one: Alt+<step> to a step, Tab to each field, arrows in a menu or radio group, then the
result shortcut where the screen offers one, Tab on to "Copy impression" and Enter. Run against any server to compare versions:

    python -m tests.e2e.keystrokes http://127.0.0.1:8000
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from playwright.sync_api import Page

STEP_KEYS = {"mri": "Alt+1", "labs": "Alt+2", "context": "Alt+3"}

# (field, value, step): what a radiologist types for each case, in screen order.
# Since pathway 1.2 every case carries at least one MRI sign (an impression without one cannot be
# copied) and the blood count (WBC and platelets are core labs).
CASES: dict[str, list[tuple[str, str, str]]] = {
    "anaemia, one MRI sign": [
        ("pattern", "variegated", "mri"),
        ("hemoglobin", "10.9", "labs"), ("wbc", "6.2", "labs"), ("platelets", "240", "labs"),
        ("spep", "not_detected", "labs"), ("ife", "not_detected", "labs"),
        ("calcium", "9.4", "labs"), ("creatinine", "0.8", "labs"), ("age", "64", "context"),
    ],
    "complete normal panel": [
        ("pattern", "diffuse_homogeneous", "mri"),
        ("hemoglobin", "13.8", "labs"), ("wbc", "6.2", "labs"), ("platelets", "240", "labs"),
        ("spep", "not_detected", "labs"), ("ife", "not_detected", "labs"),
        ("flc_kappa", "15", "labs"), ("flc_lambda", "12", "labs"), ("calcium", "9.4", "labs"),
        ("albumin", "4.1", "labs"), ("creatinine", "0.9", "labs"), ("age", "58", "context"),
        ("sex", "male", "context"),
    ],
    "MRI findings and core labs": [
        ("t1_vs_disc", "hypointense", "mri"), ("pattern", "variegated", "mri"), ("hemoglobin", "12.5", "labs"),
        ("wbc", "6.2", "labs"), ("platelets", "240", "labs"),
        ("spep", "detected", "labs"), ("ife", "detected", "labs"), ("calcium", "10.1", "labs"),
        ("creatinine", "1.0", "labs"), ("age", "71", "context"),
    ],
}


@dataclass
class Keyboard:
    """The page's keyboard, counting presses."""

    page: Page
    presses: int = 0
    tabs: int = 0
    log: list[str] = field(default_factory=list)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.presses += 1
        self.tabs += key == "Tab"

    def type(self, text: str) -> None:
        for character in text:
            self.press(character)

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)

    def tab_to(self, selector: str, limit: int = 200) -> None:
        for _ in range(limit):
            if self.focused(selector):
                return
            self.press("Tab")
        raise AssertionError(f"{selector} is not reachable with Tab")


def _choose(keyboard: Keyboard, name: str, value: str) -> None:
    """Arrows from the current choice to the wanted one (a menu, or a radio group in order)."""
    current, target = keyboard.page.evaluate(
        """([name, value]) => {
          const el = document.activeElement;
          if (el.tagName === 'SELECT') {
            return [el.selectedIndex, [...el.options].findIndex(o => o.value === value)];
          }
          const radios = [...document.getElementsByName(name)];
          return [radios.findIndex(r => r.checked), radios.findIndex(r => r.value === value)];
        }""",
        [name, value],
    )
    for _ in range(abs(target - current)):
        keyboard.press("ArrowDown" if target > current else "ArrowUp")


def count_case(page: Page, url: str, entries: list[tuple[str, str, str]]) -> Keyboard:
    """Enter one case from a fresh screen and copy its impression; the counted keyboard."""
    page.goto(url)
    keyboard = Keyboard(page)
    step = None
    for name, value, entry_step in entries:
        if entry_step != step:
            keyboard.press(STEP_KEYS[entry_step])
            step = entry_step
        radio = page.locator(f"input[type=radio][name={name}]").count() > 0
        keyboard.tab_to(f"input[name={name}]:checked" if radio else f"[name={name}]")
        if radio or page.evaluate("() => document.activeElement.tagName") == "SELECT":
            _choose(keyboard, name, value)
        else:
            keyboard.type(value)
    page.wait_for_selector("[data-disposition]")
    page.wait_for_function("() => !document.querySelector('#workup-form.htmx-request')")
    shortcut = page.locator("[data-result-shortcut]")
    if shortcut.count():  # the screen offers a key to its result: take it, as the help line says
        keyboard.press(shortcut.get_attribute("data-result-shortcut"))
    keyboard.tab_to("[data-copy-target=report-impression]")
    keyboard.press("Enter")
    return keyboard


def count_all(page: Page, url: str) -> dict[str, Keyboard]:
    return {name: count_case(page, url, entries) for name, entries in CASES.items()}


if __name__ == "__main__":  # pragma: no cover - a measurement run, see docs/workup-screen.md
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        for name, keyboard in count_all(page, sys.argv[1]).items():
            print(f"{name}: {keyboard.presses} keystrokes, {keyboard.tabs} of them Tab")
        browser.close()
