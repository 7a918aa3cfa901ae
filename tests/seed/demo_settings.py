"""The small demo municipality the seed tests build: its day, scale and password."""

from __future__ import annotations

from datetime import date

TODAY = date(2026, 11, 22)
SCALE = 0.03
PASSWORD = "demo-wachtwoord-test"
