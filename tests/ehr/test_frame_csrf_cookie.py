"""An embedded SMART launch can post its form: the CSRF cookie reaches a configured EHR's frame."""

from __future__ import annotations

import pytest

from marrowapp.settings import csrf_cookie_samesite

FRAMED = [{"iss": "https://ehr.example/fhir", "client_id": "marrow", "frame_origins": ["https://ehr.example"]}]
NOT_FRAMED = [{"iss": "https://ehr.example/fhir", "client_id": "marrow"}]


@pytest.mark.parametrize(
    ("ehrs", "https", "expected"),
    [
        (FRAMED, True, "None"),  # third-party frame over HTTPS: the cookie must be sent (and is Secure)
        (FRAMED, False, "Lax"),  # SameSite=None needs Secure: never without HTTPS
        (NOT_FRAMED, True, "Lax"),
        ([], True, "Lax"),
        ("not a list", True, "Lax"),
        ([["frame_origins"]], True, "Lax"),
    ],
)
def test_csrf_cookie_crosses_into_the_frame_only_when_an_ehr_may_frame_the_screen(ehrs, https, expected):
    assert csrf_cookie_samesite(ehrs, https) == expected


def test_session_cookie_stays_lax(settings):
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
