"""Issue 11 item 1: every number in a JSON body is bounded at parse time (digits and exponent).

A huge exponent or digit string is refused with a 400 naming its field, quickly, before any
arithmetic on it; the shared helpers in workup.pathway.validation do the bounding.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from tests.ehr.fhir_builders import bundle, observation
from workup.http import JsonNumberRefused, json_loads
from workup.pathway import validation

URL = "/api/v1/evaluate"
HUGE = ["1e999999999", "1e4400", "1e-999999", "-1E+101", "0e-999999", "9" * 5000, "0." + "0" * 5000 + "1"]
QUICK_SECONDS = 0.25  # "well under a second", with room for a loaded CI machine


def post_raw(client, text: str):
    started = time.monotonic()
    response = client.post(URL, data=text, content_type="application/json")
    return response, time.monotonic() - started


@pytest.mark.parametrize("number", HUGE)
def test_huge_number_in_a_quantity_is_refused_naming_the_field(client, number):
    response, seconds = post_raw(client, f'{{"hemoglobin": {{"value": {number}, "unit": "g/dL"}}}}')
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["hemoglobin.value"]
    assert seconds < QUICK_SECONDS


def test_tiny_flc_ratio_is_refused_not_evaluated(client):
    # Before: 200 with a biopsy recommendation for a ratio of 10^-999999.
    response, _ = post_raw(client, '{"flc_ratio": 1e-999999}')
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["flc_ratio"]


def test_long_digit_string_age_names_the_field_not_the_body(client):
    # Before: {"body": ["The body is not valid JSON."]} (int() refused 5,000 digits).
    response, seconds = post_raw(client, '{"age": %s}' % ("9" * 5000))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["age"]
    assert seconds < QUICK_SECONDS


def test_refused_value_is_echoed_shortened(client):
    response, _ = post_raw(client, '{"age": %s}' % ("9" * 100_000))
    message = response.json()["errors"]["age"][0]
    assert len(message) < 200
    assert "100,000 characters" in message


@pytest.mark.parametrize("number", ["1e999999999", "1e4400", "1e-999999"])
def test_huge_number_inside_reference_limits_names_the_limit(client, number):
    text = f'{{"reference_limits": {{"hemoglobin_lln": {{"value": {number}, "unit": "g/dL"}}}}}}'
    response, seconds = post_raw(client, text)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reference_limits.hemoglobin_lln.value"]
    assert seconds < QUICK_SECONDS


@pytest.mark.parametrize("number", ["1e999999999", "1e4400", "1e-999999", "9" * 5000])
def test_huge_number_inside_an_observations_bundle_names_the_entry(client, number):
    # Before: 1e4400 here answered 500 (the FHIR mapping's int() on a huge Decimal).
    body = {"age": 60, "observations": bundle(observation("718-7", 11.5, "g/dL"))}
    text = json.dumps(body).replace("11.5", number)
    response, seconds = post_raw(client, text)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["observations.entry[0].resource.valueQuantity.value"]
    assert seconds < QUICK_SECONDS


@pytest.mark.django_db
def test_ordinary_numbers_still_evaluate(client):
    body = '{"age": 60, "hemoglobin": {"value": 11.5, "unit": "g/dL"}, "flc_ratio": 1.2e0}'
    response, _ = post_raw(client, body)
    assert response.status_code == 200


def test_healthz_is_unaffected_after_refusals(client):
    for number in HUGE:
        post_raw(client, f'{{"flc_ratio": {number}}}')
    started = time.monotonic()
    assert client.get("/healthz").status_code == 200
    assert time.monotonic() - started < QUICK_SECONDS


def test_json_loads_names_nested_list_positions():
    with pytest.raises(JsonNumberRefused) as raised:
        json_loads('{"a": [1, {"b": 1e4400}]}')
    assert raised.value.field == "a[1].b"


def test_json_loads_keeps_whole_numbers_as_int_and_others_as_decimal():
    assert json_loads('{"a": 3, "b": 1.5}') == {"a": 3, "b": Decimal("1.5")}
    assert isinstance(json_loads("3"), int)


@pytest.mark.parametrize("text", ["12", "-0.5", "1.2e3", " 7 ", "1e100", "1e-100"])
def test_number_text_within_bounds_is_accepted(text):
    assert validation.number_text_error(text) is None
    assert validation.bounded_decimal(text) == Decimal(text.strip())


@pytest.mark.parametrize("text", ["1e101", "1e-101", "1e999999999", "9" * 41, "abc", "NaN", "Infinity", ""])
def test_number_text_beyond_bounds_is_refused(text):
    assert validation.number_text_error(text)
    with pytest.raises(validation.NumberRefused):
        validation.bounded_decimal(text)


def test_number_error_of_a_form_field_never_echoes_megabytes():
    # Before: "“<5 MB>” is not a number." went back in the form fragment.
    message = validation.number_error("1e-" + "9" * 5_000_000)
    assert message is not None and len(message) < 200


def test_echo_value_keeps_short_values_and_shortens_long_ones():
    assert validation.echo_value("12abc") == "12abc"
    assert validation.echo_value("x" * 1000) == "x" * validation.ECHO_LENGTH + "… (1,000 characters)"


@pytest.mark.parametrize(
    "raw", [10**5000, Decimal("1e999999999"), Decimal("1e-999999"), Decimal("1." + "1" * 60), Decimal("NaN")],
    ids=["int-5001-digits", "1e999999999", "1e-999999", "61-digits", "NaN"],
)
def test_case_from_json_refuses_unbounded_numbers_built_by_other_callers(raw):
    # FHIR and CDS prefetch build the data themselves; 10**5000 made str() raise (a 500) before.
    from workup.pathway.parsing import CaseInvalid, case_from_json

    for data, field in (
        ({"age": raw}, "age"), ({"flc_ratio": raw}, "flc_ratio"),
        ({"hemoglobin": {"value": raw, "unit": "g/dL"}}, "hemoglobin"),
    ):  # fmt: skip
        with pytest.raises(CaseInvalid) as invalid:
            case_from_json(data=data)
        assert list(invalid.value.errors) == [field]
        assert all(len(message) < 300 for message in invalid.value.errors[field])
