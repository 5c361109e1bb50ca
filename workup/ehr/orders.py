"""Orders in CDS Hooks (no Django): spotting a bone marrow biopsy order, and the lab orders to suggest.

A draft `ServiceRequest` is a bone marrow biopsy order when its code carries a bone-marrow-specific
SNOMED CT procedure, or the generic "Biopsy" concept together with a bone marrow `bodySite` (or an
order text that names the bone marrow): a generic biopsy of the skin or a lymph node is not one.
An order whose coded reason has no code in MARROW_FINDING_REASONS was placed for something else, and
gets no card (SPEC 1.2 §6.3).

The lab orders suggested for missing core labs use the LOINC codes the FHIR mapping reads results
from, so that an accepted suggestion produces a result this service can read back; a lab already
among the draft orders is not suggested again.

Codes checked against public sources (docs/ehr.md, "Codes read"): SNOMED CT 234326005 "Bone marrow
sampling (procedure)" and 49401003 "Bone marrow aspiration procedure (procedure)" (HL7 mCODE
examples); 86273004 is "Biopsy (procedure)", the generic concept (DICOM CID 8109, and value sets
that include its descendants); 14016003 "Bone marrow structure (body structure)" (oBDS and tumour
documentation mappings).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from workup.ehr import fhir

BONE_MARROW_PROCEDURES: dict[str, str] = {
    "234326005": "Bone marrow sampling",
    "49401003": "Bone marrow aspiration procedure",
}
GENERIC_BIOPSY: dict[str, str] = {"86273004": "Biopsy"}  # a marrow order only with a marrow site or text
BONE_MARROW_SITES: dict[str, str] = {"14016003": "Bone marrow structure"}
MARROW_TEXT = re.compile(r"\bmarrow\b", re.IGNORECASE)
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
# Coded reasons for which this pathway's card is relevant: an abnormal imaging finding of the skeleton
# (the MRI finding itself) or a not-yet-named disorder of the blood-forming organs. An order coded with
# other reasons only (a lymphoma staging, a known leukaemia) gets no card.
MARROW_FINDING_REASONS: dict[tuple[str, str], str] = {
    (ICD10CM_SYSTEM, "R93.7"): "Abnormal findings on diagnostic imaging of other parts of musculoskeletal system",
    (ICD10CM_SYSTEM, "R93.8"): "Abnormal findings on diagnostic imaging of other specified body structures",
    (ICD10CM_SYSTEM, "D75.89"): "Other specified diseases of blood and blood-forming organs",
    (ICD10CM_SYSTEM, "D75.9"): "Disease of blood and blood-forming organs, unspecified",
    (ICD10_SYSTEM, "R93.7"): "Abnormal findings on diagnostic imaging of other parts of musculoskeletal system",
    (ICD10_SYSTEM, "D75.9"): "Disease of blood and blood-forming organs, unspecified",
}
# The LOINC code(s) to order for a missing core lab: the FLC ratio needs κ and λ from one draw.
ORDER_CODES: dict[str, tuple[str, ...]] = {
    "flc_ratio": ("36916-5", "33944-0"),
}
LAB_ORDER_CATEGORY = {  # SNOMED CT 108252007 "Laboratory procedure", the FHIR servicerequest-category example
    "coding": [{"system": fhir.SNOMED_SYSTEM, "code": "108252007", "display": "Laboratory procedure"}],
}


def _codings(concept: Any) -> list[dict]:
    """The concept's codings whose system and code are strings (anything else cannot match a code)."""
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return [c for c in codings if isinstance(c, dict) and isinstance(c.get("code"), str)
            and isinstance(c.get("system", ""), str)] if isinstance(codings, list) else []


def _has_code(concept: Any, codes: dict[str, str]) -> bool:
    return any(c.get("system") == fhir.SNOMED_SYSTEM and c.get("code") in codes for c in _codings(concept))


def _names_marrow(concept: Any) -> bool:
    """The concept's text or a coding's display names the bone marrow."""
    texts = [concept.get("text")] if isinstance(concept, dict) else []
    texts += [c.get("display") for c in _codings(concept)]
    return any(isinstance(text, str) and MARROW_TEXT.search(text[:500]) for text in texts)


def is_bone_marrow_biopsy(order: dict) -> bool:
    """A marrow-specific procedure code, or the generic biopsy with a marrow body site or order text."""
    code = order.get("code")
    if _has_code(code, BONE_MARROW_PROCEDURES):
        return True
    if not _has_code(code, GENERIC_BIOPSY):
        return False
    sites = order.get("bodySite") if isinstance(order.get("bodySite"), list) else []
    return (any(_has_code(site, BONE_MARROW_SITES) or _names_marrow(site) for site in sites)
            or (isinstance(code, dict) and isinstance(code.get("text"), str) and bool(MARROW_TEXT.search(code["text"][:500]))))


def reason_outside_pathway(order: dict) -> bool:
    """True when the order carries coded reasons and none of their codes is a marrow finding."""
    reasons = order.get("reasonCode") if isinstance(order.get("reasonCode"), list) else []
    codings = [(c.get("system"), c.get("code")) for reason in reasons for c in _codings(reason)]
    return bool(codings) and not any(coding in MARROW_FINDING_REASONS for coding in codings)


def draft_orders(draft_orders: Any) -> list[dict]:
    """The resources among the draft orders (a Bundle's entries)."""
    entries = draft_orders.get("entry") if isinstance(draft_orders, dict) else None
    resources = [entry.get("resource") for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    return [resource for resource in resources if isinstance(resource, dict)]


def biopsy_orders(draft_orders_bundle: Any, selections: list[str] | None = None) -> list[dict]:
    """The bone marrow biopsy ServiceRequests among the draft orders (only the selected ones, if given)."""
    found = []
    for resource in draft_orders(draft_orders_bundle):
        if resource.get("resourceType") != "ServiceRequest":
            continue
        if selections is not None and f"ServiceRequest/{resource.get('id')}" not in selections:
            continue
        if is_bone_marrow_biopsy(resource):
            found.append(resource)
    return found


def drafted_loinc_codes(draft_orders_bundle: Any) -> frozenset[str]:
    """The LOINC codes of the lab orders already drafted (any ServiceRequest coded with LOINC)."""
    return frozenset(
        c["code"] for resource in draft_orders(draft_orders_bundle) if resource.get("resourceType") == "ServiceRequest"
        for c in _codings(resource.get("code")) if c.get("system") == fhir.LOINC_SYSTEM and isinstance(c.get("code"), str)
    )


def drafted_keys(draft_orders_bundle: Any) -> frozenset[str]:
    """The pathway inputs a drafted lab order will produce (any of the input's LOINC codes)."""
    codes = drafted_loinc_codes(draft_orders_bundle)
    keys = {fhir.LAB_CODE_BY_LOINC[code].key for code in codes if code in fhir.LAB_CODE_BY_LOINC}
    if {"flc_kappa", "flc_lambda"} <= keys:
        keys.add("flc_ratio")
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class LabOrder:
    key: str
    label: str
    loinc: tuple[str, ...]


def lab_order_codes(key: str) -> tuple[str, ...]:
    return ORDER_CODES.get(key) or fhir.codes_for(key)[:1]


def lab_suggestion(*, order: LabOrder, patient_id: str, requester: Any = None, encounter_id: Any = None) -> dict:
    """A CDS Hooks suggestion that creates one draft lab ServiceRequest per LOINC code, for the patient,
    requested by the user of the hook and in its encounter when the context names them."""
    actions = []
    for code in order.loinc:
        display = fhir.LAB_CODE_BY_LOINC[code].display
        resource = {
            "resourceType": "ServiceRequest",
            "status": "draft",
            "intent": "order",
            "category": [LAB_ORDER_CATEGORY],
            "code": {"coding": [{"system": fhir.LOINC_SYSTEM, "code": code, "display": display}]},
            "subject": {"reference": f"Patient/{patient_id}"},
        }
        if isinstance(encounter_id, str) and encounter_id:
            resource["encounter"] = {"reference": f"Encounter/{encounter_id}"}
        if isinstance(requester, str) and requester.split("/")[0] in ("Practitioner", "PractitionerRole"):
            resource["requester"] = {"reference": requester}
        actions.append({"type": "create", "description": f"Order {display}", "resource": resource})
    return {"label": f"Order {order.label}", "uuid": str(uuid.uuid4()), "actions": actions}
