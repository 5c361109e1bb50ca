"""Browser: the hematologist's case page as issue 22 found it (items 3, 6, 7, 9 and 10).

The result and the review come first, entered inputs next, the rest in one collapsed line; forms
keep what was chosen and typed; focus lands on the status message after a change; the audit trail
groups page views and follows each change. With and without JavaScript where both apply.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.support import referred_heavy_case

pytestmark = pytest.mark.e2e

TOP = "(selector) => document.querySelector(selector).getBoundingClientRect().top + window.scrollY"


@pytest.fixture
def site(live_server, settings):
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_SECURE = False
    return live_server.url


@pytest.fixture
def heavy(transactional_db, django_user_model):
    """(radiologist, hematologist, case) for the golden case with every kind of input, referred."""
    radiologist, hematologist, workup = referred_heavy_case(django_user_model)
    return radiologist, django_user_model.objects.get(pk=hematologist.pk), workup


def _open(browser, site, user, *, width=1366, height=768, javascript=True):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript,
                                  reduced_motion="reduce")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return context, page


def _case_url(site, workup) -> str:
    return f"{site}/cases/{workup.reference}"


# --- Item 3: result and decision first ---------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(("width", "height", "screens"), [(1366, 768, 1.5), (390, 844, 2)], ids=["1366", "390"])
def test_case_page_review_form_within_reach(browser, site, heavy, javascript, width, height, screens):
    _, hematologist, workup = heavy
    context, page = _open(browser, site, hematologist, width=width, height=height, javascript=javascript)
    page.goto(_case_url(site, workup))
    result, review, inputs = (page.evaluate(TOP, s) for s in (".disposition", "#review-form", "#inputs-title"))
    assert result < review < inputs  # the result, the decision, then what was entered
    assert review < screens * height  # before issue 22: 4,950 px at 1366, 11,500 px at 390
    expect(page.get_by_role("heading", name="Referral and review")).to_be_visible()
    context.close()


def test_case_page_phone_header_is_small(browser, site, heavy):
    _, hematologist, workup = heavy
    context, page = _open(browser, site, hematologist, width=390, height=844)
    page.goto(_case_url(site, workup))
    header = page.locator("header.app-header").bounding_box()["height"]
    assert header <= 160  # 226 px before issue 22 (about a quarter of the screen)
    expect(page.get_by_role("link", name="Hematology queue")).to_be_visible()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_case_page_not_entered_inputs_are_one_collapsed_line(browser, site, heavy, javascript):
    _, hematologist, workup = heavy
    context, page = _open(browser, site, hematologist, javascript=javascript)
    page.goto(_case_url(site, workup))
    details = page.locator("#not-entered-inputs")
    summary = details.locator("summary")
    expect(summary).to_have_text(re.compile(r"^Not entered: \d+ inputs$"))
    assert summary.bounding_box()["height"] < 40  # one line
    expect(page.locator("[data-not-entered=mri]")).to_be_hidden()
    summary.click()
    expect(page.locator("[data-not-entered=mri]")).to_contain_text("Marrow pattern")
    expect(page.locator(".case-inputs dd", has_text="not entered")).to_have_count(0)
    context.close()


# --- Item 6: forms keep what was chosen and typed ---------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_review_other_without_note_keeps_the_choice(browser, site, heavy, javascript):
    _, hematologist, workup = heavy
    context, page = _open(browser, site, hematologist, javascript=javascript)
    page.goto(_case_url(site, workup))
    page.get_by_label("Other (see note)").check()
    page.get_by_role("button", name="Record review").click()
    expect(page.locator("#status-panel .alert")).to_contain_text("Explain an “other” decision in the note.")
    expect(page.get_by_label("Other (see note)")).to_be_checked()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_take_into_review_keeps_the_typed_note_and_choice(browser, site, heavy, javascript):
    _, hematologist, workup = heavy
    context, page = _open(browser, site, hematologist, javascript=javascript)
    page.goto(_case_url(site, workup))
    page.get_by_label("Defer with surveillance").check()
    page.get_by_label("Note", exact=True).fill("Ask for the PET first.")
    page.get_by_role("button", name="Take into review without deciding yet").click()
    expect(page.locator(".workup-status")).to_have_text("In review")
    expect(page.get_by_label("Note", exact=True)).to_have_value("Ask for the PET first.")
    expect(page.get_by_label("Defer with surveillance")).to_be_checked()
    page.get_by_role("button", name="Record review").click()  # and the kept entries are what is recorded
    expect(page.locator(".workup-decision")).to_have_text("Defer with surveillance")
    context.close()


# --- Item 7: focus on the status message after a change ----------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_record_review_moves_focus_to_the_status_message(browser, site, heavy, javascript):
    _, hematologist, workup = heavy
    context, page = _open(browser, site, hematologist, javascript=javascript)
    page.goto(_case_url(site, workup))
    page.get_by_label("Agree with biopsy").check()
    page.get_by_role("button", name="Record review").click()
    expect(page.locator(".workup-decision")).to_have_text("Agree with biopsy")
    expect(page.locator("#status-message")).to_be_focused()
    expect(page.locator("#status-message")).to_be_in_viewport()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_refer_moves_focus_to_the_status_message(browser, site, transactional_db, django_user_model, javascript):
    from workup.saved import services as saved

    radiologist, _, _ = referred_heavy_case(django_user_model)
    draft = saved.workup_save(author=radiologist, inputs_json='{"age": 60}', label="draft one")
    context, page = _open(browser, site, django_user_model.objects.get(pk=radiologist.pk), javascript=javascript)
    page.goto(_case_url(site, draft))
    page.get_by_role("button", name="Refer to hematology").click()
    expect(page.locator(".workup-status")).to_have_text("Referred to hematology")
    expect(page.locator("#status-message")).to_be_focused()
    context.close()


# --- Items 9 and 10: words, not codes; an audit trail that groups views and follows changes -----------


def test_compare_table_and_audit_trail_show_words_not_codes(browser, site, heavy):
    _, hematologist, workup = heavy
    context, page = _open(browser, site, hematologist)
    page.goto(_case_url(site, workup))
    page.get_by_role("link", name="Compare with the current pathway").click()
    table = page.locator("#difference-table")
    expect(table).to_contain_text("cannot be judged from these inputs")
    page.get_by_label("Agree with biopsy").check()
    page.get_by_role("button", name="Record review").click()
    trail = page.locator("#audit-trail")
    expect(trail).to_contain_text("In review → Reviewed: Agree with biopsy")  # refreshed after the change
    for code in ("not_met", "not_evaluable", "in_review", "agree_biopsy"):
        assert code not in table.inner_text() and code not in trail.inner_text()
    assert page.console_errors == []
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_audit_trail_groups_page_views(browser, site, heavy, javascript):
    _, hematologist, workup = heavy
    context, page = _open(browser, site, hematologist, javascript=javascript)
    for _ in range(4):
        page.goto(_case_url(site, workup))
    views = page.locator("#audit-trail tbody tr", has_text="Viewed")
    expect(views).to_have_count(1)
    expect(views).to_contain_text("(4 times)")
    expect(page.locator("#audit-trail tbody tr", has_text="Status changed")).to_have_count(1)  # the referral
    context.close()
