"""Browser: a radiologist saves and refers a case, a hematologist reviews it (two users, two sessions).

Run with JavaScript (htmx swaps the status panel) and without (plain form posts and redirects).
"""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from tests.golden import golden_cases


@pytest.fixture
def people(transactional_db, django_user_model):
    call_command("setup_roles", verbosity=0)
    from django.contrib.auth.models import Group

    users = {}
    for username, role in (("rad-ana", "radiologist"), ("hem-dora", "hematologist")):
        user = django_user_model.objects.create_user(username=username, password=f"pw-{username}-long")
        user.groups.add(Group.objects.get(name=role))
        users[role] = username
    return users


def _sign_in(browser: Browser, live_server, username: str, javascript: bool, csp_errors: list[str]) -> Page:
    """Sign in; hematologists land on the queue, everyone else on their own saved cases."""
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.on("console", lambda message: csp_errors.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}-long")
    page.get_by_role("button", name="Sign in").click()
    landing = "Hematology queue" if username.startswith("hem-") else "My saved cases"
    expect(page.get_by_role("heading", name=landing)).to_be_visible()
    return page


def _biopsy_case_json() -> str:
    case = next(c for c in golden_cases() if c["expected"]["disposition"] == "PROCEED_TO_BIOPSY")
    return json.dumps(case["input"])


@pytest.mark.e2e
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_save_refer_review_two_users(browser, live_server, people, javascript):
    csp_errors: list[str] = []
    radiologist = _sign_in(browser, live_server, people["radiologist"], javascript, csp_errors)
    radiologist.goto(f"{live_server.url}/cases/new")
    radiologist.get_by_label("Case inputs").fill(_biopsy_case_json())
    radiologist.get_by_label("Label").fill("reading room 2")
    radiologist.get_by_role("button", name="Save case").click()
    if javascript:  # htmx shows "Saved as …" in place, on the same page; follow the link
        expect(radiologist.locator("#save-result")).to_contain_text("Saved as")
        assert radiologist.url.endswith("/cases/new")
        radiologist.get_by_role("link", name="reading room 2").click()
    expect(radiologist.locator(".disposition")).to_have_text("Proceed to bone marrow biopsy")
    case_url = radiologist.url
    with radiologist.expect_response(lambda response: response.url.endswith("/refer")) as refer:
        radiologist.get_by_role("button", name="Refer to hematology").click()
    assert (refer.value.request.headers.get("hx-request") == "true") is javascript  # fragment swap vs plain POST
    expect(radiologist.locator(".workup-status")).to_have_text("Referred to hematology")

    hematologist = _sign_in(browser, live_server, people["hematologist"], javascript, csp_errors)
    hematologist.get_by_role("link", name="reading room 2").click()  # signed in, on the queue
    expect(hematologist.locator("#inputs-title")).to_have_text("Inputs as entered")
    expect(hematologist.locator(".referral-text")).to_contain_text("Hematology referral summary")
    expect(hematologist.locator(".workup-status")).to_have_text("Referred to hematology")
    hematologist.get_by_label("Agree with biopsy").check()  # one step: nobody else has started it
    hematologist.get_by_label("Note", exact=True).fill("Agree: anaemia trigger.")
    hematologist.get_by_role("button", name="Record review").click()
    expect(hematologist.locator(".workup-decision")).to_have_text("Agree with biopsy")
    expect(hematologist.locator("#audit-trail")).to_contain_text("Status changed")
    if javascript:  # axe needs JavaScript: check the reviewer's case page and the queue
        for path in (hematologist.url, f"{live_server.url}/cases/queue"):
            hematologist.goto(path)
            results = Axe().run(hematologist)
            assert results.violations_count == 0, results.generate_report()

    radiologist.goto(case_url)
    expect(radiologist.locator(".workup-status")).to_have_text("Reviewed")
    expect(radiologist.locator(".workup-decision")).to_have_text("Agree with biopsy")
    assert csp_errors == []
    radiologist.context.close()
    hematologist.context.close()


@pytest.mark.e2e
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_save_from_workup_screen(browser, live_server, people, javascript):
    csp_errors: list[str] = []
    radiologist = _sign_in(browser, live_server, people["radiologist"], javascript, csp_errors)
    radiologist.goto(live_server.url)
    if javascript:
        radiologist.locator("#step-mri .step-next").click()
    radiologist.locator("#id_hemoglobin").fill("10.8")
    if not javascript:
        radiologist.locator("#step-labs").get_by_role("button", name="Show recommendation").click()
    expect(radiologist.locator("[data-disposition]")).to_have_attribute("data-disposition", "PROCEED_TO_BIOPSY")
    radiologist.get_by_label("Label (optional)").press_sequentially("screen save", delay=80)
    if javascript:  # leaving the Hb field sent "change": the panel re-renders, the typed label stays
        radiologist.wait_for_timeout(700)
        radiologist.wait_for_function("() => !document.querySelector('.htmx-request')")
        expect(radiologist.get_by_label("Label (optional)")).to_have_value("screen save")
    radiologist.get_by_role("button", name="Save this workup").click()
    if javascript:  # saved in place; the screen stays as it was
        expect(radiologist.locator("#save-result")).to_contain_text("Saved as")
        radiologist.get_by_role("link", name="screen save").click()
    expect(radiologist.locator(".disposition")).to_have_text("Proceed to bone marrow biopsy")
    assert csp_errors == []
    radiologist.context.close()


@pytest.mark.e2e
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_in_to_save_keeps_what_was_typed(browser, live_server, people, javascript):
    """Signed out, a radiologist types a case, signs in from the panel, and saves it without retyping."""
    csp_errors: list[str] = []
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.on("console", lambda message: csp_errors.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(live_server.url)
    if javascript:
        page.locator("#step-mri .step-next").click()
    page.select_option("#id_hemoglobin_unit", "g/L")
    page.locator("#id_hemoglobin").fill("108")
    if javascript:
        page.locator("#step-labs .step-next").click()
    page.locator("#id_age").fill("67")
    if not javascript:
        page.locator("#step-labs").get_by_role("button", name="Show recommendation").click()
    expect(page.locator("[data-disposition]")).to_have_attribute("data-disposition", "PROCEED_TO_BIOPSY")
    page.get_by_role("button", name="Sign in to save").click()
    page.get_by_label("Username").fill(people["radiologist"])
    page.get_by_label("Password").fill(f"pw-{people['radiologist']}-long")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#id_hemoglobin")).to_have_value("108")  # back on the screen, as typed
    expect(page.locator("#id_hemoglobin_unit")).to_have_value("g/L")
    expect(page.locator("#id_age")).to_have_value("67")
    expect(page.locator("[data-disposition]")).to_have_attribute("data-disposition", "PROCEED_TO_BIOPSY")
    page.get_by_role("button", name="Save this workup").click()
    if javascript:
        expect(page.locator("#save-result")).to_contain_text("Saved as")
    else:
        expect(page.locator(".disposition")).to_have_text("Proceed to bone marrow biopsy")
    assert csp_errors == []
    page.context.close()
