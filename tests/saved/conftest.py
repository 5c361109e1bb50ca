"""Fixtures for saved workups: users in each role, golden cases as the screen would post them."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.golden import golden_cases
from workup.saved import services as saved


@pytest.fixture
def roles(db):
    call_command("setup_roles", verbosity=0)
    return {group.name: group for group in Group.objects.all()}


def _user_fixture(username: str, role: str | None = None, **extra):
    """A fixture for one user (password "pw-<username>"), fetched fresh so no permission is cached."""

    @pytest.fixture
    def user(django_user_model, roles):
        created = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
        if role:
            created.groups.add(roles[role])
        return django_user_model.objects.get(pk=created.pk)

    return user


radiologist = _user_fixture("rad-ana", "radiologist")
other_radiologist = _user_fixture("rad-ben", "radiologist")
resident = _user_fixture("res-cai", "resident")
hematologist = _user_fixture("hem-dora", "hematologist")
second_hematologist = _user_fixture("hem-eli", "hematologist")
staff = _user_fixture("staff-fay", is_staff=True)


def golden_inputs(disposition: str) -> str:
    """The JSON text of the first golden case with this disposition, as the screen would post it."""
    case = next(c for c in golden_cases() if c["expected"]["disposition"] == disposition)
    return json.dumps(case["input"], indent=1)


@pytest.fixture
def biopsy_inputs():
    return golden_inputs("PROCEED_TO_BIOPSY")


@pytest.fixture
def deferral_inputs():
    return golden_inputs("DEFERRAL_REASONABLE")


@pytest.fixture
def saved_case(radiologist, biopsy_inputs):
    return saved.workup_save(author=radiologist, inputs_json=biopsy_inputs, label="reading room 2")


@pytest.fixture
def referred_case(saved_case, radiologist):
    saved.workup_refer(workup=saved_case, actor=radiologist, version=saved_case.version)
    return saved_case


@pytest.fixture
def in_review_case(referred_case, hematologist):
    saved.workup_start_review(workup=referred_case, actor=hematologist, version=referred_case.version)
    return referred_case


@pytest.fixture
def reviewed_case(in_review_case, hematologist):
    """A case the hematologist has reviewed, agreeing with biopsy."""
    saved.workup_complete_review(workup=in_review_case, actor=hematologist, version=in_review_case.version,
                                 decision="agree_biopsy", note="")
    return in_review_case
