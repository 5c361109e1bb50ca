"""The server PDF keeps the whole referral text on the page, and its first page names the review
(issue 22, item 2). Read with poppler's pdftotext, which, like a reader, drops what lies off the page."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from django.urls import reverse

from tests.golden import golden_cases
from workup.saved import services as saved
from workup.saved.display import case_display

pytestmark = pytest.mark.django_db

PDFTOTEXT = "/usr/bin/pdftotext"  # poppler-utils
LONG_REFERRALS = ["all-triggers-and-flags", "benign-context-conflict-with-calcium", "mri-gm-hypo-precontrast-no-no-labs"]


def _pdf(client, workup) -> bytes:
    return client.get(reverse("cases:export-pdf", kwargs={"reference": workup.reference})).content


def _pdftotext(pdf: bytes, *options: str) -> str:
    return subprocess.run([PDFTOTEXT, *options, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _words(text: str) -> str:
    return " ".join(text.split())


def _saved(radiologist, name: str):
    case = next(c for c in golden_cases() if c["name"] == name)
    return saved.workup_save(author=radiologist, inputs_json=json.dumps(case["input"]))


@pytest.mark.parametrize("name", LONG_REFERRALS)
def test_pdf_referral_every_sentence_is_on_the_page(client, radiologist, name):
    workup = _saved(radiologist, name)
    client.force_login(radiologist)
    shown = _words(_pdftotext(_pdf(client, workup)))
    referral = case_display(workup=workup, evaluation_date=workup.snapshots.get().evaluation_date, stale=False)
    sentences = [s for line in referral["referral_text"].splitlines() for s in re.split(r"(?<=[.;:]) ", line.strip()) if s]
    assert len(sentences) > 20
    assert [s for s in sentences if _words(s) not in shown] == []


def test_pdf_no_word_runs_off_the_page(client, radiologist):
    workup = _saved(radiologist, "all-triggers-and-flags")
    client.force_login(radiologist)
    boxes = _pdftotext(_pdf(client, workup), "-bbox")
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    beyond = [m.group(2) for m in re.finditer(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', boxes) if float(m.group(1)) > width]
    assert beyond == []


def test_pdf_first_page_names_the_reviewer_and_the_review_date(client, hematologist, reviewed_case):
    client.force_login(hematologist)
    first_page = _words(_pdftotext(_pdf(client, reviewed_case), "-f", "1", "-l", "1"))
    reviewed_on = reviewed_case.audit_events.get(details__startswith="in_review → reviewed").at
    assert f"reviewed by {hematologist.get_username()} on {reviewed_on:%Y-%m-%d}" in first_page
    assert "decision Agree with biopsy" in first_page


def test_pdf_first_page_of_an_unreviewed_case_names_no_reviewer(client, radiologist, referred_case):
    client.force_login(radiologist)
    assert "reviewed by" not in _pdftotext(_pdf(client, referred_case), "-f", "1", "-l", "1")
