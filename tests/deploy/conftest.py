"""Production-mode fixtures: collected static files, and gunicorn servers sharing one SQLite file."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import pytest

from scripts import serving
from tests.deploy.support_admin import STAFF_USER

DEPLOY_TESTS = Path(__file__).parent


@pytest.fixture(scope="session")
def production_dir(tmp_path_factory):
    """A migrated SQLite DB, collected static files and one staff user, as `make serve` leaves them."""
    workdir = tmp_path_factory.mktemp("production")
    env = serving.production_env(workdir=workdir)
    serving.prepare(env)
    username, password = STAFF_USER
    serving.manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": password},
        "createsuperuser", "--noinput", "--username", username, "--email", "staff@example.org",
    )
    return workdir


@pytest.fixture
def collected_static(production_dir, settings):
    """In-process tests render with the compressed manifest storage, as in production."""
    settings.STATIC_ROOT = production_dir / "static"
    return settings.STATIC_ROOT


@pytest.fixture(scope="session")
def server_pair(production_dir):
    """Two gunicorn servers (one worker each) on two loopback ports sharing one DB and secret key."""
    env = serving.production_env(workdir=production_dir)
    log = production_dir / "gunicorn.log"
    ports = [serving.free_port(), serving.free_port()]
    procs = [serving.start_gunicorn(env, port=port, workers=1, log=log) for port in ports]
    yield ports, log
    for proc in procs:
        serving.stop(proc)


# The attack tests are the review's, scaled down: 2,036 connections against 1,024 worker connections
# there, 300 against this many here.
TEST_WORKER_CONNECTIONS = 256


@pytest.fixture(scope="session")
def nginx_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("nginx")


@pytest.fixture(scope="session")
def nginx_stack(production_dir, nginx_workdir):
    """gunicorn (2 workers, as `make serve`) behind nginx with deploy/nginx.conf, all on loopback.

    Yields the plain-HTTP port, the HTTPS port and an SSL context that trusts nginx's throwaway
    certificate; nginx writes its logs to `nginx_workdir`. nginx is a system package: .ci/run
    installs it.
    """
    if serving.nginx_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: .ci/run should have installed it")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    workdir = nginx_workdir
    env = serving.production_env(workdir=production_dir)
    app_port = serving.free_port()
    gunicorn = serving.start_gunicorn(env, port=app_port, workers=2, log=workdir / "gunicorn.log")
    try:
        nginx, http_port, https_port = serving.start_nginx(workdir, app_port=app_port,
                                                           worker_connections=TEST_WORKER_CONNECTIONS)
    except BaseException:
        serving.stop(gunicorn)
        raise
    yield http_port, https_port, ssl.create_default_context(cafile=str(workdir / "tls.crt"))
    serving.stop(nginx)
    serving.stop(gunicorn)


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`--dist loadgroup`) the production-mode tests share one worker, so the
    static files are collected and the servers started once, not once per worker."""
    for item in items:
        if item.path.is_relative_to(DEPLOY_TESTS):
            item.add_marker(pytest.mark.xdist_group("deploy"))
