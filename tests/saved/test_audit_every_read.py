"""Issue 11 item 5: every read of a case is audited, and every write goes through the versioned service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workup.models import AuditAction, AuditEvent, SavedWorkup
from workup.saved import services as saved

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _views(workup: SavedWorkup) -> list[str]:
    return list(AuditEvent.objects.filter(workup=workup, action=AuditAction.VIEW).values_list("details", flat=True))


@pytest.mark.parametrize("name", ["cases:label", "cases:refer", "cases:reevaluate"])
def test_change_url_with_version_zero_shows_the_case_and_audits_it(client, radiologist, saved_case, name):
    client.force_login(radiologist)
    response = client.post(reverse(name, kwargs={"reference": saved_case.reference}), {"version": 0, "label": "x"})
    assert response.status_code == 409
    assert saved_case.reference in response.text
    assert _views(saved_case) == ["after a refused change"]


def test_stale_version_fragment_is_audited_as_a_read(client, hematologist, in_review_case):
    client.force_login(hematologist)
    SavedWorkup.objects.filter(pk=in_review_case.pk).update(version=99)
    url = reverse("cases:review", kwargs={"reference": in_review_case.reference})
    response = client.post(url, {"version": in_review_case.version, "decision": "agree_biopsy"}, **HTMX)
    assert "Someone else changed this case" in response.text
    assert _views(in_review_case) == ["after a refused change"]


def test_successful_change_is_audited_as_the_change_not_a_view(client, radiologist, saved_case):
    client.force_login(radiologist)
    client.post(reverse("cases:refer", kwargs={"reference": saved_case.reference}), {"version": saved_case.version})
    assert _views(saved_case) == []
    assert AuditEvent.objects.filter(workup=saved_case, action=AuditAction.STATUS).count() == 1


def test_opening_a_case_in_the_admin_is_audited(admin_client, admin_user, saved_case):
    response = admin_client.get(reverse("admin:workup_savedworkup_change", args=[saved_case.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(workup=saved_case, action=AuditAction.VIEW)
    assert (event.actor, event.details) == (admin_user, "admin")


def test_admin_cannot_edit_a_label_so_nothing_bypasses_the_version(admin_client, saved_case):
    url = reverse("admin:workup_savedworkup_change", args=[saved_case.pk])
    admin_client.post(url, {"label": "changed in admin"})
    stored = SavedWorkup.objects.get(pk=saved_case.pk)
    assert (stored.label, stored.version) == (saved_case.label, saved_case.version)
    assert 'name="label"' not in admin_client.get(url).text


def test_authors_older_form_cannot_overwrite_a_newer_label(radiologist, saved_case):
    old_version = saved_case.version
    saved.workup_update_label(workup=saved_case, actor=radiologist, version=old_version, label="newer")
    stale = SavedWorkup.objects.get(pk=saved_case.pk)
    with pytest.raises(saved.WorkupConflict):
        saved.workup_update_label(workup=stale, actor=radiologist, version=old_version, label="older form")
    assert SavedWorkup.objects.get(pk=saved_case.pk).label == "newer"

