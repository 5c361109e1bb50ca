"""The OpenAPI 3.1 document for /api/v1, generated from the tables the API validates with (no Django).

Request keys, kinds, choices and units come from `INPUTS`, `ANALYTES` and the reference-limit
table; the 200 response schema is derived from the `Assessment` dataclasses that `to_dict`
serialises. Nothing here is written by hand twice, so the document cannot drift from the code.
Plausibility bounds of lab values are not in the schema (they depend on the unit); an
implausible value is a 400 that names the field and the probable unit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from typing import Any

from workup.ehr import fhir
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.inputs import INPUTS, InputSpec
from workup.pathway.result import RESULT_KEYS, Assessment, PathwayInfo
from workup.pathway.units import AGE_BOUNDS, ANALYTES, FLC_RATIO_BOUNDS, REFERENCE_LIMIT_ANALYTE, UNIT_ALIASES

OBSERVATIONS_KEY = "observations"
REF = "#/components/schemas/"
NULL = {"type": "null"}


def build_openapi() -> dict[str, Any]:
    """The whole document: paths, request/response schemas, error shape."""
    schemas: dict[str, Any] = {}
    for key in ANALYTES:
        schemas[_quantity_name(key)] = _quantity_schema(key)
    schemas["CaseInput"] = case_input_schema()
    schemas["Bundle"] = bundle_schema()
    schemas["Errors"] = errors_schema()
    schemas["Assessment"] = dataclass_schema(Assessment, schemas)
    schemas["PathwayContent"] = pathway_content_schema(schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Marrow Workup API",
            "version": PATHWAY_INFO.version,
            "description": (
                "Evaluate the pathway for diffuse marrow heterogeneity of unclear etiology on lumbar MRI "
                f"(pathway `{PATHWAY_INFO.id}`, rules {PATHWAY_INFO.hash}). Every input is optional: a "
                "missing input is an unknown, listed in the result."
            ),
        },
        "paths": _paths(),
        "components": {"schemas": schemas},
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _paths() -> dict[str, Any]:
    errors = {"$ref": REF + "Errors"}
    return {
        "/api/v1/evaluate": {
            "post": {
                "operationId": "evaluate",
                "summary": "Evaluate one case (stores nothing)",
                "description": (
                    "The body is the pathway inputs, or a FHIR R4 Bundle of lab Observations (LOINC "
                    f"code + UCUM unit), or inputs with such a Bundle under `{OBSERVATIONS_KEY}`."
                ),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"oneOf": [{"$ref": REF + "CaseInput"}, {"$ref": REF + "Bundle"}]}
                        }
                    },
                },
                "responses": {
                    "200": _json({"$ref": REF + "Assessment"}, "The assessment."),
                    "400": _json(errors, "Invalid input; messages by input key or Bundle entry."),
                },
            }
        },
        "/api/v1/pathway": {
            "get": {
                "operationId": "pathway",
                "summary": "The rule table, thresholds, units and evidence, with the pathway identity",
                "responses": {"200": _json({"$ref": REF + "PathwayContent"}, "The pathway content.")},
            }
        },
        "/api/v1/drafts": {
            "post": {
                "operationId": "draft",
                "summary": "The pathway inputs stored behind a CDS card's short-lived draft token (sent in the body, "
                "so that no log records it)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {
                        "type": "object", "required": ["token"], "additionalProperties": False,
                        "properties": {"token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}},
                    }}},
                },
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["inputs"],
                            "additionalProperties": False,
                            "properties": {"inputs": {"$ref": REF + "CaseInput"}},
                        },
                        "The stored inputs.",
                    ),
                    "400": _json(errors, "The body is not {\"token\": \"…\"}."),
                    "404": _json(errors, "Unknown or expired token."),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
            }
        },
    }


# --- Request ----------------------------------------------------------------------------------------


def _quantity_name(key: str) -> str:
    return "Quantity_" + key


def accepted_units(key: str) -> list[str]:
    """Every unit spelling the API accepts for one analyte: its symbols and their aliases."""
    symbols = list(ANALYTES[key].unit_symbols)
    return symbols + [alias for alias, symbol in UNIT_ALIASES.items() if symbol in symbols]


def _quantity_schema(key: str) -> dict[str, Any]:
    analyte = ANALYTES[key]
    return {
        "type": "object",
        "description": f"{analyte.label}: a value and its unit (canonical {analyte.canonical_unit}).",
        "required": ["value", "unit"],
        "additionalProperties": False,
        "properties": {"value": {"type": "number"}, "unit": {"enum": accepted_units(key)}},
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, NULL]}


def input_schema(spec: InputSpec) -> dict[str, Any]:
    """The schema of one input; null is accepted everywhere and means unknown."""
    kind = spec.kind
    if kind == "quantity":
        schema: dict[str, Any] = {"$ref": REF + _quantity_name(spec.key)}
    elif kind == "choice":
        schema = {"type": "string", "enum": list(spec.choice_values)}
    elif kind == "set":
        schema = {"type": "array", "items": {"type": "string", "enum": list(spec.choice_values)}}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "integer":
        schema = {"type": "integer", "minimum": int(AGE_BOUNDS.low), "maximum": int(AGE_BOUNDS.high)}
    elif kind == "ratio":
        schema = {"type": "number", "exclusiveMinimum": 0, "maximum": int(FLC_RATIO_BOUNDS.high)}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    else:
        raise ValueError(f"no schema for input kind {kind!r}")
    description = " ".join(part for part in (spec.label + ".", spec.help) if part)
    return {**_nullable(schema), "description": description}


def case_input_schema() -> dict[str, Any]:
    """Every INPUTS key (all optional), the lab reference limits, and an optional Bundle of labs."""
    properties = {spec.key: input_schema(spec) for spec in INPUTS}
    properties["reference_limits"] = _nullable(
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                limit: _nullable({"$ref": REF + _quantity_name(analyte)})
                for limit, analyte in REFERENCE_LIMIT_ANALYTE.items()
            },
        }
    )
    properties["reference_limits"]["description"] = "The laboratory's own limits, replacing the defaults."
    properties[OBSERVATIONS_KEY] = {
        "$ref": REF + "Bundle",
        "description": "Lab results as FHIR Observations; each fills the input its LOINC code maps to.",
    }
    return {"type": "object", "additionalProperties": False, "properties": properties}


def bundle_schema() -> dict[str, Any]:
    """A FHIR R4 Bundle of lab Observations, restricted to the LOINC codes and UCUM units mapped."""
    # Anything but an Observation with a usable status is skipped with a warning, so it is valid here.
    skipped = {"type": "object", "required": ["resourceType"], "properties": {"resourceType": {"type": "string"}}, "not": {
        "type": "object", "required": ["resourceType", "status"],
        "properties": {"resourceType": {"const": "Observation"}, "status": {"enum": sorted(fhir.USABLE_STATUSES)}}}}
    observation = {"anyOf": [*(observation_schema(lab) for lab in fhir.LAB_CODES), skipped]}
    return {
        "type": "object",
        "description": (
            "FHIR R4 Bundle. LOINC codes: "
            + "; ".join(f"{lab.code} → {lab.key}" + (f" (and {lab.quantity_key} from its valueQuantity)"
                                                     if lab.quantity_key else "") for lab in fhir.LAB_CODES)
            + ". UCUM units: "
            + "; ".join(f"{ucum} → {unit}" for ucum, unit in fhir.UCUM_UNITS.items())
            + ". The newest result per input wins; an entry with another code or unit is refused. "
            "Entries that are not results (search.mode include, an OperationOutcome) and Observations "
            "that are not final, amended or corrected are skipped and reported as FHIR-ENTRY-SKIPPED "
            "warnings. A quantified M-spike (33358-3) above zero is SPEP detected and, from the same entry, "
            "the M-protein concentration; when its unit is not UCUM g/dL or g/L the concentration is set "
            "aside with a FHIR-VALUE-SET-ASIDE warning. Each value must also lie within the input's plausibility bounds (a 400 names "
            "the entry otherwise), which this schema does not express."
        ),
        "required": ["resourceType", "type"],
        "properties": {
            "resourceType": {"const": "Bundle"},
            "type": {"enum": list(fhir.RESULT_BUNDLE_TYPES)},
            "entry": {
                "type": "array",
                "items": {"type": "object", "required": ["resource"], "properties": {"resource": observation}},
            },
        },
    }


def observation_schema(lab: fhir.LabCode) -> dict[str, Any]:
    """A final lab Observation coded with one mapped LOINC code, in a UCUM unit its input accepts."""
    if lab.key in fhir.CODED_KEYS and lab.quantity_key:
        return {"anyOf": [coded_observation_schema(lab), quantified_observation_schema(lab)]}
    if lab.key in fhir.CODED_KEYS:
        return coded_observation_schema(lab)
    if lab.key == "flc_ratio":  # unitless: no unit at all, or UCUM {ratio} / 1
        quantity_rules: dict[str, Any] = {
            "required": ["value"],
            "dependentRequired": {"system": ["code"], "code": ["system"]},
            "properties": {"code": {"enum": sorted(fhir.RATIO_UNITS)}},
        }
    else:
        accepted = ANALYTES[lab.key].unit_symbols
        unit_codes = [ucum for ucum, unit in fhir.UCUM_UNITS.items() if unit in accepted]
        quantity_rules = {"required": ["value", "system", "code"], "properties": {"code": {"enum": unit_codes}}}
    quantity = {
        "type": "object",
        "required": quantity_rules["required"],
        "properties": {
            "value": {"type": "number", "description": (
                f"At most {fhir.MAX_VALUE_DIGITS} significant digits; a non-zero magnitude between "
                f"10^-{fhir.MAX_VALUE_MAGNITUDE} and 10^{fhir.MAX_VALUE_MAGNITUDE}. Each input also has "
                "plausibility bounds (see the pathway inputs); a value outside them is refused with a 400.")},
            "system": {"const": fhir.UCUM_SYSTEM},
            "comparator": False,  # a bound ("< 0.5") is not a value
            **quantity_rules["properties"],
        },
        **({"dependentRequired": quantity_rules["dependentRequired"]} if "dependentRequired" in quantity_rules else {}),
    }
    loinc = {"type": "object", "required": ["system", "code"],
             "properties": {"system": {"const": fhir.LOINC_SYSTEM}, "code": {"const": lab.code}}}
    return {
        "type": "object",
        "description": f"LOINC {lab.code} {lab.display} → `{lab.key}`",
        "required": ["resourceType", "status", "code", "valueQuantity"],
        "properties": {
            "resourceType": {"const": "Observation"},
            "status": {"enum": sorted(fhir.USABLE_STATUSES)},
            "code": {
                "type": "object",
                "required": ["coding"],
                "properties": {"coding": {"type": "array", "contains": loinc}},
            },
            "valueQuantity": quantity,
        },
    }


def coded_observation_schema(lab: fhir.LabCode) -> dict[str, Any]:
    """A qualitative result (SPEP, IFE, urine M-protein) coded SNOMED CT detected / not detected."""
    loinc = {"type": "object", "required": ["system", "code"],
             "properties": {"system": {"const": fhir.LOINC_SYSTEM}, "code": {"const": lab.code}}}
    snomed = {"type": "object", "required": ["system", "code"],
              "properties": {"system": {"const": fhir.SNOMED_SYSTEM}, "code": {"enum": sorted(fhir.DETECTED_CODES)}}}
    return {
        "type": "object",
        "description": f"LOINC {lab.code} {lab.display} → `{lab.key}` (SNOMED CT 260373001 detected, "
                       "260415000 not detected)",
        "required": ["resourceType", "status", "code", "valueCodeableConcept"],
        "properties": {
            "resourceType": {"const": "Observation"},
            "status": {"enum": sorted(fhir.USABLE_STATUSES)},
            "code": {"type": "object", "required": ["coding"],
                     "properties": {"coding": {"type": "array", "contains": loinc}}},
            "valueCodeableConcept": {"type": "object", "required": ["coding"],
                                     "properties": {"coding": {"type": "array", "contains": snomed}}},
        },
    }


def errors_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["errors"],
        "additionalProperties": False,
        "properties": {
            "errors": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            }
        },
    }


# --- Responses --------------------------------------------------------------------------------------


def dataclass_schema(cls: type, schemas: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of what the API serialises: every field present; nested dataclasses as components.

    The Assessment serialises only RESULT_KEYS (its `to_dict`); other dataclasses every field.
    """
    hints = typing.get_type_hints(cls)
    names = RESULT_KEYS if cls is Assessment else [field.name for field in dataclasses.fields(cls)]
    properties = {name: _type_schema(hints[name], schemas) for name in names}
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


def _type_schema(hint: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [_type_schema(arg, schemas) for arg in args if arg is not type(None)]
        return {"oneOf": [*options, NULL]} if type(None) in args else {"oneOf": options}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(args[0], schemas)}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"type": "string", "enum": [member.value for member in hint]}
    if dataclasses.is_dataclass(hint):
        name = hint.__name__
        if name not in schemas:
            schemas[name] = {}  # reserve the name first: a dataclass may refer to itself
            schemas[name] = dataclass_schema(hint, schemas)
        return {"$ref": REF + name}
    scalar = {str: {"type": "string"}, bool: {"type": "boolean"}, int: {"type": "integer"},
              Decimal: {"type": "number"}, dt.date: {"type": "string", "format": "date"}, object: {}}
    if hint in scalar:
        return scalar[hint]
    raise TypeError(f"no schema for {hint!r}")


def pathway_content_schema(schemas: dict[str, Any]) -> dict[str, Any]:
    """GET /api/v1/pathway: the identity plus the content that the rule hash covers."""
    content_keys = ("rules", "dispositions", "thresholds", "constants", "units", "evidence_notes", "citations")
    list_keys = {"rules", "dispositions", "thresholds"}
    properties = {"pathway": _type_schema(PathwayInfo, schemas)} | {
        key: {"type": "array", "items": {"type": "object"}} if key in list_keys else {"type": "object"}
        for key in content_keys
    }
    return {"type": "object", "required": list(properties), "properties": properties}


def quantified_observation_schema(lab: fhir.LabCode) -> dict[str, Any]:
    """A coded result sent as a number (the M-spike): above zero it is detected, and its value in an
    accepted UCUM unit is also `quantity_key`; in another unit that value is set aside with a warning."""
    accepted = ANALYTES[lab.quantity_key].unit_symbols if lab.quantity_key else ()
    loinc = {"type": "object", "required": ["system", "code"],
             "properties": {"system": {"const": fhir.LOINC_SYSTEM}, "code": {"const": lab.code}}}
    return {
        "type": "object",
        "description": (f"LOINC {lab.code} {lab.display} as a number: above zero → `{lab.key}` detected, and "
                        f"in UCUM {' or '.join(accepted)} → `{lab.quantity_key}`"),
        "required": ["resourceType", "status", "code", "valueQuantity"],
        "properties": {
            "resourceType": {"const": "Observation"},
            "status": {"enum": sorted(fhir.USABLE_STATUSES)},
            "code": {"type": "object", "required": ["coding"],
                     "properties": {"coding": {"type": "array", "contains": loinc}}},
            "valueQuantity": {"type": "object", "required": ["value"], "properties": {
                "value": {"type": "number", "exclusiveMinimum": 0},
                "comparator": False,  # a bound is not a value
            }},
        },
    }
