"""Browser, issue 11 items 9 and 10: a click that meets a panel update still counts, and nothing
of a case or the queue is left in the tab's sessionStorage after sign-out."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.golden import golden_cases
from workup.saved import services as saved

pytestmark = pytest.mark.e2e


def _typed_case(page, live_server):
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.select_option("#id_hemoglobin_unit", "g/L")
    page.locator("#id_hemoglobin").fill("108")
    page.locator("#step-labs .step-next").click()
    expect(page.locator("[data-disposition]")).to_have_attribute("data-disposition", "PROCEED_TO_BIOPSY")


def test_sign_in_to_save_pressed_as_the_panel_updates_still_posts(page, live_server, transactional_db):
    """The race behind the flaky CI test: pressing the button blurs the field being typed in, whose
    `change` sends the form; when the panel's answer is swapped in between press and release, the
    button pressed must still be the one released, or the click is lost."""
    _typed_case(page, live_server)
    button = page.get_by_role("button", name="Sign in to save")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    page.evaluate(
        "() => { window.__answered = Promise.race([new Promise(done =>"
        " document.body.addEventListener('htmx:beforeSwap', () => done(true), {once: true})),"
        " new Promise(done => setTimeout(() => done(false), 5000))]); }"
    )
    page.locator("#id_age").fill("67")  # a changed field: its panel request is on its way
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()  # the age field loses focus while that request is in flight
    assert page.evaluate("() => window.__answered")  # the panel's answer arrives while the button is held
    page.wait_for_timeout(300)  # time for a swap and its settling (20 ms), if the page lets it happen
    page.mouse.up()
    expect(page.get_by_label("Username")).to_be_visible()


@pytest.fixture
def hematologist(transactional_db, django_user_model):
    from django.contrib.auth.models import Group

    call_command("setup_roles", verbosity=0)
    user = django_user_model.objects.create_user(username="hem-dora", password="pw-hem-dora-long")
    user.groups.add(Group.objects.get(name="hematologist"))
    return user


def test_nothing_of_the_queue_or_a_case_stays_in_session_storage(page, live_server, hematologist):
    case = next(c for c in golden_cases() if c["expected"]["disposition"] == "PROCEED_TO_BIOPSY")
    workup = saved.workup_save(author=hematologist, inputs_json=json.dumps(case["input"]), label="room 2")
    saved.workup_refer(workup=workup, actor=hematologist, version=workup.version)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("hem-dora")
    page.get_by_label("Password").fill("pw-hem-dora-long")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/cases/queue")
    for status in ("referred", "in_review", ""):  # each filter swaps the table and pushes its URL
        page.select_option("select[name=status]", status)
        with page.expect_response(lambda response: "/cases/queue?" in response.url):
            page.get_by_role("button", name="Filter").click()
    expect(page.locator("#queue-table")).to_contain_text("room 2")
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    assert "room 2" not in stored and workup.reference not in stored
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    # Left: only htmx's note of the page now shown (the sign-in page), written after sign-out.
    left = page.evaluate("() => Object.assign({}, sessionStorage)")
    assert left in ({}, {"htmx-current-path-for-history": "/accounts/login/"})
