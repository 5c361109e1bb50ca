"""Start the production server (gunicorn + whitenoise) on loopback: shared by the benchmark and tests.

Everything is configured through the environment exactly as in production; only the database and
the static root point at throwaway paths.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def production_env(*, workdir: Path, **overrides: str) -> dict[str, str]:
    """Production settings (DEBUG off, HTTPS behind a proxy) with a SQLite DB and static root in workdir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_HTTPS="1",
        DJANGO_SSL_REDIRECT="1",
        DJANGO_PROXY_COUNT="1",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], env=env, cwd=BASE_DIR, check=True)  # noqa: S603 - our own argv


def prepare(env: dict[str, str]) -> None:
    """What `make serve` does before serving: collect (compress, hash) static files, migrate, cache table."""
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], *, port: int, workers: int = 2, log: Path | None = None):
    """Start gunicorn with the project's gunicorn.conf.py and wait until /healthz answers."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps its own copy
    proc = subprocess.Popen(  # noqa: S603 - our own argv
        [GUNICORN, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env, cwd=BASE_DIR, stdout=out, stderr=subprocess.STDOUT,
    )
    if log:
        out.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise RuntimeError("gunicorn did not answer /healthz within 20 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: children of the master process."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fetch(port: int, method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None,
          https: bool = True) -> tuple[http.client.HTTPResponse, bytes]:
    """One request to 127.0.0.1:port; https=True sends X-Forwarded-Proto as the TLS proxy would."""
    sent = {"Host": f"127.0.0.1:{port}", **({"X-Forwarded-Proto": "https"} if https else {}), **(headers or {})}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    """name -> the whole Set-Cookie line, for every cookie the response sets."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_all("Set-Cookie") or []}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


NGINX_SITE = BASE_DIR / "deploy" / "nginx.conf"


def nginx_binary() -> str | None:
    """Debian installs nginx in /usr/sbin, which is not on every user's PATH."""
    return shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def self_signed_certificate(workdir: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1, so nginx can terminate TLS on loopback."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = workdir / "tls.crt", workdir / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def render_nginx_site(*, app_port: int | list[int], http_port: int, https_port: int, cert: Path, key: Path,
                      access_log: Path) -> str:
    """deploy/nginx.conf with its placeholders filled in for loopback (one upstream server per app port)."""
    text = NGINX_SITE.read_text()
    ports = app_port if isinstance(app_port, list) else [app_port]
    text = text.replace("    server @APP@;\n", "".join(f"    server 127.0.0.1:{port};\n" for port in ports))
    for placeholder, value in {"@HTTP_LISTEN@": f"127.0.0.1:{http_port}",
                               "@HTTPS_LISTEN@": f"127.0.0.1:{https_port}", "@SERVER_NAME@": "127.0.0.1",
                               "@CERT@": str(cert), "@KEY@": str(key), "@ACCESS_LOG@": str(access_log)}.items():
        text = text.replace(placeholder, value)
    return text


def start_nginx(workdir: Path, *, app_port: int | list[int], worker_connections: int = 1024,
                ) -> tuple[subprocess.Popen, int, int]:
    """nginx in the foreground with deploy/nginx.conf in front of gunicorn on app_port (or ports).

    Returns the process and the plain-HTTP and HTTPS ports; everything nginx writes stays in workdir,
    the access log (in the site's own masked format) in nginx-access.log.
    """
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    cert, key = self_signed_certificate(workdir)
    http_port, https_port = free_port(), free_port()
    site = workdir / "marrow-workup.conf"
    site.write_text(render_nginx_site(app_port=app_port, http_port=http_port, https_port=https_port,
                                      cert=cert, key=key, access_log=workdir / "nginx-access.log"))
    temp = workdir / "nginx-temp"
    temp.mkdir(exist_ok=True)
    # The main context Debian's /etc/nginx/nginx.conf would provide, reduced to what a test needs.
    main = workdir / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\nerror_log {workdir / 'nginx-error.log'};\n"
        f"events {{ worker_connections {worker_connections}; }}\n"
        "http {\n"
        + "".join(f"  {kind}_temp_path {temp / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {site};\n}}\n"
    )
    proc = subprocess.Popen(  # noqa: S603 - our own argv
        [binary, "-p", str(workdir), "-c", str(main), "-e", str(workdir / "nginx-error.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with {proc.returncode}: {(workdir / 'nginx-error.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", https_port), timeout=1):
                return proc, http_port, https_port
        except OSError:
            time.sleep(0.05)
    stop(proc)
    raise RuntimeError("nginx did not listen within 10 s")
