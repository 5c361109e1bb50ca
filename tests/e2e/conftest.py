"""One system Chromium per test session, driven by Playwright's sync API against live_server."""

from __future__ import annotations

import pytest


def _page(browser, **options):
    options = {"locale": "en-US", "viewport": {"width": 1440, "height": 1000}, "color_scheme": "dark",
               "reduced_motion": "reduce", **options}
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    context, page = _page(browser)
    yield page
    context.close()


@pytest.fixture
def page_light_system(browser, live_server):
    context, page = _page(browser, color_scheme="light")
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context, page = _page(browser, java_script_enabled=False)
    yield page
    context.close()
