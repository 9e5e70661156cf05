"""Shared helpers: run the CLI in a subprocess exactly as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


class CLI:
    """``cli("derive", "x**2")`` → CompletedProcess; ``cli.json(...)`` → parsed stdout."""

    def __call__(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "symnum", *args], capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT)

    def json(self, *args: str) -> dict:
        proc = self(*args, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def cli() -> CLI:
    return CLI()
