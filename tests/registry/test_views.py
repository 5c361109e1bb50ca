"""The registry's pages and exports: access, one-step recording (plain post and htmx), suppression
in the page, the CSV and the FHIR MeasureReport (validated with the FHIR R4B models)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fhir.resources.R4B.measurereport import MeasureReport

from tests.registry.conftest import DONE_NEOPLASM, DONE_NORMAL, make_entries
from workup.models import AuditEvent
from workup.registry.models import RegistryEntry

OUTCOME_POST = {"biopsy": "done", "biopsy_month": "2026-09", "result": "lymphoma", "note": ""}


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_registry_page_refused_for_radiologist(client, radiologist):
    assert _signed_in(client, radiologist).get("/registry/").status_code == 403
    assert client.get("/registry/export.csv").status_code == 403
    assert client.get("/registry/measure-report.json").status_code == 403


def test_outcome_page_is_404_for_radiologist(client, reviewed_case, radiologist):
    reference = reviewed_case.registry_entry.reference
    assert _signed_in(client, radiologist).get(f"/registry/entries/{reference}").status_code == 404
    assert client.post(f"/registry/entries/{reference}", OUTCOME_POST | {"revision": 0}).status_code == 404


def test_record_outcome_plain_post_redirects_and_shows_it(client, reviewed_case, hematologist):
    reference = reviewed_case.registry_entry.reference
    response = _signed_in(client, hematologist).post(f"/registry/entries/{reference}", OUTCOME_POST | {"revision": 0})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Lymphoma" in page and "September 2026" in page and "Recorded outcome" in page
    assert AuditEvent.objects.filter(workup=reviewed_case, details="registry outcome recorded (revision 1)").exists()


def test_record_outcome_htmx_returns_the_panel_only(client, reviewed_case, staff):
    reference = reviewed_case.registry_entry.reference
    response = _signed_in(client, staff).post(f"/registry/entries/{reference}", OUTCOME_POST | {"revision": 0},
                                              headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="outcome-panel"') and "<html" not in body
    assert "Outcome saved (revision 1)" in body


def test_record_outcome_refuses_a_day_and_an_identifier_in_the_note(client, reviewed_case, hematologist):
    reference = reviewed_case.registry_entry.reference
    posted = OUTCOME_POST | {"revision": 0, "biopsy_month": "2026-09-14", "note": "MRN 12345678"}
    response = _signed_in(client, hematologist).post(f"/registry/entries/{reference}", posted)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Give the month as YYYY-MM" in body and "The note" in body
    assert RegistryEntry.objects.get(reference=reference).revision == 0


def test_record_outcome_done_needs_a_result(client, reviewed_case, hematologist):
    reference = reviewed_case.registry_entry.reference
    posted = {"revision": 0, "biopsy": "done", "biopsy_month": "2026-09"}
    response = _signed_in(client, hematologist).post(f"/registry/entries/{reference}", posted, headers={"HX-Request": "true"})
    assert "Choose what the biopsy showed." in response.content.decode()


def test_stale_revision_is_a_conflict_and_nothing_is_written(client, reviewed_case, hematologist):
    reference = reviewed_case.registry_entry.reference
    _signed_in(client, hematologist).post(f"/registry/entries/{reference}", OUTCOME_POST | {"revision": 0})
    response = client.post(f"/registry/entries/{reference}", OUTCOME_POST | {"revision": 0, "result": "normal"})
    assert response.status_code == 409 and "Someone else recorded an outcome" in response.content.decode()
    assert RegistryEntry.objects.get(reference=reference).result == "lymphoma"


def test_case_link_leads_to_the_outcome_page(client, reviewed_case, hematologist):
    response = _signed_in(client, hematologist).get(f"/registry/cases/{reviewed_case.reference}")
    assert response["Location"] == f"/registry/entries/{reviewed_case.registry_entry.reference}"


def test_registry_page_shows_small_cells_as_under_five(client, staff):
    make_entries(3, outcome=DONE_NEOPLASM, triggers=("BX-CALCIUM",), version="1.2")
    make_entries(20, outcome=DONE_NORMAL, triggers=("BX-CALCIUM",), version="1.2")
    page = _signed_in(client, staff).get("/registry/?version=1.2").content.decode()
    table = page[page.index('id="trigger-table"'):]
    row = table[table.index("BX-CALCIUM: "):].split("</tr>")[0]
    assert "&lt; 5" in row and ">3<" not in row and ">23<" in row.replace(" ", "")
    assert "Synthetic data." in page


def test_registry_page_htmx_filter_returns_the_report_only(client, staff):
    make_entries(10, outcome=DONE_NORMAL, version="1.2")
    response = _signed_in(client, staff).get("/registry/?version=1.2&period=2026", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="registry-report"') and "<html" not in body
    assert "Pathway version 1.2." in body


def test_registry_page_says_when_versions_are_pooled(client, staff):
    make_entries(10, outcome=DONE_NORMAL, version="1.2")
    make_entries(10, outcome=DONE_NORMAL, version="1.0")
    page = _signed_in(client, staff).get("/registry/?version=all").content.decode()
    assert "Pooled across pathway versions 1.2, 1.0" in page
    assert "Other versions are shown separately" in _signed_in(client, staff).get("/registry/").content.decode()


def test_registry_page_chart_has_interval_bars_and_no_inline_style(client, staff):
    make_entries(10, outcome=DONE_NEOPLASM, triggers=("BX-FLC",), version="1.2")
    make_entries(10, outcome=DONE_NORMAL, triggers=("BX-FLC",), version="1.2")
    response = _signed_in(client, staff).get("/registry/?version=1.2")
    page = response.content.decode()
    chart = page[page.index("<svg"):page.index("</svg>")]
    assert chart.count('class="interval"') == 1 and "beyond 0.125–8: 50.0% (29.9–70.1%)" in chart
    assert "style=" not in page and "<style" not in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_csv_export_suppresses_small_cells(client, staff):
    make_entries(4, outcome=DONE_NEOPLASM, triggers=("BX-RENAL",), version="1.2")
    make_entries(12, outcome=DONE_NORMAL, triggers=("BX-RENAL",), version="1.2")
    response = _signed_in(client, staff).get("/registry/export.csv?version=1.2")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    renal = next(r for r in rows if r["group"] == "BX-RENAL")
    assert (renal["outcome_known"], renal["neoplasm"], renal["yield_percent"]) == ("16", "< 5", "suppressed")
    assert renal["synthetic_cases_included"] == "yes"
    counts = [v for r in rows for k, v in r.items() if k in ("cases", "neoplasm", "outcome_known", "outcome_missing")]
    assert not any(v in {"0", "1", "2", "3", "4"} for v in counts)


def test_fhir_measure_report_validates_and_suppresses(client, staff):
    make_entries(6, outcome=DONE_NEOPLASM, triggers=("BX-MPROTEIN",), version="1.2")
    make_entries(9, outcome=DONE_NORMAL, triggers=("BX-MPROTEIN",), version="1.2")
    make_entries(2, outcome=DONE_NEOPLASM, triggers=("BX-CALCIUM",), version="1.2")
    response = _signed_in(client, staff).get("/registry/measure-report.json?version=1.2&period=2026")
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    report = MeasureReport.model_validate(data)  # the FHIR R4B model: refuses a malformed resource
    assert report.type == "summary" and report.period.start.isoformat() == "2026-01-01"
    strata = {s.value.text: s for s in report.group[0].stratifier[0].stratum}
    mprotein = strata["BX-MPROTEIN: Monoclonal protein detected"]
    assert [p.count for p in mprotein.population] == [15, 15, 6]
    assert float(mprotein.measureScore.value) == 40.0
    calcium = strata["BX-CALCIUM: Calcium above the upper limit"]
    assert [p.count for p in calcium.population] == [None, None, None]
    assert calcium.population[2].extension[0].valueCode == "masked" and calcium.measureScore is None
    assert data["meta"]["tag"][0]["code"] == "HTEST"  # synthetic cases: marked as test data
    counts = [p.count for s in strata.values() for p in s.population if p.count is not None]
    assert all(count >= 5 for count in counts)


def test_followup_page_lists_the_safety_signal(client, staff):
    deferred_neoplasm = {"biopsy": "not_done", "biopsy_month": None, "not_done_reason": "deferred", "result": "",
                         "follow_up_3m": "neoplasm", "follow_up_12m": "", "note": ""}
    make_entries(1, outcome=deferred_neoplasm, disposition="DEFERRAL_REASONABLE", triggers=())
    page = _signed_in(client, staff).get("/registry/follow-up").content.decode()
    signal = page[page.index('id="signal-table"'):].split("</table>")[0]
    assert "Deferred, then a neoplasm (1)" in page and "synthetic" in signal and "Haematolymphoid neoplasm found" in signal


@pytest.mark.django_db
def test_learning_page_is_public_and_explains_the_yield(client):
    page = client.get("/learn/registry").content.decode()
    assert "Yield is not sensitivity" in page and "Spectrum bias" in page and "both be true" in page


def test_case_page_links_to_the_outcome_for_hematologists_only(client, reviewed_case, hematologist, radiologist):
    link = f'href="/registry/cases/{reviewed_case.reference}"'
    assert link in _signed_in(client, hematologist).get(f"/cases/{reviewed_case.reference}").content.decode()
    assert link not in _signed_in(client, radiologist).get(f"/cases/{reviewed_case.reference}").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/learn/", "/learn/rules/DF-NORMAL-LABS", "/learn/tests"])
def test_learning_pages_link_the_registry_page(client, path):
    assert 'href="/learn/registry"' in client.get(path).content.decode()


def test_registry_page_marks_the_source_figure_as_another_outcome(client, staff):
    make_entries(10, outcome=DONE_NORMAL, version="1.2")
    page = _signed_in(client, staff).get("/registry/?version=1.2").content.decode()
    overall = page[page.index('id="registry-overall"'):].split("</dl>")[0]
    assert "the source's 42–47% <em>counted a different outcome</em>" in overall and "6–10%" in overall


def test_outcome_of_a_case_not_yet_reviewed_is_refused(client, referred_case, hematologist):
    response = _signed_in(client, hematologist).get(f"/registry/cases/{referred_case.reference}")
    assert response.status_code == 409 and "has not been reviewed yet" in response.content.decode()
    assert not RegistryEntry.objects.exists()


def test_fhir_measure_report_without_a_period_invents_no_start(client, staff):
    make_entries(10, outcome=DONE_NORMAL, version="1.2")
    data = json.loads(_signed_in(client, staff).get("/registry/measure-report.json?version=1.2").content)
    report = MeasureReport.model_validate(data)
    assert report.period.start is None and report.period.end is not None
    assert "pathway 1.2" in report.group[0].code.text
