"""One client address must not take nginx or the app for itself (issue 21, items 1, 2 and 5).

The attackers connect from other loopback addresses (127.0.0.2, 127.0.0.3: Linux routes all of
127/8 to the loopback interface), so nginx sees them as clients other than the one that probes.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.deploy.conftest import TEST_WORKER_CONNECTIONS

pytestmark = pytest.mark.slow

BODY_BYTES = 100_000


class SlowBodies:
    """`count` HTTPS connections from `source`, each POSTing a body one byte every `interval` seconds."""

    def __init__(self, port: int, tls: ssl.SSLContext, *, source: str, count: int, interval: float = 1.0):
        self.port, self.tls, self.source, self.count, self.interval = port, tls, source, count, interval
        self.sockets: list[ssl.SSLSocket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> SlowBodies:
        for _ in range(self.count):
            try:
                raw = socket.create_connection(("127.0.0.1", self.port), timeout=5, source_address=(self.source, 0))
                sock = self.tls.wrap_socket(raw, server_hostname="127.0.0.1")
                sock.sendall(b"POST /api/v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Content-Type: application/json\r\n"
                             + f"Content-Length: {BODY_BYTES}\r\n\r\n{{".encode())
            except OSError:  # a server out of connections refuses some: that is the attack working
                continue
            self.sockets.append(sock)
        self.thread.start()
        return self

    def _trickle(self) -> None:
        while not self.stopped.wait(self.interval):
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b" ")

    def refused(self) -> int:
        """How many connections nginx has answered 429 (and so let go of)."""
        count = 0
        for sock in self.sockets:
            sock.settimeout(0.05)
            with contextlib.suppress(OSError):
                if sock.recv(64).startswith(b"HTTP/1.1 429"):
                    count += 1
        return count

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def _request(port: int, tls: ssl.SSLContext, method: str, path: str, *, body: str = "",
             headers: dict[str, str] | None = None, source: str = "127.0.0.1",
             timeout: float = 5) -> int | None:
    """The status of one HTTPS request, or None when none came within `timeout`."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls,
                                       source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


def test_nginx_limits_slow_bodies_from_one_address_leave_others_answered(nginx_stack):
    """The review's attack, scaled down: more connections trickling POST bodies than nginx has."""
    _, https_port, tls = nginx_stack
    with SlowBodies(https_port, tls, source="127.0.0.2", count=TEST_WORKER_CONNECTIONS + 44) as attack:
        time.sleep(3)
        answered = [_request(https_port, tls, "GET", "/healthz"),
                    _request(https_port, tls, "POST", "/api/v1/evaluate", body="{}",
                             headers={"Content-Type": "application/json"}),
                    _request(https_port, tls, "GET", "/healthz")]
        refused = attack.refused()
    assert answered == [200, 200, 200]
    assert refused >= len(attack.sockets) - 20


def _panel(port: int, tls: ssl.SSLContext, *, source: str) -> int | None:
    return _request(port, tls, "POST", "/", body="age=61", source=source,
                    headers={"HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"})


def test_nginx_limits_panel_requests_beyond_typing_get_429(nginx_stack):
    """60 panel requests from one address, 10 at a time (under its 20 connections, within the general
    burst): the panel burst passes, the rest get 429 from nginx."""
    _, https_port, tls = nginx_stack
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _: _panel(https_port, tls, source="127.0.0.3"), range(60)))
    assert statuses.count(429) >= 15, statuses
    # The page itself is not a panel request and is still served to that address.
    assert _request(https_port, tls, "GET", "/", source="127.0.0.3") == 200


def test_nginx_limits_panel_at_typing_speed_is_never_refused(nginx_stack):
    """9 panel requests a second for 4 s (what a fast typist sends, docs/deploy.md): none refused."""
    _, https_port, tls = nginx_stack
    statuses = []
    for _ in range(36):
        started = time.monotonic()
        statuses.append(_panel(https_port, tls, source="127.0.0.4"))
        time.sleep(max(0.0, 1 / 9 - (time.monotonic() - started)))
    assert 429 not in statuses
    assert None not in statuses


def test_nginx_limits_access_log_keeps_no_token(nginx_stack, nginx_workdir):
    """Query strings and Referers never reach nginx's access log."""
    _, https_port, tls = nginx_stack
    secret = "Zq7secretTOKENvalue"
    _request(https_port, tls, "GET", f"/launch/callback?code={secret}&state={secret}")
    _request(https_port, tls, "GET", f"/?draft={secret}",
             headers={"Referer": f"https://127.0.0.1/?draft={secret}"})
    time.sleep(0.2)
    log = (nginx_workdir / "nginx-access.log").read_text()
    assert "/launch/callback" in log
    assert secret not in log
