"""Production installs the runtime lock only; each lock holds every pin of its requirements file."""

from __future__ import annotations

from scripts.check_lock import BASE_DIR, main, pins, problems

LOCK = """django==6.1.3 \\
    --hash=sha256:aaaa
    # via -r requirements.txt
sqlparse==0.5.3
    # via django
"""


def test_requirements_runtime_lock_has_no_test_tools():
    locked = pins((BASE_DIR / "requirements.lock").read_text())
    assert "django" in locked
    assert not {"playwright", "pytest", "hypothesis", "ruff", "schemathesis"} & set(locked)


def test_requirements_test_lock_keeps_every_runtime_version():
    runtime = pins((BASE_DIR / "requirements.lock").read_text())
    test = pins((BASE_DIR / "requirements-test.lock").read_text())
    assert {name: test.get(name) for name in runtime} == runtime


def test_requirements_locks_are_current():
    assert main() == 0


def test_requirements_check_lock_reports_a_pin_missing_from_the_lock_and_an_unhashed_entry():
    found = problems("Django==6.1.3\norjson==3.13.0  # encoder\n", LOCK, "requirements.lock")
    assert found == ["orjson==3.13.0 is not in requirements.lock (locked: absent)",
                     "sqlparse has no hash in requirements.lock"]
