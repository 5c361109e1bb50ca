"""The outcome registry: one entry per reviewed case, what its biopsy or follow-up showed.

Dates are months (always the first day of the month): the registry never holds a finer date. An
entry is corrected, never deleted; every version of its outcome is kept in OutcomeRevision.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from workup.models import RecordImmutable, SavedWorkup, WorkupSnapshot


def new_registry_reference() -> str:
    """An opaque reference for the outcome page of an entry (synthetic entries have no saved case)."""
    return secrets.token_urlsafe(12)


class Biopsy(models.TextChoices):
    DONE = "done", "Biopsy done"
    NOT_DONE = "not_done", "Biopsy not done"


class NotDoneReason(models.TextChoices):
    DEFERRED = "deferred", "Deferred per pathway"
    DECLINED = "declined", "Patient declined"
    NOT_FIT = "not_fit", "Not fit for biopsy"
    OTHER = "other", "Other reason"


class Finding(models.TextChoices):
    """What a biopsy showed: the fixed list of issue 24."""

    PCN_MGUS = "pcn_mgus", "Plasma-cell neoplasm: MGUS"
    PCN_SMOULDERING = "pcn_smouldering", "Plasma-cell neoplasm: smouldering myeloma"
    PCN_MYELOMA = "pcn_myeloma", "Plasma-cell neoplasm: myeloma"
    PCN_AL = "pcn_al", "Plasma-cell neoplasm: AL amyloidosis"
    PCN_OTHER = "pcn_other", "Plasma-cell neoplasm: other"
    LYMPHOMA = "lymphoma", "Lymphoma"
    LEUKAEMIA = "leukaemia", "Leukaemia"
    MDS_MPN = "mds_mpn", "MDS or MPN"
    METASTATIC = "metastatic", "Metastatic carcinoma"
    REACTIVE = "reactive", "Reactive or hyperplastic marrow"
    NORMAL = "normal", "Normal marrow"
    NON_DIAGNOSTIC = "non_diagnostic", "Non-diagnostic sample"
    OTHER = "other", "Other"


# The registry's yield counts haematolymphoid neoplasms. Metastatic carcinoma is counted apart: the
# source's 42 % counted it too, which is why that figure measures a different outcome (SPEC 6.2).
NEOPLASM_FINDINGS = frozenset({
    Finding.PCN_MGUS, Finding.PCN_SMOULDERING, Finding.PCN_MYELOMA, Finding.PCN_AL, Finding.PCN_OTHER,
    Finding.LYMPHOMA, Finding.LEUKAEMIA, Finding.MDS_MPN,
})  # fmt: skip
NO_NEOPLASM_FINDINGS = frozenset({Finding.METASTATIC, Finding.REACTIVE, Finding.NORMAL, Finding.OTHER})


class FollowUp(models.TextChoices):
    """What a follow-up visit of a deferred case showed."""

    NO_NEOPLASM = "no_neoplasm", "No neoplasm found"
    NEOPLASM = "neoplasm", "Haematolymphoid neoplasm found"
    METASTATIC = "metastatic", "Metastatic carcinoma found"
    LOST = "lost", "Lost to follow-up"


class RegistryEntryQuerySet(models.QuerySet):
    def delete(self):
        raise RecordImmutable("Registry entries are corrected, never deleted.")


class RegistryEntry(models.Model):
    """One reviewed case in the registry: what the pathway said (copied at review) and the outcome.

    The copied fields let every aggregate run in the database without reading result JSON. Entries
    made by `seed_registry` are synthetic, have no saved case, and say so wherever they appear.
    """

    reference = models.CharField(max_length=32, unique=True, default=new_registry_reference, editable=False)
    workup = models.OneToOneField(
        SavedWorkup, on_delete=models.PROTECT, null=True, blank=True, related_name="registry_entry"
    )
    snapshot = models.ForeignKey(WorkupSnapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    synthetic = models.BooleanField(default=False)
    pathway_version = models.CharField(max_length=32)
    disposition = models.CharField(max_length=32)
    decision = models.CharField(max_length=24, blank=True)
    referring_role = models.CharField(max_length=16)
    reviewed_month = models.DateField()  # first day of the month of the review
    trigger_count = models.PositiveSmallIntegerField(default=0)

    # The outcome; blank until recorded.
    biopsy = models.CharField(max_length=16, choices=Biopsy, blank=True)
    biopsy_month = models.DateField(null=True, blank=True)
    not_done_reason = models.CharField(max_length=16, choices=NotDoneReason, blank=True)
    result = models.CharField(max_length=24, choices=Finding, blank=True)
    follow_up_3m = models.CharField(max_length=16, choices=FollowUp, blank=True)
    follow_up_12m = models.CharField(max_length=16, choices=FollowUp, blank=True)
    note = models.CharField(max_length=200, blank=True)

    # Derived from the outcome when it is recorded (services.outcome_derived), for aggregation.
    outcome_known = models.BooleanField(default=False)
    neoplasm = models.BooleanField(default=False)
    metastatic = models.BooleanField(default=False)
    deferred = models.BooleanField(default=False)
    follow_up_3m_due = models.DateField(null=True, blank=True)
    follow_up_12m_due = models.DateField(null=True, blank=True)

    revision = models.PositiveIntegerField(default=0)  # 0: no outcome yet; optimistic locking
    updated_at = models.DateTimeField(default=timezone.now)

    objects = RegistryEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "registry entries"
        indexes = [
            models.Index(fields=["pathway_version", "reviewed_month"], name="registry_version_month"),
            models.Index(fields=["deferred", "follow_up_3m_due"], name="registry_deferred_3m"),
            models.Index(fields=["deferred", "follow_up_12m_due"], name="registry_deferred_12m"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(synthetic=True) | models.Q(workup__isnull=False), name="registry_real_has_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{'synthetic ' if self.synthetic else ''}registry entry {self.reference}"

    def delete(self, *args, **kwargs):
        raise RecordImmutable("Registry entries are corrected, never deleted.")


class EntryTrigger(models.Model):
    """A biopsy trigger that fired in the reviewed result of an entry."""

    entry = models.ForeignKey(RegistryEntry, on_delete=models.PROTECT, related_name="triggers")
    trigger_id = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "trigger_id"], name="registry_entry_trigger_once")]
        indexes = [models.Index(fields=["trigger_id", "entry"], name="registry_trigger_entry")]

    def __str__(self) -> str:
        return self.trigger_id


class EntryCriterion(models.Model):
    """A published criterion judged met or not met in the reviewed result (not evaluable: no row)."""

    entry = models.ForeignKey(RegistryEntry, on_delete=models.PROTECT, related_name="criteria")
    criterion_id = models.CharField(max_length=32)
    met = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "criterion_id"], name="registry_entry_criterion_once")]
        indexes = [models.Index(fields=["criterion_id", "met", "entry"], name="registry_criterion_entry")]

    def __str__(self) -> str:
        return f"{self.criterion_id} {'met' if self.met else 'not met'}"


class OutcomeRevisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RecordImmutable("Outcome revisions are append-only.")

    def delete(self):
        raise RecordImmutable("Outcome revisions are append-only.")


class OutcomeRevision(models.Model):
    """Each recording or correction of an outcome, as entered: who, when (to the minute), what."""

    entry = models.ForeignKey(RegistryEntry, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now, editable=False)
    outcome = models.JSONField()  # the outcome fields as stored by this revision

    objects = OutcomeRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-revision"]
        constraints = [models.UniqueConstraint(fields=["entry", "revision"], name="registry_revision_once")]

    def __str__(self) -> str:
        return f"{self.entry.reference} revision {self.revision}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordImmutable("Outcome revisions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordImmutable("Outcome revisions are append-only.")
