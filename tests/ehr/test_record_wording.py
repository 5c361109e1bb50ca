"""What the record said is pathway content too (issue 10, SPEC §6): every reason a result was set
aside, every pairing note and every line read from the Patient is a RECORD_TEXT template with the
record's own values in its fields, so the rule-content hash covers it.

Each scenario drives workup/ehr/fhir.py (or the JSON API's reading of a searchset) down one path
with an odd Observation, Patient or selection and names the template it must produce; a sentence
written in code matches none.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.ehr.fhir_builders import (
    SERVICE_BY_HOOK,
    bundle,
    coded_observation,
    days_ago,
    hook_request,
    observation,
)
from workup.api.services import case_and_skipped_from_request
from workup.ehr import cds, fhir
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


def set_aside(*observations: dict) -> list[str]:
    reading = fhir.labs_from_observations([(f"e{i}", o) for i, o in enumerate(observations)], SELECTION)
    return [item.reason for item in reading.set_aside]


def notes(*observations: dict) -> list[str]:
    return list(fhir.labs_from_observations([(f"e{i}", o) for i, o in enumerate(observations)], SELECTION).notes)


def patient_lines(patient: object) -> list[str]:
    return fhir.demographics_from_patient(patient, SELECTION)[1]


def api_skipped(*entries: dict) -> list[str]:
    """The FHIR-ENTRY-SKIPPED messages the JSON API gives for a searchset with these entries."""
    search = bundle(observation("718-7", 11.2, "g/dL"))
    search["entry"] += list(entries)
    return [message for _, _, message in case_and_skipped_from_request(data=search)[1]]


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
        lambda: skipped(observation("718-7", 11.2, "10*9/L")), ["unit_not_accepted"]),
    "an FLC ratio with a unit": (lambda: skipped(observation("48378-4", 1.2, "mg/L")), ["not_a_ratio_unit"]),
    "an M-spike whose unit the concentration does not accept": (
        lambda: set_aside(observation("33358-3", 5, "mmol/L")), ["quantity_unit_set_aside"]),
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
    "a result in another UCUM scale": (lambda: notes(observation("14682-9", 0.08, "mmol/L")), ["unit_converted"]),
    "a result with the lab's own range": (
        lambda: notes(HB | {"referenceRange": [{"low": {"value": 12, "system": fhir.UCUM_SYSTEM, "code": "g/dL"}}]}),
        ["range_used"]),
    "a result absent, with the lab's reason": (
        lambda: skipped(without(HB, "valueQuantity") | {"dataAbsentReason": {"text": "specimen clotted"}}),
        ["data_absent"]),
    "a deceased patient": (lambda: patient_lines(PATIENT | {"deceasedBoolean": True}), ["patient_deceased"]),
    "a search sent as its first page only": (
        lambda: [item.reason for item in cds.prefetched_observations(
            {"hemoglobin": bundle(HB) | {"link": [{"relation": "next", "url": "https://ehr.example.org/p2"}]}},
            ["hemoglobin"])[2]],
        ["partial_page"]),
    "a Patient included in an API searchset": (
        lambda: api_skipped({"resource": PATIENT, "search": {"mode": "include"}}), ["entry_included"]),
    "an OperationOutcome in an API searchset": (
        lambda: api_skipped({"resource": {"resourceType": "OperationOutcome", "issue": [
            {"severity": "information", "diagnostics": "2 results hidden"}]}}), ["entry_server_message"]),
    "a Condition in an API searchset": (
        lambda: api_skipped({"resource": {"resourceType": "Condition"}}), ["entry_not_an_observation"]),
    "a preliminary result in an API searchset": (
        lambda: api_skipped({"resource": observation("2160-0", 0.9, "mg/dL", status="preliminary")}),
        ["entry_not_final"]),
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



# --- The same sentences in a CDS card ------------------------------------------------------------

BORN_130_YEARS_AGO = f"{dt.date.today().year - 131}-01-01"
ODD_RECORD = {  # one of each kind of line in the card's Patient, selection and Not used sections
    "hemoglobin": bundle(with_quantity(HB, comparator="<"), observation("718-7", 112, "g/dL")),
    "flc_kappa": bundle(observation("36916-5", 19.4, "mg/L", effective=days_ago(2))),
    "flc_lambda": bundle(observation("33944-0", 12.0, "mg/L", effective=days_ago(20))),
    "flc_ratio": bundle(observation("48378-4", 0, "{ratio}")),
    "calcium": bundle(observation("17861-6", 9.8, "mg/dL", effective=days_ago(2))),
    "albumin": bundle(observation("1751-7", 4.1, "g/dL", effective=days_ago(20))),
    "creatinine": bundle(without(observation("2160-0", 1.0, "mg/dL"), "effectiveDateTime")),
    "patient": PATIENT | {"birthDate": BORN_130_YEARS_AGO, "gender": "other"},
}


def card_lines(detail: str, section_key: str) -> list[str]:
    """The bullet lines of one section of a card's detail, with the markdown escapes undone."""
    title = f"**{wording.CARD_TEXT[section_key]}**\n\n"
    if title not in detail:
        return []
    section = detail.split(title, 1)[1].split("\n\n", 1)[0]
    return [re.sub(r"\\(.)", r"\1", line.removeprefix("- ")) for line in section.splitlines()]


INPUT_FRAGMENTS = {"units_or", "shortened"}  # parts of the input messages, not sentences of their own


def reason_pattern() -> str:
    """One or more record or input sentences (a refused input may carry several messages)."""
    inputs = [t for k, t in getattr(wording, "INPUT_TEXT", {}).items() if k not in INPUT_FRAGMENTS]
    one = "(?:" + "|".join(_pattern(t) for t in [*record_templates().values(), *inputs]) + ")"
    return f"{one}(?: {one})*"


@pytest.mark.django_db
def test_the_card_says_what_the_record_said_only_in_hashed_sentences(client):
    body = hook_request(ODD_RECORD, hook="order-sign")
    (card,) = client.post(SERVICE_BY_HOOK["order-sign"], body, content_type="application/json").json()["cards"]
    reason = reason_pattern()
    allowed = {
        "section_patient": [reason],
        "section_selection": [reason, _pattern(wording.CARD_TEXT["old_only"])],
        "section_not_used": [_pattern(wording.CARD_TEXT[key], ref="[^`]+", key="[a-z_.]+", reason=reason)
                             for key in ("set_aside", "set_aside_input", "not_supplied")],
    }
    stray = {section: [line for line in card_lines(card["detail"], section)
                       if not any(re.fullmatch(p, line) for p in patterns)]
             for section, patterns in allowed.items()}
    assert all(card_lines(card["detail"], section) for section in allowed)
    assert stray == {section: [] for section in allowed}
