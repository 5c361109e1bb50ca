"""Views of saved workups: access control, no-JS and htmx paths, conflicts, exports, login."""

from __future__ import annotations

import datetime as dt
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
def test_case_post_urls_other_users_get_404_and_nothing_changes(
    client, request, referred_case, name, intruder
):
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
    assert '<strong class="disposition">Proceed to bone marrow biopsy</strong>' in response.text


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
    response = client.post(
        reverse("cases:save"), {"inputs_json": biopsy_inputs, "label": "DOB 1961-03-04"}, **HTMX
    )
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
        _url("cases:review", referred_case),
        {"version": 3, "decision": "defer_surveillance", "note": "MRI in 6 mo"},
        **HTMX,
    )
    assert "Defer with surveillance" in response.text
    assert SavedWorkup.objects.get(pk=referred_case.pk).status == WorkupStatus.REVIEWED


def test_second_reviewer_sees_conflict_without_js(client, in_review_case, hematologist, second_hematologist):
    stale_version = in_review_case.version
    client.force_login(hematologist)
    client.post(
        _url("cases:review", in_review_case),
        {"version": stale_version, "decision": "agree_biopsy", "note": "one"},
    )
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
        _url("cases:review", in_review_case),
        {"version": in_review_case.version, "decision": "agree_biopsy"},
        **HTMX,
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
    assert '<strong class="disposition">Complete the laboratory work-up first</strong>' in text


def test_reevaluate_preview_shows_side_by_side_and_stores_nothing(client, radiologist, saved_case):
    _age(saved_case)
    client.force_login(radiologist)
    response = client.get(_url("cases:reevaluate", saved_case), **HTMX)
    assert response.text.lstrip().startswith('<div id="reevaluation"')
    assert "Complete the laboratory work-up first" in response.text
    assert "Proceed to bone marrow biopsy" in response.text
    assert saved_case.snapshots.count() == 1


def test_reevaluate_confirm_without_js_stores_new_snapshot(client, radiologist, saved_case):
    _age(saved_case)
    client.force_login(radiologist)
    response = client.post(_url("cases:reevaluate", saved_case), {"version": 1})
    assert response.status_code == 302
    assert saved_case.snapshots.count() == 2
    assert AuditEvent.objects.filter(workup=saved_case, action=AuditAction.REEVALUATE).exists()


# --- Exports and audit ----------------------------------------------------------------------------


def test_export_json_has_inputs_result_pathway_and_is_audited(
    client, hematologist, saved_case, biopsy_inputs
):
    client.force_login(hematologist)
    response = client.get(_url("cases:export-json", saved_case))
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data["inputs"] == json.loads(biopsy_inputs)
    assert data["result"]["disposition"] == "PROCEED_TO_BIOPSY"
    assert data["pathway"]["version"]
    assert AuditEvent.objects.filter(
        workup=saved_case, actor=hematologist, action="export", details="json"
    ).exists()


def _pdf_pages(client, workup) -> list[str]:
    reader = PdfReader(io.BytesIO(client.get(_url("cases:export-pdf", workup)).content))
    return [page.extract_text() for page in reader.pages]


def test_export_pdf_summary_page_then_referral_text_page(client, radiologist, saved_case):
    client.force_login(radiologist)
    response = client.get(_url("cases:export-pdf", saved_case))
    assert response["Content-Type"] == "application/pdf"
    summary, referral = _pdf_pages(client, saved_case)
    fired = [t["id"] for t in saved_case.snapshots.get().result["triggers"]]
    assert "Result: Proceed to bone marrow biopsy" in summary
    assert (
        "PROCEED_TO_BIOPSY" not in summary
    )  # plain words where a person reads; ids only in the provenance line
    assert fired and all(rule_id in summary.split("Rules applied:")[1] for rule_id in fired)
    assert referral.startswith("Referral text for case")
    assert AuditEvent.objects.filter(workup=saved_case, action="export", details="pdf").exists()


def test_export_pdf_shows_every_input_grouped_as_on_the_screen(client, radiologist):
    case = next(c for c in golden_cases() if c["name"] == "all-triggers-and-flags")
    workup = saved.workup_save(author=radiologist, inputs_json=json.dumps(case["input"]))
    client.force_login(radiologist)
    summary = " ".join(_pdf_pages(client, workup)[0].split())
    mri, labs, context = (
        summary.index("MRI findings:"),
        summary.index("Labs:"),
        summary.index("Clinical context:"),
    )
    assert mri < labs < context
    assert "Focal lesions ≥ 5 mm More than one" in summary[mri:labs]
    assert "Creatinine 2.5 mg/dL" in summary[labs:context]
    assert "Age 67; Sex Female" in summary[context:]
    assert "Not entered: T1 marrow vs non-degenerated disc" in summary[mri:labs]


def test_export_pdf_heaviest_golden_case_wraps_and_keeps_every_rule_before_the_referral(client, radiologist, caplog):
    """The heaviest case (every trigger, a known cause and a focal lesion leading) no longer fits one
    page: the PDF wraps (issue 22), the summary's provenance names every rule, then the referral follows."""
    case = next(c for c in golden_cases() if c["name"] == "all-triggers-and-flags")
    workup = saved.workup_save(author=radiologist, inputs_json=json.dumps(case["input"]))
    client.force_login(radiologist)
    pages = _pdf_pages(client, workup)
    referral_from = next(i for i, page in enumerate(pages) if "Hematology referral summary" in page)
    summary = " ".join(pages[:referral_from])
    assert referral_from >= 1
    assert [rule_id for rule_id in case["expected"]["fired"] if rule_id not in summary] == []
    assert "κ/λ" in summary
    assert "can draw" not in caplog.text  # xhtml2pdf warns when a glyph (κ, λ, β) is missing from the font


def test_print_view_uses_summary_template_and_is_audited(client, radiologist, saved_case):
    client.force_login(radiologist)
    response = client.get(_url("cases:print", saved_case))
    assert "workup/saved/summary.html" in [t.name for t in response.templates]
    assert "Result: Proceed to bone marrow biopsy" in response.text
    assert AuditEvent.objects.filter(workup=saved_case, action="export", details="print view").exists()


def test_case_view_is_audited(client, hematologist, saved_case):
    client.force_login(hematologist)
    client.get(_url("cases:detail", saved_case))
    assert (
        AuditEvent.objects.filter(workup=saved_case, actor=hematologist, action=AuditAction.VIEW).count() == 1
    )


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
    assert (
        admin_client.post(
            reverse("admin:workup_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    admin_client.post(reverse("admin:workup_auditevent_change", args=[event.pk]), {"details": "changed"})
    assert AuditEvent.objects.get().details == event.details


def test_admin_saved_workup_cannot_be_deleted(admin_client, saved_case):
    response = admin_client.post(
        reverse("admin:workup_savedworkup_delete", args=[saved_case.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert SavedWorkup.objects.filter(pk=saved_case.pk).exists()


def test_htmx_save_anonymous_redirects_whole_page_to_login(client, biopsy_inputs):
    response = client.post(
        reverse("cases:save"),
        {"inputs_json": biopsy_inputs},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/",
    )
    assert response["HX-Redirect"] == reverse("login") + "?next=http%3A//testserver/"
    assert not SavedWorkup.objects.exists()


def test_queue_page_lists_biopsy_before_older_deferral(
    client, hematologist, radiologist, deferral_inputs, biopsy_inputs
):
    deferral = saved.workup_save(author=radiologist, inputs_json=deferral_inputs, label="older deferral")
    saved.workup_refer(workup=deferral, actor=radiologist, version=deferral.version)
    biopsy = saved.workup_save(author=radiologist, inputs_json=biopsy_inputs, label="newer biopsy")
    saved.workup_refer(workup=biopsy, actor=radiologist, version=biopsy.version)
    client.force_login(hematologist)
    text = client.get(reverse("cases:queue")).text
    assert text.index("newer biopsy") < text.index("older deferral")


# --- Issue 14: what the hematologist sees ---------------------------------------------------------

INTERNAL_CODES = ("PROCEED_TO_BIOPSY", "COMPLETE_WORKUP", "DEFERRAL_REASONABLE", "BIOPSY_STRONGLY_CONSIDERED")


@pytest.fixture
def heavy_case(radiologist):
    case = next(c for c in golden_cases() if c["name"] == "all-triggers-and-flags")
    return saved.workup_save(author=radiologist, inputs_json=json.dumps(case["input"]), label="heavy one")


def _outside_why(text: str) -> str:
    """The page without its "Why?" details (where codes are allowed) and the referral text (report.py's
    wording, which the workup screen shares)."""
    start = text.index('<details class="why')
    text = text[:start] + text[text.index("</details>", start) :]
    start = text.index('<pre class="referral-text"')
    return text[:start] + text[text.index("</pre>", start) :]


def test_case_page_shows_every_input_grouped_as_on_the_screen(client, hematologist, heavy_case):
    client.force_login(hematologist)
    text = client.get(_url("cases:detail", heavy_case)).text
    mri, labs, context = (
        text.index(f">{title}</h3>") for title in ("MRI findings", "Labs", "Clinical context")
    )
    assert mri < labs < context
    assert "<dt>Focal lesions ≥ 5 mm</dt><dd>More than one</dd>" in text[mri:labs]
    assert "<dt>Creatinine</dt><dd>2.5 mg/dL</dd>" in text[labs:context]
    assert "<dt>Age</dt><dd>67</dd>" in text[context:] and "<dt>Sex</dt><dd>Female</dd>" in text[context:]
    assert "<dt>Marrow pattern</dt>" not in text  # not entered: named once, in the collapsed line
    not_entered = text[text.index('data-not-entered="mri"') :]
    assert "Marrow pattern" in not_entered[: not_entered.index("</p>")]


def test_case_page_shows_the_referral_text(client, hematologist, heavy_case):
    client.force_login(hematologist)
    text = client.get(_url("cases:detail", heavy_case)).text
    assert 'id="referral-title">Referral text</h2>' in text
    assert "Hematology referral summary" in text
    assert "Worded by the current pathway" not in text


def test_case_page_referral_text_says_when_the_pathway_changed(client, hematologist, saved_case):
    _age(saved_case)
    client.force_login(hematologist)
    assert "Worded by the current pathway" in client.get(_url("cases:detail", saved_case)).text


def test_case_page_has_no_internal_code_or_empty_brackets_outside_why(client, hematologist, heavy_case):
    client.force_login(hematologist)
    text = _outside_why(client.get(_url("cases:detail", heavy_case)).text)
    assert not any(code in text for code in INTERNAL_CODES)
    assert "()" not in text
    assert "Biopsy trigger: Hemoglobin below 12 g/dL" in text


def test_case_page_why_keeps_the_rule_ids(client, hematologist, heavy_case):
    client.force_login(hematologist)
    text = client.get(_url("cases:detail", heavy_case)).text
    why = text[text.index('<details class="why') :]
    assert "<code>BX-ANEMIA</code>" in why and "<code>PROCEED_TO_BIOPSY</code>" in why


def test_print_view_shows_inputs_and_referral_text(client, hematologist, heavy_case):
    client.force_login(hematologist)
    text = client.get(_url("cases:print", heavy_case)).text
    assert "<strong>Clinical context:</strong> Age 67; Sex Female" in text
    assert "Hematology referral summary" in text


def test_landing_after_sign_in_sends_hematologist_to_queue(client, hematologist):
    response = client.post(reverse("login"), {"username": "hem-dora", "password": "pw-hem-dora"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:queue")


def test_landing_after_sign_in_sends_radiologist_to_own_cases(client, radiologist):
    response = client.post(reverse("login"), {"username": "rad-ana", "password": "pw-rad-ana"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:mine")


def test_queue_rows_show_age_sex_triggers_and_waiting_time(client, hematologist, radiologist, heavy_case):
    saved.workup_refer(workup=heavy_case, actor=radiologist, version=heavy_case.version)
    SavedWorkup.objects.filter(pk=heavy_case.pk).update(
        referred_at=heavy_case.referred_at - dt.timedelta(hours=26)
    )
    client.force_login(hematologist)
    text = client.get(reverse("cases:queue")).text
    row = text[text.index("heavy one") : text.index("</tr>", text.index("heavy one"))]
    assert '<td data-label="Age">67</td>' in row and '<td data-label="Sex">Female</td>' in row
    assert "Hemoglobin below 12 g/dL; Monoclonal protein detected" in row
    assert "1 d 2 h" in row
    # 1.2: the heavy case's etiology is known, so the scope guard leads (SPEC §1), then the disposition.
    assert "Outside this pathway (cause already known); for reference only: proceed to bone marrow biopsy" in row
    assert "PROCEED_TO_BIOPSY" not in row


def test_queue_filter_offers_plain_words_not_codes(client, hematologist):
    client.force_login(hematologist)
    text = client.get(reverse("cases:queue")).text
    assert '<option value="PROCEED_TO_BIOPSY">Proceed to bone marrow biopsy</option>' in text
    assert ">PROCEED_TO_BIOPSY<" not in text and "<code>" not in text


def test_queue_status_reviewed_lists_reviewed_cases(client, hematologist, reviewed_case):
    client.force_login(hematologist)
    assert reviewed_case.label not in client.get(reverse("cases:queue")).text
    reviewed = client.get(reverse("cases:queue"), {"status": "reviewed"}).text
    assert reviewed_case.label in reviewed and "Reviewed: Agree with biopsy" in reviewed


def test_queue_history_restore_gets_the_whole_page(client, hematologist, referred_case):
    client.force_login(hematologist)
    response = client.get(
        reverse("cases:queue"),
        {"status": "referred"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert response.text.lstrip().startswith("<!doctype html>")
    assert "HX-History-Restore-Request" in response["Vary"]


def test_author_sees_when_the_review_is_done(client, radiologist, reviewed_case):
    client.force_login(radiologist)
    text = client.get(reverse("cases:mine")).text
    notice = text[text.index('id="reviews-done"') :]
    assert "Hematology has reviewed 1 of your cases" in notice
    assert "reading room 2</a>: Agree with biopsy (hem-dora" in notice


def test_review_records_in_one_step_when_nobody_started_it(client, hematologist, referred_case):
    client.force_login(hematologist)
    page = client.get(_url("cases:detail", referred_case)).text
    assert "Record review" in page
    response = client.post(
        _url("cases:review", referred_case), {"version": referred_case.version, "decision": "agree_biopsy"}
    )
    assert response.status_code == 302
    stored = SavedWorkup.objects.get(pk=referred_case.pk)
    assert (stored.status, stored.reviewer, stored.decision) == (
        WorkupStatus.REVIEWED,
        hematologist,
        "agree_biopsy",
    )


def test_one_step_review_refused_when_someone_else_changed_it_first(
    client, second_hematologist, in_review_case
):
    stale_version = (
        in_review_case.version - 1
    )  # the version the page showed before the other reviewer started
    client.force_login(second_hematologist)
    response = client.post(
        _url("cases:review", in_review_case), {"version": stale_version, "decision": "agree_biopsy"}
    )
    assert response.status_code == 409
    assert SavedWorkup.objects.get(pk=in_review_case.pk).status == WorkupStatus.IN_REVIEW


@pytest.mark.parametrize("name", ["cases:detail", "cases:print", "cases:export-pdf"])
def test_case_whose_stored_inputs_no_longer_parse_still_shows(client, hematologist, saved_case, name):
    SavedWorkup.objects.filter(pk=saved_case.pk).update(
        inputs_json='{"hemoglobin": {"value": "x", "unit": "g/dL"}}'
    )
    client.force_login(hematologist)
    response = client.get(_url(name, saved_case))
    assert response.status_code == 200
    if name == "cases:detail":
        assert "The stored inputs can no longer be read by the pathway" in response.text


def test_case_page_shows_the_laboratory_limits_entered(client, hematologist, radiologist):
    inputs = {
        "hemoglobin": {"value": 11, "unit": "g/dL"},
        "reference_limits": {"hemoglobin_lln": {"value": 11.5, "unit": "g/dL"}},
    }
    workup = saved.workup_save(author=radiologist, inputs_json=json.dumps(inputs))
    client.force_login(hematologist)
    text = client.get(_url("cases:detail", workup)).text
    assert "Your laboratory&#x27;s reference limits</h3>" in text
    assert "<dt>Hemoglobin lower limit</dt><dd>11.5 g/dL</dd>" in text
