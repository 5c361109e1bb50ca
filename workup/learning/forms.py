"""Learning-mode forms: validation only; no clinical decision is made in a form."""

from __future__ import annotations

from django import forms

from workup.learning.vignettes import DISPOSITION_CHOICES, KEY_RULE_LABELS
from workup.report import DISPOSITION_HEADLINES


class PredictionForm(forms.Form):
    """A resident's prediction for a worked case, made before the answer is shown."""

    disposition = forms.ChoiceField(
        label="Your predicted disposition",
        choices=[(d, DISPOSITION_HEADLINES[d]) for d in DISPOSITION_CHOICES],  # the answer's own words
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose a disposition before revealing the answer."},
    )
    key_rules = forms.MultipleChoiceField(
        label="The key rules you expect (triggers, deferral considerations, active pitfalls)",
        choices=list(KEY_RULE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
