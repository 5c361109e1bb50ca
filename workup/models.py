"""Stored state of the EHR integration. Neither model holds a patient identifier.

A draft holds only pathway inputs (lab values and their units) for a short time, so that a CDS
card's link can open the workup screen prefilled without putting clinical values in a URL.
Card feedback holds what the clinician did with a card and the coded reason, nothing else.
"""

from __future__ import annotations

from django.db import models


class WorkupDraft(models.Model):
    """Pathway inputs waiting behind an opaque token until the screen opens them (or they expire)."""

    token = models.CharField(max_length=64, unique=True)
    inputs = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"draft created {self.created_at:%Y-%m-%d %H:%M}"


class CardFeedback(models.Model):
    """One CDS Hooks feedback entry: the card, accepted or overridden, and the override reason."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        OVERRIDDEN = "overridden", "Overridden"

    card_uuid = models.UUIDField(db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    override_reason_system = models.CharField(max_length=200, blank=True)
    override_reason_code = models.CharField(max_length=100, blank=True)
    override_reason_display = models.CharField(max_length=200, blank=True)
    outcome_timestamp = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.outcome} {self.card_uuid}"
