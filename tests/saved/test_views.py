"""Views of saved workups: access control, no-JS and htmx paths, conflicts, exports, login."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.golden import golden_cases
from workup.models import AuditAction, AuditEvent, SavedWorkup, WorkupSnapshot, WorkupStatus
from workup.saved import services as saved

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CASE_GET_URLS = ["cases:detail", "cases:reevaluate", "cases:print", "cases:export-pdf", "cases:export-json"]
CASE_POST_URLS = ["cases:label", "cases:refer", "cases:start-review", "cases:review", "cases:reevaluate"]


def _url(name: str, workup: SavedWorkup) -> str:
    return reverse(name, kwargs={"reference": workup.reference})


def _post_data(workup: SavedWorkup, **extra) -> dict:
    return {"version": workup.version, "label": "x", "decision": "agree_biopsy", "note": "", **extra}


# --- Access control -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_GET_URLS)
@pytest.mark.parametrize("intruder", ["other_radiologist", "resident"])
def test_case_get_urls_other_users_get_404(client, request, referred_case, name, intruder):
    client.force_login(request.getfixturevalue(intruder))
    assert client.get(_url(name, referred_case)).status_code == 404
    assert client.get(_url(name, referred_case), **HTMX).status_code == 404


@pytest.mark.parametrize("name", CASE_POST_URLS)
@pytest.mark.parametrize("intruder", ["other_radiologist", "resident"])
def test_case_post_urls_other_users_get_404_and_nothing_changes(client, request, referred_case, name, intruder):
    client.force_login(request.getfixturevalue(intruder))
    before = SavedWorkup.objects.values().get(pk=referred_case.pk)
    assert client.post(_url(name, referred_case), _post_data(referred_case)).status_code == 404
    assert client.post(_url(name, referred_case), _post_data(referred_case), **HTMX).status_code == 404
    assert SavedWorkup.objects.values().get(pk=referred_case.pk) == before


def test_unknown_reference_is_404_like_a_foreign_one(client, other_radiologist):
    client.force_login(other_radiologist)
    assert client.get("/cases/doesnotexist0000").status_code == 404


def test_intruder_leaves_no_audit_event(client, other_radiologist, saved_case):
    client.force_login(other_radiologist)
    client.get(_url("cases:detail", saved_case))
    assert not AuditEvent.objects.filter(actor=other_radiologist).exists()


@pytest.mark.parametrize("viewer", ["radiologist", "hematologist", "staff"])
def test_case_page_visible_to_author_hematologist_and_staff(client, request, saved_case, viewer):
    client.force_login(request.getfixturevalue(viewer))
    response = client.get(_url("cases:detail", saved_case))
    assert response.status_code == 200
    assert "PROCEED_TO_BIOPSY" in response.text


def test_case_urls_anonymous_redirect_to_login(client, saved_case):
    response = client.get(_url("cases:detail", saved_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_queue_refused_to_radiologist(client, radiologist):
    client.force_login(radiologist)
    assert client.get(reverse("cases:queue")).status_code == 403


def test_mine_lists_only_own_cases(client, saved_case, other_radiologist, biopsy_inputs):
    theirs = saved.workup_save(author=other_radiologist, inputs_json=biopsy_inputs, label="their case")
    client.force_login(other_radiologist)
    text = client.get(reverse("cases:mine")).text
    assert theirs.reference in text
    assert saved_case.reference not in text


def test_audit_trail_shown_to_hematologist_not_author(client, saved_case, radiologist, hematologist):
    client.force_login(hematologist)
    assert 'id="audit-trail"' in client.get(_url("cases:detail", saved_case)).text
    assert "Audit trail" in client.get(_url("cases:detail", saved_case)).text
    client.force_login(radiologist)
    assert "Audit trail" not in client.get(_url("cases:detail", saved_case)).text


# --- Saving ---------------------------------------------------------------------------------------


def test_new_page_requires_login(client):
    assert client.get(reverse("cases:new")).status_code == 302


def test_calculator_api_needs_no_login(client):
    assert client.post("/api/v1/evaluate", "{}", content_type="application/json").status_code == 200


def test_save_without_js_redirects_to_case_page(client, radiologist, biopsy_inputs):
    client.force_login(radiologist)
    response = client.post(reverse("cases:save"), {"inputs_json": biopsy_inputs, "label": "room 2"})
    workup = SavedWorkup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("cases:detail", workup)
    assert str(workup.pk) not in response["Location"].split("/")


def test_save_with_htmx_returns_saved_fragment(client, radiologist, biopsy_inputs):
    client.force_login(radiologist)
    response = client.post(reverse("cases:save"), {"inputs_json": biopsy_inputs, "label": ""}, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="save-result"')
    assert SavedWorkup.objects.get().reference in response.text


def test_save_label_with_identifier_shows_message_and_stores_nothing(client, radiologist, biopsy_inputs):
    client.force_login(radiologist)
    response = client.post(reverse("cases:save"), {"inputs_json": biopsy_inputs, "label": "DOB 1961-03-04"}, **HTMX)
    assert response.status_code == 200
    assert "must not identify a patient" in response.text
    assert not SavedWorkup.objects.exists()


def test_save_invalid_inputs_shows_field_errors_without_js(client, radiologist):
    client.force_login(radiologist)
    response = client.post(reverse("cases:save"), {"inputs_json": '{"hemoglobin": 11}', "label": ""})
    assert response.status_code == 400
    assert "hemoglobin:" in response.text
    assert "<form" in response.text
    assert not SavedWorkup.objects.exists()


# --- Status changes -------------------------------------------------------------------------------


def test_refer_without_js_redirects_and_changes_status(client, radiologist, saved_case):
    client.force_login(radiologist)
    response = client.post(_url("cases:refer", saved_case), {"version": 1})
    assert response.status_code == 302
    assert SavedWorkup.objects.get(pk=saved_case.pk).status == WorkupStatus.REFERRED


def test_refer_with_htmx_returns_status_fragment(client, radiologist, saved_case):
    client.force_login(radiologist)
    response = client.post(_url("cases:refer", saved_case), {"version": 1}, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="status-panel"')
    assert "Referred to hematology" in response.text
    assert "<html" not in response.text


def test_start_review_and_review_through_htmx(client, hematologist, referred_case):
    client.force_login(hematologist)
    client.post(_url("cases:start-review", referred_case), {"version": 2}, **HTMX)
    response = client.post(
        _url("cases:review", referred_case), {"version": 3, "decision": "defer_surveillance", "note": "MRI in 6 mo"}, **HTMX
    )
    assert "Defer with surveillance" in response.text
    assert SavedWorkup.objects.get(pk=referred_case.pk).status == WorkupStatus.REVIEWED


def test_second_reviewer_sees_conflict_without_js(client, in_review_case, hematologist, second_hematologist):
    stale_version = in_review_case.version
    client.force_login(hematologist)
    client.post(_url("cases:review", in_review_case), {"version": stale_version, "decision": "agree_biopsy", "note": "one"})
    client.force_login(second_hematologist)
    response = client.post(
        _url("cases:review", in_review_case), {"version": stale_version, "decision": "other", "note": "two"}
    )
    assert response.status_code == 409
    assert "is now “Reviewed”, so that step no longer applies. Nothing was saved" in response.text
    stored = SavedWorkup.objects.get(pk=in_review_case.pk)
    assert (stored.review_note, stored.reviewer) == ("one", hematologist)


def test_stale_version_gets_conflict_fragment_with_htmx(client, in_review_case, hematologist):
    client.force_login(hematologist)
    SavedWorkup.objects.filter(pk=in_review_case.pk).update(version=99)  # someone saved meanwhile
    response = client.post(
        _url("cases:review", in_review_case), {"version": in_review_case.version, "decision": "agree_biopsy"}, **HTMX
    )
    assert response.status_code == 200
    assert "Someone else changed this case" in response.text
    assert SavedWorkup.objects.get(pk=in_review_case.pk).status == WorkupStatus.IN_REVIEW


def test_review_form_missing_decision_is_a_fragment_error(client, in_review_case, hematologist):
    client.force_login(hematologist)
    response = client.post(_url("cases:review", in_review_case), {"version": in_review_case.version}, **HTMX)
    assert response.status_code == 200
    assert "Please correct the form" in response.text


def test_label_edit_refuses_identifier_in_fragment(client, radiologist, saved_case):
    client.force_login(radiologist)
    response = client.post(_url("cases:label", saved_case), {"version": 1, "label": "jo@example.org"}, **HTMX)
    assert response.text.lstrip().startswith('<section id="label-panel"')
    assert "must not identify a patient" in response.text
    assert SavedWorkup.objects.get(pk=saved_case.pk).label == "reading room 2"


def test_queue_page_and_filtered_fragment(client, hematologist, referred_case):
    client.force_login(hematologist)
    page = client.get(reverse("cases:queue"))
    assert referred_case.label in page.text
    fragment = client.get(reverse("cases:queue"), {"disposition": "DEFERRAL_REASONABLE"}, **HTMX)
    assert fragment.text.lstrip().startswith('<div id="queue-table"')
    assert referred_case.label not in fragment.text


# --- Snapshots ------------------------------------------------------------------------------------


def _age(workup):
    snapshot = workup.snapshots.get()
    WorkupSnapshot.objects.filter(pk=snapshot.pk).update(
        pathway_hash="0" * 64, result={**snapshot.result, "disposition": "COMPLETE_WORKUP"}
    )


def test_case_page_current_pathway_has_no_stale_notice(client, radiologist, saved_case):
    client.force_login(radiologist)
    assert "The pathway has changed" not in client.get(_url("cases:detail", saved_case)).text


def test_case_page_stale_pathway_shows_notice_and_stored_result(client, radiologist, saved_case):
    _age(saved_case)
    client.force_login(radiologist)
    text = client.get(_url("cases:detail", saved_case)).text
    assert "The pathway has changed since this result was saved" in text
    assert "Re-evaluate under the current pathway" in text
    assert '<strong class="disposition">COMPLETE_WORKUP</strong>' in text


def test_reevaluate_preview_shows_side_by_side_and_stores_nothing(client, radiologist, saved_case):
    _age(saved_case)
    client.force_login(radiologist)
    response = client.get(_url("cases:reevaluate", saved_case), **HTMX)
    assert response.text.lstrip().startswith('<div id="reevaluation"')
    assert "COMPLETE_WORKUP" in response.text and "PROCEED_TO_BIOPSY" in response.text
    assert saved_case.snapshots.count() == 1


def test_reevaluate_confirm_without_js_stores_new_snapshot(client, radiologist, saved_case):
    _age(saved_case)
    client.force_login(radiologist)
    response = client.post(_url("cases:reevaluate", saved_case), {"version": 1})
    assert response.status_code == 302
    assert saved_case.snapshots.count() == 2
    assert AuditEvent.objects.filter(workup=saved_case, action=AuditAction.REEVALUATE).exists()


# --- Exports and audit ----------------------------------------------------------------------------


def test_export_json_has_inputs_result_pathway_and_is_audited(client, hematologist, saved_case, biopsy_inputs):
    client.force_login(hematologist)
    response = client.get(_url("cases:export-json", saved_case))
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data["inputs"] == json.loads(biopsy_inputs)
    assert data["result"]["disposition"] == "PROCEED_TO_BIOPSY"
    assert data["pathway"]["version"]
    assert AuditEvent.objects.filter(workup=saved_case, actor=hematologist, action="export", details="json").exists()


def test_export_pdf_is_one_page_with_disposition_and_rule_ids(client, radiologist, saved_case):
    client.force_login(radiologist)
    response = client.get(_url("cases:export-pdf", saved_case))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    fired = [t["id"] for t in saved_case.snapshots.get().result["triggers"]]
    assert len(reader.pages) == 1
    assert "PROCEED_TO_BIOPSY" in text
    assert fired and all(rule_id in text for rule_id in fired)
    assert AuditEvent.objects.filter(workup=saved_case, action="export", details="pdf").exists()


def test_export_pdf_heaviest_golden_case_still_one_page(client, radiologist, caplog):
    case = next(c for c in golden_cases() if c["name"] == "all-triggers-and-flags")
    workup = saved.workup_save(author=radiologist, inputs_json=json.dumps(case["input"]))
    client.force_login(radiologist)
    reader = PdfReader(io.BytesIO(client.get(_url("cases:export-pdf", workup)).content))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert all(rule_id in text for rule_id in case["expected"]["fired"])
    assert "κ/λ" in text
    assert "can draw" not in caplog.text  # xhtml2pdf warns when a glyph (κ, λ, β) is missing from the font


def test_print_view_uses_summary_template_and_is_audited(client, radiologist, saved_case):
    client.force_login(radiologist)
    response = client.get(_url("cases:print", saved_case))
    assert "workup/saved/summary.html" in [t.name for t in response.templates]
    assert "Disposition: PROCEED_TO_BIOPSY" in response.text
    assert AuditEvent.objects.filter(workup=saved_case, action="export", details="print view").exists()


def test_case_view_is_audited(client, hematologist, saved_case):
    client.force_login(hematologist)
    client.get(_url("cases:detail", saved_case))
    assert AuditEvent.objects.filter(workup=saved_case, actor=hematologist, action=AuditAction.VIEW).count() == 1


def test_pages_send_csp_and_have_no_inline_style(client, radiologist, saved_case):
    client.force_login(radiologist)
    response = client.get(_url("cases:detail", saved_case))
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert "style=" not in response.text and "<style" not in response.text


# --- Accounts -------------------------------------------------------------------------------------


def test_login_page_signs_in(client, radiologist):
    response = client.post(reverse("login"), {"username": "rad-ana", "password": "pw-rad-ana"})
    assert response.status_code == 302
    assert client.get(reverse("cases:mine")).status_code == 200


def test_login_page_throttles_with_clear_message(client, radiologist):
    for _ in range(5):
        client.post(reverse("login"), {"username": "rad-ana", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "rad-ana", "password": "pw-rad-ana"})
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_logout_by_post(client, radiologist):
    client.force_login(radiologist)
    client.post(reverse("logout"))
    assert client.get(reverse("cases:mine")).status_code == 302


def test_admin_audit_event_has_no_add_change_delete(admin_client, saved_case):
    event = AuditEvent.objects.get()
    assert admin_client.get(reverse("admin:workup_auditevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:workup_auditevent_add")).status_code == 403
    assert admin_client.post(reverse("admin:workup_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    admin_client.post(reverse("admin:workup_auditevent_change", args=[event.pk]), {"details": "changed"})
    assert AuditEvent.objects.get().details == event.details


def test_admin_saved_workup_cannot_be_deleted(admin_client, saved_case):
    response = admin_client.post(reverse("admin:workup_savedworkup_delete", args=[saved_case.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert SavedWorkup.objects.filter(pk=saved_case.pk).exists()


def test_htmx_save_anonymous_redirects_whole_page_to_login(client, biopsy_inputs):
    response = client.post(
        reverse("cases:save"), {"inputs_json": biopsy_inputs}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/"
    )
    assert response["HX-Redirect"] == reverse("login") + "?next=http%3A//testserver/"
    assert not SavedWorkup.objects.exists()


def test_queue_page_lists_biopsy_before_older_deferral(client, hematologist, radiologist, deferral_inputs, biopsy_inputs):
    deferral = saved.workup_save(author=radiologist, inputs_json=deferral_inputs, label="older deferral")
    saved.workup_refer(workup=deferral, actor=radiologist, version=deferral.version)
    biopsy = saved.workup_save(author=radiologist, inputs_json=biopsy_inputs, label="newer biopsy")
    saved.workup_refer(workup=biopsy, actor=radiologist, version=biopsy.version)
    client.force_login(hematologist)
    text = client.get(reverse("cases:queue")).text
    assert text.index("newer biopsy") < text.index("older deferral")
