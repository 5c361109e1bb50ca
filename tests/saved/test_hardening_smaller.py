"""Issue 21 item 6: list reads are audited, and the author of a case never reviews it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workup.models import AuditAction, AuditEvent, SavedWorkup, WorkupStatus
from workup.saved import services as saved
from workup.saved.services import TransitionRefused

pytestmark = pytest.mark.django_db


def _views(workup: SavedWorkup) -> list[str]:
    return list(AuditEvent.objects.filter(workup=workup, action=AuditAction.VIEW).values_list("details", flat=True))


def test_queue_read_audits_every_case_it_lists(client, hematologist, referred_case):
    client.force_login(hematologist)
    response = client.get(reverse("cases:queue"))
    assert referred_case.reference in response.text
    assert _views(referred_case) == ["queue"]
    actor = AuditEvent.objects.get(workup=referred_case, action=AuditAction.VIEW).actor
    assert actor == hematologist


def test_admin_changelist_read_audits_every_case_on_the_page(client, staff, saved_case):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    response = client.get("/admin/workup/savedworkup/")
    assert response.status_code == 200 and saved_case.reference in response.text
    assert _views(saved_case) == ["admin list"]


@pytest.fixture
def hematologist_author_case(hematologist, biopsy_inputs):
    case = saved.workup_save(author=hematologist, inputs_json=biopsy_inputs, label="own list")
    saved.workup_refer(workup=case, actor=hematologist, version=case.version)
    return SavedWorkup.objects.get(pk=case.pk)


def test_author_cannot_take_their_own_case_into_review(hematologist, hematologist_author_case):
    with pytest.raises(TransitionRefused):
        saved.workup_start_review(workup=hematologist_author_case, actor=hematologist,
                                  version=hematologist_author_case.version)
    assert SavedWorkup.objects.get(pk=hematologist_author_case.pk).status == WorkupStatus.REFERRED


def test_author_gets_no_review_form_and_cannot_post_one(client, hematologist, hematologist_author_case):
    client.force_login(hematologist)
    url = reverse("cases:detail", kwargs={"reference": hematologist_author_case.reference})
    assert "Record review" not in client.get(url).text
    client.post(reverse("cases:review", kwargs={"reference": hematologist_author_case.reference}),
                {"version": hematologist_author_case.version, "decision": "agree_biopsy", "note": ""})
    stored = SavedWorkup.objects.get(pk=hematologist_author_case.pk)
    assert (stored.status, stored.reviewer) == (WorkupStatus.REFERRED, None)


def test_another_hematologist_still_reviews_it(second_hematologist, hematologist_author_case):
    saved.workup_start_review(workup=hematologist_author_case, actor=second_hematologist,
                              version=hematologist_author_case.version)
    assert SavedWorkup.objects.get(pk=hematologist_author_case.pk).status == WorkupStatus.IN_REVIEW
