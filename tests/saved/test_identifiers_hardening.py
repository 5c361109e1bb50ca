"""Issue 11 item 6: identifiers are found however they are spelled, names included, in every stored free text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from workup.models import SavedWorkup, WorkupStatus
from workup.saved import services as saved
from workup.saved.identifiers import PERSON_NAME, free_text_error, identifier_problems, normalise

HTMX = {"HTTP_HX_REQUEST": "true"}

# Every label the security review got stored, then a few more spellings of the same kinds.
REVIEW_EXAMPLES = [
    "12-Mar-1961", "12Mar1961", "12–03–1961", "12 / 03 / 1961", "12,03,1961", "12_03_1961",
    "１２/０３/１９６１", "МRN 48219", "ＭＲＮ", "M.R.N.", "D O B", "48,21,973", "①②/③④/⑤⑥",
    "jane(at)example.org", "John Smith 58M",
]  # fmt: skip
MORE_SPELLINGS = [
    "❶❷❸❹❺❻", "jane [at] example [dot] org", "jane at example dot org", "Smith, John", "Dr Patel",
    "Mrs Okafor", "m_r_n 4", "1\u200b2\u200b0\u200b3\u200b1\u200b9\u200b6\u200b1", "Mar 12, 1961",
    "date of birth in notes", "12−03−1961", "12⁄03⁄1961",
]  # fmt: skip
NEUTRAL = [
    "reading room 2, morning list", "58M, Tuesday list", "Hb 9.8 g/dL, Ca 2.6, 2.7 mmol/L",
    "Agree with biopsy; marrow shows diffuse signal", "Will discuss at MDT", "Grace period",
    "Kyle RA criteria", "Carroll et al. 2019", "MS white matter", "May review", "T1 hypointense L1-L5",
    "Repeat MRI in 3-6 months", "smoldering myeloma, IgG kappa", "",
]  # fmt: skip


@pytest.mark.parametrize("label", REVIEW_EXAMPLES + MORE_SPELLINGS)
def test_identifier_spellings_are_found(label):
    assert identifier_problems(label)


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_clinical_text_passes(text):
    assert identifier_problems(text) == []


def test_person_name_is_reported_as_such():
    assert identifier_problems("John Smith 58M") == [PERSON_NAME]


@pytest.mark.parametrize(
    ("text", "plain"),
    [("ＭＲＮ", "MRN"), ("МRN", "MRN"), ("１２–０３", "12-03"), ("①②", "12"), ("a\u200bb", "ab"), ("٤٨", "48")],
)
def test_normalise_reads_look_alikes_as_plain_ascii(text, plain):
    assert normalise(text) == plain


def test_free_text_error_names_what_was_checked():
    message = free_text_error("override: patient John Smith", what="The override reason")
    assert message is not None and message.startswith("The override reason seems to contain a person's name")
    assert free_text_error("clinically not indicated", what="The override reason") is None


@pytest.mark.django_db
@pytest.mark.parametrize("label", REVIEW_EXAMPLES)
def test_review_examples_cannot_be_saved_as_labels(radiologist, biopsy_inputs, label):
    with pytest.raises(ValidationError):
        saved.workup_save(author=radiologist, inputs_json=biopsy_inputs, label=label)
    assert not SavedWorkup.objects.exists()


@pytest.mark.django_db
def test_named_label_is_refused_on_the_save_page(client, radiologist, biopsy_inputs):
    client.force_login(radiologist)
    response = client.post(reverse("cases:save"), {"inputs_json": biopsy_inputs, "label": "John Smith 58M"}, **HTMX)
    assert "seems to contain a person" in response.text
    assert not SavedWorkup.objects.exists()


@pytest.mark.django_db
def test_review_note_with_an_identifier_is_refused_by_the_service(hematologist, in_review_case):
    with pytest.raises(ValidationError):
        saved.workup_complete_review(
            workup=in_review_case, actor=hematologist, version=in_review_case.version,
            decision="other", note="Discussed with Mrs Okafor, DOB 12 / 03 / 1961",
        )  # fmt: skip
    assert SavedWorkup.objects.get(pk=in_review_case.pk).status == WorkupStatus.IN_REVIEW


@pytest.mark.django_db
def test_review_note_with_a_name_is_refused_on_the_case_page(client, hematologist, in_review_case):
    client.force_login(hematologist)
    url = reverse("cases:review", kwargs={"reference": in_review_case.reference})
    response = client.post(
        url, {"version": in_review_case.version, "decision": "other", "note": "Patient John Smith prefers MRI"}, **HTMX
    )
    assert "seems to contain a person" in response.text
    stored = SavedWorkup.objects.get(pk=in_review_case.pk)
    assert (stored.status, stored.review_note) == (WorkupStatus.IN_REVIEW, "")


@pytest.mark.django_db
def test_neutral_review_note_is_stored(client, hematologist, in_review_case):
    client.force_login(hematologist)
    url = reverse("cases:review", kwargs={"reference": in_review_case.reference})
    client.post(url, {"version": in_review_case.version, "decision": "agree_biopsy", "note": "Ca 2.6, 2.7 mmol/L"})
    assert SavedWorkup.objects.get(pk=in_review_case.pk).review_note == "Ca 2.6, 2.7 mmol/L"


@pytest.mark.django_db
def test_inputs_json_with_a_duplicated_key_is_a_400_and_not_stored(client, radiologist):
    client.force_login(radiologist)
    inputs = '{"age": 60, "sex": "male", "age": 70}'
    response = client.post(reverse("cases:save"), {"inputs_json": inputs, "label": ""})
    assert response.status_code == 400
    assert "“age” appears more than once" in response.text
    assert not SavedWorkup.objects.exists()


@pytest.mark.django_db
def test_inputs_json_with_a_duplicated_nested_key_is_refused_by_the_service(radiologist):
    inputs = '{"hemoglobin": {"value": 9, "unit": "g/dL", "value": 13}}'
    with pytest.raises(saved.CaseInvalid):
        saved.workup_save(author=radiologist, inputs_json=inputs)
    assert not SavedWorkup.objects.exists()


def test_api_body_with_a_duplicated_key_is_a_400_naming_it(client):
    response = client.post("/api/v1/evaluate", '{"age": 60, "age": 70}', content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["age"]
