"""The LOINC/UCUM table and the Observation → pathway input mapping (pure: no Django, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workup.ehr import fhir
from workup.pathway.inputs import INPUTS, INPUTS_BY_KEY
from workup.pathway.units import ANALYTES


def obs(code: str, value, ucum: str | None, effective: str | None = "2026-03-01", **extra) -> dict:
    quantity = {"value": value} | ({"system": fhir.UCUM_SYSTEM, "code": ucum} if ucum else {})
    resource = {"resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": fhir.LOINC_SYSTEM, "code": code}]}, "valueQuantity": quantity}
    return resource | ({"effectiveDateTime": effective} if effective else {}) | extra


def test_lab_codes_cover_every_lab_quantity_and_the_ratio():
    lab_inputs = {s.key for s in INPUTS if s.kind == "quantity"} | {"flc_ratio", "spep", "ife", "urine_mprotein"}
    assert set(fhir.READ_KEYS) == lab_inputs


def test_m_protein_concentration_has_no_search_of_its_own():
    # It is read from the M-spike's own Observation (33358-3), which the SPEP search already returns.
    assert "mprotein_concentration" not in fhir.LAB_KEYS
    assert fhir.LAB_CODE_BY_LOINC["33358-3"].quantity_key == "mprotein_concentration"


def test_lab_codes_are_unique():
    assert len({lab.code for lab in fhir.LAB_CODES}) == len(fhir.LAB_CODES)


def test_every_ucum_unit_maps_to_a_unit_the_pathway_accepts():
    accepted = {symbol for analyte in ANALYTES.values() for symbol in analyte.unit_symbols}
    assert set(fhir.UCUM_UNITS.values()) <= accepted


def test_every_quantity_input_has_a_ucum_code_for_each_of_its_units():
    for key in fhir.LAB_KEYS:
        if INPUTS_BY_KEY[key].kind == "quantity":
            assert set(ANALYTES[key].unit_symbols) <= set(fhir.UCUM_UNITS.values()), key


@pytest.mark.parametrize(
    ("ucum", "unit"),
    [("umol/L", "µmol/L"), ("10*9/L", "10^9/L"), ("10*3/uL", "10^3/µL"), ("mL/min/{1.73_m2}", "mL/min/1.73m2")],
)
def test_ucum_code_becomes_the_pathway_spelling(ucum, unit):
    assert fhir.UCUM_UNITS[ucum] == unit


def test_observation_maps_value_and_unit_exactly():
    result, reason = fhir.observation_to_result(obs("14682-9", 97.5, "umol/L"), "e0")
    assert reason is None
    assert (result.key, result.value, result.unit, result.loinc) == ("creatinine", Decimal("97.5"), "µmol/L", "14682-9")


def test_unit_of_another_dimension_is_refused():
    result, reason = fhir.observation_to_result(obs("1952-1", 2.0, "mmol/L"), "e0")
    assert result is None
    assert reason == "Beta-2-Microglobulin [Mass/volume] in Serum or Plasma: unit “mmol/L” is not one this pathway accepts."


def test_ratio_without_unit_is_unitless():
    result, _ = fhir.observation_to_result(obs("48378-4", 1.2, None), "e0")
    assert result.unit is None and result.as_input() == 1.2


def test_newest_result_wins_over_table_order_and_undated():
    reading = fhir.labs_from_observations([
        ("a", obs("718-7", 13.0, "g/dL", effective="2026-04")),
        ("b", obs("718-7", 9.0, "g/dL", effective="2026-04-02T08:00:00-05:00")),
        ("c", obs("718-7", 11.0, "g/dL", effective=None)),
    ])
    assert reading.inputs() == {"hemoglobin": {"value": 9, "unit": "g/dL"}}
    assert reading.results["hemoglobin"].ref == "b"


def test_skipped_entries_keep_their_reference():
    reading = fhir.labs_from_observations([("x.entry[3]", {"resourceType": "Patient"})])
    assert reading.results == {}
    assert [(s.ref, s.reason) for s in reading.skipped] == [("x.entry[3]", "Not an Observation.")]


@pytest.mark.parametrize("value", [True, "11", None, float("inf")])
def test_non_numeric_value_is_refused(value):
    result, reason = fhir.observation_to_result(obs("718-7", value, "g/dL"), "e0")
    assert result is None and "valueQuantity.value is not" in reason
