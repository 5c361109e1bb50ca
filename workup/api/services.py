"""The JSON API's request bodies: pathway inputs, a FHIR Bundle of lab Observations, or both."""

from __future__ import annotations

import dataclasses
from typing import Any

from workup.ehr import fhir
from workup.pathway.inputs import INPUTS_BY_KEY, Case
from workup.pathway.parsing import CaseInvalid, Errors, case_from_json
from workup.pathway.result import Assessment, Warning
from workup.pathway.wording import record_say
from workup.services import workup_evaluate

OBSERVATIONS_KEY = "observations"  # a FHIR Bundle of lab Observations beside the pathway inputs
BUNDLE_TYPES = fhir.RESULT_BUNDLE_TYPES
SKIPPED_WARNING = "FHIR-ENTRY-SKIPPED"
SET_ASIDE_WARNING = "FHIR-VALUE-SET-ASIDE"  # an entry was read, but one value it carries was not


def workup_evaluate_request(*, data: Any) -> Assessment:
    """Evaluate a JSON API body; entries of a Bundle that were skipped become warnings in the result."""
    case, skipped = case_and_skipped_from_request(data=data)
    assessment = workup_evaluate(case=case)
    if not skipped:
        return assessment
    extra = tuple(Warning(warning, message, ref) for warning, ref, message in skipped)
    return dataclasses.replace(assessment, warnings=assessment.warnings + extra)


def case_from_request(*, data: Any) -> Case:
    """A JSON API body → Case (see case_and_skipped_from_request)."""
    return case_and_skipped_from_request(data=data)[0]


def case_and_skipped_from_request(*, data: Any) -> tuple[Case, list[tuple[str, str, str]]]:
    """A JSON API body → Case: pathway inputs, a FHIR R4 Bundle of lab Observations, or both.

    A bare Bundle is read as labs only; an `observations` Bundle beside pathway inputs adds its
    labs to them. Either way the labs join the inputs and pass the same validation, and an
    entry that cannot be used is an error that names the entry. Entries that are not results
    (an `_include`d Patient, the server's OperationOutcome) and results that are not final are
    skipped, and a value a used entry carries but cannot give (an M-spike's concentration in a unit
    not accepted) is set aside: each is returned as (warning id, entry, reason) so the answer says so.
    """
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        return _case_with_bundle({}, data, prefix="bundle")
    if isinstance(data, dict) and OBSERVATIONS_KEY in data:
        inputs = {key: value for key, value in data.items() if key != OBSERVATIONS_KEY}
        return _case_with_bundle(inputs, data[OBSERVATIONS_KEY], prefix=OBSERVATIONS_KEY)
    return case_from_json(data=data), []


def _case_with_bundle(inputs: dict[str, Any], bundle: Any, *, prefix: str) -> tuple[Case, list[tuple[str, str, str]]]:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle" or not isinstance(
        bundle.get("entry", []), list
    ):
        raise CaseInvalid({prefix: ["Must be a FHIR R4 Bundle whose entry list holds lab Observations."]})
    if bundle.get("type") not in BUNDLE_TYPES:
        raise CaseInvalid({f"{prefix}.type": [
            f"Must be one of {', '.join(BUNDLE_TYPES)} (a set of results); a batch, transaction or "
            "history Bundle is not read."]})
    parts = fhir.bundle_parts(bundle, prefix)
    skipped = [(SKIPPED_WARNING, ref, record_say("entry_included")) for ref in parts.included]
    skipped += [(SKIPPED_WARNING, ref, record_say("entry_server_message", message=text)) for ref, text in parts.outcomes]
    results = []
    for ref, resource in parts.matches:
        status = resource.get("status") if isinstance(resource, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if isinstance(kind, str) and kind != "Observation":
            skipped.append((SKIPPED_WARNING, ref, record_say("entry_not_an_observation")))
        elif kind == "Observation" and (not isinstance(status, str) or status not in fhir.USABLE_STATUSES):
            skipped.append((SKIPPED_WARNING, ref, record_say("entry_not_final")))
        else:
            results.append((ref, resource))
    reading = fhir.labs_from_observations(results)
    skipped += [(SET_ASIDE_WARNING, item.ref, item.reason) for item in reading.set_aside]
    errors: Errors = {item.ref: [item.reason] for item in reading.skipped}
    for key, result in reading.results.items():
        if key in inputs:
            errors[result.ref] = [f"{INPUTS_BY_KEY[key].label} is given both as “{key}” and in {result.ref}."]
    read = reading.inputs()
    given_limits = inputs.get("reference_limits")
    if isinstance(given_limits, dict) and "reference_limits" in read:  # the lab's ranges beside the caller's own
        for limit in set(given_limits) & set(read["reference_limits"]):
            errors[f"reference_limits.{limit}"] = [f"“{limit}” is given both in reference_limits and by a "
                                                   "result's referenceRange."]
        read["reference_limits"] = {**given_limits, **read["reference_limits"]}
    try:
        case = case_from_json(data={**inputs, **read})
    except CaseInvalid as invalid:
        errors.update(_errors_by_entry(invalid.errors, reading))
    if errors:
        raise CaseInvalid(errors)
    return case, skipped


def _errors_by_entry(errors: Errors, reading: fhir.LabReading) -> Errors:
    """Report a refused lab value under the Bundle entry it came from."""
    return {
        (reading.results[key].ref if key in reading.results else key): messages
        for key, messages in errors.items()
    }
