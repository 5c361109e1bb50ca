"""The published-criteria cross-check in the JSON API and its OpenAPI document (SPEC §10)."""

import json

from workup.ehr.openapi import build_openapi
from workup.pathway.rules import CRITERIA


def test_evaluate_returns_criteria_in_table_order_with_basis(client):
    body = {"sex": "male", "hemoglobin": {"value": 124, "unit": "g/L"}}
    result = client.post("/api/v1/evaluate", json.dumps(body), content_type="application/json").json()
    assert [c["id"] for c in result["criteria"]] == [r.id for r in CRITERIA]
    who = result["criteria"][0]
    assert (who["status"], who["related_rules"]) == ("met", ["BX-ANEMIA"])
    hb = next(m for m in who["basis"] if m["key"] == "hemoglobin")
    assert (hb["entered_value"], hb["entered_unit"], hb["canonical_value"], hb["threshold_value"]) == (
        124, "g/L", 12.4, 13
    )
    assert who["citations"][0]["id"] == "WHO-ANAEMIA"
    assert result["disposition"] == "COMPLETE_WORKUP"


def test_not_evaluable_criterion_names_missing_inputs_and_reason(client):
    result = client.post("/api/v1/evaluate", "{}", content_type="application/json").json()
    renal = next(c for c in result["criteria"] if c["id"] == "CRIT-IMWG-RENAL")
    assert (renal["status"], renal["missing"]) == ("not_evaluable", ["creatinine", "egfr"])
    assert renal["reason"]


def test_pathway_endpoint_serves_the_criteria_rows(client):
    rows = {row["id"]: row for row in client.get("/api/v1/pathway").json()["rules"]}
    assert rows["CRIT-MGUS-RISK"]["kind"] == "criterion"
    assert rows["CRIT-MGUS-RISK"]["strata"] == ["low", "low-intermediate", "high-intermediate", "high"]
    assert rows["CRIT-SLIM-FLC"]["related_rules"] == ["BX-FLC"]


def test_openapi_describes_the_criteria_key():
    schemas = build_openapi()["components"]["schemas"]
    assert schemas["Assessment"]["properties"]["criteria"]["items"] == {"$ref": "#/components/schemas/Criterion"}
    assert {"id", "title", "status", "value", "basis", "missing", "reason", "citations", "related_rules"} <= set(
        schemas["Criterion"]["required"]
    )


def test_openapi_lists_the_criterion_statuses():
    status = build_openapi()["components"]["schemas"]["Criterion"]["properties"]["status"]
    assert status == {"type": "string", "enum": ["met", "not_met", "not_evaluable"]}
