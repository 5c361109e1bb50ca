"""Recording outcomes: entries made at review, one-step recording, corrections kept, nothing deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory

from tests.registry.conftest import DONE_NEOPLASM, DONE_NORMAL
from workup.models import AuditEvent, RecordImmutable
from workup.registry import services as registry
from workup.registry.models import EntryCriterion, EntryTrigger, OutcomeRevision, RegistryEntry

DEFERRED = {"biopsy": "not_done", "biopsy_month": None, "not_done_reason": "deferred", "result": "",
            "follow_up_3m": "", "follow_up_12m": "", "note": ""}


def test_review_makes_registry_entry_with_triggers(reviewed_case):
    entry = RegistryEntry.objects.get(workup=reviewed_case)
    assert entry.disposition == "PROCEED_TO_BIOPSY"
    assert entry.referring_role == "radiologist"
    assert entry.revision == 0 and not entry.outcome_known
    assert sorted(entry.triggers.values_list("trigger_id", flat=True)) == sorted(
        t["id"] for t in reviewed_case.snapshots.latest().result["triggers"])
    assert entry.trigger_count == entry.triggers.count() >= 1


def test_referred_case_has_no_registry_entry(referred_case):
    assert not RegistryEntry.objects.filter(workup=referred_case).exists()


def test_outcome_record_then_correct_keeps_both_revisions_and_audits(reviewed_case, hematologist):
    entry = reviewed_case.registry_entry
    entry = registry.outcome_record(entry=entry, actor=hematologist, revision=0, outcome=DONE_NORMAL)
    assert entry.outcome_known and not entry.neoplasm
    entry = registry.outcome_record(entry=entry, actor=hematologist, revision=1, outcome=DONE_NEOPLASM)
    assert entry.revision == 2 and entry.neoplasm and entry.result == "pcn_myeloma"
    assert [r.outcome["result"] for r in entry.revisions.all()] == ["pcn_myeloma", "normal"]
    assert entry.revisions.first().outcome["biopsy_month"] == "2026-09"  # a month, never a day
    details = list(AuditEvent.objects.filter(workup=reviewed_case, action="edit").values_list("details", flat=True))
    assert "registry outcome recorded (revision 1)" in details and "registry outcome corrected (revision 2)" in details
    assert not any("myeloma" in d for d in details)  # the trail says that, not what


def test_outcome_record_stale_revision_conflicts(reviewed_case, hematologist):
    entry = reviewed_case.registry_entry
    registry.outcome_record(entry=entry, actor=hematologist, revision=0, outcome=DONE_NORMAL)
    with pytest.raises(registry.OutcomeConflict):
        registry.outcome_record(entry=entry, actor=hematologist, revision=0, outcome=DONE_NEOPLASM)
    assert RegistryEntry.objects.get(pk=entry.pk).result == "normal"


def test_outcome_record_refused_for_radiologist(reviewed_case, radiologist):
    with pytest.raises(registry.OutcomeRefused):
        registry.outcome_record(entry=reviewed_case.registry_entry, actor=radiologist, revision=0, outcome=DONE_NORMAL)
    assert OutcomeRevision.objects.count() == 0


def test_registry_entry_refuses_delete_in_model_queryset_and_admin(reviewed_case, hematologist, staff):
    entry = registry.outcome_record(entry=reviewed_case.registry_entry, actor=hematologist, revision=0,
                                    outcome=DONE_NORMAL)
    with pytest.raises(RecordImmutable):
        entry.delete()
    with pytest.raises(RecordImmutable):
        RegistryEntry.objects.all().delete()
    with pytest.raises(RecordImmutable):
        entry.revisions.first().delete()
    with pytest.raises(RecordImmutable):
        OutcomeRevision.objects.all().delete()
    request = RequestFactory().get("/")
    request.user = staff
    assert not admin_site._registry[RegistryEntry].has_delete_permission(request, entry)
    assert not admin_site._registry[OutcomeRevision].has_delete_permission(request)
    assert RegistryEntry.objects.count() == 1 and OutcomeRevision.objects.count() == 1


@pytest.mark.parametrize(("outcome", "known", "neoplasm", "deferred"), [
    (DONE_NEOPLASM, True, True, False),
    (DONE_NORMAL, True, False, False),
    (DONE_NORMAL | {"result": "non_diagnostic"}, False, False, False),
    (DONE_NORMAL | {"result": "metastatic"}, True, False, False),
    (DEFERRED, False, False, True),
    (DEFERRED | {"follow_up_3m": "no_neoplasm"}, False, False, True),
    (DEFERRED | {"follow_up_3m": "no_neoplasm", "follow_up_12m": "no_neoplasm"}, True, False, True),
    (DEFERRED | {"follow_up_3m": "neoplasm"}, True, True, True),
    (DEFERRED | {"not_done_reason": "declined", "follow_up_12m": "lost"}, False, False, False),
])  # fmt: skip
def test_outcome_derived_table(outcome, known, neoplasm, deferred):
    derived = registry.outcome_derived(outcome=outcome, reviewed_month=dt.date(2026, 1, 1))
    assert (derived["outcome_known"], derived["neoplasm"], derived["deferred"]) == (known, neoplasm, deferred)


def test_deferred_case_due_for_follow_up_after_three_months(deferral_reviewed_case, hematologist):
    entry = deferral_reviewed_case.registry_entry
    registry.outcome_record(entry=entry, actor=hematologist, revision=0, outcome=DEFERRED)
    entry.refresh_from_db()
    due_month = entry.follow_up_3m_due
    assert due_month == registry.months_after(entry.reviewed_month, 3)
    before = registry.months_after(due_month, -1)
    assert entry not in registry.followups_due(today=before)
    assert entry in registry.followups_due(today=due_month)
    registry.outcome_record(entry=entry, actor=hematologist, revision=1, outcome=DEFERRED | {"follow_up_3m": "no_neoplasm"})
    assert entry not in registry.followups_due(today=due_month)
    assert entry in registry.followups_due(today=entry.follow_up_12m_due)


def test_deferred_then_neoplasm_is_the_safety_signal(deferral_reviewed_case, hematologist):
    entry = deferral_reviewed_case.registry_entry
    assert entry not in registry.deferred_then_neoplasm()
    registry.outcome_record(entry=entry, actor=hematologist, revision=0, outcome=DEFERRED | {"follow_up_3m": "neoplasm"})
    assert list(registry.deferred_then_neoplasm()) == [entry]


def test_registry_index_reviewed_indexes_cases_reviewed_before(reviewed_case):
    EntryTrigger.objects.filter(entry__workup=reviewed_case).delete()  # as before the registry existed
    EntryCriterion.objects.filter(entry__workup=reviewed_case).delete()
    RegistryEntry.objects.filter(workup=reviewed_case)._raw_delete(RegistryEntry.objects.db)
    assert registry.registry_index_reviewed() == 1
    assert RegistryEntry.objects.get(workup=reviewed_case).pathway_version == reviewed_case.snapshots.latest().pathway_version
