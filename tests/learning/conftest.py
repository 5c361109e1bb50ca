"""Learning-mode browser fixtures."""

import pytest


@pytest.fixture
def learn_browser(browser):
    """The session's shared Chromium (tests/conftest.py)."""
    return browser


@pytest.fixture
def learn_site(live_server, settings):
    """The live server, with cookies a plain-http browser will keep (CSRF needs its cookie)."""
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_SECURE = False
    return live_server.url


def _new_page(browser, *, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    return context, page


@pytest.fixture
def learn_page(learn_browser):
    context, page = _new_page(learn_browser, javascript=True)
    yield page
    context.close()


@pytest.fixture
def learn_page_no_js(learn_browser):
    context, page = _new_page(learn_browser, javascript=False)
    yield page
    context.close()
