"""Services and selectors for saved workups, referral review, snapshots and the audit trail.

Every state change is an optimistic-locked conditional UPDATE (`version` must still match) and
every read or change of a saved case is recorded in the append-only audit trail.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from workup.http import JsonDuplicateKey, JsonNumberRefused, json_loads
from workup.models import (
    AuditAction,
    AuditEvent,
    ReviewDecision,
    SavedWorkup,
    WorkupSnapshot,
    WorkupStatus,
    validate_label,
)
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.inputs import Case
from workup.pathway.parsing import CaseInvalid, case_from_json
from workup.pathway.result import Assessment
from workup.pathway.wording import say
from workup.saved import identifiers
from workup.services import workup_evaluate

User = AbstractBaseUser | AnonymousUser
REVIEW_PERMISSION = "workup.review_savedworkup"
REVIEWED_DETAILS_PREFIX = "in_review → reviewed"  # the audit details of a completed review
MAX_INPUTS_CHARS = 20_000
URGENT_DISPOSITION = "PROCEED_TO_BIOPSY"
QUEUE_STATUSES = (WorkupStatus.REFERRED, WorkupStatus.IN_REVIEW)


class WorkupConflict(Exception):
    """Someone else changed the case since this form was loaded; nothing was written."""


class TransitionRefused(Exception):
    """The requested status change is not allowed from the case's status or for this user."""


# --- Selectors ---------------------------------------------------------------------------------


def user_can_review(*, user: User) -> bool:
    """Hematologists (by permission) review referrals."""
    return user.is_authenticated and user.has_perm(REVIEW_PERMISSION)


def user_sees_all_workups(*, user: User) -> bool:
    """Hematologists and staff see every saved case; everyone else only their own."""
    return user.is_authenticated and (user.is_staff or user_can_review(user=user))


def workup_visible_queryset(*, user: User) -> QuerySet[SavedWorkup]:
    """The saved cases this user may see at all."""
    if not user.is_authenticated:
        return SavedWorkup.objects.none()
    queryset = SavedWorkup.objects.select_related("author", "reviewer")
    return queryset if user_sees_all_workups(user=user) else queryset.filter(author=user)


def workup_get_visible(*, reference: str, user: User) -> SavedWorkup:
    """The case with this reference if the user may see it; 404 otherwise, whether it exists or not."""
    try:
        return workup_visible_queryset(user=user).get(reference=reference)
    except SavedWorkup.DoesNotExist:
        raise Http404("No such saved workup.") from None


def workup_queue(*, status: str = "", disposition: str = "") -> QuerySet[SavedWorkup]:
    """Referred and in-review cases, PROCEED_TO_BIOPSY first, then the oldest referral first."""
    if status == WorkupStatus.REVIEWED:  # the reviewed list: most recently decided first
        reviewed = SavedWorkup.objects.select_related("author", "reviewer").filter(status=status)
        return (reviewed.filter(disposition=disposition) if disposition else reviewed).order_by("-updated_at", "-pk")
    statuses = [status] if status in QUEUE_STATUSES else list(QUEUE_STATUSES)
    queryset = SavedWorkup.objects.select_related("author", "reviewer").filter(status__in=statuses)
    if disposition:
        queryset = queryset.filter(disposition=disposition)
    urgency = SqlCase(When(disposition=URGENT_DISPOSITION, then=Value(0)), default=Value(1), output_field=IntegerField())
    return queryset.annotate(urgency=urgency).order_by("urgency", "referred_at", "pk")


def workup_list_for_author(*, user: User) -> QuerySet[SavedWorkup]:
    return SavedWorkup.objects.filter(author=user).order_by("-created_at", "-pk")


def snapshot_current(*, workup: SavedWorkup) -> WorkupSnapshot:
    return workup.snapshots.latest()


# --- Audit -------------------------------------------------------------------------------------


def audit_record(*, workup: SavedWorkup, actor: User, action: str, details: str = "") -> AuditEvent:
    """Append one event. Details name the action's target (status, format), never clinical values."""
    return AuditEvent.objects.create(workup=workup, actor=actor, action=action, details=details[:200])


def audit_reads(*, workups: Iterable[SavedWorkup], actor: User, details: str) -> None:
    """One VIEW event for each case a list showed (the queue, the admin's list): a row shows the
    result, age, sex and triggers, so seeing it is a read of the case (issue 21)."""
    AuditEvent.objects.bulk_create(
        [AuditEvent(workup=workup, actor=actor, action=AuditAction.VIEW, details=details[:200]) for workup in workups]
    )


def audit_trail(*, workup: SavedWorkup) -> QuerySet[AuditEvent]:
    return workup.audit_events.select_related("actor")


# --- Saving and snapshots ----------------------------------------------------------------------


def inputs_parse(*, inputs_json: str) -> tuple[Any, Case]:
    """Decode the JSON API text and validate it as a case; CaseInvalid says what to fix."""
    if len(inputs_json) > MAX_INPUTS_CHARS:
        raise CaseInvalid({"inputs_json": ["The inputs are too long to be a single case."]})
    try:
        data = json_loads(inputs_json)
    except (JsonNumberRefused, JsonDuplicateKey) as refused:
        raise CaseInvalid({"inputs_json": [f"{refused.field}: {refused.message}"]}) from None
    except ValueError:
        raise CaseInvalid({"inputs_json": ["The inputs are not valid JSON."]}) from None
    return data, case_from_json(data=data)


def _snapshot_fields(assessment: Assessment) -> dict[str, Any]:
    pathway = assessment.pathway
    return {
        "result": assessment.to_dict(),
        "pathway_id": pathway.id,
        "pathway_version": pathway.version,
        "pathway_hash": pathway.hash,
        "evaluation_date": assessment.evaluation_date,
    }


@transaction.atomic
def workup_save(*, author: User, inputs_json: str, label: str = "") -> SavedWorkup:
    """Validate and evaluate the case, then store inputs as entered with the first snapshot."""
    _, case = inputs_parse(inputs_json=inputs_json)
    assessment = workup_evaluate(case=case)
    workup = SavedWorkup(author=author, label=label.strip(), inputs_json=inputs_json, disposition=assessment.disposition)
    workup.full_clean()
    workup.save()
    WorkupSnapshot.objects.create(workup=workup, created_by=author, **_snapshot_fields(assessment))
    audit_record(workup=workup, actor=author, action=AuditAction.CREATE, details=f"pathway {PATHWAY_INFO.version}")
    return workup


@dataclasses.dataclass(frozen=True)
class SnapshotDifference:
    """The stored result beside the same inputs evaluated under the current pathway."""

    stored: WorkupSnapshot
    current: Assessment
    rows: tuple[tuple[str, str, str, bool], ...]  # (what, stored, current, differs)

    @property
    def changed(self) -> bool:
        return any(differs for *_, differs in self.rows)


def _summary_of(result: dict[str, Any]) -> dict[str, str]:
    fired = sorted(
        item["id"] for group in ("triggers", "deferral_considerations", "imaging", "follow_up") for item in result[group]
    )
    pitfalls = sorted(p["id"] for p in result["pitfalls"] if p["active"])
    # Results saved before the cross-check existed have no criteria: shown as such, so a
    # re-evaluation shows them appearing.
    criteria = result.get("criteria")
    return {
        "Disposition": result["disposition"],
        "Fired rules": ", ".join(fired) or "none",
        "Active pitfalls": ", ".join(pitfalls) or "none",
        "Published criteria": _criteria_line(criteria) if criteria is not None else "not evaluated",
    }


def _criteria_line(criteria: list[dict[str, Any]]) -> str:
    """Each criterion's status (and MGUS stratum) in words, as one line to compare."""
    return "; ".join(
        f"{c.get('title') or c['id']}: {say(f'criteria_status_{c['status']}')}"
        + (f" ({c['value']} risk)" if c.get("value") else "") for c in criteria
    )


def snapshot_is_stale(*, snapshot: WorkupSnapshot) -> bool:
    """True when the pathway's rule content changed since the snapshot was taken."""
    return snapshot.pathway_hash != PATHWAY_INFO.hash


def snapshot_difference(*, workup: SavedWorkup) -> SnapshotDifference:
    """Re-evaluate the stored inputs (same evaluation date) without storing anything."""
    stored = snapshot_current(workup=workup)
    _, case = inputs_parse(inputs_json=workup.inputs_json)
    current = workup_evaluate(case=case, today=stored.evaluation_date)
    before, after = _summary_of(stored.result), _summary_of(current.to_dict())
    rows = tuple((what, before[what], after[what], before[what] != after[what]) for what in before)
    rows += (("Pathway", f"{stored.pathway_version} ({stored.pathway_hash[:19]})",
              f"{PATHWAY_INFO.version} ({PATHWAY_INFO.hash[:19]})", stored.pathway_hash != PATHWAY_INFO.hash),)
    return SnapshotDifference(stored=stored, current=current, rows=rows)


def _locked_update(*, workup: SavedWorkup, version: int, expected_status: str | None = None, **fields: Any) -> None:
    """`UPDATE … WHERE pk AND version`: 0 rows means someone else changed it first."""
    queryset = SavedWorkup.objects.filter(pk=workup.pk, version=version)
    if expected_status is not None:
        queryset = queryset.filter(status=expected_status)
    fields["updated_at"] = timezone.now()
    if queryset.update(version=version + 1, **fields) != 1:
        raise WorkupConflict(
            "Someone else changed this case after you opened it. Nothing you entered was saved: "
            "reload the case, check its current state, and try again."
        )
    for name, value in fields.items():
        setattr(workup, name, value)
    workup.version = version + 1


@transaction.atomic
def workup_reevaluate(*, workup: SavedWorkup, actor: User, version: int) -> WorkupSnapshot:
    """On explicit confirmation: store a new snapshot under the current pathway; the old one stays."""
    difference = snapshot_difference(workup=workup)
    _locked_update(workup=workup, version=version, disposition=difference.current.disposition)
    fields = _snapshot_fields(difference.current)
    snapshot = WorkupSnapshot.objects.create(workup=workup, created_by=actor, **fields)
    audit_record(
        workup=workup, actor=actor, action=AuditAction.REEVALUATE,
        details=f"pathway {difference.stored.pathway_version} ({difference.stored.pathway_hash[:19]}) → "
        f"{PATHWAY_INFO.version} ({PATHWAY_INFO.hash[:19]})",
    )  # fmt: skip
    return snapshot


# --- Edits and status changes ------------------------------------------------------------------


@transaction.atomic
def workup_update_label(*, workup: SavedWorkup, actor: User, version: int, label: str) -> None:
    """The author renames a case; the label is checked for identifiers like on saving."""
    if actor != workup.author:
        raise TransitionRefused("Only the author can change the label.")
    label = label.strip()
    validate_label(label)
    _locked_update(workup=workup, version=version, label=label)
    audit_record(workup=workup, actor=actor, action=AuditAction.EDIT, details="label")


@transaction.atomic
def workup_refer(*, workup: SavedWorkup, actor: User, version: int) -> None:
    """The author refers a draft to hematology."""
    if actor != workup.author:
        raise TransitionRefused("Only the author can refer this case.")
    _require_status(workup, WorkupStatus.DRAFT)
    _locked_update(
        workup=workup, version=version, expected_status=WorkupStatus.DRAFT,
        status=WorkupStatus.REFERRED, referred_at=timezone.now(),
    )  # fmt: skip
    audit_record(workup=workup, actor=actor, action=AuditAction.STATUS, details="draft → referred")


@transaction.atomic
def workup_start_review(*, workup: SavedWorkup, actor: User, version: int) -> None:
    """A hematologist takes a referred case into review."""
    _require_reviewer(actor, workup)
    _require_status(workup, WorkupStatus.REFERRED)
    _locked_update(
        workup=workup, version=version, expected_status=WorkupStatus.REFERRED,
        status=WorkupStatus.IN_REVIEW, reviewer=actor,
    )  # fmt: skip
    audit_record(workup=workup, actor=actor, action=AuditAction.STATUS, details="referred → in_review")


@transaction.atomic
def workup_complete_review(*, workup: SavedWorkup, actor: User, version: int, decision: str, note: str) -> None:
    """A hematologist records the decision (and note) on a case in review."""
    _require_reviewer(actor, workup)
    _require_status(workup, WorkupStatus.IN_REVIEW)
    if decision not in ReviewDecision.values:
        raise TransitionRefused("Choose a decision.")
    if decision == ReviewDecision.OTHER and not note.strip():
        raise TransitionRefused("Explain an “other” decision in the note.")
    message = identifiers.free_text_error(note, what="The note")
    if message:
        raise ValidationError(message, code="identifier")
    _locked_update(
        workup=workup, version=version, expected_status=WorkupStatus.IN_REVIEW,
        status=WorkupStatus.REVIEWED, reviewer=actor, decision=decision, review_note=note.strip(),
    )  # fmt: skip
    audit_record(workup=workup, actor=actor, action=AuditAction.STATUS, details=f"{REVIEWED_DETAILS_PREFIX} ({decision})")


def _require_reviewer(actor: User, workup: SavedWorkup) -> None:
    if not user_can_review(user=actor):
        raise TransitionRefused("Only hematologists review referrals.")
    if workup.author_id == actor.pk:
        raise TransitionRefused("You saved and referred this case, so another hematologist reviews it.")


def _require_status(workup: SavedWorkup, status: str) -> None:
    if workup.status != status:
        raise WorkupConflict(
            f"This case is now “{workup.get_status_display()}”, so that step no longer applies. "
            "Nothing was saved: reload the case to see its current state."
        )


# --- Export ------------------------------------------------------------------------------------


def workup_export_data(*, workup: SavedWorkup) -> dict[str, Any]:
    """JSON export: the inputs as entered, the current result and the pathway that produced it."""
    snapshot = snapshot_current(workup=workup)
    return {
        "reference": workup.reference,
        "label": workup.label,
        "status": workup.status,
        "decision": workup.decision,
        "inputs": json.loads(workup.inputs_json),
        "result": snapshot.result,
        "pathway": {"id": snapshot.pathway_id, "version": snapshot.pathway_version, "hash": snapshot.pathway_hash},
        "evaluation_date": snapshot.evaluation_date.isoformat(),
        "exported_at": timezone.now().isoformat(),
    }


def workup_reviewed_at(*, workup: SavedWorkup) -> Any:
    """When the review was recorded (the audit trail's event), or None for a case not reviewed."""
    if workup.status != WorkupStatus.REVIEWED:
        return None
    event = (workup.audit_events.filter(action=AuditAction.STATUS, details__startswith=REVIEWED_DETAILS_PREFIX)
             .order_by("-at").first())
    return event.at if event else None


def workup_summary_context(*, workup: SavedWorkup) -> dict[str, Any]:
    """What the print view and the PDF both show."""
    snapshot = snapshot_current(workup=workup)
    labs = snapshot.result["labs"]
    return {
        "workup": workup,
        "reviewed_at": workup_reviewed_at(workup=workup),
        "snapshot": snapshot,
        "result": snapshot.result,
        "labs_entered": [lab for lab in labs if lab["status"] != "missing"],
        "labs_missing": [lab["label"] for lab in labs if lab["status"] == "missing"],
        "generated_at": timezone.now(),
    }


