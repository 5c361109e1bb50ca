"""The fast constructor of the result parts builds the same frozen objects as the dataclass's own."""

import dataclasses

import pytest

from workup.pathway.result import LabLine, Unknown


def test_direct_init_fills_positional_and_keyword_fields_and_defaults():
    line = LabLine("calcium", "Calcium (total)", True, "missing", reference="10.4 mg/dL")
    assert (line.key, line.core, line.status, line.reference) == ("calcium", True, "missing", "10.4 mg/dL")
    assert (line.entered_value, line.entered_unit, line.note) == (None, "", "")


def test_direct_init_objects_compare_and_print_like_dataclass_objects():
    first = Unknown(key="egfr", label="eGFR", could_change=("BX-RENAL",), note="")
    assert first == Unknown("egfr", "eGFR", ("BX-RENAL",), "")
    assert repr(first) == "Unknown(key='egfr', label='eGFR', could_change=('BX-RENAL',), note='')"
    assert hash(first) == hash(Unknown("egfr", "eGFR", ("BX-RENAL",), ""))


def test_direct_init_objects_stay_frozen():
    line = LabLine("egfr", "eGFR", False, "missing")
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.status = "normal"  # type: ignore[misc]


def test_direct_init_rejects_a_missing_argument():
    with pytest.raises(TypeError):
        Unknown("egfr", "eGFR", ())  # type: ignore[call-arg]
