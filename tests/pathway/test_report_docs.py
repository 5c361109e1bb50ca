"""docs/workup-screen.md shows what "Copy impression" copies for three typical cases (issue 19): the
page must say exactly what the report module writes for the same inputs."""

from pathlib import Path

import pytest

from workup.pathway.engine import evaluate
from workup.pathway.parsing import case_from_json
from workup.report import workup_report

DOC = Path(__file__).resolve().parents[2] / "docs" / "workup-screen.md"

_LABS = {
    "wbc": {"value": 6.1, "unit": "10^9/L"}, "platelets": {"value": 231, "unit": "10^9/L"},
    "spep": "not_detected", "ife": "not_detected",
    "flc_kappa": {"value": 14.2, "unit": "mg/L"}, "flc_lambda": {"value": 12.5, "unit": "mg/L"},
    "calcium": {"value": 2.38, "unit": "mmol/L"}, "albumin": {"value": 41, "unit": "g/L"},
    "creatinine": {"value": 78, "unit": "µmol/L"}, "beta2_microglobulin": {"value": 2.1, "unit": "mg/L"},
}
DOC_CASES = (
    ("A 68-year-old man with anaemia and a monoclonal protein", {
        "t1_vs_disc": "hypointense", "t1_vs_muscle": "hypointense", "pattern": "variegated",
        "focal_lesions": "none", "precontrast_t1": "yes",
        **_LABS, "hemoglobin": {"value": 10.9, "unit": "g/dL"}, "spep": "detected", "ife": "detected",
        "age": 68, "sex": "male", "evaluation_date": "2026-12-08",
    }),
    ("A 54-year-old woman with normal labs", {
        "t1_vs_disc": "hyperintense", "t1_vs_muscle": "hyperintense", "pattern": "diffuse_homogeneous",
        "focal_lesions": "none", "precontrast_t1": "yes",
        **_LABS, "hemoglobin": {"value": 13.1, "unit": "g/dL"},
        "age": 54, "sex": "female", "evaluation_date": "2026-12-08",
    }),
    ("A 47-year-old heavy smoker with a raised white count and a normal film", {
        "t1_vs_disc": "hyperintense", "t1_vs_muscle": "isointense", "pattern": "variegated",
        "focal_lesions": "none", "precontrast_t1": "yes",
        **_LABS, "hemoglobin": {"value": 15.2, "unit": "g/dL"}, "wbc": {"value": 13.4, "unit": "10^9/L"},
        "blood_film": ["normal"], "benign_context": ["heavy_smoking"],
        "age": 47, "sex": "male", "evaluation_date": "2026-12-08",
    }),
)


@pytest.mark.parametrize(("title", "data"), DOC_CASES, ids=[t for t, _ in DOC_CASES])
def test_docs_show_the_impression_copied_for_each_typical_case(title, data):
    case = case_from_json(data=data)
    report = workup_report(case=case, assessment=evaluate(case))
    section = DOC.read_text().split(f"### {title}\n")[1].split("\n### ")[0]
    copied = section.split("```text\n")[1].split("\n```")[0]
    assert copied == report.impression
    assert f"Provenance line: {report.provenance}" in section
