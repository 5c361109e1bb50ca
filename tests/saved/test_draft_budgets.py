"""Issue 21 item 6: drafts kept by "Sign in to save" have a budget per signed-in user and per
signed-out browser, so one person cannot use up their network's budget of 100."""

from __future__ import annotations

import pytest

from tests.saved.test_screen_save import BIOPSY, _fill_drafts
from tests.support import form_data, parse
from workup.models import WorkupDraft
from workup.saved import drafts

pytestmark = pytest.mark.django_db


def _keep(client, **extra):
    return client.post("/sign-in-to-save", form_data(BIOPSY["input"]), **extra)


def test_draft_budget_signed_in_user_is_capped(client, radiologist):
    client.force_login(radiologist)
    statuses = [_keep(client).status_code for _ in range(drafts.SIGNED_IN_DRAFTS_PER_USER + 1)]
    assert statuses == [302] * drafts.SIGNED_IN_DRAFTS_PER_USER + [429]
    refused = _keep(client)
    (notice,) = parse(refused.content).with_attr("data-notice", "refused")
    assert f"you already have {drafts.SIGNED_IN_DRAFTS_PER_USER} workups" in notice.text
    assert WorkupDraft.objects.count() == drafts.SIGNED_IN_DRAFTS_PER_USER


def test_draft_budget_one_browser_cannot_use_up_the_address(client):
    statuses = [_keep(client).status_code for _ in range(drafts.SIGNED_OUT_DRAFTS_PER_BROWSER + 1)]
    assert statuses == [302] * drafts.SIGNED_OUT_DRAFTS_PER_BROWSER + [429]
    (notice,) = parse(_keep(client).content).with_attr("data-notice", "refused")
    assert "this browser already has" in notice.text
    # A colleague's browser on the same address still has room.
    client.cookies.clear()
    assert _keep(client).status_code == 302


def test_draft_budget_address_still_caps_many_browsers(client):
    _fill_drafts(address="127.0.0.1", count=drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS)
    client.cookies.clear()
    assert _keep(client).status_code == 429
