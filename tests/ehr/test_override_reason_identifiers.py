"""Issue 21 item 4: a CDS override reason's code system must be a URI, and its words pass the same
checks as every stored free text (the second security review's list)."""

from __future__ import annotations

import pytest

from tests.ehr.test_cds_hooks import SERVICE, issued_card
from tests.saved.test_identifiers_round2 import SECOND_REVIEW
from workup.models import CardFeedback

pytestmark = pytest.mark.django_db

# What the review put in overrideReason.reason.system, and two URLs that carry an identifier.
SYSTEMS_STORED = ["John Smith 58M", "MRN 4821973", "1961-03-12", "jane.doe@example.org",
                  "https://ehr.example.org/mrn/4821973", "https://ehr.example.org/John Smith"]


def _feedback(client, reason: dict):
    entry = {"card": issued_card(client), "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z",
             "overrideReason": {"reason": reason}}
    return client.post(SERVICE + "/feedback", {"feedback": [entry]}, content_type="application/json")


@pytest.mark.parametrize("display", SECOND_REVIEW)
def test_second_review_override_reason_text_is_refused(client, display):
    response = _feedback(client, {"system": "https://ehr.example.org/reasons", "code": "other", "display": display})
    assert response.status_code == 400
    assert not CardFeedback.objects.exists()


@pytest.mark.parametrize("system", [*SYSTEMS_STORED, "", "missing"])
def test_override_reason_system_must_be_a_uri(client, system):
    reason = {"code": "duplicate", "display": "Duplicate alert"} | ({} if system == "missing" else {"system": system})
    response = _feedback(client, reason)
    assert response.status_code == 400
    assert "overrideReason.reason.system" in response.json()["issue"][0]["diagnostics"]
    assert not CardFeedback.objects.exists()


@pytest.mark.parametrize("system", ["https://ehr.example.org/fhir/CodeSystem/override-reasons",
                                    "urn:oid:2.16.840.1.113883.3.1937",
                                    "urn:uuid:4e0a3a1e-3283-4575-ab82-028d55fe2719"])
def test_override_reason_system_uri_is_stored(client, system):
    assert _feedback(client, {"system": system, "code": "duplicate", "display": "Duplicate alert"}).status_code == 200
    assert CardFeedback.objects.get().override_reason_system == system
