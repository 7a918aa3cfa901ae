"""The flow identity of docs/statistics.md, counted straight from the definitions:

    beginstand(M) + instroom(M) − uitstroom(M) = eindstand(M)

with ``instroom`` = starts in M, ``uitstroom`` = ends in M, ``eindstand`` = started on or before
the last day of M and not ended by then, ``beginstand(M)`` = ``eindstand(M − 1)``. Each figure is
counted on its own, so the identity holds only when the data is consistent (no end before a
start, no end without a start).

Counted from the trajectories' own care dates (unit *traject*), independently of the statistics
code: the fuzz test in tests/workflows/test_workflow_fuzz.py compares it month by month with the
flows the statistics read from the pseudonymised feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class MonthFlow:
    month: date  # first day
    beginstand: int
    instroom: int
    uitstroom: int
    eindstand: int


def _last_day(first: date) -> date:
    last: date = first + relativedelta(months=1, days=-1)
    return last


def _stock(spells: list[tuple[date, date | None]], day: date) -> int:
    return sum(1 for start, end in spells if start <= day and (end is None or end > day))


def monthly_flows(
    spells: Iterable[tuple[date | None, date | None]], first: date, last: date
) -> list[MonthFlow]:
    """Flows per month from ``first``'s month to ``last``'s month; a spell without a start has
    not started and counts nowhere."""
    started = [(start, end) for start, end in spells if start is not None]
    month = first.replace(day=1)
    flows = []
    while month <= last:
        end_of_month = _last_day(month)
        flows.append(
            MonthFlow(
                month=month,
                beginstand=_stock(started, month - relativedelta(days=1)),
                instroom=sum(1 for s, _ in started if month <= s <= end_of_month),
                uitstroom=sum(
                    1 for _, e in started if e is not None and month <= e <= end_of_month
                ),
                eindstand=_stock(started, end_of_month),
            )
        )
        month = month + relativedelta(months=1)
    return flows
