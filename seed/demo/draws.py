"""Small helpers shared by the demo's modules: weighted and bounded random draws on the seeded
generator, office-hour timestamps, and the months the simulation steps through.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

DAY = timedelta(days=1)


def calendar_months(start: date, end: date) -> list[tuple[int, int]]:
    """Every (year, month) from ``start``'s month to ``end``'s, both included."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def days_in_month(y: int, m: int) -> int:
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return (nxt - date(y, m, 1)).days


def pick(rng: random.Random, weights: Sequence[float]) -> int:
    """An index drawn with the given relative weights."""
    r = rng.random() * sum(weights)
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if r < acc:
            return i
    return len(weights) - 1


def draw_int(rng: random.Random, lo: int, hi: int) -> int:
    """Like ``rng.randint`` (both ends included), without its overhead."""
    return lo + int(rng.random() * (hi - lo + 1))


def day_between(rng: random.Random, lo: date, hi: date) -> date:
    """A day in [lo, hi] (lo when the range is empty)."""
    span = (hi - lo).days
    return lo if span <= 0 else lo + timedelta(days=draw_int(rng, 0, span))


def age_years(rng: random.Random, ages: tuple[tuple[float, float, float, float], ...]) -> float:
    share, lo, hi, mode = ages[pick(rng, [a[0] for a in ages])] if len(ages) > 1 else ages[0]
    return rng.triangular(lo, hi, mode)


def birth_for(age: float, on: date, rng: random.Random) -> date:
    return on - timedelta(days=int(age * 365.25) + draw_int(rng, 0, 30))


def stamp(rng: random.Random, day: date, after: datetime | None) -> datetime:
    """A moment during office hours on ``day`` (UTC), later than ``after``."""
    at = datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC) + timedelta(
        minutes=int(rng.random() * 540)
    )
    if after is not None and at <= after:
        at = after + timedelta(minutes=draw_int(rng, 2, 40))
    return at
