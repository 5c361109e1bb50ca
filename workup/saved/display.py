"""What the case page, the PDF, the review and the queue show of a saved case: every input in
plain words, grouped as on the workup screen. Display only; no clinical decision is made here."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from workup.forms import REFERENCE_LIMIT_LABELS, STEPS
from workup.models import AuditAction, AuditEvent, ReviewDecision, SavedWorkup, WorkupStatus
from workup.pathway.inputs import CHOICE_LABELS, INPUTS, Case, Quantity
from workup.pathway.parsing import CaseInvalid, case_from_json
from workup.report import DISPOSITION_HEADLINES, headline_of_result, workup_report
from workup.services import workup_evaluate

NOT_ENTERED = "not entered"


def disposition_label(code: str) -> str:
    """The plain words for a disposition code (the code itself only if the pathway has no words for it)."""
    return DISPOSITION_HEADLINES.get(code, code.replace("_", " ").capitalize())


@dataclass(frozen=True, slots=True)
class InputRow:
    label: str
    value: str
    entered: bool


@dataclass(frozen=True, slots=True)
class InputGroup:
    key: str
    title: str
    rows: tuple[InputRow, ...]

    @property
    def entered(self) -> tuple[InputRow, ...]:
        return tuple(row for row in self.rows if row.entered)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(row.label for row in self.rows if not row.entered)


def _text(value: Any) -> str:
    """A value as entered: numbers keep the digits typed, choices their screen label."""
    if isinstance(value, Quantity):
        return f"{value.value:f} {value.unit}" if isinstance(value.value, Decimal) else str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, frozenset):
        return ", ".join(sorted(CHOICE_LABELS.get(str(v), str(v)) for v in value))
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return CHOICE_LABELS.get(str(value), str(value))


def _case(inputs_json: str) -> Case | None:
    try:
        return case_from_json(data=json.loads(inputs_json, parse_float=Decimal))
    except (ValueError, RecursionError, CaseInvalid):
        return None


def inputs_grouped(*, case: Case) -> list[InputGroup]:
    """Every input of the pathway, entered or not, in the screen's steps and order."""
    groups = []
    for key, title in STEPS:
        rows = []
        for spec in INPUTS:
            if spec.group != key:
                continue
            value = getattr(case, spec.key)
            entered = value is not None and value != frozenset()
            rows.append(InputRow(spec.label, _text(value) if entered else NOT_ENTERED, entered))
        groups.append(InputGroup(key, title, tuple(rows)))
    limits = tuple(
        InputRow(REFERENCE_LIMIT_LABELS.get(key, key), _text(quantity), True)
        for key, quantity in case.reference_limits.items()
    )
    if limits:
        groups.append(InputGroup("limits", "Your laboratory's reference limits", limits))
    return groups


def case_display(*, workup: SavedWorkup, evaluation_date: dt.date, stale: bool) -> dict[str, Any]:
    """The grouped inputs and the referral text for one saved case.

    The referral text is worded from the stored inputs; when the pathway has changed since the
    snapshot, it is the current pathway's wording, and `referral_current` says so.
    """
    case = _case(workup.inputs_json)
    if case is None:
        return {"input_groups": [], "referral_text": "", "referral_current": stale}
    report = workup_report(case=case, assessment=workup_evaluate(case=case, today=evaluation_date),
                           locally_approved=settings.PATHWAY_LOCALLY_APPROVED)
    groups = inputs_grouped(case=case)
    return {
        "input_groups": groups,
        "inputs_missing_count": sum(len(group.missing) for group in groups),
        "referral_text": report.referral,
        "referral_current": stale,
    }


def _waiting(workup: SavedWorkup, now: dt.datetime) -> str:
    """How long the referral has waited (until now, or until it was reviewed)."""
    if workup.referred_at is None:
        return "not referred"
    end = workup.updated_at if workup.status == WorkupStatus.REVIEWED else now
    minutes = max(0, int((end - workup.referred_at).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {rest % 60} min"
    return f"{rest} min"


@dataclass(frozen=True, slots=True)
class QueueRow:
    workup: SavedWorkup
    disposition: str
    age: str
    sex: str
    triggers: tuple[str, ...]
    waiting: str


def queue_rows(*, workups: Any) -> list[QueueRow]:
    """One row per case with what a hematologist triages on: age, sex, triggers, waiting time."""
    now = timezone.now()
    rows = []
    for workup in workups:
        case = _case(workup.inputs_json)
        snapshot = max(workup.snapshots.all(), key=lambda s: (s.created_at, s.pk), default=None)
        triggers = tuple(t["title"] for t in snapshot.result.get("triggers", ())) if snapshot else ()
        rows.append(QueueRow(
            workup=workup,
            disposition=headline_of_result(snapshot.result) if snapshot else disposition_label(workup.disposition),
            age=str(case.age) if case and case.age is not None else NOT_ENTERED,
            sex=_text(case.sex) if case and case.sex is not None else NOT_ENTERED,
            triggers=triggers,
            waiting=_waiting(workup, now),
        ))  # fmt: skip
    return rows


# --- The audit trail as a person reads it --------------------------------------------------------

_EXPORT_WORDS = {"pdf": "PDF", "json": "JSON"}
_STATUS_CHANGE = re.compile(r"(\w+) → (\w+)(?: \((\w+)\))?")


def audit_details_words(event: AuditEvent) -> str:
    """An event's details in words: status and decision labels instead of their stored codes."""
    change = _STATUS_CHANGE.fullmatch(event.details) if event.action == AuditAction.STATUS else None
    if change:
        before, after, decision = change.groups()
        words = f"{WorkupStatus(before).label} → {WorkupStatus(after).label}"
        return f"{words}: {ReviewDecision(decision).label}" if decision in ReviewDecision.values else words
    if event.action == AuditAction.EXPORT:
        return _EXPORT_WORDS.get(event.details, event.details)
    return event.details


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One line of the trail: an event, or a run of views by one person (newest first)."""

    first: dt.datetime
    last: dt.datetime
    actor: str
    what: str
    details: str
    count: int

    @property
    def grouped(self) -> bool:
        return self.count > 1


def audit_rows(*, events: Any) -> list[AuditRow]:
    """The trail newest first, each run of consecutive views by the same person as one row, so the
    few changes are not lost among the page views."""
    rows: list[AuditRow] = []
    for event in events:
        actor, details = event.actor.get_username(), audit_details_words(event)
        previous = rows[-1] if rows else None
        if (event.action == AuditAction.VIEW and previous and previous.what == AuditAction.VIEW.label
                and previous.actor == actor):
            seen = dict.fromkeys([*previous.details.split("; "), details])
            rows[-1] = AuditRow(event.at, previous.last, actor, previous.what, "; ".join(seen), previous.count + 1)
            continue
        rows.append(AuditRow(event.at, event.at, actor, event.get_action_display(), details, 1))
    return rows
