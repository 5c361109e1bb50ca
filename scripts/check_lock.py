"""Each lock holds every pin of its requirements file, at the same version and with hashes.

    python -m scripts.check_lock

requirements.txt and requirements-test.txt say what we depend on; requirements.lock and
requirements-test.lock (from `make lock`) are what gets installed. A pin added to a requirements
file without `make lock` would not be installed at all, so `make test` runs this first.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PAIRS = {"requirements.txt": "requirements.lock", "requirements-test.txt": "requirements-test.lock"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    """name -> version for every `name==version` line (extras and comments ignored)."""
    found = {}
    for line in text.splitlines():
        match = PIN.match(line.strip())
        if match:
            found[canonical(match.group(1))] = match.group(2)
    return found


def unhashed(lock_text: str) -> list[str]:
    """Pinned entries of a pip-compile lock that carry no --hash."""
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock_text)
    return [entry.split("==")[0] for entry in entries if PIN.match(entry) and "--hash=sha256:" not in entry]


def problems(requirements: str, lock: str, lock_name: str) -> list[str]:
    locked = pins(lock)
    found = [f"{name}=={version} is not in {lock_name} (locked: {locked.get(name, 'absent')})"
             for name, version in pins(requirements).items() if locked.get(name) != version]
    return found + [f"{name} has no hash in {lock_name}" for name in unhashed(lock)]


def main() -> int:
    found = []
    for requirements, lock in PAIRS.items():
        found += problems((BASE_DIR / requirements).read_text(), (BASE_DIR / lock).read_text(), lock)
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print("The locks are out of date: run `make lock` and commit the .lock files.", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
