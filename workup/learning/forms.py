"""Learning-mode forms: validation only; no clinical decision is made in a form."""

from __future__ import annotations

from django import forms

from workup.learning.pathway_map import DISPOSITION_LABELS
from workup.learning.vignettes import DISPOSITION_CHOICES, KEY_RULE_CHOICES


class PredictionForm(forms.Form):
    """A resident's prediction for a worked case, made before the answer is shown."""

    disposition = forms.ChoiceField(
        label="Your predicted disposition",
        choices=[(d, DISPOSITION_LABELS[d]) for d in DISPOSITION_CHOICES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a disposition before revealing the answer."},
    )
    key_rules = forms.MultipleChoiceField(
        label="The key rules you expect (triggers, deferral considerations, active pitfalls)",
        choices=[(rule_id, f"{rule_id}: {title}") for rule_id, title in KEY_RULE_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
