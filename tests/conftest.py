"""Test-wide settings: serve static files from the source tree (no collectstatic manifest in tests)."""

import pytest


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
