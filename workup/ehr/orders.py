"""Orders in CDS Hooks (no Django): spotting a bone marrow biopsy order, and the lab orders to suggest.

A draft `ServiceRequest` is a bone marrow biopsy order when its code carries one of the SNOMED CT
procedure concepts below. The lab orders suggested for missing core labs use the LOINC codes the
FHIR mapping reads results from, so that an accepted suggestion produces a result this service can
read back.

Codes checked against public sources (see docs/ehr.md): SNOMED CT 234326005 "Bone marrow sampling
(procedure)" and 49401003 "Bone marrow aspiration procedure" (HL7 mCODE examples), 86273004 "Biopsy
of bone marrow" (Synthea modules).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from workup.ehr import fhir

BONE_MARROW_PROCEDURES: dict[str, str] = {
    "86273004": "Biopsy of bone marrow",
    "234326005": "Bone marrow sampling",
    "49401003": "Bone marrow aspiration procedure",
}
# The LOINC code(s) to order for a missing core lab: the FLC ratio needs κ and λ from one draw.
ORDER_CODES: dict[str, tuple[str, ...]] = {
    "flc_ratio": ("36916-5", "33944-0"),
}


def biopsy_orders(draft_orders: Any, selections: list[str] | None = None) -> list[dict]:
    """The bone marrow biopsy ServiceRequests among the draft orders (only the selected ones, if given)."""
    entries = draft_orders.get("entry") if isinstance(draft_orders, dict) else None
    found = []
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "ServiceRequest":
            continue
        if selections is not None and f"ServiceRequest/{resource.get('id')}" not in selections:
            continue
        if _is_bone_marrow_procedure(resource.get("code")):
            found.append(resource)
    return found


def _is_bone_marrow_procedure(code: Any) -> bool:
    codings = code.get("coding") if isinstance(code, dict) else None
    return any(
        isinstance(coding, dict) and coding.get("system") == fhir.SNOMED_SYSTEM
        and coding.get("code") in BONE_MARROW_PROCEDURES
        for coding in (codings if isinstance(codings, list) else [])
    )


@dataclass(frozen=True, slots=True)
class LabOrder:
    key: str
    label: str
    loinc: tuple[str, ...]


def lab_order_codes(key: str) -> tuple[str, ...]:
    return ORDER_CODES.get(key) or fhir.codes_for(key)[:1]


def lab_suggestion(*, order: LabOrder, patient_id: str) -> dict:
    """A CDS Hooks suggestion that creates one draft lab ServiceRequest per LOINC code."""
    actions = []
    for code in order.loinc:
        display = fhir.LAB_CODE_BY_LOINC[code].display
        actions.append({
            "type": "create",
            "description": f"Order {display}",
            "resource": {
                "resourceType": "ServiceRequest",
                "status": "draft",
                "intent": "order",
                "code": {"coding": [{"system": fhir.LOINC_SYSTEM, "code": code, "display": display}]},
                "subject": {"reference": f"Patient/{patient_id}"},
            },
        })
    return {"label": f"Order {order.label}", "uuid": str(uuid.uuid4()), "actions": actions}
