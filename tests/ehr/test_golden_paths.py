"""The golden cases through the CDS hook: one engine behind every path.

For each golden case the hook gets its labs (as coded Observations) and its age and sex (as a
Patient); the card must give the same disposition as the JSON API on the same inputs, and the draft
it links to, completed with what the clinician still enters (MRI findings, context), must give the
golden result.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ehr.fhir_builders import SERVICE_BY_HOOK, hook_request, prefetch_for, split_case
from tests.golden import golden_cases, observed, representative_names, representative_params
from workup.saved import drafts

pytestmark = pytest.mark.django_db

DEMOGRAPHICS = ("age", "sex")


def patient_for(inputs: dict) -> dict | None:
    """A Patient whose birth date gives the case's age today, and whose gender gives its sex."""
    resource = {"resourceType": "Patient", "id": "example"}
    if "age" in inputs:
        today = dt.date.today()
        resource["birthDate"] = today.replace(year=today.year - inputs["age"], day=1 if today.day > 28 else today.day
                                              ).isoformat()
    if inputs.get("sex") in ("male", "female"):
        resource["gender"] = inputs["sex"]
    return resource


# order-sign runs the whole golden set; order-select and patient-view share its code and differ in
# the hook and what they answer, so they run the representative subset (tests/golden.py).
ORDER_HOOK_CASES = [
    pytest.param(case, hook, id=f"{case['name']}-{hook}")
    for hook, names in (("order-sign", None), ("order-select", set(representative_names())))
    for case in golden_cases() if names is None or case["name"] in names
]


@pytest.mark.parametrize(("case", "hook"), ORDER_HOOK_CASES)
def test_golden_case_through_an_order_hook_and_its_draft(client, case, hook):
    labs, rest = split_case(case["input"])
    prefetch = prefetch_for(labs) | {"patient": patient_for(case["input"])}
    response = client.post(SERVICE_BY_HOOK[hook], hook_request(prefetch, hook=hook), content_type="application/json")
    assert response.status_code == 200
    if case["input"].get("age", 18) < 18:  # SPEC 1.2 §6.3: no card at all under 18
        assert response.json()["cards"] == []
        return
    (card,) = response.json()["cards"]
    disposition = card["extension"]["org.marrow-workup.assessment"]["disposition"]
    read = drafts.draft_load(token=card["links"][0]["url"].split("draft=")[1]) if "links" in card else {}
    assert {k: v for k, v in read.items() if k not in DEMOGRAPHICS} == {
        k: v for k, v in labs.items()}, "every lab of the case was read"
    same_inputs = client.post("/api/v1/evaluate", read, content_type="application/json").json()
    assert same_inputs["disposition"] == disposition
    completed = read | {k: v for k, v in rest.items() if k not in read}
    assert observed(client.post("/api/v1/evaluate", completed, content_type="application/json").json()) == case[
        "expected"]


@pytest.mark.parametrize("case", representative_params())
def test_golden_case_through_patient_view_gives_a_card_only_for_a_trigger(client, case):
    labs, _ = split_case(case["input"])
    prefetch = prefetch_for(labs) | {"patient": patient_for(case["input"])}
    cards = client.post(SERVICE_BY_HOOK["patient-view"], hook_request(prefetch),
                        content_type="application/json").json()["cards"]
    read = {**labs, **{k: case["input"][k] for k in DEMOGRAPHICS if k in case["input"]}}
    api = client.post("/api/v1/evaluate", read, content_type="application/json").json()
    assert bool(cards) == bool(api["triggers"])
    if cards:
        assert cards[0]["extension"]["org.marrow-workup.assessment"]["disposition"] == api["disposition"]
