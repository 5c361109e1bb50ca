"""Learning-mode forms: validation only; no clinical decision is made in a form."""

from __future__ import annotations

from django import forms


class PretestForm(forms.Form):
    """An extra pre-test probability (percent) for the test-characteristics page."""

    pretest = forms.DecimalField(
        label="Your pre-test probability (%)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
        help_text="0 to 100. Shown beside the defaults, which span the yields in evidence note EN-YIELD.",
    )
