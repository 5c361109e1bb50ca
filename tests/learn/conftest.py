"""Learning-mode fixtures: static files served from the finders (no collectstatic manifest)."""

import os

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="session")
def learn_browser():
    """One system Chromium for the whole session (the machine is shared)."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
