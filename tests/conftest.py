"""Shared fixtures."""

import pytest

from tests.golden import golden_cases


@pytest.fixture
def golden_deferral_case():
    return next(c for c in golden_cases() if "follow_up_due_date" in c["expected"])


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    """Tests serve static files through finders (the manifest exists only after collectstatic),
    and hash passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
