"""Where the Nu HTML checker is, and the mark for tests that need it.

`make test` installs it (npm package vnu-jar, pinned in package-lock.json) and sets VNU_JAR. A
developer's run without it skips those tests and says why; in CI (CI=true) a missing checker is an
error, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

VNU_JAR = Path(os.environ.get("VNU_JAR") or Path(__file__).resolve().parents[1] / "node_modules/vnu-jar/build/dist/vnu.jar").resolve()
AVAILABLE = VNU_JAR.is_file() and shutil.which("java") is not None

requires_vnu = pytest.mark.skipif(
    not AVAILABLE and os.environ.get("CI") != "true",
    reason="Nu HTML checker not installed: run `npm ci` (make test does) or set VNU_JAR",
)
