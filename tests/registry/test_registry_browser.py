"""Browser: a hematologist records a reviewed case's outcome (with and without JavaScript), and the
registry page passes axe-core in both themes and reads on a 390 px phone without sideways scrolling."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from tests.registry.conftest import DONE_NEOPLASM, DONE_NORMAL, make_entries
from tests.saved.conftest import golden_inputs
from workup.registry.models import RegistryEntry
from workup.saved import services as saved

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(live_server, settings):
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_SECURE = False
    return live_server.url


@pytest.fixture
def hematologist_session(transactional_db, django_user_model):
    """A reviewed case and a signed-in hematologist's session cookie."""
    call_command("setup_roles", verbosity=0)
    from django.contrib.auth.models import Group

    radiologist = django_user_model.objects.create_user(username="rad-ana", password="pw-rad-ana-long")
    radiologist.groups.add(Group.objects.get(name="radiologist"))
    hematologist = django_user_model.objects.create_user(username="hem-dora", password="pw-hem-dora-long")
    hematologist.groups.add(Group.objects.get(name="hematologist"))
    hematologist = django_user_model.objects.get(pk=hematologist.pk)
    case = saved.workup_save(author=radiologist, inputs_json=golden_inputs("PROCEED_TO_BIOPSY"), label="room 4")
    saved.workup_refer(workup=case, actor=radiologist, version=case.version)
    saved.workup_start_review(workup=case, actor=hematologist, version=case.version)
    saved.workup_complete_review(workup=case, actor=hematologist, version=case.version, decision="agree_biopsy", note="")
    client = Client()
    client.force_login(hematologist)
    return client.cookies["sessionid"].value, case


def _page(browser, site, session, *, theme="dark", javascript=True, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript,
                                  reduced_motion="reduce")  # fmt: skip
    context.add_cookies([{"name": "sessionid", "value": session, "url": site},
                         {"name": "theme", "value": theme, "url": site}])  # fmt: skip
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    return context, page


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_record_outcome_from_the_case_page(browser, site, hematologist_session, javascript):
    session, case = hematologist_session
    context, page = _page(browser, site, session, javascript=javascript)
    page.goto(f"{site}/cases/{case.reference}")
    page.get_by_role("link", name="Record or correct the outcome").click()
    expect(page.get_by_role("heading", name="Record the outcome")).to_be_visible()
    page.get_by_label("Biopsy done").check()
    page.get_by_label("Month of the biopsy").fill("2026-10")
    page.get_by_label("What the biopsy showed").select_option(label="Plasma-cell neoplasm: myeloma")
    with page.expect_response(lambda r: "/registry/entries/" in r.url and r.request.method == "POST") as posted:
        page.get_by_role("button", name="Record outcome").click()
    assert (posted.value.request.headers.get("hx-request") == "true") is javascript
    expect(page.locator(".outcome-result")).to_have_text("Plasma-cell neoplasm: myeloma")
    expect(page.locator(".outcome-biopsy")).to_contain_text("October 2026")
    expect(page.locator("#outcome-history")).to_contain_text("revision 1")
    # A correction, in the same step: the earlier revision stays in the history.
    page.get_by_label("What the biopsy showed").select_option(label="Plasma-cell neoplasm: MGUS")
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator(".outcome-result")).to_have_text("Plasma-cell neoplasm: MGUS")
    expect(page.locator("#outcome-history li")).to_have_count(2)
    assert RegistryEntry.objects.get(workup=case).result == "pcn_mgus"
    if javascript:  # axe needs JavaScript: the outcome page with its history
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    assert page.csp_errors == []
    context.close()


def _filled_registry():
    make_entries(12, outcome=DONE_NEOPLASM, triggers=("BX-MPROTEIN", "BX-FLC"))
    make_entries(30, outcome=DONE_NORMAL, triggers=("BX-MPROTEIN",))
    make_entries(25, outcome=DONE_NORMAL, triggers=("BX-ANEMIA",))
    make_entries(8, outcome=None, triggers=("BX-ANEMIA",))


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_registry_page_passes_axe_in_both_themes(browser, site, hematologist_session, theme):
    session, _ = hematologist_session
    _filled_registry()
    context, page = _page(browser, site, session, theme=theme)
    page.goto(f"{site}/registry/?version=1.2")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    expect(page.locator(".registry-chart .interval")).to_have_count(1)  # BX-MPROTEIN: 12/42
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.goto(f"{site}/registry/follow-up")
    assert Axe().run(page).violations_count == 0
    assert page.csp_errors == []
    context.close()


def test_registry_chart_colours_follow_the_theme(browser, site, hematologist_session):
    session, _ = hematologist_session
    _filled_registry()
    colours = {}
    for theme in ("dark", "light"):
        context, page = _page(browser, site, session, theme=theme)
        page.goto(f"{site}/registry/?version=1.2")
        colours[theme] = page.locator(".registry-chart text").first.evaluate("e => getComputedStyle(e).fill")
        context.close()
    assert colours["dark"] != colours["light"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_registry_page_at_390_px_has_no_sideways_scroll(browser, site, hematologist_session, javascript):
    session, _ = hematologist_session
    _filled_registry()
    context, page = _page(browser, site, session, width=390, javascript=javascript)
    page.goto(f"{site}/registry/?version=1.2")
    expect(page.get_by_role("heading", name="Yield per biopsy trigger")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator(".chart-scroll").bounding_box()
    chart = page.locator(".registry-chart").bounding_box()
    assert box["width"] <= 390 and chart["width"] >= 640  # legible, scrolled inside its own box
    page.get_by_label("Period").fill("2026")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#registry-scope")).to_contain_text("Pathway version 1.2.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
