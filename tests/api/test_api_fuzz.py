"""Bad input at scale: random, malformed, deeply nested and oversized bodies never produce a 5xx."""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from workup.pathway.inputs import INPUTS

FUZZ = hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=20))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
quantities = st.fixed_dictionaries({"value": numbers, "unit": st.sampled_from(["g/dL", "g/L", "mg/L", "x", ""])})
cases = st.dictionaries(st.sampled_from([spec.key for spec in INPUTS] + ["reference_limits"]), st.one_of(json_values, quantities), max_size=12)


def _dumps(value) -> str:
    return json.dumps(value, default=str)


def _post(body: bytes | str, content_type: str = "application/json"):
    return Client().post("/api/v1/evaluate", body, content_type=content_type)


def _assert_client_error_or_ok(response) -> None:
    assert response.status_code < 500, response.content[:300]
    assert response.status_code in (200, 400, 413)


@FUZZ
@given(json_values)
def test_api_fuzz_random_json_never_5xx(value):
    _assert_client_error_or_ok(_post(_dumps(value)))


@FUZZ
@given(cases)
@example({"hemoglobin": {"value": Decimal("1e999999999"), "unit": "g/dL"}})
@example({"flc_kappa": {"value": 0, "unit": "mg/L"}, "flc_lambda": {"value": 0, "unit": "mg/L"}})
@example({"flc_kappa": {"value": 1, "unit": "mg/L"}, "flc_lambda": {"value": Decimal("-1e-999999"), "unit": "mg/L"}})
@example({"age": Decimal("1e999999999")})
@example({"reference_limits": {"calcium_uln": {"value": Decimal("-1e400"), "unit": "mg/dL"}}})
def test_api_fuzz_case_shaped_json_never_5xx(case):
    _assert_client_error_or_ok(_post(_dumps(case)))


@FUZZ
@given(st.binary(max_size=2000))
@example(b"\xff\xfe\x00")
@example(b'{"age": NaN}')
@example(b'{"age": 1e999999999999}')
@example(b'{"hemoglobin": {"value": 1e999999999, "unit": "g/dL"}}')
@example(b'{"flc_ratio": 1e999999999, "calcium": {"value": -1e-999999999, "unit": "mmol/L"}}')
def test_api_fuzz_malformed_bytes_answer_400(body):
    response = _post(body)
    assert response.status_code in (200, 400)


@FUZZ
@given(st.text(max_size=200), st.sampled_from(["application/json", "text/plain", "multipart/form-data", ""]))
def test_api_fuzz_any_content_type_never_5xx(body, content_type):
    _assert_client_error_or_ok(_post(body, content_type))


def test_api_fuzz_deeply_nested_arrays_answer_400():
    assert _post("[" * 100_000).status_code == 400


def test_api_fuzz_deeply_nested_objects_answer_400():
    assert _post('{"a":' * 40_000 + "1" + "}" * 40_000).status_code == 400


def test_api_fuzz_multi_megabyte_body_answers_413():
    response = _post(b'{"age": "' + b"9" * 4_000_000 + b'"}')
    assert response.status_code == 413
    assert response.json()["errors"]["body"]


def test_api_fuzz_body_just_over_the_limit_answers_413():
    assert _post(b" " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)).status_code == 413


@FUZZ
@given(st.dictionaries(st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=5))
def test_api_fuzz_pathway_query_strings_never_5xx(query):
    assert Client().get("/api/v1/pathway", query).status_code == 200


@FUZZ
@given(st.binary(max_size=500))
def test_api_fuzz_pathway_refuses_posts(body):
    assert Client().post("/api/v1/pathway", body, content_type="application/json").status_code == 405
