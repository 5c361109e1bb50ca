"""POST /api/v1/evaluate and GET /api/v1/pathway: the JSON contract of issue 2."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.golden import criteria_params, golden_params, invalid_params, observed, observed_criteria
from workup.pathway.rules import RULES_BY_ID

URL = "/api/v1/evaluate"
TOP_LEVEL_KEYS = {
    "disposition", "summary", "options", "triggers", "deferral_considerations", "imaging", "follow_up",
    "conflicts", "pitfalls", "mri", "labs", "unknowns", "warnings", "pathway", "criteria", "urgent",
}  # fmt: skip
ID_GROUPS = ("triggers", "deferral_considerations", "imaging", "follow_up", "pitfalls", "mri", "warnings")


def post(client, body):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=raw, content_type="application/json")


@pytest.mark.parametrize("case", golden_params())
def test_golden_case_api(client, case):
    response = post(client, case["input"])
    assert response.status_code == 200
    assert observed(response.json()) == case["expected"]


@pytest.mark.parametrize("case", criteria_params())
def test_golden_case_api_criteria(client, case):
    response = post(client, case["input"])
    assert observed_criteria(response.json()) == case["criteria"]


@pytest.mark.parametrize("case", invalid_params())
def test_invalid_case_api_names_the_field(client, case):
    response = post(client, case["input"])
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == set(case["error_keys"])
    assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)
    if "probable_unit" in case:
        assert any(case["probable_unit"] in m for messages in errors.values() for m in messages)


def test_empty_object_is_a_valid_case(client):
    response = post(client, {})
    assert response.status_code == 200
    assert response.json()["disposition"] == "COMPLETE_WORKUP"


def test_result_has_the_contract_keys(client):
    assert set(post(client, {}).json()) == TOP_LEVEL_KEYS


def test_every_item_carries_its_rule_id(client):
    body = {
        "hemoglobin": {"value": 10, "unit": "g/dL"}, "precontrast_t1": "no", "limited_life_expectancy": True,
        "t1_vs_disc": "hypointense", "focal_lesions": "one", "history_of_cancer": True,
    }  # fmt: skip
    result = post(client, body).json()
    for group in ID_GROUPS:
        assert result[group] or group == "follow_up"
        assert all(item["id"] in RULES_BY_ID for item in result[group])


def test_pitfalls_have_active_and_reason(client):
    pitfalls = post(client, {"precontrast_t1": "no"}).json()["pitfalls"]
    assert len(pitfalls) == 4
    assert all(isinstance(p["active"], bool) and p["reason"] for p in pitfalls)


def test_follow_up_has_iso_due_date(client, golden_deferral_case):
    follow_up = post(client, golden_deferral_case["input"]).json()["follow_up"]
    assert follow_up[0]["id"] == "FU-REPEAT-LABS"
    assert follow_up[0]["due_date"] == golden_deferral_case["expected"]["follow_up_due_date"]


def test_pathway_identity_in_result_matches_the_rule_table(client):
    result = post(client, {}).json()["pathway"]
    table = client.get("/api/v1/pathway").json()["pathway"]
    assert result == table
    assert set(result) == {"id", "version", "source_date", "hash"}


def test_pathway_endpoint_lists_rules_thresholds_and_citations(client):
    body = client.get("/api/v1/pathway").json()
    assert {r["id"] for r in body["rules"]} == set(RULES_BY_ID)
    assert {"HB_TRIGGER", "CALCIUM_ULN", "FLC_NORMAL_LOW"} <= {t["name"] for t in body["thresholds"]}
    assert all(r["citations"] for r in body["rules"] if r["kind"] == "trigger")


def test_umol_spelling_is_accepted(client):
    response = post(client, {"creatinine": {"value": 150, "unit": "umol/L"}})
    assert response.status_code == 200
    assert "BX-RENAL" in {t["id"] for t in response.json()["triggers"]}


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"', "{", '{"age": NaN}', b"\xff\xfe"])
def test_body_that_is_not_a_json_object_is_400(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert "body" in response.json()["errors"] or "age" in response.json()["errors"]


def test_deeply_nested_json_is_400(client):
    assert post(client, "[" * 100_000 + "]" * 100_000).status_code == 400


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_evaluate_makes_no_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert post(client, {"hemoglobin": {"value": 11, "unit": "g/dL"}}).status_code == 200


@pytest.mark.django_db
def test_invalid_case_makes_no_database_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert post(client, {"age": "old"}).status_code == 400


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(["hemoglobin", "age", "spep", "flc_ratio", "benign_context", "reference_limits",
                        "evaluation_date", "calcium", "sex", "history_of_cancer"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(KEYS, JSON, max_size=6) | JSON)
def test_api_never_answers_500_to_any_json(client, body):
    assert post(client, body).status_code in (200, 400)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_api_never_answers_500_to_any_bytes(client, body):
    assert post(client, body).status_code in (200, 400)
