"""Contract tests for the CDS Hooks 2.0 service: discovery, cards, 412, drafts and feedback."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from tests.ehr.fhir_builders import (
    RECENT,
    SERVICE_BY_HOOK,
    bundle,
    days_ago,
    hook_request,
    observation,
    prefetch_for,
)
from workup.ehr import fhir
from workup.ehr.cds import SUMMARY_MAX
from workup.models import CardFeedback, WorkupDraft
from workup.pathway.engine import PATHWAY_INFO
from workup.saved import drafts

pytestmark = pytest.mark.django_db

SERVICE = "/cds-services/marrow-workup"
ANEMIA = {"hemoglobin": {"value": 10.8, "unit": "g/dL"}}


ORDER_SIGN = SERVICE_BY_HOOK["order-sign"]


def call(client, body):
    """POST to the service for the body's hook (patient-view answers only when a trigger is met)."""
    return client.post(SERVICE_BY_HOOK.get(body.get("hook"), SERVICE), body, content_type="application/json")


def order_request(prefetch=None, **overrides):
    """An order-sign call with a draft bone marrow biopsy order: it always gets one card."""
    return hook_request(prefetch, hook="order-sign", **overrides)


def card_for(client, labs: dict) -> dict:
    response = call(client, order_request(prefetch_for(labs)))
    assert response.status_code == 200
    (card,) = response.json()["cards"]
    return card


def empty_values(value, path="$"):
    """Paths of every null, empty string, empty list or empty object inside value."""
    if value is None or value == "" or value == [] or value == {}:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in empty_values(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in empty_values(v, f"{path}[{i}]")]
    return []


def discovered(client) -> dict:
    return {service["hook"]: service for service in client.get("/cds-services").json()["services"]}


def test_discovery_lists_the_three_services_when_patient_view_is_enabled(client):
    services = discovered(client)
    assert {hook: s["id"] for hook, s in services.items()} == {
        "patient-view": "marrow-workup", "order-select": "marrow-workup-order-select",
        "order-sign": "marrow-workup-order-sign"}
    assert all(s["description"] and s["usageRequirements"] for s in services.values())
    assert "alert fatigue" in services["patient-view"]["description"]


def test_discovery_leaves_patient_view_out_unless_enabled(client, settings):
    settings.CDS_PATIENT_VIEW_ENABLED = False
    assert set(discovered(client)) == {"order-select", "order-sign"}
    response = call(client, hook_request(prefetch_for(ANEMIA)))
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_discovery_prefetch_has_one_key_per_lab_input(client):
    service = discovered(client)["patient-view"]
    assert list(service["prefetch"]) == [*fhir.LAB_KEYS, "patient"]
    assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    for key, template in ((k, t) for k, t in service["prefetch"].items() if k != "patient"):
        assert template.startswith("Observation?patient={{context.patientId}}&code=")
        assert template.endswith("&status=amended,corrected,final&_sort=-date&_count=5")
        for code in fhir.codes_for(key):
            assert f"http://loinc.org|{code}" in template


def test_discovery_hemoglobin_template_matches_documented_form(client):
    service = discovered(client)["order-sign"]
    assert service["prefetch"]["hemoglobin"] == (
        "Observation?patient={{context.patientId}}&code=http://loinc.org|718-7,http://loinc.org|59260-0"
        "&status=amended,corrected,final&_sort=-date&_count=5"
    )


def test_card_has_required_fields(client):
    card = card_for(client, ANEMIA)
    assert isinstance(card["summary"], str) and card["summary"]
    assert card["indicator"] in {"info", "warning", "critical"}
    assert card["source"]["label"]


def test_card_summary_is_under_140_characters(client):
    labs = {
        "hemoglobin": {"value": 9, "unit": "g/dL"},
        "calcium": {"value": 12.5, "unit": "mg/dL"},
        "creatinine": {"value": 3, "unit": "mg/dL"},
        "flc_ratio": 20,
        "igg": {"value": 300, "unit": "mg/dL"},
    }
    card = card_for(client, labs)
    assert len(card["summary"]) <= SUMMARY_MAX < 140


@pytest.mark.parametrize(
    ("labs", "indicator"),
    [
        (ANEMIA, "warning"),
        ({"hemoglobin": {"value": 14, "unit": "g/dL"}}, "info"),
        ({"calcium": {"value": 11.5, "unit": "mg/dL"}}, "critical"),
        ({"creatinine": {"value": 2.01, "unit": "mg/dL"}}, "critical"),
        ({"creatinine": {"value": 2.0, "unit": "mg/dL"}}, "warning"),
    ],
    ids=["proceed-to-biopsy", "complete-workup", "crab-calcium", "crab-renal", "renal-below-crab"],
)
def test_card_indicator_follows_disposition(client, labs, indicator):
    cards = call(client, hook_request(prefetch_for(labs))).json()["cards"]
    if indicator == "info":  # patient-view: no trigger, nothing actionable, no card
        assert cards == []
    else:
        assert cards[0]["indicator"] == indicator


def test_card_has_no_null_or_empty_optional_fields(client):
    card = card_for(client, ANEMIA)
    assert empty_values(card) == []


def test_card_uuid_is_a_uuid_and_unique_per_call(client):
    first, second = card_for(client, ANEMIA), card_for(client, ANEMIA)
    assert uuid.UUID(first["uuid"]) != uuid.UUID(second["uuid"])


def test_card_source_names_pathway_and_version(client):
    card = card_for(client, ANEMIA)
    assert card["source"]["label"] == (
        f"Marrow heterogeneity pathway v{PATHWAY_INFO.version}, from an AI-generated article pending human review")


def test_card_detail_states_basis_with_value_and_threshold(client):
    detail = card_for(client, ANEMIA)["detail"]
    assert "`BX-ANEMIA`" in detail
    assert "Hemoglobin 10.8 g/dL \\< 12.0 g/dL (default limit)" in detail
    assert f"LOINC 718-7, {RECENT}" in detail


def test_card_detail_shows_a_derived_ratio_with_its_value(client):
    labs = {"flc_kappa": {"value": 30, "unit": "mg/L"}, "flc_lambda": {"value": 10, "unit": "mg/L"}}
    detail = card_for(client, labs)["detail"]
    assert "FLC κ/λ ratio 3 (computed from κ 30 mg/L ÷ λ 10 mg/L) \\> 1.65 (default limit)" in detail
    assert "None" not in detail


def _criteria_section(detail: str) -> list[str]:
    section = detail.split("**Published criteria (")[1].split("\n\n**")[0]
    return [line.removeprefix("- ") for line in section.splitlines() if line.startswith("- ")]


def test_card_detail_sets_the_published_criteria_beside_the_trigger(client):
    lines = _criteria_section(card_for(client, ANEMIA)["detail"])
    assert lines == [
        "`CRIT-WHO-ANEMIA` WHO anaemia: cannot be judged from these inputs; not measured: Pregnant, Sex",
        # 1.2: Hb 10.8 with sex not recorded lies where the IMWG threshold depends on sex (SPEC §10).
        "`CRIT-IMWG-ANEMIA` IMWG CRAB anaemia threshold: cannot be judged from these inputs",
    ]


def test_card_detail_names_a_criterion_met_without_a_source_trigger(client):
    lines = _criteria_section(card_for(client, ANEMIA | {"flc_ratio": 8})["detail"])
    assert "`CRIT-FLC-PUBLISHED` FLC breakpoint as published: met" in lines


def test_card_detail_lists_unknowns(client):
    detail = card_for(client, ANEMIA)["detail"]
    assert "**Unknowns (could change the result)**" in detail
    assert "Serum protein electrophoresis M-spike (core lab: needed for a complete panel)" in detail


def test_card_link_is_absolute_and_opens_a_draft_without_lab_values(client):
    (link,) = card_for(client, ANEMIA)["links"]
    assert link["type"] == "absolute"
    assert link["url"].startswith("http://testserver/?draft=")
    assert "10.8" not in link["url"] and "hemoglobin" not in link["url"]
    token = link["url"].split("draft=", 1)[1]
    assert client.post("/api/v1/drafts", {"token": token}, content_type="application/json").json() == {"inputs": ANEMIA}


def test_draft_stores_only_pathway_inputs(client):
    card_for(client, ANEMIA)
    (draft,) = WorkupDraft.objects.all()
    assert draft.inputs == ANEMIA
    assert "example" not in str(draft.inputs)  # the patient id from the hook context


def test_missing_prefetch_answers_412_with_operation_outcome(client):
    response = call(client, order_request())
    assert response.status_code == 412
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["severity"] == "error"
    assert body["issue"][0]["code"] == "required"


def test_empty_prefetch_answers_412(client):
    response = call(client, order_request({}))
    assert response.status_code == 412
    assert response.json()["resourceType"] == "OperationOutcome"


def test_null_prefetch_keys_are_unknowns_not_errors(client):
    card = card_for(client, {})
    assert card["extension"]["org.marrow-workup.assessment"]["disposition"] == "COMPLETE_WORKUP"


def test_absent_prefetch_keys_are_listed_as_not_supplied(client):
    response = call(client, order_request({"hemoglobin": bundle(observation("718-7", 13.1, "g/dL"))}))
    detail = response.json()["cards"][0]["detail"]
    assert "Not supplied by the EHR: `wbc`, `platelets`" in detail


def test_invalid_json_answers_400_with_operation_outcome(client):
    response = client.post(SERVICE, b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["issue"][0]["diagnostics"] == "The body is not valid JSON."


def test_wrong_hook_answers_400_with_operation_outcome(client):
    response = client.post(SERVICE, order_request(prefetch_for(ANEMIA)), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_newest_observation_per_analyte_wins(client):
    older = observation("718-7", 10.0, "g/dL", effective=days_ago(20))
    newer = observation("59260-0", 8.7, "mmol/L", effective=days_ago(3) + "T09:30:00+01:00")
    response = call(client, order_request({"hemoglobin": bundle(older, newer)}))
    token = response.json()["cards"][0]["links"][0]["url"].split("draft=")[1]
    assert drafts.draft_load(token=token) == {"hemoglobin": {"value": 8.7, "unit": "mmol/L"}}


@pytest.mark.parametrize(
    ("key", "loinc", "ucum", "unit"),
    [
        ("creatinine", "14682-9", "umol/L", "µmol/L"),
        ("wbc", "6690-2", "10*9/L", "10^9/L"),
        ("platelets", "777-3", "10*3/uL", "10^3/µL"),
        ("egfr", "98979-8", "mL/min/{1.73_m2}", "mL/min/1.73m2"),
    ],
)
def test_ucum_unit_maps_to_pathway_unit(client, key, loinc, ucum, unit):
    response = call(client, order_request({key: bundle(observation(loinc, 80, ucum))}))
    token = response.json()["cards"][0]["links"][0]["url"].split("draft=")[1]
    assert drafts.draft_load(token=token) == {key: {"value": 80, "unit": unit}}


def test_unknown_unit_is_skipped_and_reported(client):
    odd = observation("718-7", 7.1, "%")
    response = call(client, order_request({"hemoglobin": bundle(odd)}))
    card = response.json()["cards"][0]
    assert "`prefetch.hemoglobin.entry[0]`: Hemoglobin \\[Mass/volume\\] in Blood: unit “%”" in card["detail"]
    assert card["extension"]["org.marrow-workup.assessment"]["disposition"] == "COMPLETE_WORKUP"


def test_implausible_value_is_refused_and_reported(client):
    response = call(client, order_request({"hemoglobin": bundle(observation("718-7", 112, "g/dL"))}))
    card = response.json()["cards"][0]
    assert "Was it entered in g/L?" in card["detail"]
    assert "BX-ANEMIA" not in card["summary"]


def test_round_trip_with_realistic_prefetch(client):
    prefetch = prefetch_for(
        {
            "hemoglobin": {"value": 11.2, "unit": "g/dL"},
            "wbc": {"value": 5.1, "unit": "10^9/L"},
            "platelets": {"value": 210, "unit": "10^9/L"},
            "flc_kappa": {"value": 48.2, "unit": "mg/L"},
            "flc_lambda": {"value": 4.1, "unit": "mg/L"},
            "calcium": {"value": 2.41, "unit": "mmol/L"},
            "albumin": {"value": 39, "unit": "g/L"},
            "creatinine": {"value": 97, "unit": "µmol/L"},
            "egfr": {"value": 71, "unit": "mL/min/1.73m2"},
            "beta2_microglobulin": {"value": 2.9, "unit": "mg/L"},
        }
    )
    prefetch["flc_ratio"] = None
    response = call(client, hook_request(prefetch))
    card = response.json()["cards"][0]
    assessment = card["extension"]["org.marrow-workup.assessment"]
    assert assessment["disposition"] == "PROCEED_TO_BIOPSY"
    assert {"BX-ANEMIA", "BX-FLC"} <= set(assessment["ruleIds"])
    assert card["summary"] == "Marrow MRI pathway: labs meet a biopsy trigger (BX-ANEMIA, BX-FLC)"
    token = card["links"][0]["url"].split("draft=")[1]
    evaluated = client.post("/api/v1/evaluate", client.post("/api/v1/drafts", {"token": token}, content_type="application/json").json()["inputs"],
                            content_type="application/json").json()
    assert evaluated["disposition"] == assessment["disposition"]
    feedback = {"feedback": [{"card": card["uuid"], "outcome": "overridden",
                              "overrideReason": {"reason": card["overrideReasons"][0]},
                              "outcomeTimestamp": "2026-03-01T10:00:00Z"}]}
    assert client.post(SERVICE + "/feedback", feedback, content_type="application/json").status_code == 200
    assert CardFeedback.objects.get().card_uuid == uuid.UUID(card["uuid"])


def issued_card(client) -> str:
    """The uuid of a card the service just answered with (feedback is taken only for those)."""
    return call(client, hook_request(prefetch_for({"hemoglobin": {"value": 10.8, "unit": "g/dL"}}))).json()[
        "cards"][0]["uuid"]


def test_feedback_overridden_with_reason_is_stored(client):
    card = issued_card(client)
    body = {"feedback": [{"card": card, "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z",
                          "overrideReason": {"reason": {"system": "http://testserver/cds-services/override-reasons",
                                                        "code": "etiology-known",
                                                        "display": "Etiology of the marrow finding is already known"},
                                             "userComment": "Patient Jane Doe had a biopsy last week"}}]}
    response = client.post(SERVICE + "/feedback", body, content_type="application/json")
    assert response.status_code == 200
    stored = CardFeedback.objects.get()
    assert (str(stored.card_uuid), stored.outcome, stored.override_reason_code) == (card, "overridden", "etiology-known")
    assert stored.override_reason_display == "Etiology of the marrow finding is already known"
    assert stored.outcome_timestamp == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)


def test_feedback_user_comment_is_not_stored(client):
    body = {"feedback": [{"card": issued_card(client), "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z",
                          "overrideReason": {"userComment": "Jane Doe, MRN 12345"}}]}
    client.post(SERVICE + "/feedback", body, content_type="application/json")
    stored = CardFeedback.objects.get()
    assert "Jane" not in " ".join(str(getattr(stored, f.name)) for f in CardFeedback._meta.fields)


def test_feedback_for_a_card_never_issued_is_refused_and_stores_nothing(client):
    body = {"feedback": [{"card": str(uuid.uuid4()), "outcome": "overridden",
                          "outcomeTimestamp": "2026-03-01T10:00:00Z"}] * 20}
    response = client.post(SERVICE + "/feedback", body, content_type="application/json")
    assert response.status_code == 400
    assert "not a card this service issued" in response.json()["issue"][0]["diagnostics"]
    assert not CardFeedback.objects.exists()


def test_feedback_is_stored_once_per_card_and_outcome(client):
    entry = {"card": issued_card(client), "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z"}
    for _ in range(3):
        assert client.post(SERVICE + "/feedback", {"feedback": [entry, entry]},
                           content_type="application/json").status_code == 200
    assert CardFeedback.objects.count() == 1


def test_feedback_with_too_many_entries_is_refused(client):
    entry = {"card": issued_card(client), "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z"}
    response = client.post(SERVICE + "/feedback", {"feedback": [entry] * 21}, content_type="application/json")
    assert response.status_code == 400
    assert not CardFeedback.objects.exists()


def test_feedback_accepted_needs_accepted_suggestions_the_card_offered(client):
    card = issued_card(client)  # a patient-view card offers no suggestion, so nothing can be accepted
    bare = {"card": card, "outcome": "accepted", "outcomeTimestamp": "2026-03-01T10:00:00Z"}
    response = client.post(SERVICE + "/feedback", {"feedback": [bare]}, content_type="application/json")
    assert response.status_code == 400
    assert "acceptedSuggestions" in response.json()["issue"][0]["diagnostics"]
    offered_none = bare | {"acceptedSuggestions": [{"id": str(uuid.uuid4())}]}
    response = client.post(SERVICE + "/feedback", {"feedback": [offered_none]}, content_type="application/json")
    assert "did not offer" in response.json()["issue"][0]["diagnostics"]
    assert not CardFeedback.objects.exists()


def test_feedback_client_reason_that_looks_like_an_identifier_is_refused(client):
    entry = {"card": issued_card(client), "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z",
             "overrideReason": {"reason": {"system": "https://ehr.example.org/reasons", "code": "x",
                                           "display": "seen 12/03/1961"}}}
    response = client.post(SERVICE + "/feedback", {"feedback": [entry]}, content_type="application/json")
    assert response.status_code == 400
    assert not CardFeedback.objects.exists()


def test_anonymous_caller_is_capped_like_sign_in_to_save(client, monkeypatch):
    from workup.models import IssuedCard
    monkeypatch.setattr(drafts, "SIGNED_OUT_DRAFTS_PER_ADDRESS", 3)
    labs = hook_request(prefetch_for({"hemoglobin": {"value": 10.8, "unit": "g/dL"}}))
    cards = [call(client, labs).json()["cards"][0] for _ in range(5)]
    assert [("links" in card) for card in cards] == [True, True, True, False, False]
    assert WorkupDraft.objects.count() == 3
    assert IssuedCard.objects.count() == 3
    assert "no prefilled link" in cards[-1]["detail"]


def test_no_draft_is_written_when_no_lab_was_read(client):
    card = call(client, order_request(prefetch_for({}))).json()["cards"][0]
    assert "links" not in card
    assert not WorkupDraft.objects.exists()


@pytest.mark.parametrize(
    "entry",
    [
        {"card": "not-a-uuid", "outcome": "accepted", "outcomeTimestamp": "2026-03-01T10:00:00Z"},
        {"card": "4e0a3a1e-3283-4575-ab82-028d55fe2719", "outcome": "ignored", "outcomeTimestamp": "2026-03-01T10:00:00Z"},
        {"card": "4e0a3a1e-3283-4575-ab82-028d55fe2719", "outcome": "accepted", "outcomeTimestamp": "yesterday"},
        {"card": "4e0a3a1e-3283-4575-ab82-028d55fe2719", "outcome": "accepted", "outcomeTimestamp": "2026-03-01T10:00:00Z",
         "overrideReason": {"reason": {"code": "x"}}},
    ],
    ids=["bad-uuid", "bad-outcome", "bad-timestamp", "reason-on-accepted"],
)
def test_feedback_invalid_entry_answers_400_and_stores_nothing(client, entry):
    valid = {"card": issued_card(client), "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z"}
    response = client.post(SERVICE + "/feedback", {"feedback": [valid, entry]}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
    assert "feedback[1]" in response.json()["issue"][0]["diagnostics"]
    assert CardFeedback.objects.count() == 0


def test_draft_unknown_token_answers_404(client):
    response = client.post("/api/v1/drafts", {"token": "nope"}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"errors": {"token": ["Unknown or expired draft."]}}


def test_draft_expired_is_not_loaded():
    token = drafts.draft_create(case_data=ANEMIA)
    WorkupDraft.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert drafts.draft_load(token=token) is None


def test_draft_create_refuses_invalid_inputs():
    from workup.pathway.parsing import CaseInvalid

    with pytest.raises(CaseInvalid):
        drafts.draft_create(case_data={"hemoglobin": {"value": 112, "unit": "g/dL"}})
    assert WorkupDraft.objects.count() == 0


def test_draft_token_is_long_and_random():
    first, second = drafts.draft_create(case_data={}), drafts.draft_create(case_data={})
    assert first != second and len(first) >= 40


@pytest.mark.parametrize("token", ["a\x00b" * 15, "%C2%84", "x" * 42, "x" * 44, "../etc"])
def test_draft_malformed_token_is_refused_without_a_query(client, django_assert_num_queries, token):
    with django_assert_num_queries(0):
        assert drafts.draft_load(token=token) is None


def test_draft_well_formed_token_still_loads():
    token = drafts.draft_create(case_data=ANEMIA)
    assert drafts.draft_load(token=token) == ANEMIA


@pytest.mark.parametrize("display", ["John Smith asked", "MRN 48219", "ＭＲＮ 48219", "seen 12-Mar-1961"])
def test_feedback_client_reason_with_a_name_or_identifier_is_refused(client, display):
    entry = {"card": issued_card(client), "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z",
             "overrideReason": {"reason": {"system": "urn:oid:2.16.840.1.113883.3.1937", "code": "other",
                                           "display": display}}}
    response = client.post(SERVICE + "/feedback", {"feedback": [entry]}, content_type="application/json")
    assert response.status_code == 400
    assert "overrideReason.reason.display" in response.json()["issue"][0]["diagnostics"]
    assert not CardFeedback.objects.exists()


def test_feedback_client_reason_with_an_oid_system_is_stored(client):
    entry = {"card": issued_card(client), "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z",
             "overrideReason": {"reason": {"system": "urn:oid:2.16.840.1.113883.3.1937", "code": "duplicate",
                                           "display": "Duplicate alert"}}}
    assert client.post(SERVICE + "/feedback", {"feedback": [entry]}, content_type="application/json").status_code == 200
    assert CardFeedback.objects.get().override_reason_code == "duplicate"
