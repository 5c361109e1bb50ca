"""One assertion for the security headers every response must carry: screen, fragment, API, probes.

Add a page to the header tests with one line: `assert_security_headers(client.get(url))`.
"""

from __future__ import annotations

from collections.abc import Mapping


def csp_directives(policy: str) -> dict[str, list[str]]:
    """Parse a Content-Security-Policy header into {directive: [sources]}."""
    directives = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_security_headers(response, *, https: bool = False) -> None:
    """Strict CSP (nonce-able scripts, no unsafe-*), no framing, nosniff, referrer and opener policy."""
    headers: Mapping[str, str] = getattr(response, "headers", response)
    policy = headers["Content-Security-Policy"]
    directives = csp_directives(policy)
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["script-src"][0] == "'self'"
    assert all(s == "'self'" or s.startswith("'nonce-") for s in directives["script-src"])
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    if https:
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
