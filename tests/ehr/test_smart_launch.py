"""Issue 12: SMART App Launch of the workup screen against a local authorization and FHIR server."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.ehr.fhir_builders import lab_observation, observation, split_case
from tests.ehr.smart_servers import CLIENT_ID, LAUNCH, SmartEhrServer
from tests.ehr.test_card_wording import CLOSE, OPEN, outside_the_content
from tests.ehr.test_golden_paths import DEMOGRAPHICS, patient_for
from tests.golden import observed, representative_params
from tests.support import parse
from workup.ehr import fhir
from workup.models import WorkupDraft
from workup.pathway import wording
from workup.pathway.inputs import INPUTS_BY_KEY
from workup.saved import drafts
from workup.saved.identifiers import identifier_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def ehr(settings):
    server = SmartEhrServer()
    settings.SMART_EHRS = [{"iss": server.iss, "client_id": CLIENT_ID}]
    yield server
    server.close()


def launch(client, ehr) -> requests.Response | object:
    """Run the whole launch as the browser would; return the app's last answer."""
    started = client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    assert started.status_code == 302, started.content
    authorize = requests.get(started["Location"], allow_redirects=False, timeout=5)
    assert authorize.status_code == 302, authorize.text
    back = urlsplit(authorize.headers["Location"])
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


def draft_inputs(response) -> dict:
    assert response.status_code == 302
    assert response["Location"] == "/"  # the token travels in a cookie, never in the URL
    return drafts.draft_load(token=response.cookies["workup_draft"].value)


def test_launch_opens_the_screen_prefilled_with_the_patients_recent_labs(client, ehr):
    ehr.observations = [observation("718-7", 10.8, "g/dL")]
    ehr.patient = {"resourceType": "Patient", "id": "example", "gender": "female", "birthDate": "1960-05-01"}
    inputs = draft_inputs(launch(client, ehr))
    assert inputs["hemoglobin"] == {"value": 10.8, "unit": "g/dL"}
    assert inputs["sex"] == "female" and isinstance(inputs["age"], int)


def test_launch_prefills_the_m_spike_and_its_concentration_from_one_result(client, ehr):
    ehr.observations = [observation("33358-3", 0.5, "g/dL")]
    inputs = draft_inputs(launch(client, ehr))
    assert inputs["spep"] == "detected"
    assert inputs["mprotein_concentration"] == {"value": 0.5, "unit": "g/dL"}


def test_launch_uses_pkce_and_the_smart_scopes(client, ehr):
    started = client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    query = parse_qs(urlsplit(started["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["scope"] == ["launch patient/Observation.rs patient/Patient.rs"]
    assert query["launch"] == [LAUNCH] and query["aud"] == [ehr.iss]


def test_launch_applies_the_same_selection_rules(client, ehr):
    old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    other = observation("2160-0", 3.0, "mg/dL")
    other["subject"] = {"reference": "Patient/someone-else"}
    ehr.observations = [observation("718-7", 9.0, "g/dL", effective=old), other, observation("1751-7", 40, "g/L")]
    inputs = draft_inputs(launch(client, ehr))
    assert "hemoglobin" not in inputs and "creatinine" not in inputs
    assert inputs["albumin"] == {"value": 40, "unit": "g/L"}


def test_nothing_clinical_and_no_token_in_any_url_or_cookie(client, ehr):
    ehr.observations = [observation("718-7", 10.8, "g/dL")]
    response = launch(client, ehr)
    assert "10.8" not in response["Location"] and "hemoglobin" not in response["Location"]
    assert not any(token in response["Location"] or token in str(client.cookies) for token in ehr.tokens)
    assert not any("access_token" in str(value) for value in client.session.values())


def test_unregistered_ehr_is_refused(client, ehr):
    response = client.get("/launch", {"iss": "https://unknown.example.org/fhir", "launch": LAUNCH})
    assert response.status_code == 400
    assert not ehr.requests  # nothing was fetched from an issuer that is not registered


def test_callback_with_a_forged_state_is_refused(client, ehr):
    client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    response = client.get("/launch/callback", {"code": "x", "state": "forged"})
    assert response.status_code == 400
    assert "not started in this browser" in response.content.decode()


def test_callback_without_a_started_launch_is_refused(client, ehr):
    assert client.get("/launch/callback", {"code": "x", "state": "y"}).status_code == 400


@pytest.mark.parametrize("case", representative_params())
def test_golden_case_through_the_smart_launch(client, ehr, case):
    labs, rest = split_case(case["input"])
    ehr.observations = [lab_observation(key, value) for key, value in labs.items()]
    ehr.patient = patient_for(case["input"])
    inputs = draft_inputs(launch(client, ehr))
    assert {k: v for k, v in inputs.items() if k not in DEMOGRAPHICS} == labs
    completed = inputs | {k: v for k, v in rest.items() if k not in inputs}
    result = client.post("/api/v1/evaluate", completed, content_type="application/json").json()
    assert observed(result) == case["expected"]


# --- The launch notice: what was read from the record, on the screen the launch opens ------------------

PATIENT_ID = "pt-notice-7"
BIRTH_DATE = "1960-05-01"
INTRODUCER = "a word that introduces an identifier"


def ago(days: int) -> str:
    """A timestamp this many whole days (and an hour) before now, as an EHR dates a result."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=days, hours=1)).isoformat()


def about(resource: dict, patient_id: str = PATIENT_ID) -> dict:
    return resource | {"subject": {"reference": f"Patient/{patient_id}"}}


@pytest.fixture
def odd_record(ehr):
    """A record with one of each thing the notice must tell."""
    ehr.patient_id = PATIENT_ID
    ehr.patient = {"resourceType": "Patient", "id": PATIENT_ID, "gender": "female", "birthDate": BIRTH_DATE}
    ehr.observations = [
        about(observation("718-7", 7.1, "%", effective=ago(3))),  # a unit the pathway does not accept
        about(observation("777-3", 210, "10*9/L", effective=ago(400))),  # only a result older than the window
        about(observation("36916-5", 30, "mg/L", effective=ago(2))),  # κ and λ drawn weeks apart
        about(observation("33944-0", 15, "mg/L", effective=ago(20))),
        about(observation("17861-6", 112, "mg/dL", effective=ago(1))),  # implausible: refused by validation
        about(observation("6690-2", 7.5, "10*9/L", effective=ago(2)), "someone-else"),  # another patient's
        about(observation("2160-0", 1.1, "mg/dL", effective=ago(5))),  # read
    ]
    return ehr


def open_screen(client, ehr):
    """The screen the launch opens, parsed."""
    return parse(client.get(launch(client, ehr)["Location"]).content)


def notice_lines(page, section: str) -> list[str]:
    """The lines of one section of the record notice, as the screen shows them."""
    start = next(i for i, e in enumerate(page.elements) if e.attrs.get("data-record-section") == section)
    lines = []
    for element in page.elements[start + 1:]:
        if element.tag != "li":
            break
        lines.append(element.text)
    return lines


def test_launch_notice_lists_a_hemoglobin_set_aside_with_its_reason(client, odd_record):
    page = open_screen(client, odd_record)
    reason = wording.record_say("unit_not_accepted", display=fhir.LAB_CODE_BY_LOINC["718-7"].display, unit="%")
    assert reason in notice_lines(page, "section_not_used")


def test_launch_notice_tells_a_result_only_too_old_by_its_age_at_opening(client, odd_record, settings):
    page = open_screen(client, odd_record)
    age = wording.notice_say("days_before", days=400)
    display = fhir.LAB_CODE_BY_LOINC["777-3"].display
    assert wording.record_say("older_than_window", display=display, effective=age) in notice_lines(page, "section_not_used")
    only_old = wording.card_say("old_only", days=settings.EHR_LOOKBACK_DAYS, labels=INPUTS_BY_KEY["platelets"].label)
    assert only_old in notice_lines(page, "section_selection")


def test_launch_notice_says_why_kappa_and_lambda_were_not_paired(client, odd_record):
    page = open_screen(client, odd_record)
    note = wording.record_say("light_chains_apart", kappa=wording.notice_say("days_before", days=2),
                              lam=wording.notice_say("days_before", days=20))
    assert note in notice_lines(page, "section_selection")


def test_launch_notice_says_age_and_sex_read_from_the_patient_without_the_birth_date(client, odd_record):
    response = launch(client, odd_record)
    inputs = draft_inputs(response)
    page = parse(client.get(response["Location"]).content)
    assert notice_lines(page, "section_patient") == [
        wording.notice_say("instead_of_age_from_birth_date", age=inputs["age"]),
        wording.record_say("sex_from_gender", sex="female"),
    ]


def test_launch_notice_lists_an_input_refused_by_validation_with_its_message(client, odd_record):
    page = open_screen(client, odd_record)
    refused = client.post("/api/v1/evaluate", {"calcium": {"value": 112, "unit": "mg/dL"}}, content_type="application/json")
    (message,) = refused.json()["errors"]["calcium"]
    line = wording.notice_say("line", label=INPUTS_BY_KEY["calcium"].label, text=message)
    assert line in notice_lines(page, "section_not_used")


def test_launch_notice_lists_each_lab_read_with_its_loinc_and_age_and_what_is_left_to_enter(client, odd_record):
    page = open_screen(client, odd_record)
    read = wording.card_say("lab_read", label="Creatinine", value="1.1 mg/dL", loinc="2160-0",
                            when=wording.notice_say("days_before", days=5))
    assert notice_lines(page, "section_labs") == [read]
    (left,) = [line for line in notice_lines(page, "section_not_used") if INPUTS_BY_KEY["igg"].label in line]
    assert INPUTS_BY_KEY["hemoglobin"].label in left and INPUTS_BY_KEY["creatinine"].label not in left


def test_nothing_kept_or_shown_from_the_launch_is_a_birth_date_an_observation_date_or_a_resource_id(client, odd_record):
    response = launch(client, odd_record)
    (draft,) = WorkupDraft.objects.all()
    assert any(section["key"] == "section_not_used" for section in draft.record_notice["sections"])
    stored = json.dumps([draft.inputs, draft.record_notice], ensure_ascii=False)
    page = client.get(response["Location"]).content.decode()
    dates = {o["effectiveDateTime"] for o in odd_record.observations}
    forbidden = {BIRTH_DATE, BIRTH_DATE[:4], PATIENT_ID, "someone-else", "Patient/", "Observation/"}
    forbidden |= dates | {date[:10] for date in dates} | {o["id"] for o in odd_record.observations}
    assert [text for text in forbidden if text in stored or text in page] == []
    # Nor anything the no-identifier check finds in free text (a word such as "birth date" is no value).
    lines = [line for section in draft.record_notice["sections"] for line in section["lines"]]
    found = [(line, kind) for line in lines for kind in identifier_problems(line) if kind != INTRODUCER]
    assert found == []


def test_launch_notice_is_only_on_the_screen_the_launch_opened(client, odd_record):
    assert open_screen(client, odd_record).with_attr("data-record-notice")
    assert not parse(client.get("/").content).with_attr("data-record-notice")  # a new case
    card_draft = drafts.draft_create(case_data={"hemoglobin": {"value": 10.8, "unit": "g/dL"}})
    assert not parse(client.get("/", {"draft": card_draft}, follow=True).content).with_attr("data-record-notice")


def test_launch_notice_stays_when_the_screen_is_posted_without_javascript(client, odd_record):
    page = open_screen(client, odd_record)
    (kept,) = page.with_attr("name", "draft")
    posted = {"draft": kept.attrs["value"], "hemoglobin": "10.8", "hemoglobin_unit": "g/dL"}
    assert parse(client.post("/", posted).content).with_attr("data-record-notice")
    assert not parse(client.post("/", posted, headers={"HX-Request": "true"}).content).with_attr("data-record-notice")


def test_launch_notice_survives_sign_in_to_save(client, odd_record):
    (kept,) = open_screen(client, odd_record).with_attr("name", "draft")
    response = client.post("/sign-in-to-save", {"draft": kept.attrs["value"], "hemoglobin": "10.8",
                                                 "hemoglobin_unit": "g/dL"})
    back = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    assert parse(client.get(back).content).with_attr("data-record-notice")


@pytest.fixture
def marked(monkeypatch):
    """Every wording table the notice draws on, each template wrapped in markers."""
    for name in ("TEXT", "CARD_TEXT", "RECORD_TEXT", "INPUT_TEXT", "NOTICE_TEXT"):
        table = getattr(wording, name, {})
        monkeypatch.setattr(wording, name, {key: f"{OPEN}{text}{CLOSE}" for key, text in table.items()}, raising=False)


def test_every_sentence_of_the_launch_notice_comes_from_the_hashed_content(client, odd_record, marked):
    notice = open_screen(client, odd_record).by_id("record-notice")
    assert "“%”" in notice.text
    assert "".join(char for char in outside_the_content(notice.text) if char.isalnum()) == ""
