"""What the record said is pathway content too (issue 10, SPEC §6): every reason a result was set
aside, every pairing note and every line read from the Patient is a RECORD_TEXT template with the
record's own values in its fields, so the rule-content hash covers it.

Each scenario drives workup/ehr/fhir.py down one path with an odd Observation, Patient or
selection and names the template it must produce; a sentence written in code matches none.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.ehr.fhir_builders import coded_observation, days_ago, observation
from workup.ehr import fhir
from workup.pathway import wording

SELECTION = fhir.Selection(patient_id="example", evaluated_at=dt.datetime.now(dt.UTC))


def _pattern(template: str, **fields: str) -> str:
    """A regex for the template: each {field} is `fields[field]`, or any text."""
    pieces = re.split(r"\{([a-z_]+)\}", template)
    return "".join(re.escape(piece) if i % 2 == 0 else f"(?:{fields.get(piece, '.+?')})"
                   for i, piece in enumerate(pieces))


def record_templates() -> dict[str, str]:
    # getattr: on code without the table every sentence is left unmatched, and the tests say so
    return dict(getattr(wording, "RECORD_TEXT", {}))


def template_keys(sentence: str) -> list[str]:
    """The RECORD_TEXT templates this sentence is an instance of."""
    return [key for key, text in record_templates().items() if re.fullmatch(_pattern(text), sentence)]


def with_quantity(resource: dict, **fields) -> dict:
    """The Observation with these valueQuantity fields changed."""
    return resource | {"valueQuantity": resource["valueQuantity"] | fields}


def without(resource: dict, *keys: str) -> dict:
    return {key: value for key, value in resource.items() if key not in keys}


def skipped(*observations: dict) -> list[str]:
    reading = fhir.labs_from_observations([(f"e{i}", o) for i, o in enumerate(observations)], SELECTION)
    return [item.reason for item in reading.skipped]


def notes(*observations: dict) -> list[str]:
    return list(fhir.labs_from_observations([(f"e{i}", o) for i, o in enumerate(observations)], SELECTION).notes)


def patient_lines(patient: object) -> list[str]:
    return fhir.demographics_from_patient(patient, SELECTION)[1]


HB = observation("718-7", 11.2, "g/dL")
NOT_UCUM = {"value": 11.2, "unit": "g/dL"}  # a unit written as text, without the UCUM system and code
PATIENT = {"resourceType": "Patient", "id": "example"}

SCENARIOS = {  # name -> (what fhir.py says, the templates it must be)
    "a Patient among the results": (lambda: skipped(PATIENT), ["not_an_observation"]),
    "a preliminary result": (lambda: skipped(HB | {"status": "preliminary"}), ["status_not_usable"]),
    "a LOINC code the pathway does not use": (
        lambda: skipped(observation("2345-7", 5.5, "mmol/L")), ["no_pathway_loinc"]),
    "no valueQuantity": (lambda: skipped(without(HB, "valueQuantity")), ["no_value_quantity"]),
    "a bound, not a value": (lambda: skipped(with_quantity(HB, comparator="<")), ["reported_as_bound"]),
    "a value that is text": (lambda: skipped(with_quantity(HB, value="11.2")), ["value_not_a_number"]),
    "an infinite value": (lambda: skipped(with_quantity(HB, value=float("inf"))), ["value_not_finite"]),
    "a value beyond any lab result": (lambda: skipped(with_quantity(HB, value=1e13)), ["value_out_of_range"]),
    "an integer beyond 64 bits": (lambda: skipped(with_quantity(HB, value=2**70)), ["value_out_of_range"]),
    "a unit without a UCUM code": (lambda: skipped(HB | {"valueQuantity": NOT_UCUM}), ["no_ucum_unit"]),
    "a UCUM unit for another analyte": (
        lambda: skipped(observation("718-7", 11.2, "mg/dL")), ["unit_not_accepted"]),
    "an FLC ratio with a unit": (lambda: skipped(observation("48378-4", 1.2, "mg/L")), ["not_a_ratio_unit"]),
    "an SPEP M-spike of zero": (
        lambda: skipped(observation("33358-3", 0, "g/dL")), ["spep_quantity_not_positive"]),
    "an immunofixation without a coded result": (
        lambda: skipped(without(coded_observation("25700-6", "detected"), "valueCodeableConcept")
                        | {"valueString": "see report"}),
        ["no_coded_result"]),
    "a result older than the look-back window": (
        lambda: skipped(observation("718-7", 11.2, "g/dL", effective=days_ago(400))), ["older_than_window"]),
    "a result about another patient": (
        lambda: skipped(HB | {"subject": {"reference": "Patient/someone-else"}}), ["another_subject"]),
    "an undated result": (lambda: skipped(without(HB, "effectiveDateTime")),
                          ["undated"]),
    "a result dated after the evaluation": (
        lambda: skipped(observation("718-7", 11.2, "g/dL", effective=days_ago(-5))), ["dated_after_evaluation"]),
    "κ and λ from different collections": (
        lambda: notes(observation("36916-5", 19.4, "mg/L", effective=days_ago(2)),
                      observation("33944-0", 12.0, "mg/L", effective=days_ago(20))),
        ["light_chains_apart"]),
    "no albumin from the calcium's day": (
        lambda: notes(observation("17861-6", 9.8, "mg/dL", effective=days_ago(2)),
                      observation("1751-7", 4.1, "g/dL", effective=days_ago(20))),
        ["no_same_day_albumin"]),
    "a patient prefetch that is not a Patient": (
        lambda: patient_lines({"resourceType": "Observation"}), ["patient_not_a_patient"]),
    "another Patient": (lambda: patient_lines(PATIENT | {"id": "someone-else"}), ["patient_another"]),
    "a full birth date and a binary gender": (
        lambda: patient_lines(PATIENT | {"birthDate": "1961-03-14", "gender": "female"}),
        ["age_from_birth_date", "sex_from_gender"]),
    "a partial birth date and another gender": (
        lambda: patient_lines(PATIENT | {"birthDate": "1961", "gender": "unknown"}),
        ["birth_date_incomplete", "gender_not_male_or_female"]),
    "an OperationOutcome without a message": (
        lambda: [fhir.outcome_text({"resourceType": "OperationOutcome", "issue": [{"severity": "error"}]})],
        ["outcome_without_message"]),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_what_the_record_said_is_the_hashed_template(name):
    produce, expected = SCENARIOS[name]
    sentences = produce()
    assert [template_keys(sentence) for sentence in sentences] == [[key] for key in expected], sentences


def test_the_scenarios_reach_every_record_template():
    reached = {key for _, expected in SCENARIOS.values() for key in expected}
    assert reached == set(record_templates()) and reached


def test_a_record_sentence_written_in_code_is_caught():
    assert template_keys("Hemoglobin [Mass/volume] in Blood: the value looks doubtful, so it is not used.") == []


