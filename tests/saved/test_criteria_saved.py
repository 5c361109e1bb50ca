"""The published-criteria cross-check on the saved case: case page, PDF and re-evaluation diff."""

from __future__ import annotations

import io

from django.urls import reverse
from pypdf import PdfReader

from workup.models import SavedWorkup, WorkupSnapshot
from workup.saved import services as saved


def _url(name: str, workup: SavedWorkup) -> str:
    return reverse(name, kwargs={"reference": workup.reference})


def _drop_criteria(workup: SavedWorkup) -> None:
    """Make the snapshot look as if a pathway without the cross-check had produced it."""
    snapshot = workup.snapshots.get()
    result = {k: v for k, v in snapshot.result.items() if k != "criteria"}
    WorkupSnapshot.objects.filter(pk=snapshot.pk).update(pathway_hash="0" * 64, pathway_version="1.0.0", result=result)


def test_case_page_lists_each_criterion_with_its_status(client, radiologist, saved_case):
    client.force_login(radiologist)
    body = client.get(_url("cases:detail", saved_case)).content.decode()
    assert "Published criteria (cross-check; never changes the result)" in body
    for criterion in saved_case.snapshots.get().result["criteria"]:
        assert f'data-criterion-id="{criterion["id"]}" data-status="{criterion["status"]}"' in body


def test_pdf_summary_shows_the_cross_check(client, radiologist, saved_case):
    client.force_login(radiologist)
    reader = PdfReader(io.BytesIO(client.get(_url("cases:export-pdf", saved_case)).content))
    summary = reader.pages[0].extract_text()
    assert "Published criteria" in summary
    assert "the others not met or not judged here" in summary


def test_difference_includes_the_criteria(saved_case):
    rows = {what: (before, after, differs) for what, before, after, differs in saved.snapshot_difference(workup=saved_case).rows}
    before, after, differs = rows["Published criteria"]
    assert before == after and not differs
    assert "SLiM: clonal plasma cells ≥ 60 %: cannot be judged from these inputs" in after
    assert "not_evaluable" not in after and "not_met" not in after  # words, never codes


def test_difference_shows_criteria_appearing_after_an_older_pathway(saved_case):
    _drop_criteria(saved_case)
    rows = {what: (before, after, differs) for what, before, after, differs in saved.snapshot_difference(workup=saved_case).rows}
    before, after, differs = rows["Published criteria"]
    assert (before, differs) == ("not evaluated", True)
    assert after.startswith("WHO anaemia: ")


def test_case_page_of_an_older_result_without_criteria_still_renders(client, radiologist, saved_case):
    _drop_criteria(saved_case)
    client.force_login(radiologist)
    response = client.get(_url("cases:detail", saved_case))
    assert response.status_code == 200
