"""Shared fixtures."""

import pytest

from tests.golden import golden_cases


@pytest.fixture
def golden_deferral_case():
    return next(c for c in golden_cases() if "follow_up_due_date" in c["expected"])
