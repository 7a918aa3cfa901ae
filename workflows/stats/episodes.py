"""Client episodes (docs/statistics.md, unit client) and month arithmetic, shared by the feed's
materialised episodes and the filtered figures, so both follow one definition."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)

Interval = tuple[date, date | None]  # (start, end); end None = open


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Merge one client's trajectories in one domain into episodes.

    Sorted by start, a trajectory joins the current episode when it starts on or before the
    episode's end + 1 day (overlapping or adjoining: no day without care); an open trajectory
    makes the episode open, and an open episode takes every later start."""
    episodes: list[Interval] = []
    current_start: date | None = None
    current_end: date | None = None
    for start, end in sorted(intervals, key=lambda i: (i[0], i[1] or date.max)):
        if current_start is None:
            current_start, current_end = start, end
        elif current_end is None or start <= current_end + ONE_DAY:
            if current_end is not None:
                current_end = None if end is None else max(current_end, end)
        else:
            episodes.append((current_start, current_end))
            current_start, current_end = start, end
    if current_start is not None:
        episodes.append((current_start, current_end))
    return episodes


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def month_label(index: int) -> str:
    year, month = month_of_index(index)
    return f"{year:04d}-{month:02d}"


def first_day(index: int) -> date:
    year, month = month_of_index(index)
    return date(year, month, 1)


def last_day(index: int) -> date:
    year, month = month_of_index(index)
    return date(year, month, calendar.monthrange(year, month)[1])
