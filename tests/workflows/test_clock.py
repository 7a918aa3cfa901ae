"""One clock (workflows/clock.py): today is the municipality's calendar day, whatever zone the
server's clock runs in, and no module asks the server for its own idea of today."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from freezegun import freeze_time

from workflows import clock

ROOT = Path(__file__).resolve().parents[2]


def test_just_after_midnight_in_amsterdam_it_is_already_the_next_day() -> None:
    with freeze_time("2026-11-23T23:30:00Z"):  # 00:30 on the 24th in Amsterdam (CET)
        assert clock.today() == date(2026, 11, 24)
        assert clock.today("UTC") == date(2026, 11, 23)


def test_in_summer_time_the_day_changes_two_hours_before_utc_midnight() -> None:
    with freeze_time("2026-06-30T22:15:00Z"):  # 00:15 on 1 July (CEST)
        assert clock.today() == date(2026, 7, 1)


def test_an_instant_is_dated_on_the_municipality_s_calendar() -> None:
    assert clock.local_date(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 29)
    # naive values (SQLite) are UTC
    assert clock.local_date(datetime(2026, 3, 28, 22, 30)) == date(2026, 3, 28)


def test_an_unknown_zone_is_refused_clearly() -> None:
    with pytest.raises(clock.UnknownTimeZone):
        clock.zone("Europe/Dronten")


def _calls_to_a_server_clock(path: Path) -> list[str]:
    """``date.today()``, ``datetime.today()``/``now()`` without a zone, ``time.localtime``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        method = node.func.attr
        if (
            (name == "date" and method == "today")
            or (name == "datetime" and method == "today")
            or (name == "datetime" and method == "now" and not node.args and not node.keywords)
            or (name == "time" and method == "localtime")
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}.{method}()")
    return found


def test_no_module_reads_the_server_s_own_calendar() -> None:
    offenders = [
        hit
        for folder in ("app", "workflows", "models", "seed", "bench", "tests")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for hit in _calls_to_a_server_clock(path)
    ]
    assert offenders == []
