"""Shared fixtures, test-wide settings and the Hypothesis profile."""

import os

import pytest
from hypothesis import settings

from tests.golden import golden_cases

# CI explores a fixed, reproducible set of examples; local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


# Playwright's sync API runs an event loop in this thread; Django must still allow its ORM here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
CHROMIUM = "/usr/bin/chromium"  # the system Chromium; browser tests never download their own
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session, shared by every browser suite (the machine is small)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def golden_deferral_case():
    return next(c for c in golden_cases() if "follow_up_due_date" in c["expected"])


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    """Serve static files from the source tree (tests have no collectstatic manifest) and hash
    passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Fixtures that open the test database (pytest-django): a test that requests any of them, or carries
# the django_db marker, is a database test.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                     "live_server", "admin_user", "admin_client", "django_user_model"}


def pytest_collection_modifyitems(items):
    """Mark the tests that use the database `database`: `make test` runs those again on PostgreSQL."""
    for item in items:
        if item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.database)
