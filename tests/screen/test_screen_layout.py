"""What the panel and the form say and offer (issue 14 items 5, 7, 8, 9, 12, 13), through the test client."""

from __future__ import annotations

import pytest

from tests.support import form_data, golden, parse

HTMX = {"HX-Request": "true"}
ANEMIA = {"hemoglobin": "10.9", "hemoglobin_unit": "g/dL"}


def _page(client, data, headers=None):
    return parse(client.post("/", data, headers=headers or {}).content)


def _ids(page, attr):
    return [e.attrs[attr] for e in page.with_attr(attr)]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_copy_impression_sits_in_the_headline_block(client, headers):
    page = _page(client, ANEMIA, headers)
    headline_at = next(i for i, e in enumerate(page.elements) if "data-disposition" in e.attrs)
    copy_at = next(i for i, e in enumerate(page.elements) if e.attrs.get("data-copy-target") == "report-impression")
    options_at = next(i for i, e in enumerate(page.elements) if "data-option" in e.attrs)
    assert headline_at < copy_at < options_at


def test_headline_says_when_no_mri_finding_was_entered(client):
    page = _page(client, ANEMIA)
    assert "No MRI findings entered" in page.with_attr("data-no-mri")[0].text


def test_headline_is_silent_about_mri_once_a_finding_is_entered(client):
    assert not _page(client, {**ANEMIA, "pattern": "variegated"}).with_attr("data-no-mri")


def test_cancer_and_known_etiology_help_texts_point_at_each_other(client):
    text = parse(client.get("/").content).by_id("main").text
    assert "A known cancer without a known marrow cause is “History of cancer”" in text
    assert "Choose Yes for a known cancer even when it is not known to be the cause" in text


def test_inactive_pitfalls_are_one_collapsed_line(client):
    page = _page(client, ANEMIA)
    inactive = page.by_id("pitfalls-inactive")
    assert inactive.tag == "details"
    active = [e for e in page.with_attr("data-active", "true")]
    assert [e.attrs["data-pitfall-id"] for e in active] == ["PF-ANEMIA-DELAY"]
    assert "PF-CLIVUS" in inactive.text


def test_unknowns_that_could_change_the_result_come_first(client):
    page = _page(client, {"age": "64"})  # nothing else known: the core panel decides the result
    (changing,) = page.with_attr("data-unknowns", "changing")
    assert "Hemoglobin" in changing.text
    rest = page.by_id("unknowns-rest")
    assert rest.tag == "details"


def test_nothing_unknown_changes_a_case_already_going_to_biopsy(client):
    page = _page(client, ANEMIA)
    assert not page.with_attr("data-unknowns", "changing")
    assert "Nothing still unknown could change the result" in page.by_id("main").text


@pytest.mark.parametrize("key", ["spep", "ife", "urine_mprotein"])
def test_protein_tests_are_radio_groups(client, key):
    radios = [e for e in parse(client.get("/").content).elements if e.attrs.get("name") == key]
    assert {e.attrs["type"] for e in radios} == {"radio"}
    assert [e.attrs["value"] for e in radios] == ["", "detected", "not_detected", "not_done"]


def test_brain_references_are_ignored_until_brain_imaging_is_ticked(client):
    off = _page(client, {**ANEMIA, "t1_vs_white_matter": "hypointense"})
    on = _page(client, {**ANEMIA, "t1_vs_white_matter": "hypointense", "brain_imaging": "on"})
    assert off.with_attr("data-no-mri")  # the hidden brain reference was not evaluated
    assert not on.with_attr("data-no-mri")


def test_prefilled_brain_reference_ticks_brain_imaging(client):
    data = form_data(golden("mri-gm-hypo-precontrast-no-no-labs")["input"])
    assert data.get("brain_imaging") == "on"


def test_skip_link_leads_to_the_result(client):
    links = [e for e in parse(client.get("/").content).elements if "skip-link" in e.attrs.get("class", "")]
    assert [e.attrs["href"] for e in links] == ["#main", "#recommendation-panel"]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_result_bar_gives_headline_or_what_it_leaves_out(client, headers):
    assessed = _page(client, ANEMIA, headers).with_attr("data-result-bar")[0].text
    refused = _page(client, {"hemoglobin": "1o.9"}, headers).with_attr("data-result-bar")[0].text
    assert "biopsy" in assessed.lower()
    assert refused.endswith(" · without Hemoglobin")


def test_printed_page_carries_the_entries_and_the_impression(client):
    page = _page(client, {**ANEMIA, "age": "64", "sex": "female"})
    printed = " ".join(e.text for e in page.elements if "print-only" in e.attrs.get("class", ""))
    assert "Hemoglobin: 10.9 g/dL" in printed
    assert "Age: 64" in printed and "Sex: Female" in printed
    assert "Impression" in printed


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_no_template_comment_reaches_the_page(client, headers):
    content = client.post("/", ANEMIA, headers=headers).content
    assert b"{#" not in content and b"{%" not in content
