"""Branded 404 and 500 pages, rendered with the production static storage, never a traceback."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client
from django.urls import path

from marrowapp.urls import urlpatterns as app_urlpatterns
from tests.support_headers import assert_security_headers


class Boom(Exception):
    pass


def _boom(request):
    raise Boom("secret-internal-detail hemoglobin=11.37")


urlpatterns = [*app_urlpatterns, path("boom", _boom)]


def test_error_pages_404_is_branded(client, collected_static):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Marrow Workup" in page
    assert "Page not found" in page
    assert "Traceback" not in page
    assert "/static/css/error-pages." in page  # hashed name from the manifest
    assert "<style" not in page
    assert "<script" not in page
    assert_security_headers(response)


def test_error_pages_html_is_gzipped(client, collected_static):
    response = client.get("/no-such-page", HTTP_ACCEPT_ENCODING="gzip")
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"Page not found" in gzip.decompress(response.content)


@pytest.mark.urls("tests.deploy.test_error_pages")
def test_error_pages_500_is_branded_without_traceback(collected_static):
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "Traceback" not in page
    assert "secret-internal-detail" not in page
    assert "11.37" not in page
    assert "<style" not in page
    assert_security_headers(response)
