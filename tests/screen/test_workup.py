"""The workup screen through Django's test client: page, fragment, errors, golden cases, headers."""

from __future__ import annotations

import pytest

from tests.support import INVALID, REPRESENTATIVE, form_data, golden, parse, read_panel
from workup.report import DISPOSITION_HEADLINES

NORMAL = golden("baseline-completely-normal")
CONFLICT = golden("life-expectancy-conflict-with-anemia")
HTMX = {"HX-Request": "true"}


def post_case(client, case, headers=None):
    """The page (or fragment) for a golden case posted through the form, parsed."""
    return parse(client.post("/", form_data(case["input"]), headers=headers or {}).content)


def test_workup_get_shows_empty_screen(client):
    response = client.get("/")
    page = parse(response.content)
    assert response.status_code == 200
    assert page.by_id("workup-form").attrs["method"] == "post"
    assert [e.attrs["id"] for e in page.with_attr("data-step")] == ["step-mri", "step-labs", "step-context"]
    assert page.with_attr("data-state", "empty")
    assert read_panel(response.content).disposition is None


def test_workup_get_shows_intended_use(client):
    text = parse(client.get("/").content).by_id("main").text
    assert "18 years or older" in text
    assert "Not for time-critical decisions" in text


def test_workup_plain_post_returns_full_page_with_panel(client):
    response = client.post("/", form_data(NORMAL["input"]))
    page = parse(response.content)
    assert response.status_code == 200
    assert page.with_attr("id", "workup-form")
    assert read_panel(response.content).disposition == "DEFERRAL_REASONABLE"


def test_workup_plain_post_keeps_entered_values(client):
    page = post_case(client, NORMAL)
    assert page.by_id("id_hemoglobin").attrs["value"] == "13.5"


def test_workup_htmx_post_returns_only_fragment(client):
    response = client.post("/", form_data(NORMAL["input"]), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="recommendation-panel"')
    assert "<html" not in html
    assert 'id="workup-form"' not in html
    assert read_panel(html).disposition == "DEFERRAL_REASONABLE"


def test_workup_panel_update_is_announced_as_one_polite_line(client):
    page = parse(client.post("/", form_data(NORMAL["input"]), headers=HTMX).content)
    status = page.by_id("panel-status")
    assert status.attrs["role"] == "status"  # polite: waits for the reader to finish
    assert status.attrs["hx-swap-oob"] == "innerHTML"  # the region stays; only its words change
    assert status.text == f"Recommendation: {DISPOSITION_HEADLINES[NORMAL['expected']['disposition']]}."
    assert "aria-live" not in page.by_id("recommendation-panel").attrs  # not the whole panel


def test_workup_status_line_names_the_entries_left_out(client):
    data = {**form_data(NORMAL["input"]), "hemoglobin": "112", "calcium": "abc"}
    page = parse(client.post("/", data, headers=HTMX).content)
    headline = page.with_attr("data-disposition")[0].text
    assert page.by_id("panel-status").text == f"Recommendation without Hemoglobin and Calcium (total): {headline}."


def test_workup_status_line_is_on_the_page_without_javascript(client):
    page = parse(client.post("/", form_data(NORMAL["input"])).content)
    expected = DISPOSITION_HEADLINES[NORMAL["expected"]["disposition"]]
    assert page.by_id("panel-status").text == f"Recommendation: {expected}."


@pytest.mark.parametrize("case", REPRESENTATIVE, ids=[c["name"] for c in REPRESENTATIVE])
def test_workup_golden_case_through_form_matches_engine(client, case):
    reading = read_panel(client.post("/", form_data(case["input"])).content)
    assert reading.disposition == case["expected"]["disposition"]
    assert reading.rule_ids == frozenset(case["expected"]["fired"])
    assert reading.active_pitfalls == frozenset(case["expected"]["active_pitfalls"])


def test_workup_invalid_value_gives_200_fragment_with_field_message(client):
    data = {**form_data(NORMAL["input"]), "hemoglobin": "112"}
    response = client.post("/", data, headers=HTMX)
    page = parse(response.content)
    assert response.status_code == 200
    feedback = page.by_id("feedback-hemoglobin")
    assert feedback.attrs["hx-swap-oob"] == "true"
    assert "Hemoglobin 112 g/dL is outside the plausible range" in feedback.text
    assert page.with_attr("id", "feedback-calcium") == []  # nothing to show: no box is sent
    without = {key: value for key, value in data.items() if not key.startswith("hemoglobin")}
    assert read_panel(response.content) == read_panel(client.post("/", without, headers=HTMX).content)


def test_workup_invalid_value_shows_message_beside_field_and_keeps_other_values(client):
    data = {**form_data(NORMAL["input"]), "hemoglobin": "112"}
    page = parse(client.post("/", data).content)
    field_box = page.by_id("div_id_hemoglobin")
    assert "outside the plausible range" in field_box.text
    assert page.by_id("id_hemoglobin").attrs["value"] == "112"
    assert page.by_id("id_calcium").attrs["value"] == "9.5"
    assert page.by_id("id_age").attrs["value"] == "45"
    selected_sex = [e for e in page.elements if e.tag == "option" and "selected" in e.attrs and e.attrs["value"] == "female"]
    assert selected_sex


@pytest.mark.parametrize(
    "case", [c for c in INVALID if "probable_unit" in c], ids=lambda c: c["name"]
)
def test_workup_implausible_value_names_probable_unit(client, case):
    (key,) = case["error_keys"]
    response = client.post("/", form_data(case["input"]), headers=HTMX)
    message = parse(response.content).by_id(f"feedback-{key}").text
    assert f"Was it entered in {case['probable_unit']}?" in message


def test_workup_hemoglobin_112_g_dl_hints_g_per_l(client):
    response = client.post("/", {"hemoglobin": "112", "hemoglobin_unit": "g/dL"}, headers=HTMX)
    assert "Was it entered in g/L?" in parse(response.content).by_id("feedback-hemoglobin").text


def test_workup_message_matches_json_api(client):
    api = client.post(
        "/api/v1/evaluate", {"hemoglobin": {"value": 112, "unit": "g/dL"}}, content_type="application/json"
    ).json()
    screen = parse(client.post("/", {"hemoglobin": "112", "hemoglobin_unit": "g/dL"}, headers=HTMX).content)
    message = next(e for e in screen.with_attr("data-error-for", "hemoglobin") if e.tag == "span")
    assert message.text == api["errors"]["hemoglobin"][0]
    assert screen.by_id("feedback-hemoglobin").text.startswith(message.text)  # then how to change the unit


def test_workup_non_number_is_refused_beside_field(client):
    response = client.post("/", {"age": "sixty"}, headers=HTMX)
    assert "is not a number" in parse(response.content).by_id("feedback-age").text


def test_workup_flc_units_may_differ(client):
    data = {"flc_kappa": "1.2", "flc_kappa_unit": "mg/dL", "flc_lambda": "15", "flc_lambda_unit": "mg/L"}
    content = client.post("/", data, headers=HTMX).content.decode()
    assert "same unit" not in content  # spec 1.1 §2.2: each is converted to mg/L


def test_workup_canonical_value_shown_beside_converted_field(client):
    page = parse(client.post("/", {"hemoglobin": "108", "hemoglobin_unit": "g/L"}).content)
    assert page.by_id("canonical-hemoglobin").text == "= 10.8 g/dL"


def test_workup_canonical_value_sent_out_of_band_to_fragment(client):
    page = parse(client.post("/", {"calcium": "2.6", "calcium_unit": "mmol/L"}, headers=HTMX).content)
    output = page.by_id("canonical-calcium")
    assert output.attrs["hx-swap-oob"] == "true"
    assert output.text == "= 10.42 mg/dL"  # exact conversion (spec 1.1 §2.5), never rounded to the ULN


def test_workup_reference_limit_override_is_used(client):
    page = post_case(client, golden("calcium-uln-override-above"))
    (calcium_line,) = [e for e in page.with_attr("data-lab", "calcium")]
    assert "lab" in calcium_line.text.lower()


def test_workup_si_preference_sets_default_units_from_cookie(client):
    client.cookies["units"] = "si"
    page = parse(client.get("/").content)
    selected = [e.attrs["value"] for e in page.elements if e.tag == "option" and "selected" in e.attrs]
    assert "g/L" in selected and "mmol/L" in selected and "µmol/L" in selected


def test_workup_unit_preference_change_is_remembered_in_cookie(client):
    response = client.post("/", {"unit_system": "si"})
    assert response.cookies["units"].value == "si"
    page = parse(response.content)
    (hb_unit,) = [e for e in page.elements if e.tag == "option" and "selected" in e.attrs and e.attrs["value"] == "g/L"][:1]
    assert hb_unit


def test_workup_fragment_leaves_unit_preference_cookie_alone(client):
    """A fragment may answer a keystroke typed before the preference changed: it must not reset it."""
    client.cookies["units"] = "si"
    response = client.post("/", {"unit_system": "conventional", "hemoglobin": "13.5"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "units" not in response.cookies


def test_workup_unit_preference_never_changes_unit_beside_typed_value(client):
    response = client.post("/", {"unit_system": "si", "hemoglobin": "13.5", "hemoglobin_unit": "g/dL"})
    assert read_panel(response.content).disposition == "COMPLETE_WORKUP"
    assert parse(response.content).by_id("canonical-hemoglobin").text == ""


def test_workup_report_text_is_selectable_without_javascript(client):
    page = post_case(client, NORMAL)
    impression, referral = page.by_id("report-impression"), page.by_id("report-referral")
    assert impression.tag == referral.tag == "textarea"
    assert "readonly" in impression.attrs
    assert "No laboratory trigger for marrow examination was identified" in impression.text
    expected = ("Hemoglobin: 13.5 g/dL", "DF-NORMAL-LABS", "PF-MRI-ALONE", "not for time-critical decisions",
                "Marrow workup pathway v1.2", "sha256:")
    assert [text for text in expected if text not in referral.text] == []


def test_workup_why_shows_basis_of_trigger(client):
    page = post_case(client, CONFLICT)
    (basis,) = page.with_attr("data-basis-for", "BX-ANEMIA")
    assert "Hemoglobin: 11.0 g/dL; < 12.0 g/dL (HB_TRIGGER: default)" in basis.text
    assert "EN-HB" in basis.text


def test_workup_conflict_shown_side_by_side_with_policy(client):
    page = post_case(client, CONFLICT)
    (conflict,) = page.with_attr("data-conflict", "BX-ANEMIA DF-LIFE-EXPECTANCY")
    assert "clinical judgement" in conflict.text


def test_workup_lists_all_four_pitfalls(client):
    page = post_case(client, NORMAL)
    assert len(page.with_attr("data-pitfall-id")) == 4


def test_workup_follow_up_shows_due_date(client):
    page = post_case(client, NORMAL)
    (due,) = [e for e in page.elements if e.tag == "time"]
    assert due.attrs["datetime"] == NORMAL["expected"]["follow_up_due_date"]


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_workup_makes_no_database_query(client, django_assert_num_queries, headers):
    with django_assert_num_queries(0):
        client.get("/")
        client.post("/", form_data(NORMAL["input"]), headers=headers)
        client.post("/", {"hemoglobin": "112", "hemoglobin_unit": "g/dL"}, headers=headers)


def test_workup_sends_strict_csp_header(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "style-src 'self';" in csp or csp.endswith("style-src 'self'")


@pytest.mark.parametrize("method", ["get", "post"])
def test_workup_html_has_no_inline_script_or_style(client, method):
    response = getattr(client, method)("/", form_data(NORMAL["input"]) if method == "post" else None)
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    page = parse(response.content)
    scripts = [e for e in page.elements if e.tag == "script"]
    assert len(scripts) >= 3
    assert all(e.attrs.get("src") and e.attrs.get("nonce") == nonce and not e.text.strip() for e in scripts)
    assert not [e for e in page.elements if e.tag == "style"]
    assert not [e for e in page.elements if "style" in e.attrs]
    assert not [e for e in page.elements if any(name.startswith(("on", "hx-on")) for name in e.attrs)]


def test_workup_htmx_attributes_follow_csp_rules(client):
    page = parse(client.get("/").content)
    form = page.by_id("workup-form")
    assert form.attrs["data-hx-trigger"] == "workup-changed delay:60ms"  # app.js fires it on a real change
    assert (form.attrs["data-hx-sync"], form.attrs["data-hx-ext"]) == ("this:replace", "morph")
    assert form.attrs["data-hx-swap"].startswith("morph:innerHTML ")  # no "morph:{…}" (that needs eval)
    assert not [name for e in page.elements for name in e.attrs if name.startswith("hx-")]
    (config,) = page.with_attr("name", "htmx-config")
    assert config.attrs["content"] == '{"includeIndicatorStyles": false, "allowEval": false, "historyCacheSize": 0}'


def test_workup_assets_are_vendored(client):
    page = parse(client.get("/").content)
    urls = [
        e.attrs.get("src") or e.attrs.get("href")
        for e in page.elements
        if e.tag == "script" or (e.tag == "link" and e.attrs.get("rel") == "stylesheet")
    ]
    assert all(url.startswith("/static/") for url in urls)
    assert "/static/vendor/bootstrap-5.3.9/bootstrap.min.css" in urls
    assert "/static/vendor/idiomorph-0.8.0/idiomorph-ext.min.js" in urls


def test_preferences_theme_is_remembered_in_cookie(client):
    response = client.post("/preferences", {"theme": "light"})
    assert response.status_code == 302
    assert response.cookies["theme"].value == "light"
    client.cookies["theme"] = "light"
    assert parse(client.get("/").content).elements[0].attrs["data-bs-theme"] == "light"


def test_workup_theme_defaults_to_dark(client):
    assert parse(client.get("/").content).elements[0].attrs["data-bs-theme"] == "dark"


def test_workup_lab_checklist_shows_reference_and_origin_in_plain_numbers(client):
    page = post_case(client, NORMAL)
    (egfr,) = page.with_attr("data-lab", "egfr")
    (hemoglobin,) = page.with_attr("data-lab", "hemoglobin")
    assert "60 mL/min/1.73m2" in egfr.text
    assert "E+" not in egfr.text
    assert "12.0–16.0 g/dL (default for female;" in hemoglobin.text  # as the thresholds are stated


def test_workup_unknown_choice_is_refused_beside_field(client):
    response = client.post("/", {"spep": "maybe", "age": "60"}, headers=HTMX)
    page = parse(response.content)
    assert "maybe" in page.by_id("feedback-spep").text
    assert [e.attrs["data-left-out-key"] for e in page.with_attr("data-left-out-key")] == ["spep"]
