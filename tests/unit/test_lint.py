"""``ruff check`` is part of the test suite: the code, the tests and the benchmarks are clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_TIMEOUT_S = 120.0


def test_ruff_check_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "workstation", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=LINT_TIMEOUT_S,
    )
    assert result.returncode == 0, f"ruff check failed:\n{result.stdout}{result.stderr}"
