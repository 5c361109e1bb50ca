"""The JSON API's request bodies: pathway inputs, a FHIR Bundle of lab Observations, or both."""

from __future__ import annotations

from typing import Any

from workup.ehr import fhir
from workup.pathway.inputs import INPUTS_BY_KEY, Case
from workup.pathway.parsing import CaseInvalid, Errors, case_from_json

OBSERVATIONS_KEY = "observations"  # a FHIR Bundle of lab Observations beside the pathway inputs


def case_from_request(*, data: Any) -> Case:
    """A JSON API body → Case: pathway inputs, a FHIR R4 Bundle of lab Observations, or both.

    A bare Bundle is read as labs only; an `observations` Bundle beside pathway inputs adds its
    labs to them. Either way the labs join the inputs and pass the same validation, and an
    entry that cannot be used is an error that names the entry.
    """
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        return _case_with_bundle({}, data, prefix="bundle")
    if isinstance(data, dict) and OBSERVATIONS_KEY in data:
        inputs = {key: value for key, value in data.items() if key != OBSERVATIONS_KEY}
        return _case_with_bundle(inputs, data[OBSERVATIONS_KEY], prefix=OBSERVATIONS_KEY)
    return case_from_json(data=data)


def _case_with_bundle(inputs: dict[str, Any], bundle: Any, *, prefix: str) -> Case:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle" or not isinstance(
        bundle.get("entry", []), list
    ):
        raise CaseInvalid({prefix: ["Must be a FHIR R4 Bundle whose entry list holds lab Observations."]})
    reading = fhir.labs_from_observations(list(fhir.bundle_entries(bundle, prefix)))
    errors: Errors = {item.ref: [item.reason] for item in reading.skipped}
    for key, result in reading.results.items():
        if key in inputs:
            errors[result.ref] = [f"{INPUTS_BY_KEY[key].label} is given both as “{key}” and in {result.ref}."]
    try:
        case = case_from_json(data={**inputs, **reading.inputs()})
    except CaseInvalid as invalid:
        errors.update(_errors_by_entry(invalid.errors, reading))
    if errors:
        raise CaseInvalid(errors)
    return case


def _errors_by_entry(errors: Errors, reading: fhir.LabReading) -> Errors:
    """Report a refused lab value under the Bundle entry it came from."""
    return {
        (reading.results[key].ref if key in reading.results else key): messages
        for key, messages in errors.items()
    }
