"""Issue 12: key rotation through an allow-listed `jku`, against a JWK Set server started by the test."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.cache import cache

from tests.ehr.test_cds_auth import EHR_KEY, ISSUER, _jwk, call, refused, token
from workup.ehr import cds_auth
from workup.ehr.cds_auth import trusted_clients

pytestmark = pytest.mark.django_db

ROTATED_KEY = ec.generate_private_key(ec.SECP384R1())


class JwksServer:
    """A local HTTP server: /jwks serves the rotated key, /big a too-large body, /slow sleeps, /moved redirects."""

    def __init__(self):
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits += 1
                if self.path == "/slow":
                    time.sleep(1.5)
                if self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/jwks")
                    self.end_headers()
                    return
                body = (b" " * (cds_auth.JKU_MAX_BYTES + 10) if self.path == "/big"
                        else json.dumps({"keys": [_jwk(ROTATED_KEY, "ec-2", "ES384")]}).encode())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def jwks_server(tmp_path, settings, monkeypatch):
    server = JwksServer()
    paths = ["/jwks", "/big", "/slow", "/moved"]
    clients = [{"iss": ISSUER, "jwks": {"keys": [_jwk(EHR_KEY, "ec-1", "ES384")]},
                "jku": [server.base + path for path in paths]}]
    path = tmp_path / "clients.json"
    path.write_text(json.dumps(clients))
    settings.CDS_TRUSTED_CLIENTS_FILE = str(path)
    monkeypatch.setattr(cds_auth, "JKU_TIMEOUT_SECONDS", 0.5)
    trusted_clients.cache_clear()
    cache.clear()
    yield server
    trusted_clients.cache_clear()
    server.close()


def rotated(server, path="/jwks", kid="ec-2"):
    return token(key=ROTATED_KEY, kid=kid, headers={"jku": server.base + path})


def test_rotated_key_is_fetched_from_the_allow_listed_jku_and_cached(client, jwks_server):
    assert call(client, rotated(jwks_server)).status_code == 200
    assert call(client, rotated(jwks_server)).status_code == 200
    assert jwks_server.hits == 1


def test_configured_key_needs_no_fetch(client, jwks_server):
    assert call(client, token(headers={"jku": jwks_server.base + "/jwks"})).status_code == 200
    assert jwks_server.hits == 0


def test_jku_outside_the_allow_list_is_never_fetched(client, jwks_server):
    assert refused(call(client, rotated(jwks_server, "/elsewhere")), "jku is not one this service trusts")
    assert jwks_server.hits == 0


def test_oversized_key_set_is_refused(client, jwks_server):
    assert refused(call(client, rotated(jwks_server, "/big")), "could not be read")


def test_slow_key_server_is_cut_off_by_the_timeout(client, jwks_server):
    started = time.perf_counter()
    assert refused(call(client, rotated(jwks_server, "/slow")), "could not be read")
    assert time.perf_counter() - started < 1.4


def test_redirect_is_not_followed(client, jwks_server):
    assert refused(call(client, rotated(jwks_server, "/moved")), "could not be read")
    assert jwks_server.hits == 1


def test_kid_missing_from_the_fetched_set_is_refused(client, jwks_server):
    assert refused(call(client, rotated(jwks_server, kid="ec-9")), "no key in its jku key set")


def test_a_failed_fetch_is_not_retried_on_every_call(client, jwks_server):
    for _ in range(3):
        assert call(client, rotated(jwks_server, "/big")).status_code == 401
    assert jwks_server.hits == 1
