"""With production environment settings, Django's deployment checklist has nothing to say."""

from __future__ import annotations

import subprocess

import pytest

from scripts.serving import BASE_DIR, PYTHON, production_env

pytestmark = pytest.mark.slow


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=BASE_DIR, capture_output=True, text=True,
    )


def test_check_deploy_production_env_reports_nothing(tmp_path):
    result = _check_deploy(production_env(workdir=tmp_path, DJANGO_ALLOWED_HOSTS="workup.example.org"))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_notices_debug_on(tmp_path):
    result = _check_deploy(production_env(workdir=tmp_path, DJANGO_DEBUG="1"))
    assert result.returncode != 0
    assert "security.W018" in result.stderr
