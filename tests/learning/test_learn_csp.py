"""Every learning-mode page works under the strict CSP: no inline style or script."""

import re

import pytest

PAGES = [
    "/learn/", "/learn/map", "/learn/map?case=all-triggers-and-flags", "/learn/rules",
    "/learn/rules/BX-ANEMIA", "/learn/tests", "/learn/cases",
    "/learn/cases/clivus-on-brain-mri", "/about",
]  # fmt: skip


def _pages(client):
    for url in PAGES:
        yield url, client.get(url)
    yield "reveal", client.post("/learn/cases/clivus-on-brain-mri", {"disposition": "DEFERRAL_REASONABLE"})


@pytest.mark.parametrize("url", PAGES)
def test_learn_page_renders(client, url):
    assert client.get(url).status_code == 200


def test_learn_pages_have_no_style_attribute(client):
    for url, response in _pages(client):
        assert not re.search(r"\sstyle\s*=", response.content.decode()), url


def test_learn_pages_have_no_style_element(client):
    for url, response in _pages(client):
        assert "<style" not in response.content.decode(), url


def test_learn_pages_scripts_are_external_with_nonce(client):
    for url, response in _pages(client):
        for tag in re.findall(r"<script\b[^>]*>", response.content.decode()):
            assert "src=" in tag and "nonce=" in tag, (url, tag)


def test_learn_pages_have_no_inline_event_handlers(client):
    for url, response in _pages(client):
        assert not re.search(r"\son[a-z]+\s*=", response.content.decode()), url


def test_learn_pages_send_the_csp_header(client):
    for url, response in _pages(client):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy, url
