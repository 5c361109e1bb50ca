"""Database models of the workup app."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from workup.saved.identifiers import label_identifier_message, label_identifier_problems

# =================================================================================================
# Saved workups and hematology referral review (issue 4)
# SavedWorkup, WorkupSnapshot, AuditEvent, FailedLogin. Other models belong outside this block.
# =================================================================================================

REFERENCE_BYTES = 12  # 16 URL-safe characters: unguessable, never sequential


def new_reference() -> str:
    """An opaque random reference for URLs; the integer pk is never shown."""
    return secrets.token_urlsafe(REFERENCE_BYTES)


def validate_label(label: str) -> None:
    """A label is free text that must not identify a patient."""
    problems = label_identifier_problems(label)
    if problems:
        raise ValidationError(label_identifier_message(problems), code="identifier")


class WorkupStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REFERRED = "referred", "Referred to hematology"
    IN_REVIEW = "in_review", "In review"
    REVIEWED = "reviewed", "Reviewed"


class ReviewDecision(models.TextChoices):
    AGREE_BIOPSY = "agree_biopsy", "Agree with biopsy"
    DEFER_SURVEILLANCE = "defer_surveillance", "Defer with surveillance"
    OTHER = "other", "Other (see note)"


class SavedWorkup(models.Model):
    """A case saved by a signed-in user: inputs as entered, and its review by hematology."""

    reference = models.CharField(max_length=32, unique=True, default=new_reference, editable=False)
    label = models.CharField(max_length=120, blank=True, validators=[validate_label])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="saved_workups")
    # The JSON API text exactly as entered (values with their units); parsed again to re-evaluate.
    inputs_json = models.TextField()
    # Copied from the current snapshot so the queue can order and filter in the database.
    disposition = models.CharField(max_length=32, db_index=True)
    status = models.CharField(max_length=16, choices=WorkupStatus, default=WorkupStatus.DRAFT, db_index=True)
    referred_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reviewed_workups"
    )
    decision = models.CharField(max_length=24, choices=ReviewDecision, blank=True)
    review_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking: every change adds one
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [("review_savedworkup", "Can review referred workups (hematology)")]

    def __str__(self) -> str:
        return self.reference


class RecordImmutable(Exception):
    """Raised on any attempt to change (or, for the audit trail, remove) an append-only record."""


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never updated through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordImmutable(f"A {self._meta.verbose_name} is never changed once stored.")
        super().save(*args, **kwargs)


class WorkupSnapshot(AppendOnlyModel):
    """The full result of one evaluation, with the pathway that produced it. Never overwritten."""

    workup = models.ForeignKey(SavedWorkup, on_delete=models.PROTECT, related_name="snapshots")
    result = models.JSONField()  # Assessment.to_dict()
    pathway_id = models.CharField(max_length=64)
    pathway_version = models.CharField(max_length=32)
    pathway_hash = models.CharField(max_length=128)
    evaluation_date = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(AppendOnlyModel.Meta):
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.workup.reference} @ {self.pathway_version} ({self.pathway_hash[:12]})"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RecordImmutable("The audit trail is append-only.")

    def delete(self):
        raise RecordImmutable("The audit trail is append-only.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise RecordImmutable("The audit trail is append-only.")


class AuditAction(models.TextChoices):
    CREATE = "create", "Saved"
    VIEW = "view", "Viewed"
    EDIT = "edit", "Edited"
    STATUS = "status", "Status changed"
    EXPORT = "export", "Exported"
    REEVALUATE = "reevaluate", "Re-evaluated"


class AuditEvent(AppendOnlyModel):
    """Who did what to a saved workup, when. Append-only; details never hold clinical values."""

    workup = models.ForeignKey(SavedWorkup, on_delete=models.PROTECT, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=AuditAction)
    details = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta(AppendOnlyModel.Meta):
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.workup.reference}"

    def delete(self, *args, **kwargs):
        raise RecordImmutable("The audit trail is append-only.")


class FailedLogin(models.Model):
    """One failed sign-in; the throttle counts recent rows. Kept in the database, not in memory."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class RateHit(models.Model):
    """One request to a throttled action (workup/throttle.py `rate_allowed`): the throttle counts
    recent rows per scope and key. The key is a keyed hash of the address or user, never the address."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="workup_ratehit_scope_key_at")]

    def __str__(self) -> str:
        return f"{self.scope} {self.at:%Y-%m-%d %H:%M:%S}"


# =================================================================================================
# End of the saved-workups block (issue 4)
# =================================================================================================


# --- EHR integration (CDS Hooks): drafts and card feedback ----------------------------------------
# Neither model holds a patient identifier. A draft holds only pathway inputs (lab values and their
# units) for a short time, so that a CDS card's link can open the workup screen prefilled without
# putting clinical values in a URL; a SMART launch's draft also holds what was read from the record,
# said without dates or references (workup/ehr/launch_notice.py). Card feedback holds what the clinician did with a card and the
# coded reason, nothing else.


class WorkupDraft(models.Model):
    """Pathway inputs waiting behind an opaque token until the screen opens them (or they expire)."""

    token = models.CharField(max_length=64, unique=True)
    inputs = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    # For drafts kept by "Sign in to save" before sign-in: a keyed hash of the client's address, so
    # drafts can be counted per address without storing the address. Empty for CDS-card drafts.
    source = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # Who kept it, as a keyed hash: the signed-in user, or the signed-out browser's session, so one
    # person cannot use up the address's budget (workup/saved/drafts.py). Empty for CDS-card drafts.
    keeper = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # A SMART launch's notice of what it read from the record, shown with the screen while the draft
    # lives; empty for every other draft.
    record_notice = models.JSONField(default=dict, blank=True)

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


# --- CDS Hooks bookkeeping (no patient data) ---------------------------------------------------------


class SeenJwtId(models.Model):
    """A client JWT's `jti` (hashed with its issuer) kept until the token expires, so a replay fails.

    The unique constraint makes the check hold across app servers and under load: the second
    insert of the same key fails in the database, whatever any cache has dropped.
    """

    key = models.CharField(max_length=64, unique=True)  # sha256 of issuer and jti
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"jti seen, kept until {self.expires_at:%Y-%m-%d %H:%M}"


class IssuedCard(models.Model):
    """A card this service answered with: feedback is accepted only for these, once per outcome."""

    card_uuid = models.UUIDField(unique=True)
    suggestion_uuids = models.JSONField(default=list)  # the suggestions the card offered
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    overridden_at = models.DateTimeField(null=True, blank=True)
    # For a client without a verified JWT: a keyed hash of its address, so cards (like drafts) can be
    # capped per address without storing the address. Empty for a trusted client.
    source = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # The CDS Service that issued the card: its feedback is accepted at that service's feedback URL only.
    service_id = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"card issued {self.issued_at:%Y-%m-%d %H:%M}"


class SmartLaunch(models.Model):
    """A SMART EHR launch between /launch and its callback, found by its `state` (issue 12).

    Kept in the database, not in the session: a launch embedded in the EHR's page runs in a
    cross-site frame, where the browser does not send a SameSite=Lax session cookie. The row is
    taken (marked, its verifier emptied) by the one callback that completes it; afterwards it only remembers which
    EHR opened which draft, so that screen may be framed by that EHR until the draft expires.
    """

    state = models.CharField(max_length=128, unique=True)
    taken = models.BooleanField(default=False)  # by the callback: a state is good for one callback only
    verifier = models.CharField(max_length=128, blank=True)  # PKCE; emptied once used
    iss = models.CharField(max_length=500)
    token_endpoint = models.CharField(max_length=500, blank=True)
    draft_token = models.CharField(max_length=64, blank=True, default="", db_index=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"SMART launch, kept until {self.expires_at:%Y-%m-%d %H:%M}"
