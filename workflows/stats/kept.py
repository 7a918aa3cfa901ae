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
  (``models.StatsRepeatCount``);
* ``stats_year_counts``: per kept filter set (``FILTER_SETS``), value(s), domain (and all
  domains) and calendar year, the distinct clients and households of the results' per-year
  figures, each at the first and the last month of the year it counts in, and the prices of
  the trajectories started per month (``models.StatsYearCount``). The hook recomputes them for
  every touched client and household from all its rows before and after the change.

A figure asked with filters that no kept set holds reads the feed, as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
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
    or_,
    select,
)
from sqlalchemy import cast as cast_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models import (
    FILTER_COLUMNS,
    KEPT_SETS,
    Domain,
    StatsDurationCount,
    StatsRepeatCount,
    StatsRequest,
    StatsResultCount,
    StatsTrajectory,
    StatsYearCount,
    episode_key,
    set_name,
    set_value,
)

from ..scheduler_jobs import date_ordinal
from .episodes import month_index

durations_table = cast(Table, StatsDurationCount.__table__)
results_table = cast(Table, StatsResultCount.__table__)
repeats_table = cast(Table, StatsRepeatCount.__table__)
years_table = cast(Table, StatsYearCount.__table__)
# The kept counts whose cells carry a kept set's values (``value_1``, ``value_2``).
SET_TABLES = (durations_table, results_table, repeats_table, years_table)
facts = cast(Table, StatsTrajectory.__table__)
requests_table = cast(Table, StatsRequest.__table__)

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
# The kinds of stats_duration_counts that hold ended waits (``days`` the wait, ``month`` that
# of its first day): from decision to start of care (feed rows, per ``FILTER_SETS``), and from
# request to decision (``stats_requests`` rows, per ``REQUEST_SETS``).
WAIT_START, WAIT_DECISION = "w_start", "w_decide"
# The kinds of stats_duration_counts that hold the same waits of the feed's started rows by
# their month of start (the waiting times by month, ``figures.waiting_times``): from decision to
# start of care, and from request to decision (rows with a request date).
STARTED_WAIT_START, STARTED_WAIT_DECISION = "s_start", "s_decide"
# The kept sets of the requests' waits: the filters a request has (its columns have the names).
REQUEST_SETS: tuple[tuple[str, ...], ...] = ((), ("wijk",), ("age_band",), ("wijk", "age_band"))

# set, value 1, value 2, domain, kind, month, days
DurationCell = tuple[str, str, str, str, str, int, int]
ResultCell = tuple[str, str, str, str, str, str, int]  # set, value 1, 2, domain, kind, cat, month
RepeatCell = tuple[str, str, str, str, int, int]  # set, value 1, 2, domain, month, gap years
YearCell = tuple[str, str, str, str, str, int, str, int]  # set, 1, 2, domain, figure, year, edge, m
# The set value of the repeat counts without filters.
NO_FILTER = ("", "", "")

# The results' per-year figures (docs/statistics.md, "Results"): per figure, whose distinct
# count it is and the feed columns of a row's first and last day for it. A row counts its
# client (household) in a span of days when its first day is on or before the span's last
# and its last day is empty (open) or on or after the span's first (``counts_in``).
IN_CARE, HOUSEHOLDS, PRICE = "in_care", "households", "price"
YEAR_FIGURES: dict[str, tuple[str, str, str]] = {
    STARTED: ("client", "care_start", "care_start"),
    IN_CARE: ("client", "care_start", "care_end"),
    HOUSEHOLDS: ("household", "decision_date", "care_end"),
}
# A distinct client's (household's) key and record key columns.
UNIT_COLUMNS = {
    "client": ("client_key", "client_record_key"),
    "household": ("household_key", "household_record_key"),
}
FIRST, LAST, OPEN_EDGE = "first", "last", "open"
# How ``KeptDeltas`` numbers figures and edges while it gathers the year counts.
FIGURES = (*YEAR_FIGURES, PRICE)
FIGURE_CODES = {name: code for code, name in enumerate(FIGURES)}
PRICE_CODE = FIGURE_CODES[PRICE]
EDGES = (FIRST, LAST, OPEN_EDGE)
EDGE_CODES = {name: code for code, name in enumerate(EDGES)}
ALL_DOMAINS = ""
# The feed columns the kept sets of ``FILTER_SETS`` narrow.
SET_COLUMNS = sorted({FILTER_COLUMNS[name] for names in FILTER_SETS for name in names})
# What the year counts read of a client's (household's) rows.
YEAR_COLUMNS = {
    "client": ["client_key", "client_record_key", "domain", "care_start", "care_end", "price"],
    "household": ["household_key", "household_record_key", "domain", "decision_date", "care_end"],
}
BATCH = 500  # keys per IN (...) list


def counts_in(columns: Any, figure: str, first: date, last: date) -> ColumnElement[bool]:
    """Whether a feed row counts its client (household) in ``figure`` for the days ``first`` …
    ``last``, in SQL over ``columns`` (the feed table's columns or its mapped class). The kept
    cells follow the same rule (``year_cells``)."""
    _unit, since, until = YEAR_FIGURES[figure]
    since_column, until_column = getattr(columns, since), getattr(columns, until)
    return and_(since_column <= last, or_(until_column.is_(None), until_column >= first))


def year_cells(intervals: Iterable[tuple[date, date | None]]) -> list[tuple[int, str, int]]:
    """The cells (year, edge, month) of one client (household) in one figure, from the (first
    day, last day) of its rows (``YEAR_FIGURES``): per year in which a row counts it
    (``counts_in`` for the year), the first month of the year from which one does (``FIRST``:
    it counts in the year's months up to a month from that one on) and the last month up to
    which one does (``LAST``: it counts in the months from a month from that one back). Each
    row's bound decides in its own year only; in the years between, the row counts the whole
    year. Past the last year in which a row starts or ends, only open rows count, in every
    month: one ``OPEN_EDGE`` cell (month 0) the year after says so."""
    rows = list(intervals)
    if not rows:
        return []
    horizon = max(max(since.year, (until or since).year) for since, until in rows)
    firsts: dict[int, int] = {}
    lasts: dict[int, int] = {}
    for since, until in rows:
        for year in range(since.year, (until.year if until is not None else horizon) + 1):
            first = since.month if year == since.year else 1
            last = until.month if until is not None and year == until.year else 12
            firsts[year] = min(firsts.get(year, 13), first)
            lasts[year] = max(lasts.get(year, 0), last)
    cells = [(year, FIRST, month) for year, month in firsts.items()]
    cells += [(year, LAST, month) for year, month in lasts.items()]
    if any(until is None for _since, until in rows):
        cells.append((horizon + 1, OPEN_EDGE, 0))
    return cells


def cents(price: Any) -> int:
    """A price as whole cents (kept exactly; the feed holds two decimals)."""
    return int((Decimal(str(price or 0)) * 100).to_integral_value())


def set_values(row: Mapping[Any, Any]) -> list[tuple[str, str, str]]:
    """The cells of ``FILTER_SETS`` a feed row counts in, each (set name, value 1, value 2): a
    row without a value for a set (no wijk) is in none of its cells, as no filter selects it."""
    found = []
    for names in FILTER_SETS:
        values = [_plain(row[FILTER_COLUMNS[name]]) for name in names]
        if None not in values:
            found.append(set_value(names, values))
    return found


def request_set_values(row: Mapping[Any, Any]) -> list[tuple[str, str, str]]:
    """The cells of ``REQUEST_SETS`` a ``stats_requests`` row counts in."""
    found = []
    for names in REQUEST_SETS:
        values = [_plain(row[name]) for name in names]
        if None not in values:
            found.append(set_value(names, values))
    return found


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
    order (``n``, ``key_sum``[, ``days_sum``][, ``extensions``, ``extensions_key``,
    ``cents``])."""

    durations: defaultdict[DurationCell, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    results: defaultdict[ResultCell, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0])
    )
    repeats: defaultdict[RepeatCell, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    # The year counts, gathered by ``add_years`` (read them with ``year_sums``): per (group,
    # figure, the cells of a unit; for prices the started trajectories' months and cents); a
    # group is a (set value, domain) pair, numbered in ``_groups``.
    _year_patterns: defaultdict[tuple[int, int, tuple[Any, ...]], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    _year_cells: dict[YearCell, list[int]] = field(default_factory=dict)
    _groups: list[tuple[str, str, str, str]] = field(default_factory=list)
    _group_numbers: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    _groups_of: dict[tuple[Any, ...], tuple[int, ...]] = field(default_factory=dict)

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
        decided: date | None = row["decision_date"]
        requested: date | None = row["request_date"]
        price = cents(row["price"])
        for set_cell in set_values(row):
            kept = (*set_cell, domain)
            self._durations(kept, start, end, sign, key)
            if decided is not None:
                waited = (start - decided).days
                cell = (*kept, WAIT_START, month_index(decided), waited)
                self._duration(cell, sign, key, waited)
                cell = (*kept, STARTED_WAIT_START, month_index(start), waited)
                self._duration(cell, sign, key, waited)
                if requested is not None:
                    asked = (decided - requested).days
                    cell = (*kept, STARTED_WAIT_DECISION, month_index(start), asked)
                    self._duration(cell, sign, key, asked)
            self._result((*kept, STARTED, "", month_index(start)), sign, key, extensions)
            if end is not None and state is not None:
                self._result((*kept, ENDED, "", month_index(end)), sign, key, extensions)
                self._result((*kept, state, category, month_index(end)), sign, key, 0, price)

    def add_request(self, row: Mapping[Any, Any], sign: int) -> None:
        """A ``stats_requests`` row's wait for its decision, when it has one."""
        decided: date | None = row["decided_on"]
        if decided is None:
            return
        requested: date = row["request_date"]
        waited = (decided - requested).days
        for set_cell in request_set_values(row):
            cell = (*set_cell, str(_plain(row["domain"])), WAIT_DECISION, month_index(requested))
            self._duration((*cell, waited), sign, int(row["record_key"]), waited)

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

    def add_years(self, unit: str, rows: Iterable[Mapping[Any, Any]], sign: int) -> None:
        """The year cells of the clients (``unit`` "client") or households ("household") of
        ``rows``, which must be all their feed rows (``YEAR_COLUMNS`` and the set columns): per
        kept set value, per domain and for all domains, each figure of the unit by
        ``year_cells``; for clients also the prices of their started trajectories.

        Built for the rebuild's million rows: a unit's cells in a group are gathered as one
        pattern (the tuple of its cells), and units with the same pattern in the same group
        add up before the pattern is spread over its cells (``year_sums``)."""
        key_column, record_column = UNIT_COLUMNS[unit]
        figures = [
            (FIGURE_CODES[name], since, until)
            for name, (whose, since, until) in YEAR_FIGURES.items()
            if whose == unit
        ]
        units: dict[tuple[str, int], list[Mapping[Any, Any]]] = defaultdict(list)
        for row in rows:
            units[(row[key_column], int(row[record_column]))].append(row)
        patterns = self._year_patterns
        for (_key, record_key), unit_rows in units.items():
            # Per group the rows in it, as a bit mask: groups with the same rows (often all
            # of a unit's groups) share their cells.
            masks: dict[int, int] = defaultdict(int)
            for bit, row in enumerate(unit_rows):
                for group in self._row_groups(row):
                    masks[group] |= 1 << bit
            found: dict[int, list[tuple[int, tuple[Any, ...]]]] = {}
            for group, mask in masks.items():
                made = found.get(mask)
                if made is None:
                    chosen = [row for bit, row in enumerate(unit_rows) if mask >> bit & 1]
                    made = found[mask] = self._unit_patterns(unit, figures, chosen)
                for code, cells in made:
                    sums = patterns[(group, code, cells)]
                    sums[0] += sign
                    sums[1] += sign * record_key

    @staticmethod
    def _unit_patterns(
        unit: str, figures: list[tuple[int, str, str]], rows: list[Mapping[Any, Any]]
    ) -> list[tuple[int, tuple[Any, ...]]]:
        """A unit's patterns in a group with these rows: per figure its cells (coded), and for
        clients the (month of start, cents) of their started trajectories."""
        made: list[tuple[int, tuple[Any, ...]]] = []
        for code, since, until in figures:
            cells = tuple(
                (EDGE_CODES[edge] << 20) | (year << 4) | month
                for year, edge, month in year_cells(
                    {(row[since], row[until]) for row in rows if row[since] is not None}
                )
            )
            if cells:
                made.append((code, cells))
        if unit == "client":
            started = tuple(
                sorted(
                    ((row["care_start"].year << 4) | row["care_start"].month, cents(row["price"]))
                    for row in rows
                    if row["care_start"] is not None
                )
            )
            if started:
                made.append((PRICE_CODE, started))
        return made

    def _row_groups(self, row: Mapping[Any, Any]) -> tuple[int, ...]:
        """The numbers of the groups (set value, domain) a row counts in: its domain and all."""
        values = (row["domain"], *(row[column] for column in SET_COLUMNS))
        found = self._groups_of.get(values)
        if found is None:
            domain = str(_plain(row["domain"]))
            numbers = []
            for set_cell in set_values(row):
                for group in ((*set_cell, domain), (*set_cell, ALL_DOMAINS)):
                    if group not in self._group_numbers:
                        self._group_numbers[group] = len(self._groups)
                        self._groups.append(group)
                    numbers.append(self._group_numbers[group])
            found = self._groups_of[values] = tuple(numbers)
        return found

    def fold_years(self) -> None:
        """Spread the patterns gathered so far over their cells (a rebuild does it now and
        then: there are far fewer cells than patterns)."""
        self._year_cells = self.year_sums()
        self._year_patterns.clear()

    def year_sums(self) -> dict[YearCell, list[int]]:
        """The year cells with their sums (``n``, ``key_sum``, ``cents``) from the gathered
        patterns."""
        sums: defaultdict[YearCell, list[int]] = defaultdict(lambda: [0, 0, 0])
        for cell, (n, key_sum, amount) in self._year_cells.items():
            found = sums[cell]
            found[0] += n
            found[1] += key_sum
            found[2] += amount
        for (group, figure, cells), (n, key_sum) in self._year_patterns.items():
            if figure == PRICE_CODE:  # (month of start, cents) per started trajectory
                for cell, amount in cells:
                    found = sums[(*self._groups[group], PRICE, cell >> 4, "", cell & 15)]
                    found[0] += n
                    found[2] += n * amount
                continue
            for cell in cells:
                edge, year, month = cell >> 20, (cell >> 4) & 0xFFFF, cell & 15
                found = sums[(*self._groups[group], FIGURES[figure], year, EDGES[edge], month)]
                found[0] += n
                found[1] += key_sum
        return sums

    @property
    def year_size(self) -> int:
        return len(self._year_patterns)

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

    def _result(
        self, cell: ResultCell, sign: int, key: int, extensions: int, price: int = 0
    ) -> None:
        sums = self.results[cell]
        sums[0] += sign
        sums[1] += sign * key
        sums[2] += sign * extensions
        sums[3] += sign * extensions * key
        sums[4] += sign * price


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
        (years_table, deltas.year_sums()),
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
    for table in (durations_table, results_table, repeats_table, years_table):
        connection.execute(delete(table))


def rebuild(connection: Connection) -> None:
    """Derive the duration and result counts from the feed with set-based statements and the
    year counts in one ordered pass per unit (the repeat counts come from the episodes, see
    ``feed.rebuild_aggregates``)."""
    _rebuild_durations(connection)
    rebuild_request_waits(connection)
    _rebuild_results(connection)
    _rebuild_years(connection)


def _month_of(column: Any) -> ColumnElement[Any]:
    """The month index (``episodes.month_index``) of a date column, in SQL."""
    return cast_(extract("year", column) * 12 + extract("month", column) - 1, BigInteger)


def rebuild_request_waits(connection: Connection) -> None:
    """The requests' waits for a decision (``WAIT_DECISION`` cells) derived again from all rows
    of ``stats_requests`` (detached and frozen ones too)."""
    connection.execute(delete(durations_table).where(durations_table.c.kind == WAIT_DECISION))
    rq = requests_table.c
    waited = date_ordinal(rq.decided_on) - date_ordinal(rq.request_date)
    for names in REQUEST_SETS:
        columns: list[ColumnElement[Any]] = [cast_(rq[name], rq.wijk.type) for name in names]
        while len(columns) < 2:
            columns.append(literal(""))
        rows = (
            select(
                literal(set_name(names)).label("filter_set"),
                columns[0].label("value_1"),
                columns[1].label("value_2"),
                rq.domain,
                literal(WAIT_DECISION).label("kind"),
                _month_of(rq.request_date).label("month"),
                cast_(waited, BigInteger).label("days"),
                rq.record_key,
            )
            .where(rq.decided_on.is_not(None), *(rq[name].is_not(None) for name in names))
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
                    func.sum(rows.c.days),
                ).group_by(*grouped),
            )
        )


def unit_rows(connection: Connection, unit: str, keys: Iterable[str]) -> list[Mapping[Any, Any]]:
    """All feed rows (their ``id``, ``YEAR_COLUMNS`` and the set columns) of these clients or
    households."""
    key_column = facts.c[UNIT_COLUMNS[unit][0]]
    columns = [facts.c[name] for name in ("id", *YEAR_COLUMNS[unit], *SET_COLUMNS)]
    ordered = sorted(set(keys))
    found: list[Mapping[Any, Any]] = []
    for start in range(0, len(ordered), BATCH):
        # With the domains named, the household index (domain, household key, ...) serves.
        found.extend(
            row._mapping
            for row in connection.execute(
                select(*columns).where(
                    key_column.in_(ordered[start : start + BATCH]),
                    facts.c.domain.in_([d.value for d in Domain]),
                )
            )
        )
    return found


# Patterns gathered before a rebuild folds them into cells.
REBUILD_PATTERNS = 200_000


def _rebuild_years(connection: Connection) -> None:
    for unit in UNIT_COLUMNS:
        key_column = facts.c[UNIT_COLUMNS[unit][0]]
        deltas = KeptDeltas()
        current: str | None = None
        rows: list[Mapping[Any, Any]] = []
        for row in connection.execute(
            select(*[facts.c[name] for name in (*YEAR_COLUMNS[unit], *SET_COLUMNS)])
            .order_by(key_column)
            .execution_options(yield_per=5_000)
        ):
            mapping = row._mapping
            if mapping[key_column.name] != current:
                deltas.add_years(unit, rows, +1)
                current, rows = mapping[key_column.name], []
                if deltas.year_size >= REBUILD_PATTERNS:
                    deltas.fold_years()
            rows.append(mapping)
        deltas.add_years(unit, rows, +1)
        apply(connection, deltas)


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
    waited = date_ordinal(f.care_start) - date_ordinal(f.decision_date)
    asked = date_ordinal(f.decision_date) - date_ordinal(f.request_date)
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
            (WAIT_START, _month_of(f.decision_date), waited, waited, and_(
                f.care_start.is_not(None), f.decision_date.is_not(None)
            )),
            (STARTED_WAIT_START, f.start_month, waited, waited, and_(
                f.care_start.is_not(None), f.decision_date.is_not(None)
            )),
            (STARTED_WAIT_DECISION, f.start_month, asked, asked, and_(
                f.care_start.is_not(None), f.decision_date.is_not(None),
                f.request_date.is_not(None),
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
            # The closed trajectories' prices in cents (``cents``), rounded like it.
            price = cast_(func.round(func.coalesce(f.price, 0) * 100), BigInteger)
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
                    (literal(0) if with_extensions else price).label("cents"),
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
                    [
                        *(c.name for c in grouped),
                        "n",
                        "key_sum",
                        "extensions",
                        "extensions_key",
                        "cents",
                    ],
                    select(
                        *grouped,
                        func.count(),
                        func.sum(rows.c.record_key),
                        func.sum(rows.c.extensions),
                        func.sum(rows.c.weighted),
                        func.sum(rows.c.cents),
                    ).group_by(*grouped),
                )
            )
