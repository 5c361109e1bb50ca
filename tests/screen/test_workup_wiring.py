"""The workup screen wired to the other features: CDS drafts, the evidence library and the live map."""

from __future__ import annotations

import pytest

from tests.ehr.fhir_builders import hook_request, prefetch_for
from tests.golden import golden_cases, representative_params
from tests.support import form_data, golden, parse, read_panel
from workup.learning.pathway_map import assessment_rule_ids
from workup.pathway.parsing import case_from_json
from workup.saved import drafts
from workup.services import workup_evaluate

NORMAL = golden("baseline-completely-normal")
NORMAL_JSON = next(c for c in golden_cases() if c["name"] == NORMAL["name"])["input"]  # floats, as JSON stores
HTMX = {"HX-Request": "true"}
ANEMIA = {"hemoglobin": {"value": 10.8, "unit": "g/dL"}}


# --- Draft prefill (CDS card links) ---------------------------------------------------------------


@pytest.mark.django_db
def test_workup_draft_prefills_form_and_evaluates_panel(client):
    token = drafts.draft_create(case_data=NORMAL_JSON)
    response = client.get("/", {"draft": token}, follow=True)
    page = parse(response.content)
    assert response.status_code == 200
    assert page.by_id("id_hemoglobin").attrs["value"] == "13.5"
    assert read_panel(response.content).disposition == NORMAL["expected"]["disposition"]


@pytest.mark.django_db
def test_workup_draft_from_cds_card_link_opens_prefilled_screen(client):
    response = client.post("/cds-services/marrow-workup-order-sign", hook_request(prefetch_for(ANEMIA), hook="order-sign"),
                           content_type="application/json")
    (link,) = response.json()["cards"][0]["links"]
    response = client.get(link["url"], follow=True)
    page = parse(response.content)
    assert page.by_id("id_hemoglobin").attrs["value"] == "10.8"
    assert "BX-ANEMIA" in read_panel(response.content).rule_ids


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["no-such-token", "", "x" * 5000])
def test_workup_draft_unknown_token_shows_message_and_empty_screen(client, token):
    response = client.get("/", {"draft": token}, follow=True)
    page = parse(response.content)
    assert response.status_code == 200
    assert "unknown or has expired" in page.with_attr("data-notice", "draft-missing")[0].text
    assert page.with_attr("data-state", "empty")
    assert "value" not in page.by_id("id_hemoglobin").attrs


@pytest.mark.django_db
def test_workup_draft_expired_shows_message(client):
    token = drafts.draft_create(case_data=NORMAL_JSON)
    drafts.WorkupDraft.objects.update(expires_at="2000-01-01T00:00:00Z")
    response = client.get("/", {"draft": token}, follow=True)
    assert parse(response.content).with_attr("data-notice", "draft-missing")
    assert read_panel(response.content).disposition is None


def test_workup_get_without_draft_has_no_notice(client):
    assert not parse(client.get("/").content).with_attr("data-notice")


# --- "Why?" links to the evidence library ----------------------------------------------------------


@pytest.mark.parametrize("case", representative_params())
def test_workup_every_why_links_to_its_rule_page(client, case):
    page = parse(client.post("/", form_data(case["input"])).content)
    basis_ids = {e.attrs["data-basis-for"] for e in page.with_attr("data-basis-for")}
    links = {e.attrs["data-evidence-for"]: e.attrs["href"] for e in page.with_attr("data-evidence-for")}
    assert set(case["expected"]["fired"]) <= basis_ids
    assert links == {rule_id: f"/learn/rules/{rule_id}" for rule_id in basis_ids}


def test_workup_why_link_opens_the_evidence_page(client):
    page = parse(client.post("/", form_data(NORMAL["input"])).content)
    href = page.with_attr("data-evidence-for")[0].attrs["href"]
    assert client.get(href).status_code == 200


# --- The live pathway map --------------------------------------------------------------------------


def _form_controls(html: str):
    """The controls inside the workup form (what a plain submit or htmx posts)."""
    inside = html.split('id="workup-form"', 1)[1].split("</form>", 1)[0]
    return parse(inside).with_attr("name")


def _lit_rule_ids(page) -> set[str]:
    return {e.attrs["data-rule-id"] for e in page.elements if e.tag == "g" and "fired" in e.attrs.get("class", "").split()
            and "data-rule-id" in e.attrs}


@pytest.mark.parametrize("case", representative_params())
def test_workup_map_full_page_lights_exactly_the_engines_rules(client, case):
    page = parse(client.post("/", {**form_data(case["input"]), "show_map": "on"}).content)
    assessment = workup_evaluate(case=case_from_json(data=case["input"]))
    (svg,) = [e for e in page.elements if e.tag == "svg"]
    assert _lit_rule_ids(page) == set(assessment_rule_ids(assessment))
    assert set(case["expected"]["fired"]) <= _lit_rule_ids(page)
    assert "pathway-map" in svg.attrs["class"].split()


def test_workup_map_full_page_has_text_outline(client):
    page = parse(client.post("/", {**form_data(NORMAL["input"]), "show_map": "on"}).content)
    live_map = page.by_id("live-map")
    assert "Text version of the map" in live_map.text
    assert [e for e in page.elements if e.tag == "ol" and e.attrs.get("class") == "map-outline"]


def test_workup_map_absent_when_toggle_off(client):
    page = parse(client.post("/", form_data(NORMAL["input"])).content)
    assert not page.with_attr("id", "live-map")
    assert not [e for e in page.elements if e.tag == "svg"]


def test_workup_map_toggle_is_part_of_the_form(client):
    (toggle,) = [e for e in _form_controls(client.get("/").content.decode()) if e.attrs["name"] == "show_map"]
    assert toggle.attrs["type"] == "checkbox"


def test_workup_map_fragment_has_lazy_container_not_svg(client):
    response = client.post("/", {**form_data(NORMAL["input"]), "show_map": "on"}, headers=HTMX)
    page = parse(response.content)
    live_map = page.by_id("live-map")
    assert live_map.attrs["data-hx-post"] == "/learn/map"
    assert live_map.attrs["data-hx-trigger"] == "load"
    assert live_map.attrs["data-hx-include"] == "#map-inputs-json"
    assert page.by_id("map-inputs-json").attrs["name"] == "inputs_json"
    assert b"<svg" not in response.content


def test_workup_map_lazy_request_answers_lit_map_fragment(client):
    page = parse(client.post("/", {**form_data(NORMAL["input"]), "show_map": "on"}, headers=HTMX).content)
    inputs_json = page.by_id("map-inputs-json").attrs["value"]
    response = client.post("/learn/map", {"inputs_json": inputs_json}, headers=HTMX)
    map_page = parse(response.content)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="map-panel"')
    assessment = workup_evaluate(case=case_from_json(data=NORMAL["input"]))
    assert _lit_rule_ids(map_page) == set(assessment_rule_ids(assessment))


@pytest.mark.parametrize(
    "inputs_json",
    ['{"hemoglobin": {"value": NaN, "unit": "g/dL"}}', '{"age": Infinity}', '{"flc_ratio": NaN}',
     '{"calcium": {"value": 1e999999999, "unit": "mg/dL"}}', "not json"],
)
def test_workup_map_lazy_request_with_bad_inputs_answers_400(client, inputs_json):
    response = client.post("/learn/map", {"inputs_json": inputs_json}, headers=HTMX)
    assert response.status_code == 400
    assert parse(response.content).with_attr("role", "alert")
