"""Saved workups in the database: references, labels, snapshots, audit trail, throttle."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from workup.models import AuditAction, AuditEvent, RecordImmutable, SavedWorkup, WorkupSnapshot
from workup.pathway.engine import PATHWAY_INFO
from workup.saved import services as saved

pytestmark = pytest.mark.django_db


def test_reference_is_random_and_not_the_pk(radiologist, biopsy_inputs):
    first = saved.workup_save(author=radiologist, inputs_json=biopsy_inputs)
    second = saved.workup_save(author=radiologist, inputs_json=biopsy_inputs)
    assert len(first.reference) >= 16
    assert first.reference != second.reference
    assert str(first.pk) not in (first.reference, second.reference)


def test_reference_unique_in_database(saved_case, radiologist):
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedWorkup.objects.create(reference=saved_case.reference, author=radiologist, inputs_json="{}", disposition="X")


def test_save_stores_inputs_exactly_as_entered(radiologist, biopsy_inputs):
    text = biopsy_inputs.replace('"g/dL"', '"g/dL" ')  # whitespace and order as typed
    workup = saved.workup_save(author=radiologist, inputs_json=text)
    assert SavedWorkup.objects.get(pk=workup.pk).inputs_json == text


def test_save_stores_full_snapshot_with_pathway_identity(saved_case):
    snapshot = saved_case.snapshots.get()
    assert snapshot.result["disposition"] == "PROCEED_TO_BIOPSY"
    assert set(snapshot.result) >= {"triggers", "pitfalls", "labs", "pathway"}
    assert (snapshot.pathway_id, snapshot.pathway_version, snapshot.pathway_hash) == (
        PATHWAY_INFO.id, PATHWAY_INFO.version, PATHWAY_INFO.hash,
    )
    assert saved_case.disposition == "PROCEED_TO_BIOPSY"


def test_save_refuses_invalid_inputs(radiologist):
    with pytest.raises(saved.CaseInvalid) as invalid:
        saved.workup_save(author=radiologist, inputs_json='{"hemoglobin": {"value": 112, "unit": "g/dL"}}')
    assert "hemoglobin" in invalid.value.errors
    assert not SavedWorkup.objects.exists()


def test_save_refuses_text_that_is_not_json(radiologist):
    with pytest.raises(saved.CaseInvalid) as invalid:
        saved.workup_save(author=radiologist, inputs_json="hemoglobin 11")
    assert invalid.value.errors == {"inputs_json": ["The inputs are not valid JSON."]}


@pytest.mark.parametrize(
    "label",
    [
        "born 1961-03-04", "DOB 04/03/1961", "seen 3 March 2026", "Mar 3 list", "MRN 1234567",
        "record 123456", "anna.smith@example.org", "+44 20 7946 0958", "555-123-4567",
    ],
)
def test_label_with_identifier_refused(radiologist, biopsy_inputs, label):
    with pytest.raises(ValidationError) as refused:
        saved.workup_save(author=radiologist, inputs_json=biopsy_inputs, label=label)
    assert "must not identify a patient" in str(refused.value)
    assert not SavedWorkup.objects.exists()


@pytest.mark.parametrize("label", ["", "reading room 2", "L1-L5 heterogeneity, smoker", "marrow 12 levels", "case 12345"])
def test_label_without_identifier_accepted(radiologist, biopsy_inputs, label):
    assert saved.workup_save(author=radiologist, inputs_json=biopsy_inputs, label=label).label == label


def test_audit_event_update_refused(saved_case):
    event = saved_case.audit_events.get()
    event.details = "changed"
    with pytest.raises(RecordImmutable):
        event.save()


def test_audit_event_delete_refused(saved_case):
    with pytest.raises(RecordImmutable):
        saved_case.audit_events.get().delete()


def test_audit_queryset_update_and_delete_refused(saved_case):
    with pytest.raises(RecordImmutable):
        AuditEvent.objects.filter(workup=saved_case).update(details="changed")
    with pytest.raises(RecordImmutable):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == AuditAction.CREATE


def test_audit_event_update_refused_by_database(saved_case):
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE workup_auditevent SET details = 'changed'")
    assert AuditEvent.objects.get().details != "changed"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite keeps DELETE open for test flushes")
def test_audit_event_delete_refused_by_postgresql(saved_case):
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM workup_auditevent")
    assert AuditEvent.objects.count() == 1


def test_snapshot_kept_when_workup_deleted_refused(saved_case):
    with pytest.raises(Exception):  # noqa: B017 — PROTECT keeps snapshots and audit events
        saved_case.delete()
    assert WorkupSnapshot.objects.filter(workup=saved_case).exists()


def test_snapshot_save_refuses_overwrite(saved_case):
    snapshot = saved_case.snapshots.get()
    snapshot.result = {"disposition": "COMPLETE_WORKUP"}
    with pytest.raises(RecordImmutable):
        snapshot.save()
    assert saved_case.snapshots.get().result["disposition"] == "PROCEED_TO_BIOPSY"
