"""Issue 11 item 9: case pages, the queue and exports carry clinical values and are never stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CASE_URLS = ["cases:detail", "cases:print", "cases:export-json", "cases:export-pdf", "cases:reevaluate"]


@pytest.mark.parametrize("name", CASE_URLS)
def test_case_pages_and_exports_are_never_stored(client, hematologist, saved_case, name):
    client.force_login(hematologist)
    response = client.get(reverse(name, kwargs={"reference": saved_case.reference}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/cases/queue", "/cases/", "/"])
def test_queue_list_and_screen_are_never_stored(client, hematologist, url):
    client.force_login(hematologist)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
