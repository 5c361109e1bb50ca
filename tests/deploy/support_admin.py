"""Signing in to the admin over HTTP, as a browser would, against a running server."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from scripts.serving import cookies, fetch

STAFF_USER = ("staff", "a-long-test-password-9f3k")


def cookie_pair(set_cookie_line: str) -> str:
    """'name=value' from a Set-Cookie line, ready for a Cookie header."""
    return set_cookie_line.split(";", 1)[0]


def log_in(port: int) -> str:
    """Sign in through /admin/login/ and return the session's whole Set-Cookie line."""
    response, page = fetch(port, "GET", "/admin/login/")
    csrf_cookie = cookie_pair(cookies(response)["csrftoken"])
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    username, password = STAFF_USER
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"})
    response, _ = fetch(port, "POST", "/admin/login/?next=/admin/", body=form.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": csrf_cookie,
        "Origin": f"https://127.0.0.1:{port}",
    })
    assert response.status == 302, f"login failed with {response.status}"
    return cookies(response)["sessionid"]
