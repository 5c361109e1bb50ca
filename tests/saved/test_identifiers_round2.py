"""Issue 21 item 4: everything the second security review got stored, kept as tests, in every free
text the app stores (labels, review notes, CDS override reasons) and in a reason's code system."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from workup.models import SavedWorkup
from workup.saved import services as saved
from workup.saved.forms import ReviewForm
from workup.saved.identifiers import free_text_error

SECOND_REVIEW = [
    "JOHN SMITH 58M", "john smith 58m", "Smith John 58M", "J. Smith 58M", "Smith J 58M", "Mohammed Al-Rashid",
    "Priya Raghunathan", "Jean-Pierre Dupont", "John\u200bSmith", "Pt Smith bed 4", "4821O73",
    "4  8  2  1  9  7  3", "48219 / 73", "4٫8٫2٫1٫9٫7٫3", "hosp no 48219", "four eight two one nine seven three",
    "March third, 1961", "12III1961",
]  # fmt: skip
NEUTRAL = [
    "reading room 2, morning list", "Ca 2.6, 2.7, 2.8 mmol/L", "second opinion", "one of two lesions",
    "Bence Jones protein", "Agree with biopsy; repeat MRI in 3 months", "Kyle RA criteria", "T1 L1-L5",
]  # fmt: skip


@pytest.mark.parametrize("text", SECOND_REVIEW)
def test_second_review_text_is_refused_everywhere(text):
    assert free_text_error(text, "The text") is not None


@pytest.mark.parametrize("text", NEUTRAL)
def test_second_review_neutral_clinical_text_still_passes(text):
    assert free_text_error(text, "The text") is None


@pytest.mark.django_db
@pytest.mark.parametrize("label", SECOND_REVIEW)
def test_second_review_label_is_not_saved(radiologist, biopsy_inputs, label):
    with pytest.raises(ValidationError):
        saved.workup_save(author=radiologist, inputs_json=biopsy_inputs, label=label)
    assert not SavedWorkup.objects.exists()


@pytest.mark.parametrize("note", SECOND_REVIEW)
def test_second_review_note_is_refused_by_the_form(note):
    form = ReviewForm({"version": 1, "decision": "other", "note": note})
    assert not form.is_valid()
    assert "note" in form.errors


def test_label_is_short_free_text():
    from workup.saved.forms import LABEL_MAX, SaveWorkupForm

    form = SaveWorkupForm({"inputs_json": "{}", "label": "reading room 2 " * 5})
    assert not form.is_valid() and "label" in form.errors
    assert LABEL_MAX == 60


@pytest.mark.django_db
def test_review_note_warning_is_visible_beside_the_note(client, hematologist, in_review_case):
    from django.urls import reverse

    from tests.support import parse

    client.force_login(hematologist)
    page = parse(client.get(reverse("cases:detail", kwargs={"reference": in_review_case.reference})).content)
    warning = " ".join(element.text for element in page.elements if "form-text" in element.attrs.get("class", ""))
    assert "never a name or initials, an age with a sex" in warning
