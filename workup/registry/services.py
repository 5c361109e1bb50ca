"""Services of the outcome registry: indexing reviewed cases, recording outcomes, the follow-up queue.

The aggregates (the registry page and its exports) are in workup/registry/report.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from workup.models import AuditAction, SavedWorkup, WorkupStatus
from workup.registry.models import (
    NEOPLASM_FINDINGS,
    Biopsy,
    EntryCriterion,
    EntryTrigger,
    Finding,
    FollowUp,
    NotDoneReason,
    OutcomeRevision,
    RegistryEntry,
)
from workup.saved import services as saved

OUTCOME_FIELDS = ("biopsy", "biopsy_month", "not_done_reason", "result", "follow_up_3m", "follow_up_12m", "note")
ROLES = ("radiologist", "resident", "hematologist")  # the groups of setup_roles; anyone else is "other"
FOLLOW_UP_MONTHS = (3, 12)


class OutcomeConflict(Exception):
    """Someone else recorded or corrected this outcome after the form was loaded; nothing was written."""


class OutcomeRefused(Exception):
    """The user may not record outcomes (only hematologists and staff)."""


# --- Months ------------------------------------------------------------------------------------


def month_of(day: dt.date | dt.datetime) -> dt.date:
    """The first day of the month: the registry keeps no finer date."""
    return dt.date(day.year, day.month, 1)


def months_after(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- Access ------------------------------------------------------------------------------------


def user_may_use_registry(*, user: Any) -> bool:
    """Hematologists and staff, exactly those who see every saved case."""
    return saved.user_sees_all_workups(user=user)


def entry_get(*, reference: str, user: Any) -> RegistryEntry:
    """The entry with this reference; 404 for anyone else, whether it exists or not."""
    if not user_may_use_registry(user=user):
        raise Http404("No such registry entry.")
    try:
        return RegistryEntry.objects.select_related("workup").get(reference=reference)
    except RegistryEntry.DoesNotExist:
        raise Http404("No such registry entry.") from None


# --- Indexing a reviewed case ------------------------------------------------------------------


def referring_role(*, user: Any) -> str:
    """The author's role when the case was indexed: the first of the known groups, else "other"."""
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in ROLES if role in names), "other")


def result_triggers(result: dict[str, Any]) -> list[str]:
    return sorted({item["id"] for item in result.get("triggers", [])})


def result_criteria(result: dict[str, Any]) -> list[tuple[str, bool]]:
    """Published criteria judged met or not met (one not evaluable is not counted either way)."""
    return sorted(
        (c["id"], c["status"] == "met") for c in result.get("criteria") or [] if c["status"] in ("met", "not_met")
    )


@transaction.atomic
def registry_index(*, workup: SavedWorkup) -> RegistryEntry:
    """The workup's registry entry, made from its current snapshot when it is first reviewed."""
    existing = RegistryEntry.objects.filter(workup=workup).first()
    if existing is not None:
        return existing
    snapshot = saved.snapshot_current(workup=workup)
    triggers = result_triggers(snapshot.result)
    entry = RegistryEntry.objects.create(
        workup=workup, snapshot=snapshot, pathway_version=snapshot.pathway_version,
        disposition=snapshot.result["disposition"], decision=workup.decision,
        referring_role=referring_role(user=workup.author), reviewed_month=month_of(workup.updated_at),
        trigger_count=len(triggers),
    )  # fmt: skip
    EntryTrigger.objects.bulk_create(EntryTrigger(entry=entry, trigger_id=t) for t in triggers)
    EntryCriterion.objects.bulk_create(
        EntryCriterion(entry=entry, criterion_id=c, met=met) for c, met in result_criteria(snapshot.result)
    )
    return entry


def registry_index_reviewed() -> int:
    """Index every reviewed case that has no entry yet (cases reviewed before the registry existed)."""
    missing = SavedWorkup.objects.filter(status=WorkupStatus.REVIEWED, registry_entry__isnull=True)
    return sum(1 for workup in missing.select_related("author") if registry_index(workup=workup))


# --- Recording an outcome ----------------------------------------------------------------------


def outcome_derived(*, outcome: dict[str, Any], reviewed_month: dt.date) -> dict[str, Any]:
    """What the registry counts, worked out once from the outcome as entered.

    Known: a diagnostic biopsy result, or for a case not biopsied a neoplasm or metastasis found at
    follow-up, or nothing found at 12 months. Neoplasm: a haematolymphoid neoplasm (metastatic
    carcinoma is counted apart). Deferred: not biopsied because the pathway deferred it; such a
    case is due for follow-up at 3 and 12 months after the review.
    """
    follow_ups = (outcome["follow_up_3m"], outcome["follow_up_12m"])
    if outcome["biopsy"] == Biopsy.DONE:
        known = bool(outcome["result"]) and outcome["result"] != Finding.NON_DIAGNOSTIC
        neoplasm, metastatic = outcome["result"] in NEOPLASM_FINDINGS, outcome["result"] == Finding.METASTATIC
    elif outcome["biopsy"] == Biopsy.NOT_DONE:
        neoplasm, metastatic = FollowUp.NEOPLASM in follow_ups, FollowUp.METASTATIC in follow_ups
        known = neoplasm or metastatic or outcome["follow_up_12m"] == FollowUp.NO_NEOPLASM
    else:
        known = neoplasm = metastatic = False
    deferred = outcome["biopsy"] == Biopsy.NOT_DONE and outcome["not_done_reason"] == NotDoneReason.DEFERRED
    return {
        "outcome_known": known, "neoplasm": neoplasm, "metastatic": metastatic, "deferred": deferred,
        "follow_up_3m_due": months_after(reviewed_month, 3) if deferred else None,
        "follow_up_12m_due": months_after(reviewed_month, 12) if deferred else None,
    }  # fmt: skip


def _revision_json(outcome: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.strftime("%Y-%m") if isinstance(v, dt.date) else v) for k, v in outcome.items()}


@transaction.atomic
def outcome_record(*, entry: RegistryEntry, actor: Any, revision: int, outcome: dict[str, Any]) -> RegistryEntry:
    """Record (revision 0) or correct an outcome: a conditional UPDATE, a kept revision, an audit event.

    `outcome` is the cleaned form (OUTCOME_FIELDS); a month is the first day of its month.
    """
    if not user_may_use_registry(user=actor):
        raise OutcomeRefused("Only hematologists and staff record outcomes.")
    outcome = {name: outcome.get(name) or ("" if name != "biopsy_month" else None) for name in OUTCOME_FIELDS}
    fields = {**outcome, **outcome_derived(outcome=outcome, reviewed_month=entry.reviewed_month)}
    updated = RegistryEntry.objects.filter(pk=entry.pk, revision=revision).update(
        revision=revision + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise OutcomeConflict(
            "Someone else recorded an outcome for this case after you opened it. Nothing you entered was "
            "saved: reload the page, check the outcome now stored, and correct it if needed."
        )
    OutcomeRevision.objects.create(entry=entry, revision=revision + 1, actor=actor, outcome=_revision_json(outcome))
    if entry.workup is not None:  # the case's own audit trail says that, not what, was recorded
        what = "recorded" if revision == 0 else "corrected"
        saved.audit_record(workup=entry.workup, actor=actor, action=AuditAction.EDIT,
                           details=f"registry outcome {what} (revision {revision + 1})")
    entry.refresh_from_db()
    return entry


def outcome_history(*, entry: RegistryEntry) -> QuerySet[OutcomeRevision]:
    return entry.revisions.select_related("actor")


# --- The follow-up queue -----------------------------------------------------------------------


def followups_due(*, today: dt.date | None = None) -> QuerySet[RegistryEntry]:
    """Deferred cases whose 3- or 12-month follow-up is due and not recorded, the longest due first."""
    month = month_of(today or timezone.localdate())
    due_3m = Q(follow_up_3m="", follow_up_3m_due__lte=month)
    due_12m = Q(follow_up_12m="", follow_up_12m_due__lte=month, outcome_known=False)
    return RegistryEntry.objects.filter(deferred=True).filter(due_3m | due_12m).order_by("follow_up_3m_due", "pk")


def outcomes_awaited() -> QuerySet[RegistryEntry]:
    """Reviewed cases whose outcome has never been recorded, the longest waiting first."""
    return RegistryEntry.objects.filter(revision=0).order_by("reviewed_month", "pk")


def deferred_then_neoplasm() -> QuerySet[RegistryEntry]:
    """The safety signal: cases the pathway deferred in which a neoplasm was found later."""
    return RegistryEntry.objects.filter(deferred=True, neoplasm=True).order_by("-updated_at", "-pk")
