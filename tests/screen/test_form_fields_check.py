"""The panel's field check agrees with a bound WorkupForm on any posted data.

`workup_fields_check` validates with the form's own fields but builds no form (the fragment answers
every keystroke); these tests hold its cleaned values, messages and unit system equal to the form's.
"""

from __future__ import annotations

from django.http import QueryDict
from hypothesis import example, given
from hypothesis import strategies as st

from tests.screen.test_form_fuzz import FUZZ, form_posts
from workup.forms import UNIT_SYSTEMS, feedback_keys, workup_fields_check, workup_form

remembered = st.sampled_from([system for system, _ in UNIT_SYSTEMS])
chosen = st.one_of(st.none(), remembered, st.text(max_size=5))


def _query_dict(data: dict, unit_system: str | None) -> QueryDict:
    posted = QueryDict(mutable=True)
    for key, value in data.items():
        posted.setlist(key, value if isinstance(value, list) else [value])
    if unit_system is not None:
        posted["unit_system"] = unit_system
    return posted


@FUZZ
@given(form_posts, remembered, chosen)
@example({"hemoglobin": "112", "hemoglobin_unit": "g/dL"}, "conventional", None)
@example({"hemoglobin_unit": "furlongs", "calcium": "9.5"}, "conventional", "si")
@example({"benign_context": ["smoker", "nonsense"], "hemoglobin": ""}, "si", "conventional")
@example({"age": ["64", "65"], "show_map": "on"}, "conventional", "metric")
def test_fields_check_equals_bound_form(data, remembered_units, unit_system):
    posted = _query_dict(data, unit_system)
    form = workup_form(posted, remembered_units=remembered_units)
    checked = workup_fields_check(posted, remembered_units=remembered_units)
    assert checked.errors == {name: list(messages) for name, messages in form.errors.items()}
    assert checked.cleaned_data == form.cleaned_data
    assert checked.unit_system == form.unit_system


def test_fields_check_names_the_field_and_keeps_the_rest():
    posted = _query_dict({"hemoglobin_unit": "furlongs", "calcium": "9.5", "calcium_unit": "mg/dL"}, None)
    checked = workup_fields_check(posted, remembered_units="conventional")
    assert list(checked.errors) == ["hemoglobin_unit"]
    assert "furlongs" in checked.errors["hemoglobin_unit"][0]
    assert checked.cleaned_data["calcium"] == "9.5"


def test_fields_check_moves_empty_lab_units_to_the_chosen_system():
    posted = _query_dict({"calcium": "9.5", "calcium_unit": "mg/dL"}, "si")
    checked = workup_fields_check(posted, remembered_units="conventional")
    assert checked.unit_system == "si"
    assert checked.cleaned_data["hemoglobin_unit"] == "g/L"
    assert checked.cleaned_data["calcium_unit"] == "mg/dL"  # a unit beside a typed value stays


def test_feedback_keys_are_the_inputs_not_their_units():
    keys = feedback_keys()
    assert "hemoglobin" in keys and "calcium_uln" in keys and "show_map" in keys
    assert not any(key.endswith("_unit") for key in keys)
