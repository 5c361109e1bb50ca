"""Shared fixtures, test-wide settings and the Hypothesis profile."""

import os

import pytest
from hypothesis import settings

from tests.golden import golden_cases

# CI explores a fixed, reproducible set of examples; local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Serve static files from the source tree: tests have no collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def golden_deferral_case():
    return next(c for c in golden_cases() if "follow_up_due_date" in c["expected"])
