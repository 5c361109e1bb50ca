"""Nothing but the database holds state: a session made on one server works on another."""

from __future__ import annotations

import subprocess

import pytest

from scripts import serving
from scripts.serving import fetch
from tests.deploy.support_admin import cookie_pair, log_in

pytestmark = pytest.mark.slow


def test_scale_out_session_from_server_a_works_on_server_b(server_pair):
    (port_a, port_b), _ = server_pair
    session = cookie_pair(log_in(port_a))
    response, page = fetch(port_b, "GET", "/admin/", headers={"Cookie": session})
    assert response.status == 200
    assert b"Site administration" in page


def test_scale_out_server_b_without_session_asks_to_log_in(server_pair):
    (_, port_b), _ = server_pair
    response, _ = fetch(port_b, "GET", "/admin/")
    assert response.status == 302
    assert response.headers["Location"].startswith("/admin/login/")


def test_scale_out_cache_is_shared_through_the_database(production_dir):
    """A value cached by one process is read by another: the cache lives in the database."""
    env = serving.production_env(workdir=production_dir)
    serving.manage(env, "shell", "-c", "from django.core.cache import cache; cache.set('probe', 'from-a', 60)")
    result = subprocess.run(
        [serving.PYTHON, "manage.py", "shell", "--no-imports", "-c",
         "from django.core.cache import cache; print(cache.get('probe'))"],
        env=env, cwd=serving.BASE_DIR, capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip() == "from-a"
