"""Kept aggregates for the durations and results figures, beside the feed.

Three tables, each a set of counts with the sums of their record keys, changed by signed deltas
in the flush hook (``feed.refresh``) and derived again by ``feed.rebuild_aggregates``:

* ``stats_duration_counts`` (traject unit): per kept filter set (``FILTER_SETS``), value(s),
  domain and month the durations of the care that ended in it and of the closed care that
  started in it, one by one and in spans of ``SPAN`` durations, and the start days of the open
  care that started in it (``models.StatsDurationCount``);
* ``stats_result_counts``: per kept filter set (``FILTER_SETS``), value(s), domain and month,
  the starts and ends with their extensions (so "active in the period" is the starts up to its
  last month minus the ends before its first: an end never precedes its start) and the closed
  trajectories per outcome and closure category (``models.StatsResultCount``);
* ``stats_repeat_counts`` (client episodes, without filters and after each kept filter set of
  ``models.KEPT_SETS``): per set value, domain and month of start, the episodes by how many
  years back the client's previous episode ended
  (``models.StatsRepeatCount``).

A figure asked with filters that no kept set holds reads the feed, as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    case,
    delete,
    extract,
    func,
    literal,
    select,
)
from sqlalchemy import cast as cast_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models import (
    FILTER_COLUMNS,
    KEPT_SETS,
    StatsDurationCount,
    StatsRepeatCount,
    StatsResultCount,
    StatsTrajectory,
    episode_key,
    set_name,
    set_value,
)

from ..scheduler_jobs import date_ordinal
from .episodes import month_index

durations_table = cast(Table, StatsDurationCount.__table__)
results_table = cast(Table, StatsResultCount.__table__)
repeats_table = cast(Table, StatsRepeatCount.__table__)
# The kept counts whose cells carry a kept set's values (``value_1``, ``value_2``).
SET_TABLES = (durations_table, results_table, repeats_table)
facts = cast(Table, StatsTrajectory.__table__)

# The filter combinations ``stats_result_counts`` and ``stats_duration_counts`` are kept for:
# none, the intensity on its own (the monthly counts keep it beside every set), and the kept
# sets of the flows (``models.KEPT_SETS``), names in ``FILTER_NAMES`` order.
FILTER_SETS: tuple[tuple[str, ...], ...] = ((), ("intensity",), *KEPT_SETS)
OUTCOMES = ("achieved_on_time", "achieved_late", "not_achieved")
ENDED, CLOSED, OPEN = "ended", "closed", "open"
# The kinds of stats_duration_counts that hold ENDED and CLOSED in spans of SPAN durations.
ENDED_SPANS, CLOSED_SPANS = "ended_s", "closed_s"
SPAN = 32
STARTED = "started"

# set, value 1, value 2, domain, kind, month, days
DurationCell = tuple[str, str, str, str, str, int, int]
ResultCell = tuple[str, str, str, str, str, str, int]  # set, value 1, 2, domain, kind, cat, month
RepeatCell = tuple[str, str, str, str, int, int]  # set, value 1, 2, domain, month, gap years
# The set value of the repeat counts without filters.
NO_FILTER = ("", "", "")


def kept_filters(
    narrowing: Sequence[str], values: Mapping[str, str | None]
) -> tuple[str, str, str] | None:
    """The (filter set, value 1, value 2) of ``stats_result_counts`` that holds a query with
    these filters set (``StatsQuery.narrowing``), or None when no kept set matches."""
    names = tuple(narrowing)
    if names not in FILTER_SETS:
        return None
    return set_value(names, [values[name] for name in names])


def outcome(result_achieved: bool | None, care_end: date, planned_end: date) -> str:
    """How a closed trajectory ended, as the results figure counts it."""
    if result_achieved and care_end <= planned_end:
        return "achieved_on_time"
    if result_achieved:
        return "achieved_late"
    return "not_achieved"


def outcome_case(columns: Any) -> ColumnElement[str]:
    """``outcome`` in SQL, over ``columns`` (the feed table's columns or its mapped class)."""
    achieved = columns.result_achieved.is_(True)
    return case(
        (and_(achieved, columns.care_end <= columns.planned_end), "achieved_on_time"),
        (achieved, "achieved_late"),
        else_="not_achieved",
    )


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February falls back to 1 March."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


def gap_years(start: date, previous_end: date | None) -> int:
    """The smallest N ≥ 1 with ``years_before(start, N) ≤ previous_end`` (0 without a previous
    episode): the episode is repeat use under a window of N years when 1 ≤ gap ≤ N."""
    if previous_end is None:
        return 0
    years = max(1, start.year - previous_end.year)
    while years_before(start, years) > previous_end:
        years += 1
    return years


def span_of(days: int) -> int:
    """The first duration of the span of ``SPAN`` durations that ``days`` lies in."""
    return days // SPAN * SPAN


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


@dataclass
class KeptDeltas:
    """Signed changes to the three kept tables: per cell a list of sums in the table's column
    order (``n``, ``key_sum``[, ``days_sum``][, ``extensions``, ``extensions_key``])."""

    durations: defaultdict[DurationCell, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    results: defaultdict[ResultCell, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0])
    )
    repeats: defaultdict[RepeatCell, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )

    def add_traject(self, row: Mapping[str, Any], sign: int) -> None:
        """A feed row's cells (``sign`` +1 when it comes, −1 when it goes)."""
        domain = str(_plain(row["domain"]))
        key = int(row["record_key"])
        start: date | None = row["care_start"]
        end: date | None = row["care_end"]
        if start is None:
            return
        extensions = int(row["extensions"] or 0)
        state = None
        if end is not None:
            state = outcome(row["result_achieved"], end, row["planned_end"])
        category = str(_plain(row["closure_category"]) or "")
        for names in FILTER_SETS:
            values = [_plain(row[FILTER_COLUMNS[name]]) for name in names]
            if any(value is None for value in values):
                continue  # no filter value can select this row
            kept = (*set_value(names, values), domain)
            self._durations(kept, start, end, sign, key)
            self._result((*kept, STARTED, "", month_index(start)), sign, key, extensions)
            if end is not None and state is not None:
                self._result((*kept, ENDED, "", month_index(end)), sign, key, extensions)
                self._result((*kept, state, category, month_index(end)), sign, key, 0)

    def add_episodes(
        self,
        client_key: str,
        domain: str,
        episodes: Iterable[tuple[date, date | None]],
        sign: int,
        set_value: tuple[str, str, str] = NO_FILTER,
    ) -> None:
        """One client's episodes in a domain (all of them: each is counted by how far back the
        previous one ended), without filters or after the kept filter ``set_value`` (filter set,
        value 1, value 2, as in ``stats_filter_counts``)."""
        previous_end: date | None = None
        for start, end in sorted(episodes, key=lambda e: e[0]):
            cell = (*set_value, domain, month_index(start), gap_years(start, previous_end))
            sums = self.repeats[cell]
            sums[0] += sign
            sums[1] += sign * episode_key(client_key, domain, start)
            previous_end = end

    def _durations(
        self, kept: tuple[str, str, str, str], start: date, end: date | None, sign: int, key: int
    ) -> None:
        """A started row's duration cells in the set value and domain ``kept``."""
        if end is None:
            self._duration((*kept, OPEN, month_index(start), start.day), sign, key, 0)
            return
        days = (end - start).days + 1
        for kind, spans, month in (
            (ENDED, ENDED_SPANS, month_index(end)),
            (CLOSED, CLOSED_SPANS, month_index(start)),
        ):
            self._duration((*kept, kind, month, days), sign, key, days)
            self._duration((*kept, spans, month, span_of(days)), sign, key, days)

    def _duration(self, cell: DurationCell, sign: int, key: int, days: int) -> None:
        sums = self.durations[cell]
        sums[0] += sign
        sums[1] += sign * key
        sums[2] += sign * days

    def _result(self, cell: ResultCell, sign: int, key: int, extensions: int) -> None:
        sums = self.results[cell]
        sums[0] += sign
        sums[1] += sign * key
        sums[2] += sign * extensions
        sums[3] += sign * extensions * key


def _key_columns(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _sum_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if not c.primary_key]


def _upsert(connection: Connection, table: Table) -> Any:
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=_key_columns(table),
        set_={name: table.c[name] + statement.excluded[name] for name in _sum_columns(table)},
    )


def apply(connection: Connection, deltas: KeptDeltas) -> None:
    """Add the deltas to the kept tables (an upsert, so concurrent transactions add up) and
    drop the cells that count nothing any more."""
    for table, cells in (
        (durations_table, deltas.durations),
        (results_table, deltas.results),
        (repeats_table, deltas.repeats),
    ):
        changed = sorted((cell, sums) for cell, sums in cells.items() if any(sums))
        if not changed:
            continue
        keys, sums = _key_columns(table), _sum_columns(table)
        connection.execute(
            _upsert(connection, table),
            [
                {**dict(zip(keys, cell, strict=True)), **dict(zip(sums, values, strict=True))}
                for cell, values in changed
            ],
        )
        # Only the cells just changed can have come to zero (by their primary key: the tables
        # are large, a scan per flush would not be).
        emptied = [cell for cell, values in changed if values[0] <= 0]
        if emptied:
            connection.execute(
                delete(table).where(
                    *(table.c[name] == bindparam(f"k_{name}") for name in keys), table.c.n == 0
                ),
                [
                    {f"k_{name}": value for name, value in zip(keys, cell, strict=True)}
                    for cell in emptied
                ],
            )


def clear(connection: Connection) -> None:
    for table in (durations_table, results_table, repeats_table):
        connection.execute(delete(table))


def rebuild(connection: Connection) -> None:
    """Derive the duration and result counts from the feed with set-based statements (the
    repeat counts come from the episodes, see ``feed.rebuild_aggregates``)."""
    _rebuild_durations(connection)
    _rebuild_results(connection)


def _set_columns(
    names: tuple[str, ...],
) -> tuple[list[ColumnElement[Any]], list[ColumnElement[bool]]]:
    """A kept set's value 1 and value 2 in SQL (``set_value``: "" where unused) and the
    conditions that a feed row has a value for each of its filters."""
    f = facts.c
    columns: list[ColumnElement[Any]] = [
        cast_(f[FILTER_COLUMNS[name]], facts.c.wijk.type) for name in names
    ]
    while len(columns) < 2:
        columns.append(literal(""))
    return columns, [f[FILTER_COLUMNS[name]].is_not(None) for name in names]


def _rebuild_durations(connection: Connection) -> None:
    f = facts.c
    days = date_ordinal(f.care_end) - date_ordinal(f.care_start) + 1
    for names in FILTER_SETS:
        columns, present = _set_columns(names)
        closed = f.care_end.is_not(None)
        for kind, month, detail, length, condition in (
            (ENDED, f.end_month, days, days, closed),
            (CLOSED, f.start_month, days, days, closed),
            (ENDED_SPANS, f.end_month, days // SPAN * SPAN, days, closed),
            (CLOSED_SPANS, f.start_month, days // SPAN * SPAN, days, closed),
            (OPEN, f.start_month, extract("day", f.care_start), literal(0), and_(
                f.care_start.is_not(None), f.care_end.is_(None)
            )),
        ):  # fmt: skip
            rows = (
                select(
                    literal(set_name(names)).label("filter_set"),
                    columns[0].label("value_1"),
                    columns[1].label("value_2"),
                    f.domain,
                    literal(kind).label("kind"),
                    month.label("month"),
                    cast_(detail, BigInteger).label("days"),
                    f.record_key,
                    cast_(length, BigInteger).label("length"),
                )
                .where(condition, *present)
                .subquery()
            )
            grouped = (
                rows.c.filter_set,
                rows.c.value_1,
                rows.c.value_2,
                rows.c.domain,
                rows.c.kind,
                rows.c.month,
                rows.c.days,
            )
            connection.execute(
                durations_table.insert().from_select(
                    [*(c.name for c in grouped), "n", "key_sum", "days_sum"],
                    select(
                        *grouped,
                        func.count(),
                        func.sum(rows.c.record_key),
                        func.sum(rows.c.length),
                    ).group_by(*grouped),
                )
            )


def _rebuild_results(connection: Connection) -> None:
    f = facts.c
    state = outcome_case(f)
    weighted = f.extensions * cast_(f.record_key, BigInteger)
    for names in FILTER_SETS:
        columns, present = _set_columns(names)
        no_category = literal("")
        closure = func.coalesce(f.closure_category, "")
        for kind, category, month, with_extensions in (
            (literal(STARTED), no_category, f.start_month, True),
            (literal(ENDED), no_category, f.end_month, True),
            (state, closure, f.end_month, False),
        ):
            condition = month.is_not(None)
            rows = (
                select(
                    literal(set_name(names)).label("filter_set"),
                    columns[0].label("value_1"),
                    columns[1].label("value_2"),
                    f.domain,
                    kind.label("kind"),
                    category.label("category"),
                    month.label("month"),
                    f.record_key,
                    (f.extensions if with_extensions else literal(0)).label("extensions"),
                    (weighted if with_extensions else literal(0)).label("weighted"),
                )
                .where(condition, *present)
                .subquery()
            )
            grouped = (
                rows.c.filter_set,
                rows.c.value_1,
                rows.c.value_2,
                rows.c.domain,
                rows.c.kind,
                rows.c.category,
                rows.c.month,
            )
            connection.execute(
                results_table.insert().from_select(
                    [*(c.name for c in grouped), "n", "key_sum", "extensions", "extensions_key"],
                    select(
                        *grouped,
                        func.count(),
                        func.sum(rows.c.record_key),
                        func.sum(rows.c.extensions),
                        func.sum(rows.c.weighted),
                    ).group_by(*grouped),
                )
            )
