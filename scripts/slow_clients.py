"""Slow clients against the production stack (`make slow-clients`): a measurement, not a test.

Opens N connections that send a request line and then one header line every half second, never
finishing, and meanwhile times `GET /healthz`: first straight to gunicorn, then through nginx with
deploy/nginx.conf. gunicorn's sync workers each wait on one slow client, so two such clients stop
a 2-worker server; nginx waits for whole requests itself. tests/deploy/test_nginx_proxy.py holds the
nginx half to ≤ 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import socket
import ssl
import tempfile
import threading
import time
from pathlib import Path

from scripts import serving

TRICKLE_INTERVAL = 0.5


class SlowClients:
    """`count` connections trickling headers to 127.0.0.1:port until closed (or `limit` seconds)."""

    def __init__(self, port: int, *, count: int, tls: ssl.SSLContext | None = None, limit: float = 30.0):
        self.port, self.count, self.tls, self.limit = port, count, tls, limit
        self.sockets: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> SlowClients:
        for _ in range(self.count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_hostname="127.0.0.1")
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self.thread.start()
        return self

    def _trickle(self) -> None:
        deadline = time.monotonic() + self.limit
        line = 0
        while not self.stopped.wait(TRICKLE_INTERVAL) and time.monotonic() < deadline:
            line += 1
            for sock in self.sockets:
                # A server that gives up on a slow client closes it, which is what a server should do.
                with contextlib.suppress(OSError):
                    sock.sendall(f"X-Slow-{line}: 1\r\n".encode())

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def healthz_seconds(port: int, *, tls: ssl.SSLContext | None = None, timeout: float = 5.0) -> float | None:
    """Time for one GET /healthz answered `ok`, or None when it does not come within `timeout`."""
    start = time.monotonic()
    if tls is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        ok = response.status == 200 and response.read() == b"ok"
    except OSError:
        return None
    finally:
        conn.close()
    return time.monotonic() - start if ok else None


def client_tls(cert: Path) -> ssl.SSLContext:
    """Trusts exactly the throwaway certificate nginx was given."""
    return ssl.create_default_context(cafile=str(cert))


def probes(port: int, *, tls: ssl.SSLContext | None, count: int, timeout: float) -> list[float | None]:
    results = []
    for _ in range(count):
        results.append(healthz_seconds(port, tls=tls, timeout=timeout))
        time.sleep(0.1)
    return results


def describe(results: list[float | None], timeout: float) -> str:
    answered = [r for r in results if r is not None]
    worst = f"slowest {max(answered) * 1000:.0f} ms" if answered else "none answered"
    return f"{len(answered)}/{len(results)} answered within {timeout:.0f} s, {worst}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--probes", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds a /healthz probe may take")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="marrow-slow-") as tmp:
        workdir = Path(tmp)
        env = serving.production_env(workdir=workdir)
        serving.prepare(env)
        app_port = serving.free_port()
        gunicorn = serving.start_gunicorn(env, port=app_port, workers=2, log=workdir / "gunicorn.log")
        try:
            nginx, _, https_port = serving.start_nginx(workdir, app_port=app_port)
            try:
                tls = client_tls(workdir / "tls.crt")
                with SlowClients(app_port, count=args.clients):
                    direct = probes(app_port, tls=None, count=args.probes, timeout=args.timeout)
                # gunicorn's workers may still be busy with the closed slow clients: let it recover first.
                for _ in range(10):
                    if healthz_seconds(app_port, timeout=args.timeout) is not None:
                        break
                with SlowClients(https_port, count=args.clients, tls=tls):
                    proxied = probes(https_port, tls=tls, count=args.probes, timeout=args.timeout)
            finally:
                serving.stop(nginx)
        finally:
            serving.stop(gunicorn)
    print(f"{args.clients} slow clients trickling headers; /healthz probes:")
    print(f"  straight to gunicorn (2 sync workers): {describe(direct, args.timeout)}")
    print(f"  through nginx (deploy/nginx.conf):     {describe(proxied, args.timeout)}")


if __name__ == "__main__":
    main()
