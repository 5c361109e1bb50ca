"""The messages about an entered value are pathway content (issue 10, SPEC §6): they are read beside
a field on the screen, in the JSON API's 400 answer and in a CDS card's "Not used" section, so each is
an INPUT_TEXT template with the entry in its fields, covered by the rule-content hash.

Each scenario drives workup/pathway/validation.py (through case_from_json where a request reaches it)
down one path and names the template it must produce; a message written in code matches none.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from workup.pathway import validation, wording
from workup.pathway.parsing import CaseInvalid, case_from_json

FRAGMENTS = {"units_or", "shortened"}  # parts of the messages below, not messages of their own


def _pattern(template: str) -> str:
    parts = re.split(r"\{[a-z_]+\}", template)
    return ".+?".join(re.escape(part) for part in parts)


def input_templates() -> dict[str, str]:
    # getattr: on code without the table every message is left unmatched, and the tests say so
    return {k: t for k, t in getattr(wording, "INPUT_TEXT", {}).items() if k not in FRAGMENTS}


def template_keys(message: str) -> list[str]:
    """The INPUT_TEXT templates this message is an instance of."""
    return [key for key, text in input_templates().items() if re.fullmatch(_pattern(text), message)]


def refused(**data) -> str:
    """The one message case_from_json gives for this request body."""
    with pytest.raises(CaseInvalid) as invalid:
        case_from_json(data=data)
    ((message,),) = invalid.value.errors.values()
    return message


SCENARIOS = {  # name -> (the message, the template it must be)
    "a unit the analyte does not take": (
        lambda: refused(hemoglobin={"value": 11, "unit": "mg/dl"}), "unit_not_accepted"),
    "number text over 40 characters": (lambda: validation.number_text_error("1" * 41), "number_too_long"),
    "text that is not a number": (lambda: validation.number_text_error("12,5 g"), "not_a_number"),
    "a number beyond 10^100": (lambda: validation.number_text_error("1e200"), "beyond_any_range"),
    "an implausible calcium, no likely mix-up": (
        lambda: refused(calcium={"value": 50, "unit": "mg/dL"}), "implausible"),
    "hemoglobin 112 g/dL, probably g/L": (
        lambda: refused(hemoglobin={"value": 112, "unit": "g/dL"}), "implausible_probable_unit"),
    "an FLC ratio that is not a number": (lambda: validation.ratio_error(Decimal("NaN")), "ratio_not_finite"),
    "an FLC ratio of 0": (lambda: refused(flc_ratio=0), "ratio_not_positive"),
    "an FLC ratio above its bound": (lambda: refused(flc_ratio=2e9), "ratio_too_large"),
    "an age with a fraction": (lambda: refused(age=12.5), "age_not_whole"),
    "an age of 130": (lambda: refused(age=130), "age_out_of_range"),
    "a normal blood film ticked beside a finding": (
        lambda: refused(blood_film=["normal", "rouleaux"]), "set_value_alone"),
    "ANC above the white-cell count (a percentage typed)": (
        lambda: refused(wbc={"value": 5, "unit": "10^9/L"}, anc={"value": 60, "unit": "10^9/L"}), "anc_above_wbc"),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_message_about_an_entry_is_the_hashed_template(name):
    produce, expected = SCENARIOS[name]
    message = produce()
    assert template_keys(message) == [expected], message


def test_the_scenarios_reach_every_input_template():
    reached = {expected for _, expected in SCENARIOS.values()}
    assert reached == set(input_templates()) and reached


def test_an_input_message_written_in_code_is_caught():
    assert template_keys("Hemoglobin 112 g/dL looks wrong; check it.") == []


def test_the_joining_and_shortening_words_come_from_the_content(monkeypatch):
    marked = dict(getattr(wording, "INPUT_TEXT", {}), units_or=" ⟦or⟧ ", shortened="⟦{start}|{length}⟧")
    monkeypatch.setattr(wording, "INPUT_TEXT", marked, raising=False)
    # 8 g/L is 0.8 g/dL: plausible if it was typed in g/dL or in mmol/L
    assert "Was it entered in g/dL ⟦or⟧ mmol/L?" in refused(hemoglobin={"value": 8, "unit": "g/L"})
    assert validation.echo_value("7" * 30) == f"⟦{'7' * validation.ECHO_LENGTH}|30⟧"


def test_an_flc_ratio_above_its_bound_is_not_said_to_be_too_small():
    message = refused(flc_ratio=2e9)
    assert "greater than 0" not in message and "1000000000" in message

