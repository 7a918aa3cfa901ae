"""The exact figures of docs/statistics.md, computed from the feed only (never a personal table).

These are the *raw* numbers, before anonymity; nothing outside ``report`` shows them (and the
CLI's audited ``--exact``). Each function takes a checked ``StatsQuery`` and returns a dataclass.
Beside every count it carries the sum of the record keys of the rows counted (``*_key``, whole
numbers of 2^-30; docs/statistics.md, "Disclosure control"), summed in the same query that
counts, so ``anonymity`` can give the cell its key. Where a figure can come from the kept
aggregates (``stats_monthly_counts``, ``stats_filter_counts``, ``stats_episodes``, and for
durations and results those of ``kept``) it does; see the package docstring for when the feed
itself is read.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Subquery,
    Table,
    and_,
    case,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session

from models import (
    FILTER_COLUMNS,
    KEPT_SETS,
    UNIT_CLIENT,
    UNIT_TRAJECT,
    AanmeldingOutcome,
    ClosureCategory,
    Domain,
    Intensity,
    OutlierMonth,
    PopulationFigure,
    StatsDurationCount,
    StatsEpisode,
    StatsFilterCount,
    StatsMonthlyCount,
    StatsProviderEvent,
    StatsRepeatCount,
    StatsRequest,
    StatsResultCount,
    StatsTrajectory,
    StatsYearCount,
    episode_key,
    set_value,
)

from ..scheduler_jobs import date_ordinal
from . import cache, kept
from .episodes import first_day, month_index
from .selection import TRAJECTORY_ONLY_FILTERS, WAIT_BAND_CODES, WAIT_BANDS, WAIT_STAGES, StatsQuery

F = StatsTrajectory
FACTS = cast(Table, StatsTrajectory.__table__)
COUNTS = cast(Table, StatsMonthlyCount.__table__)
FILTER_COUNTS = cast(Table, StatsFilterCount.__table__)
INTENSITIES = tuple(i.value for i in Intensity)
CATEGORIES = tuple(c.value for c in ClosureCategory)


# --- selections ---------------------------------------------------------------------------


def _filters(query: StatsQuery, domain: Any, columns: dict[str, Any]) -> list[ColumnElement[bool]]:
    """The query's domain and the filters that ``columns`` (filter name → column) has."""
    conditions: list[ColumnElement[bool]] = []
    if query.domain is not None:
        conditions.append(domain == query.domain)
    for name, column in columns.items():
        value = query.value(name)
        if value:
            conditions.append(column == value)
    return conditions


def _fact_filters(query: StatsQuery) -> list[ColumnElement[bool]]:
    return _filters(
        query, F.domain, {name: FACTS.c[column] for name, column in FILTER_COLUMNS.items()}
    )


def _aggregated(query: StatsQuery, unit: str) -> bool:
    """Whether ``stats_monthly_counts`` answers this query: period and domain only, plus the
    intensity for the traject unit (its rows are kept per intensity)."""
    return not _narrowing(query, unit)


def kept_set(query: StatsQuery, unit: str) -> tuple[str, ...] | None:
    """The kept filter set (``models.KEPT_SETS``) whose ``stats_filter_counts`` answer this
    query's monthly starts and ends: its filters besides the domain (and the intensity for the
    traject unit, kept per intensity) are exactly that set. None when no kept set is (no filter
    at all: ``stats_monthly_counts`` answers; any other combination: the feed)."""
    narrowing = _narrowing(query, unit)
    return next((names for names in KEPT_SETS if set(names) == narrowing), None)


def _narrowing(query: StatsQuery, unit: str) -> set[str]:
    """The query's filters that the kept counts do not hold apart: all but the intensity for
    the traject unit."""
    return set(query.narrowing) - ({"intensity"} if unit == UNIT_TRAJECT else set())


Episode = tuple[str, str, date, date | None, int]

# The end of open care while episodes are formed: after every real end.
OPEN_END = date(9999, 12, 31)


def episodes_after_filters(query: StatsQuery) -> Subquery:
    """The client episodes (docs/statistics.md, unit client) of the feed rows that pass the
    query's filters, formed by the database: ``client_key``, ``domain``, ``care_start``,
    ``care_end`` (null when open) and ``previous_end``, the end of the same client's episode
    before it in the domain (null for a first one).

    Gaps and islands, as ``episodes.merge`` does it row by row. Per client and domain, ordered
    by start (then id), each trajectory's *reach* is the latest end among the rows before it
    (open care ends at ``OPEN_END``). A trajectory starts a new episode when it has no row
    before it or starts more than one day after its reach; rows with the same start follow the
    first of them, which they never start after. At an episode's first row the reach is the end
    of the episode before (every earlier row belongs to an earlier episode, and none of those is
    open), so an episode ends where the next one's reach says, and the last one at the latest
    end of all its client's rows; ``OPEN_END`` there means open. One sort, no grouping; day
    numbers (``date_ordinal``) make "+ 1 day" the same on SQLite and PostgreSQL."""
    end = func.coalesce(F.care_end, OPEN_END)
    per_client = (F.client_key, F.domain)
    rows = (
        select(
            F.id,
            F.client_key,
            F.domain,
            F.care_start,
            func.max(end)
            .over(partition_by=per_client, order_by=(F.care_start, F.id), rows=(None, -1))
            .label("reach"),
            func.max(end).over(partition_by=per_client).label("last_end"),
        )
        .where(F.care_start.is_not(None), *_fact_filters(query))
        .subquery()
    )
    firsts = (
        select(rows)
        .where(
            or_(
                rows.c.reach.is_(None),
                date_ordinal(rows.c.care_start) > date_ordinal(rows.c.reach) + 1,
            )
        )
        .subquery()
    )
    until = func.coalesce(
        func.lead(firsts.c.reach, type_=F.care_end.type).over(
            partition_by=(firsts.c.client_key, firsts.c.domain),
            order_by=(firsts.c.care_start, firsts.c.id),
        ),
        firsts.c.last_end,
    )
    return select(
        firsts.c.client_key,
        firsts.c.domain,
        firsts.c.care_start,
        func.nullif(until, OPEN_END, type_=F.care_end.type).label("care_end"),
        firsts.c.reach.label("previous_end"),
    ).subquery()


def client_intervals(session: Session, query: StatsQuery) -> list[Episode]:
    """Episodes (client_key, domain, start, end, record key) after the filters. Without filters
    they come from the materialised ``stats_episodes``; otherwise the database forms them from
    the filtered feed rows (``episodes_after_filters``)."""
    if _aggregated(query, UNIT_CLIENT):
        stmt = select(
            StatsEpisode.client_key,
            StatsEpisode.domain,
            StatsEpisode.care_start,
            StatsEpisode.care_end,
            StatsEpisode.record_key,
        )
        if query.domain is not None:
            stmt = stmt.where(StatsEpisode.domain == query.domain)
        return [(c, _domain(d), s, e, k) for c, d, s, e, k in session.execute(stmt)]
    return _keyed_episodes(session, episodes_after_filters(query))


def _keyed_episodes(
    session: Session, episodes: Subquery, *where: ColumnElement[bool]
) -> list[Episode]:
    """The episodes of ``episodes_after_filters`` that meet ``where`` (so that only those a
    figure needs leave the database), each with the record key ``episode_key`` gives it."""
    ep = episodes
    return [
        (client_key, _domain(domain), start, end, episode_key(client_key, domain, start))
        for client_key, domain, start, end in session.execute(
            select(ep.c.client_key, ep.c.domain, ep.c.care_start, ep.c.care_end).where(*where)
        )
    ]


def _domain(value: Any) -> str:
    return str(getattr(value, "value", value))


# --- monthly flows ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFlow:
    month: int
    beginstand: int
    instroom: int
    uitstroom: int
    eindstand: int
    # The sums of the record keys of the rows in each cell (beginstand, instroom, ...).
    keys: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class YearMean:
    year: int
    months_counted: int
    excluded_months: tuple[int, ...]  # outlier months of the year inside the period
    sum_instroom: int
    sum_uitstroom: int
    counted: tuple[int, ...]  # the months the means are over

    @property
    def mean_instroom(self) -> float | None:
        return self.sum_instroom / self.months_counted if self.months_counted else None

    @property
    def mean_uitstroom(self) -> float | None:
        return self.sum_uitstroom / self.months_counted if self.months_counted else None


@dataclass(frozen=True)
class Flows:
    months: list[MonthFlow]
    yearly: list[YearMean]


@dataclass(frozen=True)
class MonthCounts:
    """Starts and ends per month (or per (month, intensity)), with their key sums."""

    starts: Counter[Any]
    ends: Counter[Any]
    starts_key: Counter[Any]
    ends_key: Counter[Any]


def _month_counts(
    session: Session, query: StatsQuery, unit: str, by_intensity: bool = False
) -> MonthCounts:
    """Starts and ends per month (or per (month, intensity)) up to ``query.last``: from the
    kept monthly counts when they answer the query, otherwise from the feed (cached). The
    months before the period only count as far as they make the stock at its start."""
    counts = MonthCounts(Counter(), Counter(), Counter(), Counter())
    starts, ends = counts.starts, counts.ends
    names = kept_set(query, unit)
    if _aggregated(query, unit) or names is not None:
        # The kept counts: unfiltered, or those of the kept set's value.
        C = COUNTS if names is None else FILTER_COUNTS
        stmt = select(
            C.c.month,
            C.c.intensity,
            func.sum(C.c.starts),
            func.sum(C.c.ends),
            func.sum(C.c.starts_key),
            func.sum(C.c.ends_key),
        ).where(C.c.unit == unit, C.c.month <= query.last)
        if names is not None:
            filter_set, value_1, value_2 = set_value(names, [query.value(n) for n in names])
            stmt = stmt.where(
                C.c.filter_set == filter_set, C.c.value_1 == value_1, C.c.value_2 == value_2
            )
        if query.domain is not None:
            stmt = stmt.where(C.c.domain == query.domain)
        if unit == UNIT_TRAJECT and query.value("intensity"):
            stmt = stmt.where(C.c.intensity == query.value("intensity"))
        for month, intensity, n_starts, n_ends, k_starts, k_ends in session.execute(
            stmt.group_by(C.c.month, C.c.intensity)
        ):
            key = (month, intensity) if by_intensity else month
            starts[key] += int(n_starts or 0)
            ends[key] += int(n_ends or 0)
            counts.starts_key[key] += int(k_starts or 0)
            counts.ends_key[key] += int(k_ends or 0)
        return counts
    return cache.cached(
        session,
        "month_counts",
        query,
        lambda: _month_counts_from_feed(session, query, unit, by_intensity),
        unit,
        by_intensity,
    )


def _month_counts_from_feed(
    session: Session, query: StatsQuery, unit: str, by_intensity: bool
) -> MonthCounts:
    """``_month_counts`` for a query no kept aggregate answers. For the client unit only the
    episodes that can count are read: those that start by the period's last day and have not
    ended before its first. One that started and ended before the period adds +1 and −1 (and
    its key and minus its key) to the stock before the period: nothing."""
    counts = MonthCounts(Counter(), Counter(), Counter(), Counter())
    starts, ends = counts.starts, counts.ends
    if unit == UNIT_TRAJECT:
        conditions = _fact_filters(query)
        for column, target, key_target in (
            (F.start_month, starts, counts.starts_key),
            (F.end_month, ends, counts.ends_key),
        ):
            for fact_month, level, n, key_sum in session.execute(
                select(column, F.intensity, func.count(), func.sum(F.record_key))
                .where(column.is_not(None), column <= query.last, *conditions)
                .group_by(column, F.intensity)
            ):
                cell = (fact_month, _domain(level)) if by_intensity else fact_month
                target[cell] += n
                key_target[cell] += int(key_sum or 0)
        return counts
    ep = episodes_after_filters(query)
    for _client, _domain_name, start, end, record_key in _keyed_episodes(
        session,
        ep,
        ep.c.care_start <= query.period_last_day,
        or_(ep.c.care_end.is_(None), ep.c.care_end >= query.period_first_day),
    ):
        if month_index(start) <= query.last:
            starts[month_index(start)] += 1
            counts.starts_key[month_index(start)] += record_key
        if end is not None and month_index(end) <= query.last:
            ends[month_index(end)] += 1
            counts.ends_key[month_index(end)] += record_key
    return counts


def outlier_months(session: Session, query: StatsQuery) -> set[int]:
    stmt = select(OutlierMonth.month)
    if query.domain is not None:
        stmt = stmt.where(OutlierMonth.domain == query.domain)
    return {month_index(day) for day in session.scalars(stmt)}


def flows(session: Session, query: StatsQuery) -> Flows:
    """Monthly beginstand, instroom, uitstroom, eindstand; yearly means of the monthly flows
    over the months in the period, up to the cut-off, that are not outlier months."""
    counts = _month_counts(session, query, query.unit)
    starts, ends = counts.starts, counts.ends
    stock = sum(n for m, n in starts.items() if m < query.start) - sum(
        n for m, n in ends.items() if m < query.start
    )
    # A stock's rows are those started up to the month minus those ended up to it (an end
    # never precedes its start), so its key sum is the running sum of the flows' key sums.
    stock_key = sum(n for m, n in counts.starts_key.items() if m < query.start) - sum(
        n for m, n in counts.ends_key.items() if m < query.start
    )
    months: list[MonthFlow] = []
    for month in query.months:
        begin, begin_key = stock, stock_key
        stock = begin + starts[month] - ends[month]
        stock_key = begin_key + counts.starts_key[month] - counts.ends_key[month]
        keys = {
            "beginstand": begin_key,
            "instroom": counts.starts_key[month],
            "uitstroom": counts.ends_key[month],
            "eindstand": stock_key,
        }
        months.append(MonthFlow(month, begin, starts[month], ends[month], stock, keys))
    outliers = outlier_months(session, query)
    yearly: list[YearMean] = []
    by_year: dict[int, list[MonthFlow]] = defaultdict(list)
    for row in months:
        by_year[row.month // 12].append(row)
    for year, rows in sorted(by_year.items()):
        counted = [r for r in rows if r.month not in outliers]
        yearly.append(
            YearMean(
                year=year,
                months_counted=len(counted),
                excluded_months=tuple(r.month for r in rows if r.month in outliers),
                sum_instroom=sum(r.instroom for r in counted),
                sum_uitstroom=sum(r.uitstroom for r in counted),
                counted=tuple(r.month for r in counted),
            )
        )
    return Flows(months, yearly)


# --- intensity ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IntensityMonth:
    month: int
    counts: dict[str, int]
    keys: dict[str, int] = field(default_factory=dict, compare=False)


def intensity(session: Session, query: StatsQuery) -> list[IntensityMonth]:
    """Per month the trajectories (unit traject) per intensity, on the basis eindstand or
    instroom."""
    month_counts = _month_counts(session, query, UNIT_TRAJECT, by_intensity=True)
    starts, ends = month_counts.starts, month_counts.ends
    stock = Counter[str]()
    stock_key = Counter[str]()
    for (month, level), n in starts.items():
        if month < query.start:
            stock[level] += n
            stock_key[level] += month_counts.starts_key[(month, level)]
    for (month, level), n in ends.items():
        if month < query.start:
            stock[level] -= n
            stock_key[level] -= month_counts.ends_key[(month, level)]
    result: list[IntensityMonth] = []
    for month in query.months:
        for level in INTENSITIES:
            stock[level] += starts[(month, level)] - ends[(month, level)]
            stock_key[level] += (
                month_counts.starts_key[(month, level)] - month_counts.ends_key[(month, level)]
            )
        if query.basis == "instroom":
            counts = {level: starts[(month, level)] for level in INTENSITIES}
            keys = {level: month_counts.starts_key[(month, level)] for level in INTENSITIES}
        else:
            counts = {level: stock[level] for level in INTENSITIES}
            keys = {level: stock_key[level] for level in INTENSITIES}
        result.append(IntensityMonth(month, counts, keys))
    return result


# --- durations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    year: int
    n: int
    ended: int
    censored: int
    km_median_days: int | None  # None: half of the cohort is still in care
    keys: dict[str, int] = field(default_factory=dict, compare=False)  # n, ended, censored


@dataclass(frozen=True)
class Durations:
    ended: int
    mean_days: float | None
    median_days: float | None
    cohorts: list[Cohort]
    ended_key: int = field(default=0, compare=False)


# (days, count, key sum, sum of the durations): the durations of the care that ended in the
# period, grouped. A group of the kept spans stands for a span of durations (``kept.SPAN``) at its
# first; the medians never fall in one (its single durations are read where they do).
EndedGroup = tuple[int, int, int, int]
# (start year, days, ended, count, key sum): a cohort's durations, open care censored at the
# cut-off (ended False, days up to the cut-off), grouped; a group may come in parts (summed).
CohortGroup = tuple[int, int, bool, int, int]
# The survival at or below which a Kaplan–Meier median is reached (rounding allowed for).
HALF = 0.5 + 1e-12


class KaplanMeier:
    """The Kaplan–Meier estimate walked in order of duration. Between two censorings the
    product of the factors (1 − events / at risk) is the share still at risk at the end over
    that at the start, so the survival is computed as the product of those shares, one per
    stretch between censorings: exact to the last bit whether the events of a stretch come
    one duration at a time or in a sum, so grouped and single durations give the same median."""

    def __init__(self, at_risk: int) -> None:
        self.at_risk = at_risk
        self.survival = 1.0  # at the start of the current stretch
        self.stretch_at_risk = at_risk

    def reached_after(self, events: int) -> bool:
        """Whether ``events`` more events (no censoring among them) bring the survival to a
        half or below."""
        if not events:
            return False
        return self.survival * (self.at_risk - events) / self.stretch_at_risk <= HALF

    def step(self, events: int, censored: int) -> bool:
        """The events, then the censorings, of one duration; True when the survival reaches a
        half (this duration is the median)."""
        if events:
            self.at_risk -= events
            if self.survival * self.at_risk / self.stretch_at_risk <= HALF:
                return True
        if censored:
            self.survival = self.survival * self.at_risk / self.stretch_at_risk
            self.at_risk -= censored
            self.stretch_at_risk = self.at_risk
        return False

    def skip(self, events: int) -> None:
        """Events (no censoring among them) that ``reached_after`` said stay above a half."""
        self.at_risk -= events


def kaplan_meier_median(times: Sequence[tuple[int, bool]]) -> int | None:
    """The smallest duration t with survival S(t) ≤ 0.5; ``times`` = (days, ended) with
    ended False for care still going on at the cut-off (censored there)."""
    events = Counter(t for t, ended in times if ended)
    leaving = Counter(t for t, _ended in times)
    return kaplan_meier_median_grouped((t, events[t], leaving[t]) for t in leaving)


def kaplan_meier_median_grouped(steps: Iterable[tuple[int, int, int]]) -> int | None:
    """``kaplan_meier_median`` over grouped counts: ``steps`` = (days, events, leaving), one
    per duration, where leaving counts the ended and the censored with that duration."""
    ordered = sorted(steps)
    walk = KaplanMeier(sum(leaving for _t, _events, leaving in ordered))
    for t, events, leaving in ordered:
        if walk.step(events, leaving - events):
            return t
    return None


def durations(session: Session, query: StatsQuery) -> Durations:
    """Care durations (end − start + 1 days) of those that ended in the period: mean and
    median; per start-year cohort in the period the Kaplan–Meier median, open care censored at
    the cut-off date. The database groups the durations (with counts and key sums); only the
    grouped rows leave it, except for the client unit with filters, whose episodes (formed by
    the database) are grouped here. The traject unit without filters, with the intensity or
    with one kept filter set reads the kept durations (``kept``). What is read from the feed is
    cached (``cache``)."""
    if query.unit == UNIT_CLIENT and _aggregated(query, UNIT_CLIENT):
        return _durations_of(query, *_grouped_durations(session, query))
    if query.unit == UNIT_TRAJECT:
        filter_set = kept.kept_filters(query.narrowing, query.filters)
        if filter_set is not None:
            return _kept_durations(session, query, filter_set)
    return cache.cached(session, "durations", query, lambda: durations_from_feed(session, query))


def durations_from_feed(session: Session, query: StatsQuery) -> Durations:
    """``durations`` from the feed rows: grouped by the database (traject unit), or over the
    client episodes after the filters that end or start in the period (client unit). Every
    query can be answered so; ``durations`` does it for those the kept counts do not hold."""
    if query.unit == UNIT_TRAJECT:
        return _durations_of(query, *_grouped_durations(session, query))
    first, last = query.period_first_day, query.period_last_day
    ep = episodes_after_filters(query)
    episodes = _keyed_episodes(
        session,
        ep,
        or_(
            and_(ep.c.care_end >= first, ep.c.care_end <= last),
            and_(ep.c.care_start >= first, ep.c.care_start <= last),
        ),
    )
    return _durations_of(query, *_grouped_intervals(query, episodes))


def _kept_durations(
    session: Session, query: StatsQuery, filter_set: tuple[str, str, str]
) -> Durations:
    """The durations of the traject unit from the kept ``stats_duration_counts`` of the kept
    filter set value ``filter_set`` (``kept.kept_filters``). The counts, key sums and the mean
    come from the spans of durations (``kept.ENDED_SPANS``, ``kept.CLOSED_SPANS``) of the
    period's months; the single durations (``kept.ENDED``, ``kept.CLOSED``) only of the spans a
    median lies in, and of those a cohort's censorings fall in before its median. Open care is
    censored at the cut-off date from the start days kept. Care that ended after the cut-off (in
    the current month) is kept as closed but is censored at the cut-off: those few rows are read
    from the feed and moved."""
    D = StatsDurationCount
    name, value_1, value_2 = filter_set
    domains = [query.domain] if query.domain is not None else list(Domain)

    def cells(kind: str, months: Sequence[int], *days: int) -> Subquery:
        """The cells of a kind in a run of months (and from ``days[0]`` to ``days[1]``): a
        range of the covering index per domain, each its own branch (a list of domains would be
        checked row by row under PostgreSQL's generic plan of a prepared statement)."""
        return union_all(
            *(
                select(D.month, D.days, D.n, D.key_sum, D.days_sum).where(
                    D.filter_set == name,
                    D.value_1 == value_1,
                    D.value_2 == value_2,
                    D.domain == domain,
                    D.kind == kind,
                    D.month.between(months[0], months[-1]),
                    *([D.days.between(days[0], days[1])] if days else []),
                )
                for domain in domains
            )
        ).subquery()

    def spans(kind: str, months: Sequence[int]) -> dict[int, list[int]]:
        """Per span: count, key sum, sum of the durations."""
        c = cells(kind, months).c
        return {
            int(span): [int(n), int(k), int(d)]
            for span, n, k, d in session.execute(
                select(c.days, func.sum(c.n), func.sum(c.key_sum), func.sum(c.days_sum)).group_by(
                    c.days
                )
            )
        }

    def single(kind: str, months: Sequence[int], first: int, last: int) -> Counter[int]:
        """The count per duration from ``first`` to ``last``."""
        c = cells(kind, months, first, last).c
        return Counter(
            {
                int(days): int(n)
                for days, n in session.execute(select(c.days, func.sum(c.n)).group_by(c.days))
            }
        )

    months = list(query.months)
    ended = spans(kept.ENDED_SPANS, months)
    n_ended = sum(n for n, _k, _d in ended.values())
    ended_groups: list[EndedGroup] = [(span, n, k, d) for span, (n, k, d) in ended.items()]
    if n_ended:
        # The spans that hold the median's one or two places, read as single durations.
        places = {(n_ended - 1) // 2, n_ended // 2}
        seen = 0
        wanted = []
        for span in sorted(ended):
            if any(seen <= place < seen + ended[span][0] for place in places):
                wanted.append(span)
            seen += ended[span][0]
        detail = single(kept.ENDED, months, wanted[0], wanted[-1] + kept.SPAN - 1)
        ended_groups = [g for g in ended_groups if not wanted[0] <= g[0] <= wanted[-1]]
        ended_groups += [(days, n, 0, days * n) for days, n in detail.items()]
        # Their key sum, on a group that counts nothing.
        ended_groups.append((wanted[0], 0, sum(ended[span][1] for span in wanted), 0))

    cutoff = query.cutoff_date
    # Care that ended after the cut-off: its kept duration is taken out, its censoring put in.
    moved: list[tuple[date, int, int]] = []  # start, kept duration, key
    # By the month of end alone (its index; SQLite would otherwise pick the month of start's
    # and read the period's rows), the period's starts checked here.
    for start_month, start, end, key in session.execute(
        select(F.start_month, F.care_start, F.care_end, F.record_key).where(
            F.end_month > query.cutoff, *_fact_filters(query)
        )
    ):
        assert start_month is not None and start is not None and end is not None
        if query.start <= start_month <= query.last:
            moved.append((start, (end - start).days + 1, int(key)))
    censored: dict[int, Counter[int]] = defaultdict(Counter)  # year -> days -> count
    cohort_groups: list[CohortGroup] = []
    opened = cells(kept.OPEN, months).c
    for month, day, n, k in session.execute(
        select(opened.month, opened.days, func.sum(opened.n), func.sum(opened.key_sum)).group_by(
            opened.month, opened.days
        )
    ):
        started = first_day(month).replace(day=int(day))
        days = (cutoff - started).days + 1
        censored[started.year][days] += int(n)
        cohort_groups.append((started.year, days, False, int(n), int(k)))
    # The closed durations per start year and span (grouped on a subquery's column: PostgreSQL
    # would not match a GROUP BY expression to its SELECT twin when each binds its own
    # parameter).
    closed_cells = cells(kept.CLOSED_SPANS, months)
    per_year = select(
        (closed_cells.c.month // 12).label("year"),
        closed_cells.c.days,
        closed_cells.c.n,
        closed_cells.c.key_sum,
    ).subquery()
    closed: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)  # year -> span -> n, key
    for year, span, n, k in session.execute(
        select(
            per_year.c.year, per_year.c.days, func.sum(per_year.c.n), func.sum(per_year.c.key_sum)
        ).group_by(per_year.c.year, per_year.c.days)
    ):
        closed[int(year)][int(span)] = (int(n), int(k))
    medians: dict[int, int | None] = {}
    for year in range(query.period_first_day.year, query.period_last_day.year + 1):
        in_year = [m for m in months if m // 12 == year]
        cohort_groups += [(year, span, True, n, k) for span, (n, k) in closed[year].items()]
        span_events = Counter({span: n for span, (n, _k) in closed[year].items()})
        taken_out: Counter[int] = Counter()
        for start, days, key in moved:
            if start.year == year:
                span_events[kept.span_of(days)] -= 1
                taken_out[days] += 1
                censored[year][(cutoff - start).days + 1] += 1
                cohort_groups.append((year, days, True, -1, -key))
                cohort_groups.append((year, (cutoff - start).days + 1, False, 1, key))

        def events(
            first: int, last: int, in_year: list[int] = in_year, out: Counter[int] = taken_out
        ) -> Counter[int]:
            found = single(kept.CLOSED, in_year, first, last)
            for days, n in out.items():
                if first <= days <= last:
                    found[days] -= n
            return found

        medians[year] = _kept_median(span_events, censored[year], events)
    return _durations_of(query, ended_groups, cohort_groups, medians)


def _kept_median(
    span_events: Counter[int], censored: Counter[int], events: Callable[[int, int], Counter[int]]
) -> int | None:
    """A cohort's Kaplan–Meier median from its events per span of durations and its
    censorings per duration: a span without censorings is passed whole unless the median lies in
    it; the single durations (``events``, from first to last) are read for the spans with
    censorings and the one the median lies in."""
    walk = KaplanMeier(sum(span_events.values()) + sum(censored.values()))
    censored_in: dict[int, dict[int, int]] = defaultdict(dict)  # span -> days -> count
    for days, n in censored.items():
        if n:
            censored_in[kept.span_of(days)][days] = n
    found = Counter[int]()
    read_to = -1  # the single durations read so far: up to this one
    for span in sorted(set(span_events) | set(censored_in)):
        last = span + kept.SPAN - 1
        in_span = span_events[span]
        censorings = censored_in.get(span, {})
        if not censorings and not walk.reached_after(in_span):
            walk.skip(in_span)
            continue
        if in_span and last > read_to:
            # A span with censorings is read with the next ones that have some, in one go.
            read_to = last
            if censorings:
                read_to = max(s for s in censored_in if s >= span) + kept.SPAN - 1
            found = events(span, read_to)
        in_found = {days for days in found if span <= days <= last}
        for days in sorted(in_found | set(censorings)):
            if walk.step(found.get(days, 0), censorings.get(days, 0)):
                return days
    return None


def _grouped_durations(
    session: Session, query: StatsQuery
) -> tuple[list[EndedGroup], list[CohortGroup]]:
    """The grouped durations from the feed rows (traject unit) or the kept episodes (client
    unit without filters)."""
    start: Any
    end: Any
    start_month: Any
    end_month: Any
    if query.unit == UNIT_CLIENT:
        E = StatsEpisode
        start, end, key = E.care_start, E.care_end, E.record_key
        start_month, end_month = E.start_month, E.end_month
        conditions = [] if query.domain is None else [E.domain == query.domain]
    else:
        start, end, key = F.care_start, F.care_end, F.record_key
        start_month, end_month = F.start_month, F.end_month
        conditions = _fact_filters(query)
    cutoff = query.cutoff_date
    days = date_ordinal(end) - date_ordinal(start) + 1
    closed = and_(end.is_not(None), end <= cutoff)
    # The period's days are its whole months, so the month indexes select them.
    ends_in = and_(end_month >= query.start, end_month <= query.last)
    starts_in = and_(start_month >= query.start, start_month <= query.last)
    # The rows that end in the period give their ended duration, those that start in it their
    # cohort (year, duration up to the end or the cut-off, closed or censored); one UNION ALL,
    # each branch on its own index (the feed's cover the columns read, filters included).
    # The grouped expressions are columns of a subquery: PostgreSQL would not match a GROUP
    # BY expression to its SELECT twin when each binds its own parameters.
    none = cast_(null(), Integer)
    rows = union_all(
        select(
            days.label("ended_days"),
            none.label("year"),
            none.label("days"),
            none.label("closed"),
            key.label("key"),
        ).where(ends_in, *conditions),
        select(
            none,
            cast_(extract("year", start), Integer),
            case((closed, days), else_=cutoff.toordinal() - date_ordinal(start) + 1),
            case((closed, 1), else_=0),
            key,
        ).where(starts_in, *conditions),
    ).subquery()
    grouped = (rows.c.ended_days, rows.c.year, rows.c.days, rows.c.closed)
    ended: Counter[int] = Counter()
    ended_keys: Counter[int] = Counter()
    cohorts: list[CohortGroup] = []
    for ended_days, year, d, is_closed, n, k in session.execute(
        select(*grouped, func.count(), func.coalesce(func.sum(rows.c.key), 0)).group_by(*grouped)
    ):
        if ended_days is not None:
            ended[int(ended_days)] += int(n)
            ended_keys[int(ended_days)] += int(k)
        if year is not None:
            cohorts.append((int(year), int(d), bool(is_closed), int(n), int(k)))
    return [(d, n, ended_keys[d], d * n) for d, n in ended.items()], cohorts


def _grouped_intervals(
    query: StatsQuery, intervals: Iterable[Episode]
) -> tuple[list[EndedGroup], list[CohortGroup]]:
    """The grouped durations of merged episodes, as ``_grouped_durations`` groups them."""
    first, last, cutoff = query.period_first_day, query.period_last_day, query.cutoff_date
    ended: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # days -> [count, key sum]
    cohorts: dict[tuple[int, int, bool], list[int]] = defaultdict(lambda: [0, 0])
    for _client, _domain_name, s, e, k in intervals:
        if e is not None and first <= e <= last:
            cell = ended[(e - s).days + 1]
            cell[0] += 1
            cell[1] += k
        if first <= s <= last:
            until = e if e is not None and e <= cutoff else cutoff  # open care: censored
            cell = cohorts[(s.year, (until - s).days + 1, e is not None and e <= cutoff)]
            cell[0] += 1
            cell[1] += k
    return (
        [(d, n, k, d * n) for d, (n, k) in ended.items()],
        [(y, d, closed, n, k) for (y, d, closed), (n, k) in cohorts.items()],
    )


def _durations_of(
    query: StatsQuery,
    ended: Sequence[EndedGroup],
    cohort_groups: Sequence[CohortGroup],
    medians: dict[int, int | None] | None = None,
) -> Durations:
    """The figure from the grouped durations; the cohorts' Kaplan–Meier medians from their
    groups, unless given (``medians``, per year: the kept spans compute them)."""
    n_ended = sum(n for _d, n, _k, _s in ended)
    per_year: dict[int, list[CohortGroup]] = defaultdict(list)
    for group in cohort_groups:
        per_year[group[0]].append(group)
    cohorts: list[Cohort] = []
    for year in range(query.period_first_day.year, query.period_last_day.year + 1):
        steps: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # days -> [events, leaving]
        keys = Counter[str]()
        n = done = 0
        for _y, d, closed, count, key in per_year[year]:
            n += count
            keys["n"] += key
            steps[d][1] += count
            if closed:
                done += count
                steps[d][0] += count
                keys["ended"] += key
            else:
                keys["censored"] += key
        if medians is not None:
            median = medians[year]
        else:
            median = kaplan_meier_median_grouped((d, e, m) for d, (e, m) in steps.items())
        cohorts.append(Cohort(year, n, done, n - done, median, dict(keys)))
    return Durations(
        ended=n_ended,
        # The exact sum over the count, as ``statistics.fmean`` over the durations gives it.
        mean_days=sum(total for _d, _n, _k, total in ended) / n_ended if n_ended else None,
        median_days=_grouped_median(ended, n_ended) if n_ended else None,
        cohorts=cohorts,
        ended_key=sum(k for _d, _n, k, _s in ended),
    )


def _grouped_median(groups: Sequence[EndedGroup], n: int) -> float:
    """``statistics.median`` of the durations that ``groups`` (days, count, …) count."""

    def at(index: int) -> int:
        seen = 0
        for days, count, _key, _sum in ordered:
            seen += count
            if index < seen:
                return days
        raise IndexError(index)

    ordered = sorted(groups)
    if n % 2:
        return float(at(n // 2))
    return float((at(n // 2 - 1) + at(n // 2)) / 2)


# --- waiting times ------------------------------------------------------------------------


@dataclass(frozen=True)
class Wait:
    n: int
    mean_days: float | None
    median_days: float | None
    key: int = field(default=0, compare=False)

    @classmethod
    def of(cls, days: Sequence[int], key: int = 0) -> Wait:
        if not days:
            return cls(0, None, None)
        return cls(len(days), statistics.fmean(days), float(statistics.median(days)), key)

    @classmethod
    def of_groups(cls, groups: Sequence[EndedGroup]) -> Wait:
        """``of`` the waits that ``groups`` (days, count, key sum, days sum) count."""
        n = sum(count for _days, count, _key, _sum in groups)
        if not n:
            return cls(0, None, None)
        total = sum(days_sum for _days, _count, _key, days_sum in groups)
        key = sum(key_sum for _days, _count, key_sum, _sum in groups)
        return cls(n, total / n, _grouped_median(groups, n), key)


@dataclass(frozen=True)
class WaitMonth:
    month: int
    request_to_decision: Wait
    decision_to_start: Wait


@dataclass(frozen=True)
class WaitingTimes:
    months: list[WaitMonth]


def waiting_times(session: Session, query: StatsQuery) -> WaitingTimes:
    """Days from request to decision and from decision to start, by month of start. A query
    whose filters a kept set holds (``kept.kept_filters``) reads the kept waits by month of
    start (``kept.STARTED_WAIT_DECISION``, ``kept.STARTED_WAIT_START``); any other reads the
    feed's rows started in the period (``waiting_times_from_feed``)."""
    filter_set = kept.kept_filters(query.narrowing, query.filters)
    if filter_set is None:
        return waiting_times_from_feed(session, query)
    D = StatsDurationCount
    name, value_1, value_2 = filter_set
    # One branch per domain and kind: each a range of the covering index.
    branches = union_all(
        *(
            select(D.kind, D.month, D.days, D.n, D.key_sum, D.days_sum).where(
                D.filter_set == name,
                D.value_1 == value_1,
                D.value_2 == value_2,
                D.domain == domain,
                D.kind == kind,
                D.month.between(query.start, query.last),
            )
            for domain in ([query.domain] if query.domain is not None else list(Domain))
            for kind in (kept.STARTED_WAIT_DECISION, kept.STARTED_WAIT_START)
        )
    ).subquery()
    groups: dict[tuple[str, int], list[EndedGroup]] = defaultdict(list)
    for kind, month, days, n, key_sum, days_sum in session.execute(
        select(
            branches.c.kind,
            branches.c.month,
            branches.c.days,
            func.sum(branches.c.n),
            func.sum(branches.c.key_sum),
            func.sum(branches.c.days_sum),
        ).group_by(branches.c.kind, branches.c.month, branches.c.days)
    ):
        groups[(kind, month)].append((int(days), int(n), int(key_sum), int(days_sum)))
    return WaitingTimes(
        months=[
            WaitMonth(
                m,
                Wait.of_groups(groups[(kept.STARTED_WAIT_DECISION, m)]),
                Wait.of_groups(groups[(kept.STARTED_WAIT_START, m)]),
            )
            for m in query.months
        ]
    )


def waiting_times_from_feed(session: Session, query: StatsQuery) -> WaitingTimes:
    """``waiting_times`` from the feed's rows started in the period: every query can be answered
    so."""
    per_month: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    keys: Counter[tuple[int, str]] = Counter()
    for start_month, request, decision, start, record_key in session.execute(
        select(F.start_month, F.request_date, F.decision_date, F.care_start, F.record_key).where(
            F.start_month >= query.start, F.start_month <= query.last, *_fact_filters(query)
        )
    ):
        assert start_month is not None and start is not None
        to_decision, to_start = per_month[start_month]
        if request is not None and decision is not None:
            to_decision.append((decision - request).days)
            keys[(start_month, "to_decision")] += record_key
        if decision is not None:
            to_start.append((start - decision).days)
            keys[(start_month, "to_start")] += record_key
    return WaitingTimes(
        months=[
            WaitMonth(
                m,
                Wait.of(per_month[m][0], keys[(m, "to_decision")]),
                Wait.of(per_month[m][1], keys[(m, "to_start")]),
            )
            for m in query.months
        ]
    )


# --- the waiting list now -------------------------------------------------------------------


@dataclass(frozen=True)
class StageWaiting:
    """The number waiting in one stage per band of the age of the wait, with key sums."""

    counts: dict[str, int]
    keys: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def total_key(self) -> int:
        return sum(self.keys.values())


@dataclass(frozen=True)
class WaitingNow:
    """The waiting list at ``reference_date`` (the cut-off date). A stage is None where the
    query's filters do not apply to it (``TRAJECTORY_ONLY_FILTERS`` for the request stage)."""

    reference_date: date
    stages: dict[str, StageWaiting | None]

    @property
    def total(self) -> int | None:
        parts = self.stages.values()
        return None if None in parts else sum(p.total for p in parts if p is not None)

    @property
    def total_key(self) -> int:
        return sum(p.total_key for p in self.stages.values() if p is not None)


def _band(column: Any, reference: date) -> Any:
    """The band code of the wait that began on ``column`` (a day on or before ``reference``),
    compared as dates so that every database computes the same bands."""
    whens = [
        (column > reference - timedelta(days=next_first), code)
        for (_first, code), (next_first, _next) in pairwise(WAIT_BANDS)
    ]
    return case(*whens, else_=WAIT_BANDS[-1][1])


def waiting_now(session: Session, query: StatsQuery) -> WaitingNow:
    """Those waiting at the cut-off date R, per stage and band of the age of the wait:

    * request: a request dated on or before R without a decision by R (undecided, or decided
      after R), its wait counted from the request date; from ``stats_requests``, with the
      domain, wijk and age band filters (the age at the request date);
    * decision: a trajectory in the feed decided on or before R whose care had not started by R,
      its wait counted from the decision date; with every filter.
    """
    reference = query.cutoff_date
    R = StatsRequest
    decided = _unindexed(F.decision_date <= reference)
    stages: dict[str, StageWaiting | None] = {
        # no start by R, the last day of the cut-off month: none yet (the partial index on
        # waiting rows), or in a later month (the index on start months); two statements, as
        # one with OR was read from the index on decision dates, the whole domain
        "decision": _stage_waiting(
            session,
            F.decision_date,
            F.record_key,
            [
                [F.care_start.is_(None), decided, *_fact_filters(query)],
                [F.start_month > query.cutoff, decided, *_fact_filters(query)],
            ],
            reference,
        )
    }
    if any(query.value(name) for name in TRAJECTORY_ONLY_FILTERS):
        stages["request"] = None
    else:
        requested = _unindexed(R.request_date <= reference)
        filters = _filters(query, R.domain, {"wijk": R.wijk, "age_band": R.age_band})
        stages["request"] = _stage_waiting(
            session,
            R.request_date,
            R.record_key,
            [
                [R.decided_on.is_(None), requested, *filters],
                [R.decided_on > reference, requested, *filters],
            ],
            reference,
        )
    return WaitingNow(reference, {name: stages[name] for name in WAIT_STAGES})


def _unindexed(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition`` in a form no index answers, so the database takes the index of the other,
    more selective conditions (SQLite would take a range of dates over a whole domain)."""
    return case((condition, 1), else_=0) == 1


def _stage_waiting(
    session: Session,
    began: Any,
    record_key: Any,
    parts: Sequence[Sequence[ColumnElement[bool]]],
    reference: date,
) -> StageWaiting:
    """Count and key sum per band of the rows of each part (disjoint conditions), grouped over
    a subquery (one band expression for SELECT and GROUP BY, which PostgreSQL needs with bound
    parameters)."""
    counts = dict.fromkeys(WAIT_BAND_CODES, 0)
    keys = dict.fromkeys(WAIT_BAND_CODES, 0)
    for conditions in parts:
        sub = (
            select(_band(began, reference).label("band"), record_key.label("record_key"))
            .where(*conditions)
            .subquery()
        )
        for band, n, key_sum in session.execute(
            select(sub.c.band, func.count(), func.sum(sub.c.record_key)).group_by(sub.c.band)
        ):
            counts[band] += int(n)
            keys[band] += int(key_sum or 0)
    return StageWaiting(counts, keys)


# --- waiting times with the still-waiting censored, and unmet demand ------------------------


@dataclass(frozen=True)
class WaitSurvival:
    """The waits of one stage that began in the period: ``n`` of them, ``ended`` by the
    reference date (a decision; a start of care), ``censored`` still waiting then, and the
    Kaplan–Meier median of the wait in days (None while half of them are still waiting)."""

    n: int
    ended: int
    censored: int
    km_median_days: int | None
    keys: dict[str, int] = field(default_factory=dict, compare=False)  # n, ended, censored


@dataclass(frozen=True)
class CensoredWaits:
    """Per stage (``WAIT_STAGES``) the waits that began in the period, the still-waiting
    censored at ``reference_date``; a stage is None where the filters do not apply to it."""

    reference_date: date
    stages: dict[str, WaitSurvival | None]


def censored_waits(session: Session, query: StatsQuery) -> CensoredWaits:
    """Waiting times with those still waiting censored (docs/statistics.md): per stage, the
    waits that began in the period — a request dated in it (to its decision), a trajectory
    decided in it (to its start of care) — each ended when its stage ended by the reference
    date R (the cut-off date), otherwise censored at R; the Kaplan–Meier median over them
    (``kaplan_meier_median_grouped``, the rule of the durations). The same filters as the
    waiting list now: the request stage takes the domain, wijk and age band only.

    The ended waits come from the kept ``stats_duration_counts`` (``kept.WAIT_START``,
    ``kept.WAIT_DECISION``) when a kept set holds the filters (for requests always); the few
    that ended after R, and those not ended, are read from the rows and censored at R. Other
    filters group the feed's rows in the database."""
    reference = query.cutoff_date
    first, last = query.period_first_day, query.period_last_day
    R = StatsRequest
    stages: dict[str, WaitSurvival | None] = {}
    filter_set = kept.kept_filters(query.narrowing, query.filters)
    if filter_set is None:
        stages["decision"] = _wait_survival(
            session,
            F.decision_date,
            F.care_start,
            F.record_key,
            [F.decision_date >= first, F.decision_date <= last, *_fact_filters(query)],
            reference,
        )
    else:
        stages["decision"] = _kept_waits(
            session,
            query,
            kept.WAIT_START,
            filter_set,
            [
                # not started: the partial index of the waiting rows
                select(literal(""), F.decision_date, null(), F.record_key).where(
                    F.care_start.is_(None),
                    _unindexed(and_(F.decision_date >= first, F.decision_date <= last)),
                    *_fact_filters(query),
                ),
                # started after R: by the month of start alone (its index: SQLite would
                # otherwise pick the decision date's and read the period's rows), the
                # decision date checked by ``_waits_by``
                select(literal(""), F.decision_date, F.care_start, F.record_key).where(
                    F.start_month > query.cutoff, *_fact_filters(query)
                ),
            ],
        )
    if any(query.value(name) for name in TRAJECTORY_ONLY_FILTERS):
        stages["request"] = None
    else:
        request_set = kept.kept_filters(query.narrowing, query.filters)
        assert request_set is not None  # domain, wijk and age band: a kept set of requests
        stages["request"] = _kept_waits(
            session,
            query,
            kept.WAIT_DECISION,
            request_set,
            [
                select(literal(""), R.request_date, null(), R.record_key).where(
                    R.decided_on.is_(None),
                    _unindexed(and_(R.request_date >= first, R.request_date <= last)),
                    *_filters(query, R.domain, {"wijk": R.wijk, "age_band": R.age_band}),
                ),
                # decided after R: by the decision day alone, as above
                select(literal(""), R.request_date, R.decided_on, R.record_key).where(
                    R.decided_on > reference,
                    *_filters(query, R.domain, {"wijk": R.wijk, "age_band": R.age_band}),
                ),
            ],
        )
    return CensoredWaits(reference, {name: stages[name] for name in WAIT_STAGES})


def _kept_waits(
    session: Session,
    query: StatsQuery,
    kind: str,
    filter_set: tuple[str, str, str],
    unended: Sequence[Any],
) -> WaitSurvival:
    """A stage's waits from the kept ended waits of ``kind`` of the kept set value
    ``filter_set`` that began in the period's months, with the rows of ``unended`` (statements
    giving the first day, the last day — empty while waiting — and the record key of the waits
    that had not ended by R): see ``_waits_by``."""
    D = StatsDurationCount
    name, value_1, value_2 = filter_set
    cells = [
        select(literal(""), D.days, func.sum(D.n), func.sum(D.key_sum))
        .where(
            D.filter_set == name,
            D.value_1 == value_1,
            D.value_2 == value_2,
            D.domain == domain,
            D.kind == kind,
            D.month.between(query.start, query.last),
        )
        .group_by(D.days)
        for domain in ([query.domain] if query.domain is not None else list(Domain))
    ]
    waits = _waits_by(session, query, cells, [("", statement) for statement in unended])
    return waits.get("", WaitSurvival(0, 0, 0, None))


def _waits_by(
    session: Session,
    query: StatsQuery,
    cells: Sequence[Any],
    unended: Sequence[tuple[str | None, Any]],
) -> dict[str, WaitSurvival]:
    """Waits per group (a provider's AGB code, or "" for all) from kept ended waits and the
    rows of the waits not ended by R. ``cells`` are statements giving (group, days, count, key
    sum) of ended waits; ``unended`` pairs a group (None: the row's own first column names it,
    and it counts for "" too) with a statement giving (group, first day, last day — empty
    while waiting —, record key) of the waits that had not ended by R. A wait kept as ended
    that ended after R is taken out of the events; each of them is censored at R, after R − its
    first day. Rows that began outside the period are passed over here. The Kaplan–Meier
    median over the events per length and the censorings
    (``kaplan_meier_median_grouped``)."""
    reference = query.cutoff_date
    steps: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    keys: dict[str, Counter[str]] = defaultdict(Counter)
    for statement in cells:
        for group, days, n, key_sum in session.execute(statement):
            steps[group][int(days)][0] += int(n)
            steps[group][int(days)][1] += int(n)
            keys[group]["ended"] += int(key_sum)
    first, last = query.period_first_day, query.period_last_day
    for fixed, statement in unended:
        for own, began, ended, record_key in session.execute(statement):
            if not first <= began <= last:
                continue  # a statement read by another index than the period's
            for group in (fixed,) if fixed is not None else (own, ""):
                if ended is not None:  # kept as ended, but after R
                    steps[group][(ended - began).days][0] -= 1
                    steps[group][(ended - began).days][1] -= 1
                    keys[group]["ended"] -= record_key
                steps[group][(reference - began).days][1] += 1
                keys[group]["censored"] += record_key
    found = {}
    for group, by_days in steps.items():
        n = sum(leaving for _events, leaving in by_days.values())
        ended_n = sum(events for events, _leaving in by_days.values())
        median = kaplan_meier_median_grouped((d, e, m) for d, (e, m) in by_days.items() if m)
        group_keys = keys[group]
        group_keys["n"] = group_keys["ended"] + group_keys["censored"]
        found[group] = WaitSurvival(n, ended_n, n - ended_n, median, dict(group_keys))
    return found


def _wait_survival(
    session: Session,
    began: Any,
    ended: Any,
    record_key: Any,
    conditions: Sequence[ColumnElement[bool]],
    reference: date,
) -> WaitSurvival:
    """The waits that began on ``began`` and ended on ``ended`` (empty, or after ``reference``:
    still waiting, censored at ``reference``), grouped per length in days and ended or not
    (over a subquery's columns: one expression for SELECT and GROUP BY)."""
    done = and_(ended.is_not(None), ended <= reference)
    rows = (
        select(
            case(
                (done, date_ordinal(ended) - date_ordinal(began)),
                else_=reference.toordinal() - date_ordinal(began),
            ).label("days"),
            case((done, 1), else_=0).label("done"),
            record_key.label("record_key"),
        )
        .where(*conditions)
        .subquery()
    )
    steps: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # days -> [events, leaving]
    keys = Counter[str]()
    n = n_done = 0
    for days, is_done, count, key_sum in session.execute(
        select(rows.c.days, rows.c.done, func.count(), func.sum(rows.c.record_key)).group_by(
            rows.c.days, rows.c.done
        )
    ):
        count, key_sum = int(count), int(key_sum or 0)
        n += count
        keys["n"] += key_sum
        steps[int(days)][1] += count
        if is_done:
            n_done += count
            steps[int(days)][0] += count
            keys["ended"] += key_sum
        else:
            keys["censored"] += key_sum
    median = kaplan_meier_median_grouped((d, e, m) for d, (e, m) in steps.items())
    return WaitSurvival(n, n_done, n - n_done, median, dict(keys))


# The outcomes of a request that leave its demand unmet: refused, or closed without follow-up.
UNMET_OUTCOMES = {
    "refused": AanmeldingOutcome.AFGEWEZEN,
    "no_follow_up": AanmeldingOutcome.GEEN_VERVOLG,
}


@dataclass(frozen=True)
class UnmetMonth:
    month: int
    counts: dict[str, int]  # per ``UNMET_OUTCOMES`` name
    keys: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class UnmetDemand:
    """Per month of the period the requests decided in it as refused or without follow-up;
    ``months`` is None where the filters do not apply to requests."""

    months: list[UnmetMonth] | None


def unmet_demand(session: Session, query: StatsQuery) -> UnmetDemand:
    """Requests (``stats_requests``) refused or closed without follow-up, per month of that
    decision (``decided_on``) in the period, with the domain, wijk and age band filters; None
    with a filter only a trajectory has. Grouped per day of the decision by the database (from
    a covering index on domain, outcome and day), the days put in their months here."""
    if any(query.value(name) for name in TRAJECTORY_ONLY_FILTERS):
        return UnmetDemand(None)
    R = StatsRequest
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    keys: dict[int, Counter[str]] = defaultdict(Counter)
    names = {outcome.value: name for name, outcome in UNMET_OUTCOMES.items()}
    for outcome, day, n, key_sum in session.execute(
        select(R.outcome, R.decided_on, func.count(), func.sum(R.record_key))
        .where(
            R.outcome.in_(list(UNMET_OUTCOMES.values())),
            R.decided_on >= query.period_first_day,
            R.decided_on <= query.period_last_day,
            *_filters(query, R.domain, {"wijk": R.wijk, "age_band": R.age_band}),
        )
        .group_by(R.outcome, R.decided_on)
    ):
        assert day is not None
        name = names[_domain(outcome)]
        counts[month_index(day)][name] += int(n)
        keys[month_index(day)][name] += int(key_sum or 0)
    return UnmetDemand(
        [
            UnmetMonth(
                month,
                {name: counts[month][name] for name in UNMET_OUTCOMES},
                {name: keys[month][name] for name in UNMET_OUTCOMES},
            )
            for month in query.months
        ]
    )


# --- the provider scorecard -------------------------------------------------------------------

# The counts of a scorecard column (docs/statistics.md, "Provider scorecard").
SCORECARD_COUNTS = (
    "closed",
    "achieved_on_time",
    "achieved_late",
    "category_b",
    "category_d",
    "returned",
    "scaling_requests",
)
# Who a scorecard column is about: a provider's AGB code, or the municipality (all providers).
MUNICIPALITY = ""


@dataclass(frozen=True)
class ScorecardColumn:
    """One provider's figures (or the municipality's, ``agb`` ``MUNICIPALITY``) for a period:
    the counts of ``SCORECARD_COUNTS``, the trajectories closed with the result achieved and
    their prices (``achieved``, ``achieved_price``), and the waits from decision to start of
    the trajectories decided in the period, the still-waiting censored."""

    agb: str
    counts: dict[str, int]
    achieved: int
    achieved_price: Decimal
    decision_to_start: WaitSurvival
    keys: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Scorecard:
    providers: list[ScorecardColumn]  # in the order of the AGB codes
    municipality: ScorecardColumn


def scorecard(session: Session, query: StatsQuery, agb_codes: Sequence[str]) -> Scorecard:
    """The scorecard of every provider of ``agb_codes`` (the catalogue's, and any other in the
    feed's figures of the period) and of the municipality, for the query's period and domain.
    Everything comes from kept counts or covering indexes: the closed trajectories per outcome
    and category from ``stats_result_counts`` (the provider set, and no filter for the
    municipality), the waits from ``stats_duration_counts`` (``kept.WAIT_START``), the returned
    proposals and scaling requests from ``stats_provider_events``; the achieved results (the
    closed ones but ``not_achieved``) with their prices from the same result cells (``cents``)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    keys: dict[str, Counter[str]] = defaultdict(Counter)
    Rc = StatsResultCount
    domains = [query.domain] if query.domain is not None else list(Domain)
    # One branch per provider (and one without filter), domain and outcome: each a range of
    # the primary key, read in one statement.
    branches = union_all(
        *(
            select(
                literal(agb).label("agb"),
                Rc.kind,
                Rc.category,
                Rc.n,
                Rc.key_sum,
                Rc.cents,
            ).where(
                Rc.filter_set == ("provider" if agb else ""),
                Rc.value_1 == agb,
                Rc.value_2 == "",
                Rc.domain == domain,
                Rc.kind == kind,
                Rc.month.between(query.start, query.last),
            )
            for agb in [*agb_codes, MUNICIPALITY]
            for domain in domains
            for kind in kept.OUTCOMES
        )
    ).subquery()
    achieved: Counter[str] = Counter()
    achieved_cents: Counter[str] = Counter()
    achieved_keys: Counter[str] = Counter()
    for provider, kind, category, n, key_sum, amount in session.execute(
        select(
            branches.c.agb,
            branches.c.kind,
            branches.c.category,
            func.sum(branches.c.n),
            func.sum(branches.c.key_sum),
            func.sum(branches.c.cents),
        ).group_by(branches.c.agb, branches.c.kind, branches.c.category)
    ):
        n, key_sum = int(n), int(key_sum)
        names = ["closed"]
        if kind != "not_achieved":
            names.append(kind)
            achieved[provider] += n
            achieved_cents[provider] += int(amount)
            achieved_keys[provider] += key_sum
        if category in ("b", "d"):
            names.append(f"category_{category}")
        for name in names:
            counts[provider][name] += n
            keys[provider][name] += key_sum
    E = StatsProviderEvent
    event_counts = {"returned": "returned", "scaling": "scaling_requests"}
    for kind, provider, n, key_sum in session.execute(
        select(E.kind, E.provider_agb, func.count(), func.sum(E.record_key))
        .where(
            E.month.between(query.start, query.last),
            *([E.domain == query.domain] if query.domain is not None else []),
        )
        .group_by(E.kind, E.provider_agb)
    ):
        for who in (provider, MUNICIPALITY):
            counts[who][event_counts[kind]] += int(n)
            keys[who][event_counts[kind]] += int(key_sum or 0)
    waits = _provider_waits(session, query, agb_codes)
    columns = []
    for agb in [*agb_codes, MUNICIPALITY]:
        columns.append(
            ScorecardColumn(
                agb=agb,
                counts={name: counts[agb][name] for name in SCORECARD_COUNTS},
                achieved=achieved[agb],
                achieved_price=(Decimal(achieved_cents[agb]) / 100).quantize(Decimal("0.01")),
                decision_to_start=waits.get(agb, WaitSurvival(0, 0, 0, None)),
                keys={
                    **{name: keys[agb][name] for name in SCORECARD_COUNTS},
                    "achieved": achieved_keys[agb],
                },
            )
        )
    return Scorecard(columns[:-1], columns[-1])


def _provider_waits(
    session: Session, query: StatsQuery, agb_codes: Sequence[str]
) -> dict[str, WaitSurvival]:
    """Per provider (and for the municipality, ``MUNICIPALITY``) the waits from decision to
    start of the trajectories decided in the period, the still-waiting censored at R: the rule
    of ``censored_waits`` (``_waits_by``), from the kept ended waits of the provider set and of
    no filter, all providers in one query."""
    D = StatsDurationCount
    # One branch per provider (and one without filter) and domain: each a range of the
    # covering index.
    branches = union_all(
        *(
            select(literal(agb).label("agb"), D.days, D.n, D.key_sum).where(
                D.filter_set == ("provider" if agb else ""),
                D.value_1 == agb,
                D.value_2 == "",
                D.domain == domain,
                D.kind == kept.WAIT_START,
                D.month.between(query.start, query.last),
            )
            for agb in [*agb_codes, MUNICIPALITY]
            for domain in ([query.domain] if query.domain is not None else list(Domain))
        )
    ).subquery()
    cells = [
        select(
            branches.c.agb, branches.c.days, func.sum(branches.c.n), func.sum(branches.c.key_sum)
        ).group_by(branches.c.agb, branches.c.days)
    ]
    in_period = [
        _unindexed(
            and_(
                F.decision_date >= query.period_first_day,
                F.decision_date <= query.period_last_day,
            )
        ),
        *([F.domain == query.domain] if query.domain is not None else []),
    ]
    unended = [
        select(F.provider_agb, F.decision_date, null(), F.record_key).where(
            F.care_start.is_(None), *in_period
        ),
        select(F.provider_agb, F.decision_date, F.care_start, F.record_key).where(
            F.start_month > query.cutoff,
            *([F.domain == query.domain] if query.domain is not None else []),
        ),
    ]
    return _waits_by(session, query, cells, [(None, statement) for statement in unended])


# --- results, extensions, repeat use, cost and rates ----------------------------------------


@dataclass(frozen=True)
class YearFigures:
    year: int
    started_clients: int  # distinct clients with a trajectory that started in the year
    started_price: Decimal  # sum of those trajectories' prices
    clients_in_care: int  # distinct clients with care during the year
    households_with_decision: int  # distinct households with a decision running in the year
    inhabitants: int | None
    households: int | None
    # Key sums over the distinct clients / households counted (their own record keys).
    keys: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Results:
    closed: int
    achieved_on_time: int
    achieved_late: int
    not_achieved: int
    categories: dict[str, int]
    active: int
    extensions: int
    new_episodes: int
    repeat_episodes: int
    years: list[YearFigures]
    # Key sums of each count above (closed, achieved_on_time, …, categories as "category.a").
    keys: dict[str, int] = field(default_factory=dict, compare=False)


def results(session: Session, query: StatsQuery, repeat_years: int) -> Results:
    """Result rate and closure categories of the trajectories closed in the period; extensions
    of those active in it; repeat use among client episodes that started in it; price per client
    and rates per 1,000 per year. The closed and active trajectories come from the kept
    ``stats_result_counts`` when it holds the filters asked (``kept.FILTER_SETS``), repeat use
    from ``stats_repeat_counts`` without filters or with one kept set (``kept_set``); anything
    else reads the feed."""
    closed = Counter[str]()
    categories = Counter[str]()
    keys = Counter[str]()
    filter_set = kept.kept_filters(query.narrowing, query.filters)
    if filter_set is None:
        active, extensions = _scanned_results(session, query, closed, categories, keys)
    else:
        active, extensions = _kept_results(session, query, filter_set, closed, categories, keys)
    repeat_set = kept_set(query, UNIT_CLIENT)
    if _aggregated(query, UNIT_CLIENT) or repeat_set is not None:
        new_episodes, repeats = _kept_repeats(session, query, repeat_years, keys, repeat_set)
    else:
        new_episodes, repeats, repeat_keys = cache.cached(
            session,
            "repeat",
            query,
            lambda: _repeat_tally(_episode_starts(session, query), repeat_years),
            repeat_years,
        )
        keys.update(repeat_keys)
    years = year_figures(session, query, filter_set)
    return Results(
        closed=sum(closed.values()),
        achieved_on_time=closed["achieved_on_time"],
        achieved_late=closed["achieved_late"],
        not_achieved=closed["not_achieved"],
        categories={c: categories[c] for c in CATEGORIES},
        active=int(active or 0),
        extensions=int(extensions or 0),
        new_episodes=new_episodes,
        repeat_episodes=repeats,
        years=years,
        keys={name: int(value) for name, value in keys.items()},
    )


def _kept_results(
    session: Session,
    query: StatsQuery,
    filter_set: tuple[str, str, str],
    closed: Counter[str],
    categories: Counter[str],
    keys: Counter[str],
) -> tuple[int, int]:
    """The closed trajectories per outcome and category, and (returned) the number active in
    the period and their extensions, from ``stats_result_counts``. Active = started up to the
    period's last month − ended before its first month: an end never precedes its start, so
    those ended before the period all started before its end."""
    R = StatsResultCount
    name, value_1, value_2 = filter_set
    conditions = [R.filter_set == name, R.value_1 == value_1, R.value_2 == value_2]
    if query.domain is not None:
        conditions.append(R.domain == query.domain)
    before = case((R.month < query.start, 1), else_=0)
    active = extensions = 0
    keys["active"] = keys["extensions"] = 0
    for kind, category, is_before, n, key_sum, ext, ext_key in session.execute(
        select(
            R.kind,
            R.category,
            before,
            func.sum(R.n),
            func.sum(R.key_sum),
            func.sum(R.extensions),
            func.sum(R.extensions_key),
        )
        .where(R.month <= query.last, *conditions)
        .group_by(R.kind, R.category, before)
    ):
        n, key_sum, ext, ext_key = int(n), int(key_sum), int(ext), int(ext_key)
        if kind == kept.STARTED:
            active += n
            extensions += ext
            keys["active"] += key_sum
            keys["extensions"] += ext_key
        elif kind == kept.ENDED:
            if is_before:
                active -= n
                extensions -= ext
                keys["active"] -= key_sum
                keys["extensions"] -= ext_key
        elif not is_before:
            closed[kind] += n
            keys[kind] += key_sum
            keys["closed"] += key_sum
            if category:
                categories[category] += n
                keys[f"category.{category}"] += key_sum
    return active, extensions


def _scanned_results(
    session: Session,
    query: StatsQuery,
    closed: Counter[str],
    categories: Counter[str],
    keys: Counter[str],
) -> tuple[int, int]:
    """``_kept_results`` from the feed rows, for filters no kept set holds: the closed
    trajectories and those active in the period in one scan. An extension is an event of its
    trajectory: it carries the trajectory's record key, so the extensions' key sum weighs each
    key by the trajectory's number of extensions."""
    first, last = query.period_first_day, query.period_last_day
    state = kept.outcome_case(F)
    closing = and_(F.end_month >= query.start, F.end_month <= query.last)
    active_filter = and_(
        F.care_start.is_not(None),
        F.care_start <= last,
        or_(F.care_end.is_(None), F.care_end >= first),
    )

    def total(condition: ColumnElement[bool], value: Any) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    active = extensions = 0
    keys["active"] = keys["extensions"] = 0
    for outcome, category, n, key_sum, *active_sums in session.execute(
        select(
            state,
            F.closure_category,
            total(closing, 1),
            total(closing, F.record_key),
            total(active_filter, 1),
            total(active_filter, F.extensions),
            total(active_filter, F.record_key),
            total(active_filter, F.extensions * cast_(F.record_key, BigInteger)),
        )
        .where(or_(closing, active_filter), *_fact_filters(query))
        .group_by(state, F.closure_category)
    ):
        active += active_sums[0]
        extensions += active_sums[1]
        keys["active"] += active_sums[2]
        keys["extensions"] += active_sums[3]
        if not n:
            continue
        closed[outcome] += n
        keys[outcome] += key_sum
        keys["closed"] += key_sum
        if category is not None:
            categories[_domain(category)] += n
            keys[f"category.{_domain(category)}"] += key_sum
    return active, extensions


def _kept_repeats(
    session: Session,
    query: StatsQuery,
    repeat_years: int,
    keys: Counter[str],
    names: tuple[str, ...] | None,
) -> tuple[int, int]:
    """Repeat use (returned: new episodes, repeat episodes) from ``stats_repeat_counts``, without
    filters (``names`` None) or after the kept set ``names``: the episodes that start in the
    period, and those among them whose client's previous episode in the domain ended within
    ``repeat_years`` before their start."""
    P = StatsRepeatCount
    filter_set, value_1, value_2 = (
        kept.NO_FILTER if names is None else set_value(names, [query.value(n) for n in names])
    )
    repeat = and_(P.gap_years >= 1, P.gap_years <= repeat_years)
    stmt = select(
        func.coalesce(func.sum(P.n), 0),
        func.coalesce(func.sum(P.key_sum), 0),
        func.coalesce(func.sum(case((repeat, P.n), else_=0)), 0),
        func.coalesce(func.sum(case((repeat, P.key_sum), else_=0)), 0),
    ).where(
        P.filter_set == filter_set,
        P.value_1 == value_1,
        P.value_2 == value_2,
        P.month >= query.start,
        P.month <= query.last,
    )
    if query.domain is not None:
        stmt = stmt.where(P.domain == query.domain)
    n, key_sum, repeats, repeat_key = (int(v) for v in session.execute(stmt).one())
    keys["new_episodes"] += key_sum
    keys["repeat_episodes"] += repeat_key
    keys["first_episodes"] += key_sum - repeat_key
    return n, repeats


def _repeat_tally(
    starts: Iterable[tuple[date, date | None, int]], repeat_years: int
) -> tuple[int, int, Counter[str]]:
    """Repeat use over ``starts`` (episode start, the client's previous episode's end, record
    key): the episodes, those within ``repeat_years`` of the previous one (``kept.gap_years``,
    the rule the kept counts use), and their key sums (new, repeat and first episodes)."""
    new_episodes = repeats = 0
    keys = Counter[str]()
    for start, previous_end, record_key in starts:
        new_episodes += 1
        keys["new_episodes"] += record_key
        if 1 <= kept.gap_years(start, previous_end) <= repeat_years:
            repeats += 1
            keys["repeat_episodes"] += record_key
        else:
            keys["first_episodes"] += record_key
    return new_episodes, repeats, keys


def _episode_starts(session: Session, query: StatsQuery) -> list[tuple[date, date | None, int]]:
    """Repeat use after filters: the client episodes after the filters (formed by the database,
    ``episodes_after_filters``) that start in the period, each with the end of the same
    client's previous episode in the domain (None for a first one) and its record key. Episodes
    never overlap or adjoin, so the previous episode's end is the latest earlier end. Only the
    episodes of the period leave the database."""
    first, last = query.period_first_day, query.period_last_day
    ep = episodes_after_filters(query)
    return [
        (start, previous, episode_key(client_key, domain, start))
        for client_key, domain, start, previous in session.execute(
            select(ep.c.client_key, ep.c.domain, ep.c.care_start, ep.c.previous_end).where(
                ep.c.care_start >= first, ep.c.care_start <= last
            )
        )
    ]


# A year's figures before the population is added: started clients and their key sum, the
# started price, clients in care and their key sum, households and their key sum.
YearCounts = tuple[int, int, Decimal, int, int, int, int]
Span = tuple[int, date, date]  # a calendar year, and its first and last day inside the period


def year_figures(
    session: Session, query: StatsQuery, filter_set: tuple[str, str, str] | None
) -> list[YearFigures]:
    """The figures per calendar year of the period. Each year is the part of it inside the
    period (a partial year is not a whole one). With a kept filter set (``kept.kept_filters``,
    None for any other filters) the years that are whole, or start on 1 January or end on
    31 December, come from ``stats_year_counts``; a year with both ends inside it (a period
    within one year) and any other filters scan the feed (``_scanned_years``)."""
    first, last = query.period_first_day, query.period_last_day
    spans: list[Span] = [
        (year, max(date(year, 1, 1), first), min(date(year, 12, 31), last))
        for year in range(first.year, last.year + 1)
    ]
    counts: dict[int, YearCounts] = {}
    scanned = spans
    if filter_set is not None:
        edged = [span for span in spans if span[1].month == 1 or span[2].month == 12]
        counts.update(_kept_years(session, query, filter_set, edged))
        scanned = [span for span in spans if span not in edged]
    counts.update(_scanned_years(session, query, scanned))
    years = [year for year, _first, _last in spans]
    population = {
        figure.year: figure
        for figure in session.scalars(
            select(PopulationFigure).where(PopulationFigure.year.in_(years))
        )
    }
    figures: list[YearFigures] = []
    for year in years:
        n_started, started_key, price, n_in_care, in_care_key, n_households, households_key = (
            counts[year]
        )
        inhabitants = population[year].inhabitants if year in population else None
        figures.append(
            YearFigures(
                year=year,
                started_clients=n_started,
                started_price=price,
                clients_in_care=n_in_care,
                households_with_decision=n_households,
                inhabitants=inhabitants,
                households=population[year].households if year in population else None,
                keys={
                    "clients_started": started_key,
                    "clients_in_care": in_care_key,
                    "households_with_decision": households_key,
                },
            )
        )
    return figures


def _kept_years(
    session: Session, query: StatsQuery, filter_set: tuple[str, str, str], spans: list[Span]
) -> dict[int, YearCounts]:
    """``year_figures`` from ``stats_year_counts`` for years whose part inside the period
    starts on 1 January (the clients whose first month in the year is up to its last month)
    or ends on 31 December (those whose last month is from its first month on), with the
    clients of open care counted from an earlier year (``models.StatsYearCount``)."""
    if not spans:
        return {}
    Y = StatsYearCount
    name, value_1, value_2 = filter_set
    domain = query.domain.value if query.domain is not None else kept.ALL_DOMAINS
    top = max(year for year, _first, _last in spans)
    bottom = min(year for year, _first, _last in spans)
    cells = session.execute(
        select(Y.figure, Y.year, Y.edge, Y.month, Y.n, Y.key_sum, Y.cents).where(
            Y.filter_set == name,
            Y.value_1 == value_1,
            Y.value_2 == value_2,
            Y.domain == domain,
            Y.year <= top,
            or_(Y.year >= bottom, Y.edge == kept.OPEN_EDGE),
        )
    ).all()
    found: dict[int, YearCounts] = {}
    for year, first, last in spans:
        sums: dict[str, list[int]] = {name: [0, 0] for name in kept.YEAR_FIGURES}
        price = 0
        for figure, cell_year, edge, month, n, key_sum, cents in cells:
            if figure == kept.PRICE:
                if cell_year == year and first.month <= month <= last.month:
                    price += int(cents)
                continue
            if edge == kept.OPEN_EDGE:
                counted = cell_year <= year
            elif first.month == 1:
                counted = edge == kept.FIRST and cell_year == year and month <= last.month
            else:
                counted = edge == kept.LAST and cell_year == year and month >= first.month
            if counted:
                sums[figure][0] += int(n)
                sums[figure][1] += int(key_sum)
        found[year] = (
            *sums[kept.STARTED],
            Decimal(price) / 100,
            *sums[kept.IN_CARE],
            *sums[kept.HOUSEHOLDS],
        )  # type: ignore[assignment]
    return found


def _scanned_years(session: Session, query: StatsQuery, spans: list[Span]) -> dict[int, YearCounts]:
    """``year_figures`` from the feed rows that pass the query's filters, all these years in one
    statement. The rows are grouped per client (and, beside it, per household) with a flag per
    year and figure (``kept.counts_in``), so a distinct client counts, and adds its record key,
    once per year however many rows it has."""
    if not spans:
        return {}
    conditions = _fact_filters(query)
    first, last = spans[0][1], spans[-1][2]

    def counts(figure: str, since: date, until: date) -> ColumnElement[bool]:
        return kept.counts_in(F, figure, since, until)

    def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.max(case((condition, 1), else_=0))

    per_client = (
        select(
            F.client_record_key.label("key"),
            *(
                column
                for n, (_year, jan1, dec31) in enumerate(spans)
                for column in (
                    flag(counts(kept.STARTED, jan1, dec31)).label(f"s{n}"),
                    func.sum(case((counts(kept.STARTED, jan1, dec31), F.price))).label(f"p{n}"),
                    flag(counts(kept.IN_CARE, jan1, dec31)).label(f"c{n}"),
                )
            ),
        )
        # A trajectory started in a span is in care in it.
        .where(counts(kept.IN_CARE, first, last), *conditions)
        .group_by(F.client_key, F.client_record_key)
        .subquery()
    )
    per_household = (
        select(
            F.household_record_key.label("key"),
            *(
                flag(counts(kept.HOUSEHOLDS, jan1, dec31)).label(f"h{n}")
                for n, (_year, jan1, dec31) in enumerate(spans)
            ),
        )
        .where(counts(kept.HOUSEHOLDS, first, last), *conditions)
        .group_by(F.household_key, F.household_record_key)
        .subquery()
    )

    def count_and_key(sub: Any, name: str) -> list[ColumnElement[Any]]:
        return [
            func.coalesce(func.sum(sub.c[name]), 0),
            func.coalesce(func.sum(case((sub.c[name] == 1, sub.c.key))), 0),
        ]

    clients = select(
        *(
            column
            for n in range(len(spans))
            for column in (
                *count_and_key(per_client, f"s{n}"),
                func.coalesce(func.sum(per_client.c[f"p{n}"]), 0),
                *count_and_key(per_client, f"c{n}"),
            )
        )
    ).subquery()
    households = select(
        *(column for n in range(len(spans)) for column in count_and_key(per_household, f"h{n}"))
    ).subquery()
    row = session.execute(
        select(clients, households).select_from(clients.join(households, literal(True)))
    ).one()
    found: dict[int, YearCounts] = {}
    for n, (year, _jan1, _dec31) in enumerate(spans):
        n_started, started_key, price, n_in_care, in_care_key = row[5 * n : 5 * n + 5]
        n_households, households_key = row[5 * len(spans) + 2 * n : 5 * len(spans) + 2 * n + 2]
        found[year] = (
            int(n_started),
            int(started_key),
            Decimal(str(price or 0)).quantize(Decimal("0.01")),
            int(n_in_care),
            int(in_care_key),
            int(n_households),
            int(households_key),
        )
    return found
