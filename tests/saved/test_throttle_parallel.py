"""Issue 21 item 6: the sign-in throttle checks and records in one step, so parallel guesses cannot
all see the room only some of them have.

Twelve parallel sign-ins are played in their worst interleaving, deterministically: each attempt,
once inside its password check, starts the next one, so all twelve have passed the throttle before
any has finished. (The two-server test in tests/deploy/test_scale_out.py sends them really in
parallel, on PostgreSQL.)
"""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend

from workup.models import FailedLogin
from workup.throttle import MAX_FAILURES_PER_USER

PARALLEL = 12
pytestmark = pytest.mark.django_db


def test_throttle_twelve_interleaved_wrong_sign_ins_check_at_most_five_passwords(django_user_model, monkeypatch):
    django_user_model.objects.create_user(username="rad-par", password="pw-rad-par")
    checks, started = [], []
    real_check = ModelBackend.authenticate

    def attempt() -> None:
        started.append(True)
        # authenticate() turns a backend's PermissionDenied into None, as a sign-in form sees it.
        assert authenticate(None, username="rad-par", password=f"wrong-{len(started)}") is None

    def check_while_the_next_attempt_starts(self, request, username=None, password=None, **kwargs):
        checks.append(password)
        outermost = len(checks) == 1
        if len(started) < PARALLEL:
            attempt()
        while outermost and len(started) < PARALLEL:  # the rest, while the first check still runs
            attempt()
        return real_check(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", check_while_the_next_attempt_starts)
    attempt()
    assert len(started) == PARALLEL
    assert len(checks) == MAX_FAILURES_PER_USER
    # Every password checked is recorded as a failure; refused attempts leave no row.
    assert FailedLogin.objects.filter(username="rad-par").count() == MAX_FAILURES_PER_USER


def test_throttle_right_password_after_reserved_attempt_leaves_no_failure(django_user_model):
    django_user_model.objects.create_user(username="rad-ok", password="pw-rad-ok")
    authenticate(None, username="rad-ok", password="wrong")
    assert authenticate(None, username="rad-ok", password="pw-rad-ok") is not None
    assert FailedLogin.objects.filter(username="rad-ok").count() == 0
