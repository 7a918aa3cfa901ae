"""``--durations`` stays true for a test that freezes the clock in a fixture: freezegun leaves
pytest's own timer alone (configured in tests/conftest.py). Run in a child pytest, loading that
conftest as a plugin, on a probe test that freezes time the way the view tests do."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a child pytest that loads the app

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import time

import pytest
from freezegun import freeze_time


@pytest.fixture(autouse=True)
def frozen():
    with freeze_time("2026-11-16 09:00"):
        yield


def test_frozen():
    time.sleep(0.01)
"""
DURATION = re.compile(r"^(-?[\d.]+)s (setup|call|teardown) ", re.M)


def test_a_frozen_test_reports_its_real_durations(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(PROBE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(tmp_path / "pytest.ini"),
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            "--durations=0",
            "--durations-min=0",
            str(tmp_path / "test_probe.py"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    phases = {phase: float(seconds) for seconds, phase in DURATION.findall(run.stdout)}
    assert set(phases) == {"setup", "call", "teardown"}, run.stdout
    assert all(0 <= seconds < 60 for seconds in phases.values()), phases
    assert phases["call"] >= 0.01, phases  # the real sleep, not the frozen clock
