"""The roles command and the demo users it can create."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_setup_roles_creates_three_groups_with_review_permission_for_hematologists():
    call_command("setup_roles", stdout=io.StringIO())
    assert set(Group.objects.values_list("name", flat=True)) == {"radiologist", "hematologist", "resident"}
    assert list(Group.objects.get(name="hematologist").permissions.values_list("codename", flat=True)) == [
        "review_savedworkup"
    ]
    assert not Group.objects.get(name="radiologist").permissions.exists()


def test_setup_roles_is_idempotent():
    call_command("setup_roles", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    assert Group.objects.count() == 3


def test_setup_roles_demo_users_get_printed_random_passwords():
    out = io.StringIO()
    call_command("setup_roles", "--demo-users", stdout=out)
    passwords = dict(re.findall(r"^(demo-\w+) \(\w+\): password (\S+)$", out.getvalue(), re.MULTILINE))
    assert set(passwords) == {"demo-radiologist", "demo-hematologist", "demo-resident"}
    assert len(set(passwords.values())) == 3
    assert authenticate(None, username="demo-hematologist", password=passwords["demo-hematologist"])
    assert get_user_model().objects.get(username="demo-hematologist").has_perm("workup.review_savedworkup")


def test_setup_roles_without_flag_creates_no_users():
    call_command("setup_roles", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
