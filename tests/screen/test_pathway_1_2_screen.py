"""Pathway 1.2 on the workup screen (no browser): the engine's flag decides which unknowns "could change
the result", urgent findings and scope guards lead the panel, and the copy needs the MRI signs."""

from __future__ import annotations

from tests.support import form_data, golden, parse
from workup.pathway.engine import evaluate
from workup.pathway.parsing import case_from_json

HTMX = {"HX-Request": "true"}


def _panel(client, api_input):
    return parse(client.post("/", form_data(api_input), headers=HTMX).content)


def test_unknowns_panel_reads_the_engine_flag(client):
    case = golden("hb-sex-missing-12-9")["input"]
    page = _panel(client, case)
    changing = page.with_attr("data-unknowns", "changing")
    flagged = {u.label for u in evaluate(case_from_json(data=case)).unknowns if u.could_change_result}
    shown = changing[0].text if changing else ""
    assert "Sex" in flagged
    assert all(label in shown for label in flagged)
    rest = page.with_attr("data-unknowns", "rest")
    assert "Sex" not in (rest[0].text if rest else "")


def test_urgent_finding_leads_the_panel_before_the_headline(client):
    page = _panel(client, golden("plt-19-urgent")["input"])
    (urgent,) = page.with_attr("data-urgent-id")
    assert urgent.attrs["data-urgent-id"] == "URGENT-THROMBOCYTOPENIA"
    assert urgent.text.startswith("Urgent: severe thrombocytopenia")


def test_under_18_headline_is_outside_the_pathway(client):
    page = _panel(client, golden("pediatric-17")["input"])
    (headline,) = page.with_attr("data-disposition")
    assert headline.text == "Outside this pathway: patient under 18"


def test_copy_impression_is_disabled_without_mri_signs(client):
    page = _panel(client, golden("baseline-completely-normal")["input"])
    (note,) = page.with_attr("data-copy-needs-mri")
    assert note.text == "Enter the MRI signs to copy an impression."
    buttons = [e for e in page.with_attr("data-copy-target", "report-impression")]
    assert buttons and all("disabled" in e.attrs for e in buttons)


def test_copy_impression_is_enabled_with_an_mri_sign(client):
    page = _panel(client, {**golden("baseline-completely-normal")["input"], "pattern": "variegated"})
    assert not page.with_attr("data-copy-needs-mri")
    (provenance,) = page.with_attr("data-provenance")
    assert provenance.text.startswith("Marrow workup pathway v1.2")


def test_published_criteria_lines_are_plain_marked_and_only_what_says_something(client):
    data = {**golden("baseline-completely-normal")["input"], "flc_kappa": {"value": 80, "unit": "mg/L"},
            "flc_lambda": {"value": 10, "unit": "mg/L"}}
    page = _panel(client, data)
    lines = page.with_attr("data-criteria-line")
    assert [e.attrs["data-criteria-line"] for e in lines] == ["criteria_beyond_source"]
    assert lines[0].text.endswith("FLC κ/λ ratio 8 (FLC breakpoint as published).")
    assert "CRIT-" not in lines[0].text
    (explained,) = page.with_attr("data-source-explained")
    assert explained.text.startswith("“The source” is the pathway article")


def test_criterion_basis_marks_the_alternative_that_was_met(client):
    data = {**golden("baseline-completely-normal")["input"], "flc_kappa": {"value": 80, "unit": "mg/L"},
            "flc_lambda": {"value": 10, "unit": "mg/L"}}
    text = _panel(client, data).by_id("criterion-CRIT-FLC-PUBLISHED").text
    assert "≥ 8 (FLC_PUBLISHED_HIGH: default) (met)" in text
    assert "≤ 0.125 (FLC_PUBLISHED_LOW: default) (not met)" in text
    assert "entered" not in text
