"""Numbers are read exactly as typed or refused in the field: never dropped or reinterpreted (issue 14.1).

The page, its htmx fragment and "Sign in to save" read the same form, so each refuses alike; a
refused entry is quoted short, so an absurd one never makes a large answer (issue 11.1).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.support import parse
from workup.forms import MAX_NUMBER_CHARACTERS, WorkupForm, number_from_text
from workup.services import form_data_from_case

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    ("text", "number"),
    [("10.9", "10.9"), ("10,9", "10.9"), ("1,2", "1.2"), (" 12 ", "12"), ("1.", "1"), (",5", "0.5"), ("-1", "-1")],
)
def test_number_from_text_reads_one_decimal_mark(text, number):
    assert number_from_text(text) == Decimal(number)


@pytest.mark.parametrize(
    "text",
    ["1o.9", "10e", "1e5", "1,000.5", "1.000,5", "1 000", "1_000", "1,2,3", "١٢", "１２", "0x10", "NaN", "inf", "--1", "."],
)
def test_number_from_text_refuses_anything_else(text):
    with pytest.raises(ValidationError) as refused:
        number_from_text(text)
    assert "is not a number as written" in refused.value.messages[0]


def test_number_from_text_refuses_a_long_entry_quoting_only_its_start():
    with pytest.raises(ValidationError) as refused:
        number_from_text("9" * 5000)
    message = refused.value.messages[0]
    assert "(5000 characters)" in message
    assert len(message) < 200


def test_number_fields_are_text_inputs_with_a_decimal_keyboard(client):
    page = parse(client.get("/").content)
    assert not [e for e in page.elements if e.tag == "input" and e.attrs.get("type") == "number"]
    for key in ("hemoglobin", "creatinine", "flc_ratio", "calcium_uln"):
        field = page.by_id(f"id_{key}")
        assert (field.attrs["type"], field.attrs["inputmode"]) == ("text", "decimal")
    assert page.by_id("id_age").attrs["inputmode"] == "numeric"


def _lab_line(content: bytes, key: str) -> str:
    (line,) = parse(content).with_attr("data-lab", key)
    return " ".join(line.text.split())


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_comma_creatinine_is_evaluated_as_typed(client, headers):
    response = client.post("/", {"creatinine": "0,9", "creatinine_unit": "mg/dL"}, headers=headers)
    assert "0.9 mg/dL" in _lab_line(response.content, "creatinine")
    assert not parse(response.content).with_attr("data-rule-id", "BX-RENAL")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_comma_hemoglobin_is_evaluated_as_typed(client, headers):
    response = client.post("/", {"hemoglobin": "10,9", "hemoglobin_unit": "g/dL"}, headers=headers)
    assert "10.9 g/dL" in _lab_line(response.content, "hemoglobin")


@pytest.mark.parametrize("text", ["1o.9", "10e", "1.000,5"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_unreadable_number_is_refused_beside_its_field(client, headers, text):
    page = parse(client.post("/", {"hemoglobin": text, "hemoglobin_unit": "g/dL"}, headers=headers).content)
    assert f"“{text}” is not a number as written" in page.by_id("feedback-hemoglobin").text
    assert [e.attrs["data-left-out-key"] for e in page.with_attr("data-left-out-key")] == ["hemoglobin"]
    assert page.with_attr("data-disposition")  # the result without it stays


def test_full_page_keeps_the_refused_entry_in_its_field(client):
    page = parse(client.post("/", {"hemoglobin": "1o.9", "hemoglobin_unit": "g/dL"}).content)
    assert page.by_id("id_hemoglobin").attrs["value"] == "1o.9"


@pytest.mark.parametrize("text", ["1e-999999", "0." + "0" * 200_000 + "1", "1" * 200_000])
def test_absurd_ratio_gives_a_small_fragment(client, text):
    """The answer is the panel without the ratio and a short message: the entry is never echoed at length."""
    response = client.post("/", {"flc_ratio": text}, headers=HTMX)
    without = client.post("/", {}, headers=HTMX)
    page = parse(response.content)
    assert len(response.content) < len(without.content) + 2_000
    assert page.by_id("feedback-flc_ratio").text
    assert [e.attrs["data-left-out-key"] for e in page.with_attr("data-left-out-key")] == ["flc_ratio"]


def test_entry_at_the_length_limit_is_read():
    text = "0." + "0" * (MAX_NUMBER_CHARACTERS - 3) + "1"
    assert number_from_text(text) == Decimal(text)


def test_sign_in_to_save_refuses_what_the_screen_refuses(client):
    response = client.post("/sign-in-to-save", {"hemoglobin": "10e", "hemoglobin_unit": "g/dL"})
    assert response.status_code == 200
    assert "“10e” is not a number as written" in parse(response.content).by_id("feedback-hemoglobin").text


def test_form_reads_the_same_value_for_page_and_fragment():
    form = WorkupForm({"flc_ratio": "1,5", "age": "64"})
    assert form.is_valid()
    assert (form.cleaned_data["flc_ratio"], form.cleaned_data["age"]) == (Decimal("1.5"), Decimal("64"))


def test_prefill_from_a_stored_case_writes_numbers_the_form_reads():
    data = form_data_from_case(inputs={"hemoglobin": {"value": Decimal("1E+1"), "unit": "g/dL"}, "flc_ratio": 0.00012})
    assert (data["hemoglobin"], data["flc_ratio"]) == ("10", "0.00012")
    assert WorkupForm(data).is_valid()
