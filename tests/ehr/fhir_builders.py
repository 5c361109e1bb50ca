"""Build FHIR R4 Observations, Bundles and CDS Hooks requests for tests (and golden-case conversion)."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.golden import golden_cases
from workup.ehr import fhir

GOLDEN = list(golden_cases())
UCUM_BY_UNIT = {unit: ucum for ucum, unit in reversed(list(fhir.UCUM_UNITS.items()))}
UCUM_BY_UNIT["10^9/L"] = "10*9/L"


def days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


RECENT = days_ago(2)  # inside any look-back window


def observation(loinc: str, value, ucum: str | None, *, effective: str = RECENT, status: str = "final") -> dict:
    """A lab Observation as an EHR would send it (subject, dates, UCUM-coded quantity)."""
    quantity = {"value": value}
    if ucum is not None:
        quantity |= {"unit": ucum, "system": fhir.UCUM_SYSTEM, "code": ucum}
    return {
        "resourceType": "Observation",
        "id": str(uuid.uuid4()),
        "status": status,
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "laboratory"}]}],
        "code": {"coding": [{"system": fhir.LOINC_SYSTEM, "code": loinc}]},
        "subject": {"reference": "Patient/example"},
        "effectiveDateTime": effective,
        "valueQuantity": quantity,
    }


def coded_observation(loinc: str, result: str, *, effective: str = RECENT) -> dict:
    """A qualitative Observation coded SNOMED CT detected / not detected."""
    code = {value: code for code, value in fhir.DETECTED_CODES.items()}[result]
    resource = observation(loinc, 0, None, effective=effective)
    del resource["valueQuantity"]
    return resource | {"valueCodeableConcept": {"coding": [{"system": fhir.SNOMED_SYSTEM, "code": code}]}}


def bundle(*observations: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(observations),
        "entry": [{"fullUrl": f"urn:uuid:{o['id']}", "resource": o} for o in observations],
    }


def lab_observation(key: str, raw) -> dict:
    """The Observation for one pathway lab input as the JSON API writes it."""
    codes = fhir.codes_for(key)
    if key in fhir.CODED_KEYS:
        return coded_observation(codes[0], raw)
    if key == "flc_ratio":
        return observation(codes[0], raw, "{ratio}")
    molar = "mol" in raw["unit"] and len(codes) > 1
    return observation(codes[1] if molar else codes[0], raw["value"], UCUM_BY_UNIT[raw["unit"].replace("umol", "µmol")])


def split_case(inputs: dict) -> tuple[dict, dict]:
    """A case's lab inputs (those a LOINC code can carry) and everything else."""
    labs = {k: v for k, v in inputs.items() if k in fhir.LAB_KEYS and v != "not_done"}
    rest = {k: v for k, v in inputs.items() if k not in labs}
    return labs, rest


def prefetch_for(labs: dict) -> dict:
    """One searchset Bundle per prefetch key; keys without a result are null (CDS Hooks 2.0)."""
    return {key: bundle(lab_observation(key, labs[key])) if key in labs else None for key in fhir.LAB_KEYS}


LAUNCH_RECORD = {  # what a SMART launch reads (smart.launch_draft_create): a lab read, one set aside, the Patient
    "hemoglobin": bundle(observation("718-7", 7.1, "%")),
    "creatinine": bundle(observation("2160-0", 1.1, "mg/dL")),
    "patient": {"resourceType": "Patient", "id": "example", "gender": "female", "birthDate": "1960-05-01"},
}


BIOPSY_ORDER = {
    "resourceType": "ServiceRequest", "id": "bmb-1", "status": "draft", "intent": "order",
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "234326005", "display": "Bone marrow sampling"}]},
    "subject": {"reference": "Patient/example"},
}
SERVICE_BY_HOOK = {"patient-view": "/cds-services/marrow-workup",
                   "order-select": "/cds-services/marrow-workup-order-select",
                   "order-sign": "/cds-services/marrow-workup-order-sign"}


def hook_request(prefetch: dict | None = None, *, hook: str = "patient-view", orders: tuple = (BIOPSY_ORDER,),
                 **overrides) -> dict:
    """A CDS Hooks request; the order hooks carry a draft bone marrow biopsy order unless told otherwise."""
    context = {"userId": "Practitioner/123", "patientId": "example"}
    if hook != "patient-view":
        context["draftOrders"] = {"resourceType": "Bundle", "type": "collection",
                                  "entry": [{"resource": order} for order in orders]}
    if hook == "order-select":
        context["selections"] = [f"ServiceRequest/{order['id']}" for order in orders]
    body = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "fhirServer": "https://ehr.example.org/fhir",
        "context": context,
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body | overrides
