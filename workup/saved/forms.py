"""Forms for saved workups: validation only; no clinical decision is made here."""

from __future__ import annotations

from django import forms

from workup.models import ReviewDecision, WorkupStatus, validate_label
from workup.pathway.rules import DISPOSITION_ORDER
from workup.saved.display import disposition_label
from workup.saved.identifiers import free_text_error

LABEL_HELP = ("Optional, up to 60 characters: where and when it was read (\u201creading room 2, morning list\u201d). "
              "Never a name or initials, an age with a sex, a date, a bed, record or hospital number, however spelled.")
# Short on purpose: a label says which list a case came from, not who the patient is (issue 21).
LABEL_MAX = 60


class SaveWorkupForm(forms.Form):
    inputs_json = forms.CharField(
        label="Case inputs (JSON, as the API takes them)",
        widget=forms.Textarea(attrs={"rows": 12, "class": "form-control font-monospace", "spellcheck": "false"}),
    )
    label = forms.CharField(
        required=False, max_length=LABEL_MAX, validators=[validate_label], help_text=LABEL_HELP,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class LabelForm(VersionForm):
    label = forms.CharField(
        required=False, max_length=LABEL_MAX, validators=[validate_label], help_text=LABEL_HELP,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip


class ReviewForm(VersionForm):
    decision = forms.ChoiceField(choices=ReviewDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=("Required for \u201cother\u201d. Write the clinical reasoning only: never a name or initials, an age "
                   "with a sex, a date, a bed, record or hospital number, in any spelling. A note that looks like "
                   "one is refused."),
    )  # fmt: skip

    def clean_note(self) -> str:
        note = self.cleaned_data["note"]
        message = free_text_error(note, what="The note")
        if message:
            raise forms.ValidationError(message, code="identifier")
        return note


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Referred and in review"), (WorkupStatus.REFERRED, "Referred"), (WorkupStatus.IN_REVIEW, "In review"),
            (WorkupStatus.REVIEWED, "Reviewed"),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    disposition = forms.ChoiceField(
        required=False,
        choices=[("", "Any result"), *((name, disposition_label(name)) for name in DISPOSITION_ORDER)],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
