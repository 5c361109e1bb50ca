"""Referral workflow, optimistic locking, the queue, snapshots and the login throttle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.saved.conftest import golden_inputs
from workup.models import AuditAction, ReviewDecision, SavedWorkup, WorkupSnapshot, WorkupStatus
from workup.pathway.engine import PATHWAY_INFO
from workup.saved import services as saved
from workup.throttle import MAX_FAILURES_PER_USER, login_throttled

pytestmark = pytest.mark.django_db


def _age_snapshot(workup: SavedWorkup, **result_changes) -> WorkupSnapshot:
    """Make the stored snapshot look as if an older pathway (other hash, other result) produced it."""
    snapshot = workup.snapshots.get()
    result = {**snapshot.result, **result_changes}
    WorkupSnapshot.objects.filter(pk=snapshot.pk).update(pathway_hash="0" * 64, pathway_version="0.9.0", result=result)
    return WorkupSnapshot.objects.get(pk=snapshot.pk)


def test_refer_moves_draft_to_referred(saved_case, radiologist):
    saved.workup_refer(workup=saved_case, actor=radiologist, version=1)
    stored = SavedWorkup.objects.get(pk=saved_case.pk)
    assert (stored.status, stored.version) == (WorkupStatus.REFERRED, 2)
    assert stored.referred_at is not None


def test_refer_by_someone_else_refused(saved_case, hematologist):
    with pytest.raises(saved.TransitionRefused):
        saved.workup_refer(workup=saved_case, actor=hematologist, version=1)
    assert SavedWorkup.objects.get(pk=saved_case.pk).status == WorkupStatus.DRAFT


def test_review_flow_reaches_reviewed_with_decision(in_review_case, hematologist):
    saved.workup_complete_review(
        workup=in_review_case, actor=hematologist, version=in_review_case.version,
        decision=ReviewDecision.AGREE_BIOPSY, note="Agree: anaemia.",
    )  # fmt: skip
    stored = SavedWorkup.objects.get(pk=in_review_case.pk)
    assert (stored.status, stored.decision, stored.review_note, stored.reviewer) == (
        WorkupStatus.REVIEWED, "agree_biopsy", "Agree: anaemia.", hematologist,
    )


def test_start_review_by_radiologist_refused(referred_case, other_radiologist):
    with pytest.raises(saved.TransitionRefused):
        saved.workup_start_review(workup=referred_case, actor=other_radiologist, version=referred_case.version)


def test_review_other_without_note_refused(in_review_case, hematologist):
    with pytest.raises(saved.TransitionRefused, match="note"):
        saved.workup_complete_review(
            workup=in_review_case, actor=hematologist, version=in_review_case.version, decision="other", note=" "
        )


def test_two_reviewers_second_gets_conflict_and_nothing_overwritten(in_review_case, hematologist, second_hematologist):
    seen_by_first = SavedWorkup.objects.get(pk=in_review_case.pk)
    seen_by_second = SavedWorkup.objects.get(pk=in_review_case.pk)
    saved.workup_complete_review(
        workup=seen_by_first, actor=hematologist, version=seen_by_first.version,
        decision=ReviewDecision.AGREE_BIOPSY, note="first",
    )  # fmt: skip
    with pytest.raises(saved.WorkupConflict, match="Someone else changed this case"):
        saved.workup_complete_review(
            workup=seen_by_second, actor=second_hematologist, version=seen_by_second.version,
            decision=ReviewDecision.DEFER_SURVEILLANCE, note="second",
        )  # fmt: skip
    stored = SavedWorkup.objects.get(pk=in_review_case.pk)
    assert (stored.decision, stored.review_note, stored.reviewer) == ("agree_biopsy", "first", hematologist)


def test_stale_version_conflicts_even_if_status_matches(saved_case, radiologist):
    saved.workup_update_label(workup=saved_case, actor=radiologist, version=1, label="renamed")
    with pytest.raises(saved.WorkupConflict):
        saved.workup_refer(workup=SavedWorkup.objects.get(pk=saved_case.pk), actor=radiologist, version=1)
    assert SavedWorkup.objects.get(pk=saved_case.pk).status == WorkupStatus.DRAFT


def test_label_update_refuses_identifier(saved_case, radiologist):
    with pytest.raises(ValidationError):
        saved.workup_update_label(workup=saved_case, actor=radiologist, version=1, label="MRN 00123456")
    assert SavedWorkup.objects.get(pk=saved_case.pk).label == "reading room 2"


def _refer(author, inputs: str, referred_at: dt.datetime) -> SavedWorkup:
    workup = saved.workup_save(author=author, inputs_json=inputs)
    saved.workup_refer(workup=workup, actor=author, version=workup.version)
    SavedWorkup.objects.filter(pk=workup.pk).update(referred_at=referred_at)
    return workup


def test_queue_orders_biopsy_first_then_oldest_referral(radiologist, hematologist):
    now = timezone.now()
    old_deferral = _refer(radiologist, golden_inputs("DEFERRAL_REASONABLE"), now - dt.timedelta(days=3))
    new_biopsy = _refer(radiologist, golden_inputs("PROCEED_TO_BIOPSY"), now - dt.timedelta(hours=1))
    old_biopsy = _refer(radiologist, golden_inputs("PROCEED_TO_BIOPSY"), now - dt.timedelta(days=2))
    complete = _refer(radiologist, golden_inputs("COMPLETE_WORKUP"), now - dt.timedelta(days=5))
    saved.workup_save(author=radiologist, inputs_json=golden_inputs("PROCEED_TO_BIOPSY"))  # draft: not queued
    assert list(saved.workup_queue()) == [old_biopsy, new_biopsy, complete, old_deferral]


def test_queue_filters_by_status_and_disposition(referred_case, hematologist, radiologist):
    in_review = _refer(radiologist, golden_inputs("DEFERRAL_REASONABLE"), timezone.now())
    saved.workup_start_review(workup=in_review, actor=hematologist, version=in_review.version)
    assert list(saved.workup_queue(status="in_review")) == [in_review]
    assert list(saved.workup_queue(status="referred")) == [referred_case]
    assert list(saved.workup_queue(disposition="PROCEED_TO_BIOPSY")) == [referred_case]


def test_reviewed_cases_leave_the_queue(in_review_case, hematologist):
    saved.workup_complete_review(
        workup=in_review_case, actor=hematologist, version=in_review_case.version, decision="agree_biopsy", note=""
    )
    assert not saved.workup_queue().exists()


def test_snapshot_same_pathway_is_not_stale(saved_case):
    assert not saved.snapshot_is_stale(snapshot=saved_case.snapshots.get())


def test_snapshot_from_other_pathway_is_stale_and_difference_lists_changes(saved_case):
    snapshot = _age_snapshot(saved_case, disposition="COMPLETE_WORKUP", triggers=[])
    assert saved.snapshot_is_stale(snapshot=snapshot)
    rows = {what: (before, after, differs) for what, before, after, differs in saved.snapshot_difference(workup=saved_case).rows}
    assert rows["Disposition"] == ("COMPLETE_WORKUP", "PROCEED_TO_BIOPSY", True)
    assert "BX-" not in rows["Fired rules"][0] and "BX-" in rows["Fired rules"][1]
    assert rows["Active pitfalls"][2] is False
    assert rows["Pathway"][2] is True


def test_difference_stores_nothing(saved_case):
    _age_snapshot(saved_case, disposition="COMPLETE_WORKUP")
    saved.snapshot_difference(workup=saved_case)
    assert saved_case.snapshots.count() == 1
    assert SavedWorkup.objects.get(pk=saved_case.pk).version == 1


def test_reevaluate_adds_snapshot_keeps_old_and_audits(saved_case, radiologist):
    old = _age_snapshot(saved_case, disposition="COMPLETE_WORKUP")
    SavedWorkup.objects.filter(pk=saved_case.pk).update(disposition="COMPLETE_WORKUP")
    saved_case.refresh_from_db()
    new = saved.workup_reevaluate(workup=saved_case, actor=radiologist, version=1)
    assert saved.snapshot_current(workup=saved_case) == new
    assert WorkupSnapshot.objects.get(pk=old.pk).result["disposition"] == "COMPLETE_WORKUP"
    assert new.pathway_hash == PATHWAY_INFO.hash
    assert SavedWorkup.objects.get(pk=saved_case.pk).disposition == "PROCEED_TO_BIOPSY"
    assert saved_case.audit_events.filter(action=AuditAction.REEVALUATE).count() == 1


def test_reevaluate_uses_stored_evaluation_date(saved_case, radiologist):
    old = _age_snapshot(saved_case)
    new = saved.workup_reevaluate(workup=saved_case, actor=radiologist, version=1)
    assert new.evaluation_date == old.evaluation_date


def test_reevaluate_with_stale_version_conflicts(saved_case, radiologist):
    _age_snapshot(saved_case)
    saved.workup_update_label(workup=saved_case, actor=radiologist, version=1, label="x")
    with pytest.raises(saved.WorkupConflict):
        saved.workup_reevaluate(workup=saved_case, actor=radiologist, version=1)
    assert saved_case.snapshots.count() == 1


def test_every_change_is_audited_without_clinical_values(in_review_case, hematologist):
    saved.workup_complete_review(
        workup=in_review_case, actor=hematologist, version=in_review_case.version, decision="agree_biopsy", note="Hb 11.9"
    )
    events = list(in_review_case.audit_events.order_by("at", "pk").values_list("action", "details"))
    assert [action for action, _ in events] == ["create", "status", "status", "status"]
    assert all("11.9" not in details for _, details in events)


def test_export_data_has_inputs_result_and_pathway(saved_case, biopsy_inputs):
    import json

    data = saved.workup_export_data(workup=saved_case)
    assert data["inputs"] == json.loads(biopsy_inputs)
    assert data["result"]["disposition"] == "PROCEED_TO_BIOPSY"
    assert data["pathway"] == {"id": PATHWAY_INFO.id, "version": PATHWAY_INFO.version, "hash": PATHWAY_INFO.hash}


def test_login_throttled_after_repeated_failures(radiologist):
    for _ in range(MAX_FAILURES_PER_USER):
        assert authenticate(None, username="rad-ana", password="wrong") is None
    assert login_throttled(username="rad-ana", ip_address=None)
    assert authenticate(None, username="rad-ana", password="pw-rad-ana") is None  # even the right password


def test_login_success_clears_failures(radiologist):
    for _ in range(MAX_FAILURES_PER_USER - 1):
        authenticate(None, username="rad-ana", password="wrong")
    assert authenticate(None, username="rad-ana", password="pw-rad-ana") == radiologist
    assert not login_throttled(username="rad-ana", ip_address=None)


def test_login_throttle_expires_after_window(radiologist):
    from workup.models import FailedLogin
    from workup.throttle import LOCKOUT_WINDOW

    for _ in range(MAX_FAILURES_PER_USER):
        FailedLogin.objects.create(username="rad-ana", at=timezone.now() - LOCKOUT_WINDOW - dt.timedelta(seconds=1))
    assert authenticate(None, username="rad-ana", password="pw-rad-ana") == radiologist


def test_login_failure_forgets_failures_older_than_window(radiologist):
    from workup.models import FailedLogin
    from workup.throttle import LOCKOUT_WINDOW

    FailedLogin.objects.create(username="someone", at=timezone.now() - LOCKOUT_WINDOW - dt.timedelta(minutes=1))
    authenticate(None, username="rad-ana", password="wrong")
    assert list(FailedLogin.objects.values_list("username", flat=True)) == ["rad-ana"]


def test_throttled_backend_raises_permission_denied_directly(radiologist):
    from workup.throttle import ThrottledModelBackend

    for _ in range(MAX_FAILURES_PER_USER):
        authenticate(None, username="rad-ana", password="wrong")
    with pytest.raises(PermissionDenied):
        ThrottledModelBackend().authenticate(None, username="rad-ana", password="pw-rad-ana")
