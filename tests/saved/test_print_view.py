"""The print view names its own icon, so a browser asks for no /favicon.ico, which is a 404 here
(issue 22, item 12). Headless Chromium never asks for a favicon, so this is read from the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support import parse

pytestmark = pytest.mark.django_db


def test_print_view_names_an_icon_so_no_favicon_is_fetched(client, radiologist, saved_case):
    client.force_login(radiologist)
    page = parse(client.get(reverse("cases:print", kwargs={"reference": saved_case.reference})).content)
    icons = [e.attrs["href"] for e in page.elements if e.tag == "link" and e.attrs.get("rel") == "icon"]
    assert icons == ["data:,"]
