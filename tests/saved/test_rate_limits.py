"""Issue 21 items 3 and 6: costly actions are rate-limited per client address or per user."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workup.models import AuditEvent
from workup.throttle import LAUNCH_RATE, PDF_RATE

pytestmark = pytest.mark.django_db


def test_launch_beyond_the_rate_from_one_address_is_429_without_a_row(client, settings):
    settings.SMART_EHRS = []  # every launch is refused as unregistered: no EHR needed to count them
    statuses = [client.get("/launch", {"iss": "https://ehr.example/fhir", "launch": "x"},
                           REMOTE_ADDR="198.51.100.7").status_code for _ in range(LAUNCH_RATE.limit + 5)]
    assert statuses[: LAUNCH_RATE.limit] == [400] * LAUNCH_RATE.limit
    assert statuses[LAUNCH_RATE.limit:] == [429] * 5
    refused = client.get("/launch", {"iss": "https://ehr.example/fhir", "launch": "x"}, REMOTE_ADDR="198.51.100.7")
    assert refused["Retry-After"] == "60"
    assert "Too many launches" in refused.content.decode()
    # Another address is not held back by the first one's launches.
    other = client.get("/launch", {"iss": "https://ehr.example/fhir", "launch": "x"}, REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 400


def test_pdf_export_beyond_the_rate_for_one_user_is_429(client, radiologist, saved_case):
    client.force_login(radiologist)
    url = reverse("cases:export-pdf", kwargs={"reference": saved_case.reference})
    statuses = [client.get(url).status_code for _ in range(PDF_RATE.limit + 2)]
    assert statuses == [200] * PDF_RATE.limit + [429, 429]
    exports = AuditEvent.objects.filter(workup=saved_case, details="pdf").count()
    assert exports == PDF_RATE.limit  # a refused export is not recorded as an export
