"""Saving from the workup screen: the panel carries the case as JSON and posts it to cases:save."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.utils import timezone

from tests.golden import golden_cases
from tests.support import form_data, parse, read_panel
from workup.models import SavedWorkup, WorkupDraft
from workup.pathway.parsing import CaseInvalid, case_from_json
from workup.saved import drafts
from workup.saved.services import inputs_parse
from workup.services import workup_evaluate

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
    assert form.attrs["data-hx-post"] == "/cases/save"
    assert form.attrs["data-hx-target"] == "#save-result"
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


def test_screen_save_anonymous_sees_sign_in_button_not_form(client):
    page = parse(client.post("/", form_data(BIOPSY["input"]), headers=HTMX).content)
    (button,) = [e for e in page.elements if e.tag == "button" and e.text.strip() == "Sign in to save"]
    assert button.attrs["form"] == "workup-form"  # posts everything typed, from outside the form
    assert button.attrs["formaction"] == "/sign-in-to-save"
    assert not [e for e in page.elements if e.tag == "form" and e.attrs.get("action") == "/cases/save"]


@pytest.mark.django_db
def test_sign_in_to_save_keeps_the_inputs_as_a_draft_and_signs_in(client):
    response = client.post("/sign-in-to-save", form_data(BIOPSY["input"]))
    assert response.status_code == 302
    login, query = response["Location"].split("?", 1)
    assert login == "/accounts/login/"
    assert QueryDict(query)["next"] == "/"  # the token is in a cookie, in no URL
    draft = drafts.draft_load(token=response.cookies["workup_draft"].value)
    assert case_from_json(data=draft) == case_from_json(data=BIOPSY["input"])


def test_sign_in_to_save_draft_prefills_the_screen_after_sign_in(client, radiologist):
    back = QueryDict(client.post("/sign-in-to-save", form_data(BIOPSY["input"]))["Location"].split("?", 1)[1])["next"]
    client.force_login(radiologist)
    html = client.get(back).content
    assert read_panel(html).disposition == "PROCEED_TO_BIOPSY"
    assert _save_form(html)  # the signed-in person can now save it


def test_sign_in_to_save_when_signed_in_goes_straight_back_to_the_screen(client, radiologist):
    client.force_login(radiologist)
    response = client.post("/sign-in-to-save", form_data(BIOPSY["input"]))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert drafts.draft_load(token=response.cookies["workup_draft"].value)


@pytest.mark.django_db
def test_sign_in_to_save_with_an_unreadable_entry_shows_the_screen_and_stores_nothing(client):
    data = {**form_data(BIOPSY["input"]), "hemoglobin": "112", "hemoglobin_unit": "g/dL"}
    response = client.post("/sign-in-to-save", data)
    assert response.status_code == 200
    page = parse(response.content)
    assert "outside the plausible range" in page.by_id("feedback-hemoglobin").text
    assert page.by_id("id_age").attrs.get("value") == str(BIOPSY["input"]["age"])
    assert not WorkupDraft.objects.exists()


def test_sign_in_to_save_refuses_get(client):
    assert client.get("/sign-in-to-save").status_code == 405


def test_screen_save_waits_while_an_entry_cannot_be_read(client, radiologist):
    """A result worked out without a typed value is shown, but cannot be saved as the case."""
    client.force_login(radiologist)
    page = parse(client.post("/", {"hemoglobin": "112", "hemoglobin_unit": "g/dL"}, headers=HTMX).content)
    button = next(e for e in page.elements if e.tag == "button" and e.text == "Save this workup")
    assert "disabled" in button.attrs
    assert page.by_id("save-waits").text == "Saving waits until every entry can be read."


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_screen_save_anonymous_panel_makes_no_database_query(client, django_assert_num_queries, headers):
    with django_assert_num_queries(0):
        response = client.post("/", form_data(BIOPSY["input"]), headers=headers)
    assert "Sign in to save" in response.content.decode()


@pytest.mark.django_db
def test_sign_in_to_save_keeps_a_value_typed_to_the_longest_entry_the_form_reads(client):
    data = {**form_data(BIOPSY["input"]), "hemoglobin": "15.5149999999999", "hemoglobin_unit": "mmol/L"}
    response = client.post("/sign-in-to-save", data)
    assert response.status_code == 302  # just under 15.515 mmol/L (= 25 g/dL): within the bounds
    assert str(WorkupDraft.objects.get().inputs["hemoglobin"]["value"]) == "15.5149999999999"


@pytest.mark.django_db
def test_sign_in_to_save_shows_the_screen_when_the_draft_cannot_be_kept(client, monkeypatch):
    def refuse(*, case_data, source, keeper="", record_notice=None):
        raise CaseInvalid({"hemoglobin": ["outside the plausible range"]})

    monkeypatch.setattr(drafts, "draft_create", refuse)
    response = client.post("/sign-in-to-save", form_data(BIOPSY["input"]))
    assert response.status_code == 200
    assert read_panel(response.content).disposition == "PROCEED_TO_BIOPSY"  # as posted, nothing lost


def _fill_drafts(*, address: str, count: int) -> None:
    source = drafts.draft_source(address=address)
    for _ in range(count):
        drafts.draft_create(case_data={}, source=source)


@pytest.mark.django_db
@pytest.mark.parametrize(("already", "kept"), [(drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS - 1, True),
                                               (drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS, False)])
def test_sign_in_to_save_signed_out_drafts_per_address_limit(client, already, kept):
    _fill_drafts(address="127.0.0.1", count=already)
    response = client.post("/sign-in-to-save", form_data(BIOPSY["input"]))
    assert WorkupDraft.objects.count() == already + kept
    if kept:
        assert response.status_code == 302
        return
    assert response.status_code == 429
    page = parse(response.content)
    (notice,) = page.with_attr("data-notice", "refused")
    assert "Nothing was kept" in notice.text and "another tab" in notice.text
    assert page.by_id("id_age").attrs.get("value") == str(BIOPSY["input"]["age"])  # entries still there
    assert read_panel(response.content).disposition == "PROCEED_TO_BIOPSY"


@pytest.mark.django_db
def test_sign_in_to_save_limit_is_per_client_behind_the_proxy(client, settings):
    settings.PROXY_COUNT = 1
    _fill_drafts(address="203.0.113.7", count=drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS)
    refused = client.post("/sign-in-to-save", form_data(BIOPSY["input"]), HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = client.post("/sign-in-to-save", form_data(BIOPSY["input"]), HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert (refused.status_code, other.status_code) == (429, 302)


def test_sign_in_to_save_limit_does_not_apply_once_signed_in(client, radiologist):
    _fill_drafts(address="127.0.0.1", count=drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS)
    client.force_login(radiologist)
    response = client.post("/sign-in-to-save", form_data(BIOPSY["input"]))
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_sign_in_to_save_expired_drafts_do_not_count(client):
    _fill_drafts(address="127.0.0.1", count=drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS)
    WorkupDraft.objects.update(expires_at=timezone.now())
    assert client.post("/sign-in-to-save", form_data(BIOPSY["input"])).status_code == 302


@pytest.mark.django_db
def test_sign_in_to_save_stores_no_client_address(client):
    client.post("/sign-in-to-save", form_data(BIOPSY["input"]), REMOTE_ADDR="198.51.100.23")
    (draft,) = WorkupDraft.objects.all()
    assert draft.source == drafts.draft_source(address="198.51.100.23")
    assert "198.51.100.23" not in draft.source and len(draft.source) == 64
    assert drafts.draft_source(address="198.51.100.24") != draft.source
