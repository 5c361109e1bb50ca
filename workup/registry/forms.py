"""Forms of the outcome registry: validation only; what is counted is decided in services."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from workup.registry.models import Biopsy, Finding, FollowUp, NotDoneReason
from workup.registry.report import ALL_VERSIONS, period_bounds
from workup.registry.services import ROLES
from workup.saved import identifiers

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
NOTE_MAX = 200


def _blank(choices: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


def _optional_select(choices, blank: str, label: str) -> forms.ChoiceField:
    """An optional menu whose empty choice reads `blank` ("—", "Not yet")."""
    return forms.ChoiceField(choices=_blank(choices, blank), required=False, label=label,
                             widget=forms.Select(attrs={"class": "form-select"}))


class OutcomeForm(forms.Form):
    """One step: biopsy done (month) or not (reason), the result, and a deferred case's follow-ups."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    biopsy = forms.ChoiceField(choices=Biopsy.choices, widget=forms.RadioSelect, label="Biopsy")
    biopsy_month = forms.CharField(
        required=False, label="Month of the biopsy",
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}),
        help_text="Month and year only (YYYY-MM).",
    )  # fmt: skip
    not_done_reason = _optional_select(NotDoneReason.choices, "—", "Why not done")
    result = _optional_select(Finding.choices, "—", "What the biopsy showed")
    follow_up_3m = _optional_select(FollowUp.choices, "Not yet", "Follow-up at 3 months")
    follow_up_12m = _optional_select(FollowUp.choices, "Not yet", "Follow-up at 12 months")
    note = forms.CharField(
        required=False, max_length=NOTE_MAX, label="Short note (optional)",
        widget=forms.TextInput(attrs={"class": "form-control", "maxlength": NOTE_MAX}),
        help_text="No names, dates, record numbers or other identifiers.",
    )  # fmt: skip

    def clean_biopsy_month(self) -> dt.date | None:
        text = self.cleaned_data["biopsy_month"].strip()
        if not text:
            return None
        match = MONTH.match(text)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise forms.ValidationError("Give the month as YYYY-MM (a month from 2000 on).")
        month = dt.date(int(match[1]), int(match[2]), 1)
        if month > timezone.localdate().replace(day=1):
            raise forms.ValidationError("The month of the biopsy cannot be in the future.")
        return month

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        message = identifiers.free_text_error(note, what="The note")
        if message:
            raise forms.ValidationError(message, code="identifier")
        return note

    def clean(self) -> dict:
        data = super().clean()
        if data.get("biopsy") == Biopsy.DONE:
            if not data.get("biopsy_month") and "biopsy_month" not in self.errors:
                self.add_error("biopsy_month", "Give the month of the biopsy.")
            if not data.get("result"):
                self.add_error("result", "Choose what the biopsy showed.")
            for name in ("not_done_reason", "follow_up_3m", "follow_up_12m"):
                if data.get(name):
                    self.add_error(name, "Only for a biopsy not done: leave it empty.")
        elif data.get("biopsy") == Biopsy.NOT_DONE:
            if not data.get("not_done_reason"):
                self.add_error("not_done_reason", "Choose why the biopsy was not done.")
            for name in ("biopsy_month", "result"):
                if data.get(name):
                    self.add_error(name, "Only for a biopsy done: leave it empty.")
        return data


ROLE_CHOICES = [("", "Any role"), *[(role, role.capitalize()) for role in ROLES], ("other", "Other")]


class RegistryFilterForm(forms.Form):
    """Period (a year or a quarter), pathway version (never pooled unless asked) and referring role."""

    period = forms.CharField(
        required=False, max_length=7, label="Period",
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "2026 or 2026-Q3"}),
        help_text="A year (2026) or a quarter (2026-Q3); empty for all.",
    )  # fmt: skip
    version = forms.ChoiceField(required=False, label="Pathway version", widget=forms.Select(attrs={"class": "form-select"}))
    role = forms.ChoiceField(
        required=False, label="Referred by", choices=ROLE_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, versions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            ("", "Current (or newest)"), *[(v, f"Pathway {v}") for v in versions],
            (ALL_VERSIONS, "All versions, pooled (said on the page)"),
        ]  # fmt: skip

    def clean_period(self) -> tuple[dt.date | None, dt.date | None]:
        period = self.cleaned_data["period"].strip().upper()
        if period and not re.fullmatch(r"\d{4}(-Q\d)?", period):
            raise forms.ValidationError("Give a year (2026) or a quarter (2026-Q3).")
        try:
            return period_bounds(period)
        except ValueError:
            raise forms.ValidationError("A quarter is Q1 to Q4.") from None
