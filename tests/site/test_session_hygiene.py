"""Issue 11 item 9: idle and absolute session limits, Secure preference cookies, no-store answers."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from workup.middleware import LAST_SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def radiologist(django_user_model):
    return django_user_model.objects.create_user(username="rad-ana", password="pw-rad-ana")


def _age_session(client, **seconds_ago: int) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = int(time.time()) - ago
    session.save()


def _signed_in(client) -> bool:
    return client.get(reverse("cases:mine")).status_code == 200


def test_session_idle_past_thirty_minutes_is_signed_out(client, radiologist):
    client.force_login(radiologist)
    assert _signed_in(client)
    _age_session(client, **{LAST_SEEN_AT: 31 * 60})
    response = client.get(reverse("cases:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not _signed_in(client)


def test_session_active_within_the_idle_limit_stays(client, radiologist):
    client.force_login(radiologist)
    _age_session(client, **{LAST_SEEN_AT: 29 * 60})
    assert _signed_in(client)


def test_idle_limit_is_configurable(client, radiologist, settings):
    settings.SESSION_IDLE_TIMEOUT = 120
    client.force_login(radiologist)
    _age_session(client, **{LAST_SEEN_AT: 121})
    assert not _signed_in(client)


def test_busy_session_still_ends_at_the_absolute_lifetime(client, radiologist, settings):
    client.force_login(radiologist)
    assert _signed_in(client)
    _age_session(client, **{SIGNED_IN_AT: settings.SESSION_COOKIE_AGE + 1, LAST_SEEN_AT: 5})
    assert not _signed_in(client)


def test_htmx_request_after_idle_timeout_sends_the_page_to_sign_in(client, radiologist):
    client.force_login(radiologist)
    _age_session(client, **{LAST_SEEN_AT: 31 * 60})
    response = client.get(reverse("cases:mine"), HTTP_HX_REQUEST="true")
    assert "HX-Redirect" in response.headers


@pytest.mark.parametrize("secure_setting", [True, False])
def test_theme_cookie_is_secure_under_https(client, settings, secure_setting):
    settings.SESSION_COOKIE_SECURE = secure_setting
    response = client.post(reverse("preferences"), {"theme": "light"})
    assert response.cookies["theme"]["secure"] is (True if secure_setting else "")


def test_preference_cookie_is_secure_on_an_https_request(client, settings):
    settings.SESSION_COOKIE_SECURE = False
    response = client.post(reverse("preferences"), {"theme": "light"}, secure=True)
    assert response.cookies["theme"]["secure"] is True


def test_units_cookie_is_secure_under_https(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = client.post(reverse("workup"), {"unit_system": "si"})
    assert response.cookies["units"]["secure"] is True


def test_api_answers_are_never_stored(client):
    response = client.post("/api/v1/evaluate", '{"age": 60}', content_type="application/json")
    assert "no-store" in response["Cache-Control"]
    refused = client.post("/api/v1/evaluate", '{"age": 1e4400}', content_type="application/json")
    assert "no-store" in refused["Cache-Control"]
