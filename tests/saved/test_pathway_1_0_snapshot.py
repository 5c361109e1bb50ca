"""A case saved under pathway 1.0 whose disposition changes under 1.1 shows the "pathway changed"
comparison: Hb 7.42 mmol/L was rounded to 12.0 g/dL in 1.0 (deferral) and is 11.956 in 1.1 (biopsy)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.golden import golden_cases
from workup.models import SavedWorkup, WorkupSnapshot
from workup.pathway.engine import PATHWAY_INFO
from workup.saved import services as saved
from workup.saved.display import disposition_label

pytestmark = pytest.mark.django_db

# What pathway 1.0.0 stored for this case (its version and rule-content hash as released).
HASH_1_0 = "sha256:0c6fa69ed289ec92aac9b64fd15323f0ef78b79394231b5162455b807c36f9ce"
HASH_1_1 = "sha256:83db40081a5e8e638f2404dab6dd427986fd958e130423e58630ca76716f533c"


@pytest.fixture
def saved_under_1_0(radiologist):
    case = next(c for c in golden_cases() if c["name"] == "hb-7-42-mmol-below-12")
    workup = saved.workup_save(author=radiologist, inputs_json=json.dumps(case["input"]))
    snapshot = workup.snapshots.get()
    result = dict(snapshot.result, disposition="DEFERRAL_REASONABLE", triggers=[])
    result["deferral_considerations"] = [{"id": "DF-NORMAL-LABS"}]
    result["follow_up"] = [{"id": "FU-REPEAT-LABS", "due_date": "2026-06-15"}]
    # Stored records are immutable through the model; a queryset update stands in for the old release.
    WorkupSnapshot.objects.filter(pk=snapshot.pk).update(result=result, pathway_version="1.0.0", pathway_hash=HASH_1_0)
    SavedWorkup.objects.filter(pk=workup.pk).update(disposition="DEFERRAL_REASONABLE")
    return SavedWorkup.objects.get(pk=workup.pk)


def test_a_1_0_snapshot_is_stale_and_the_comparison_shows_the_disposition_change(saved_under_1_0):
    assert saved.snapshot_is_stale(snapshot=saved_under_1_0.snapshots.get())
    rows = {what: (before, after, differs) for what, before, after, differs in saved.snapshot_difference(workup=saved_under_1_0).rows}
    assert rows["Disposition"] == ("DEFERRAL_REASONABLE", "PROCEED_TO_BIOPSY", True)
    assert rows["Pathway"][0].startswith("1.0.0") and rows["Pathway"][1].startswith(PATHWAY_INFO.version)


def test_the_case_page_shows_the_pathway_changed_notice_and_the_comparison(client, radiologist, saved_under_1_0):
    client.force_login(radiologist)
    page = client.get(reverse("cases:detail", kwargs={"reference": saved_under_1_0.reference})).content.decode()
    assert 'id="stale-pathway"' in page
    comparison = client.get(reverse("cases:reevaluate", kwargs={"reference": saved_under_1_0.reference})).content.decode()
    assert 'id="difference-table"' in comparison and "1.0.0" in comparison
    # plain words where a person reads (issue 14.6), the stored and the current disposition side by side
    assert disposition_label("DEFERRAL_REASONABLE") in comparison
    assert disposition_label("PROCEED_TO_BIOPSY") in comparison
    assert "PROCEED_TO_BIOPSY" not in comparison.split('id="difference-table"')[1].split("</table>")[0]


@pytest.fixture
def saved_under_1_1(radiologist):
    """Hb 12.9 g/dL with no sex recorded: under 1.1 (12.0 for unrecorded sex) the labs were
    completely normal and deferral reasonable; 1.2 uses 13.0, so biopsy is strongly considered."""
    case = next(c for c in golden_cases() if c["name"] == "hb-sex-missing-12-9")
    workup = saved.workup_save(author=radiologist, inputs_json=json.dumps(case["input"]))
    snapshot = workup.snapshots.get()
    result = dict(snapshot.result, disposition="DEFERRAL_REASONABLE", triggers=[])
    result["deferral_considerations"] = [{"id": "DF-NORMAL-LABS"}]
    WorkupSnapshot.objects.filter(pk=snapshot.pk).update(result=result, pathway_version="1.1.0", pathway_hash=HASH_1_1)
    SavedWorkup.objects.filter(pk=workup.pk).update(disposition="DEFERRAL_REASONABLE")
    return SavedWorkup.objects.get(pk=workup.pk)


def test_a_1_1_snapshot_is_stale_under_1_2(client, radiologist, saved_under_1_1):
    assert saved.snapshot_is_stale(snapshot=saved_under_1_1.snapshots.get())
    rows = {what: (before, after, differs) for what, before, after, differs in saved.snapshot_difference(workup=saved_under_1_1).rows}
    assert rows["Disposition"] == ("DEFERRAL_REASONABLE", "BIOPSY_STRONGLY_CONSIDERED", True)
    client.force_login(radiologist)
    page = client.get(reverse("cases:detail", kwargs={"reference": saved_under_1_1.reference})).content.decode()
    assert 'id="stale-pathway"' in page
