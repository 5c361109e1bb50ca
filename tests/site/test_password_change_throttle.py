"""Issue 11 item 8: a wrong old password on a password-change form is a failed sign-in."""

from __future__ import annotations

import pytest

from workup.models import FailedLogin
from workup.throttle import LOCKED_MESSAGE, MAX_FAILURES_PER_USER

pytestmark = pytest.mark.django_db
PASSWORD = "pw-old-correct-horse"
NEW = "a-new-long-passphrase-77"


@pytest.fixture
def signed_in(client, django_user_model):
    user = django_user_model.objects.create_user(username="rad-ana", password=PASSWORD, is_staff=True)
    client.force_login(user)
    return user


def change(client, old: str, url: str = "/accounts/password_change/"):
    return client.post(url, {"old_password": old, "new_password1": NEW, "new_password2": NEW})


def test_wrong_old_password_is_recorded_as_a_failed_sign_in(client, signed_in):
    response = change(client, "wrong")
    assert response.status_code == 200
    assert FailedLogin.objects.filter(username="rad-ana").count() == 1


def test_after_the_limit_even_the_right_old_password_is_refused(client, signed_in):
    for _ in range(MAX_FAILURES_PER_USER):
        change(client, "wrong")
    response = change(client, PASSWORD)
    assert response.status_code == 200
    assert LOCKED_MESSAGE in response.content.decode()
    signed_in.refresh_from_db()
    assert signed_in.check_password(PASSWORD)


def test_failures_on_the_change_form_pause_the_sign_in_page(client, signed_in):
    for _ in range(MAX_FAILURES_PER_USER):
        change(client, "wrong")
    client.logout()
    response = client.post("/accounts/login/", {"username": "rad-ana", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_right_old_password_still_changes_it(client, signed_in):
    response = change(client, PASSWORD)
    assert response.status_code == 302
    signed_in.refresh_from_db()
    assert signed_in.check_password(NEW)


def test_admin_password_change_counts_failures_too(client, signed_in):
    response = change(client, "wrong", url="/admin/password_change/")
    assert response.status_code == 200
    assert FailedLogin.objects.filter(username="rad-ana").count() == 1
    for _ in range(MAX_FAILURES_PER_USER):
        change(client, "wrong", url="/admin/password_change/")
    assert LOCKED_MESSAGE in change(client, PASSWORD, url="/admin/password_change/").content.decode()
