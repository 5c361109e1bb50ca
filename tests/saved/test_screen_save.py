"""Saving from the workup screen: the panel carries the case as JSON and posts it to cases:save."""

from __future__ import annotations

import pytest

from tests.golden import golden_cases
from tests.support import form_data, parse
from workup.models import SavedWorkup
from workup.saved_services import inputs_parse
from workup.services import case_from_json, workup_evaluate

BIOPSY = next(c for c in golden_cases() if c["expected"]["disposition"] == "PROCEED_TO_BIOPSY")
HTMX = {"HX-Request": "true"}


def _save_form(html: bytes):
    page = parse(html)
    (form,) = [e for e in page.elements if e.tag == "form" and e.attrs.get("action") == "/cases/save"]
    (inputs_json,) = page.with_attr("name", "inputs_json")
    return form, inputs_json.attrs["value"]


def test_screen_save_panel_offers_save_form_to_signed_in_user(client, radiologist):
    client.force_login(radiologist)
    form, _ = _save_form(client.post("/", form_data(BIOPSY["input"]), headers=HTMX).content)
    assert form.attrs["hx-post"] == "/cases/save"
    assert form.attrs["hx-target"] == "#save-result"
    assert form.attrs["method"] == "post"


def test_screen_save_inputs_json_round_trips_to_same_disposition(client, radiologist):
    client.force_login(radiologist)
    _, inputs_json = _save_form(client.post("/", form_data(BIOPSY["input"])).content)
    data, _ = inputs_parse(inputs_json=inputs_json)
    assert workup_evaluate(case=case_from_json(data=data)).disposition == "PROCEED_TO_BIOPSY"


def test_screen_save_inputs_json_keeps_units_as_entered(client, radiologist):
    client.force_login(radiologist)
    case = {"hemoglobin": {"value": "105", "unit": "g/L"}, "age": 70}
    _, inputs_json = _save_form(client.post("/", form_data(case)).content)
    data, _ = inputs_parse(inputs_json=inputs_json)
    assert data["hemoglobin"] == {"value": 105, "unit": "g/L"}
    assert data["age"] == 70


def test_screen_save_posting_panel_form_creates_saved_workup(client, radiologist):
    client.force_login(radiologist)
    _, inputs_json = _save_form(client.post("/", form_data(BIOPSY["input"])).content)
    response = client.post("/cases/save", {"inputs_json": inputs_json, "label": "reading room 3"}, headers=HTMX)
    (saved,) = SavedWorkup.objects.all()
    assert response.status_code == 200
    assert saved.author == radiologist
    assert saved.disposition == "PROCEED_TO_BIOPSY"
    assert saved.label == "reading room 3"
    assert parse(response.content).by_id("save-result").text.strip().startswith("Saved as")


def test_screen_save_anonymous_sees_sign_in_link_not_form(client):
    page = parse(client.post("/", form_data(BIOPSY["input"]), headers=HTMX).content)
    links = [e for e in page.elements if e.tag == "a" and e.text.strip() == "Sign in to save"]
    assert links and links[0].attrs["href"] == "/accounts/login/?next=/"
    assert not [e for e in page.elements if e.tag == "form" and e.attrs.get("action") == "/cases/save"]


def test_screen_save_no_offer_without_assessment(client, radiologist):
    client.force_login(radiologist)
    page = parse(client.post("/", {"hemoglobin": "112", "hemoglobin_unit": "g/dL"}, headers=HTMX).content)
    assert page.with_attr("data-state", "invalid")
    assert not page.with_attr("name", "inputs_json")


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_screen_save_anonymous_panel_makes_no_database_query(client, django_assert_num_queries, headers):
    with django_assert_num_queries(0):
        response = client.post("/", form_data(BIOPSY["input"]), headers=headers)
    assert "Sign in to save" in response.content.decode()
