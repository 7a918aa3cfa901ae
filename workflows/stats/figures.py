"""The exact figures of docs/statistics.md, computed from the feed only (never a personal table).

These are the *raw* numbers, before anonymity; nothing outside ``report`` shows them. Each
function takes a checked ``StatsQuery`` and returns a dataclass. Where a figure can come from
the kept aggregates (``stats_monthly_counts``, ``stats_episodes``) it does; see the package
docstring for when the feed itself is read.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from models import (
    UNIT_CLIENT,
    UNIT_TRAJECT,
    ClosureCategory,
    Intensity,
    OutlierMonth,
    PopulationFigure,
    StatsEpisode,
    StatsMonthlyCount,
    StatsTrajectory,
)

from .episodes import merge, month_index
from .selection import StatsQuery

F = StatsTrajectory
INTENSITIES = tuple(i.value for i in Intensity)
CATEGORIES = tuple(c.value for c in ClosureCategory)


# --- selections ---------------------------------------------------------------------------


def _fact_filters(query: StatsQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.domain is not None:
        conditions.append(F.domain == query.domain)
    columns = {
        "category": F.category_code,
        "profile": F.profile_code,
        "intensity": F.intensity,
        "provider": F.provider_agb,
        "wijk": F.wijk,
        "age_band": F.age_band,
    }
    for name, column in columns.items():
        value = query.value(name)
        if value:
            conditions.append(column == value)
    return conditions


def _aggregated(query: StatsQuery, unit: str) -> bool:
    """Whether ``stats_monthly_counts`` answers this query: period and domain only, plus the
    intensity for the traject unit (its rows are kept per intensity)."""
    allowed = {"intensity"} if unit == UNIT_TRAJECT else set()
    return set(query.narrowing) <= allowed


def client_intervals(
    session: Session, query: StatsQuery
) -> list[tuple[str, str, date, date | None]]:
    """Episodes (client_key, domain, start, end) after the filters. Without filters they come
    from the materialised ``stats_episodes``; otherwise the filtered feed rows are merged here
    with the same ``merge`` the feed uses."""
    if _aggregated(query, UNIT_CLIENT):
        stmt = select(
            StatsEpisode.client_key,
            StatsEpisode.domain,
            StatsEpisode.care_start,
            StatsEpisode.care_end,
        )
        if query.domain is not None:
            stmt = stmt.where(StatsEpisode.domain == query.domain)
        return [(c, str(d), s, e) for c, d, s, e in session.execute(stmt)]
    rows: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
    for client_key, domain, start, end in session.execute(
        select(F.client_key, F.domain, F.care_start, F.care_end).where(
            F.care_start.is_not(None), *_fact_filters(query)
        )
    ):
        assert start is not None
        rows[(client_key, str(domain))].append((start, end))
    return [
        (client_key, domain, start, end)
        for (client_key, domain), intervals in rows.items()
        for start, end in merge(intervals)
    ]


# --- monthly flows ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFlow:
    month: int
    beginstand: int
    instroom: int
    uitstroom: int
    eindstand: int


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


def _month_counts(
    session: Session, query: StatsQuery, unit: str, by_intensity: bool = False
) -> tuple[Counter[Any], Counter[Any]]:
    """Starts and ends per month (or per (month, intensity)) up to ``query.last``."""
    starts: Counter[Any] = Counter()
    ends: Counter[Any] = Counter()
    if _aggregated(query, unit):
        C = StatsMonthlyCount
        stmt = select(C.month, C.intensity, func.sum(C.starts), func.sum(C.ends)).where(
            C.unit == unit, C.month <= query.last
        )
        if query.domain is not None:
            stmt = stmt.where(C.domain == query.domain)
        if unit == UNIT_TRAJECT and query.value("intensity"):
            stmt = stmt.where(C.intensity == query.value("intensity"))
        for month, intensity, n_starts, n_ends in session.execute(
            stmt.group_by(C.month, C.intensity)
        ):
            key = (month, intensity) if by_intensity else month
            starts[key] += int(n_starts or 0)
            ends[key] += int(n_ends or 0)
        return starts, ends
    if unit == UNIT_TRAJECT:
        conditions = _fact_filters(query)
        for column, target in ((F.start_month, starts), (F.end_month, ends)):
            for fact_month, level, n in session.execute(
                select(column, F.intensity, func.count())
                .where(column.is_not(None), column <= query.last, *conditions)
                .group_by(column, F.intensity)
            ):
                target[(fact_month, str(level)) if by_intensity else fact_month] += n
        return starts, ends
    for _client, _domain, start, end in client_intervals(session, query):
        if month_index(start) <= query.last:
            starts[month_index(start)] += 1
        if end is not None and month_index(end) <= query.last:
            ends[month_index(end)] += 1
    return starts, ends


def outlier_months(session: Session, query: StatsQuery) -> set[int]:
    stmt = select(OutlierMonth.month)
    if query.domain is not None:
        stmt = stmt.where(OutlierMonth.domain == query.domain)
    return {month_index(day) for day in session.scalars(stmt)}


def flows(session: Session, query: StatsQuery) -> Flows:
    """Monthly beginstand, instroom, uitstroom, eindstand; yearly means of the monthly flows
    over the months in the period, up to the cut-off, that are not outlier months."""
    starts, ends = _month_counts(session, query, query.unit)
    stock = sum(n for m, n in starts.items() if m < query.start) - sum(
        n for m, n in ends.items() if m < query.start
    )
    months: list[MonthFlow] = []
    for month in query.months:
        begin = stock
        stock = begin + starts[month] - ends[month]
        months.append(MonthFlow(month, begin, starts[month], ends[month], stock))
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


def intensity(session: Session, query: StatsQuery) -> list[IntensityMonth]:
    """Per month the trajectories (unit traject) per intensity, on the basis eindstand or
    instroom."""
    starts, ends = _month_counts(session, query, UNIT_TRAJECT, by_intensity=True)
    stock = Counter[str]()
    for (month, level), n in starts.items():
        if month < query.start:
            stock[level] += n
    for (month, level), n in ends.items():
        if month < query.start:
            stock[level] -= n
    result: list[IntensityMonth] = []
    for month in query.months:
        for level in INTENSITIES:
            stock[level] += starts[(month, level)] - ends[(month, level)]
        if query.basis == "instroom":
            counts = {level: starts[(month, level)] for level in INTENSITIES}
        else:
            counts = {level: stock[level] for level in INTENSITIES}
        result.append(IntensityMonth(month, counts))
    return result


# --- durations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    year: int
    n: int
    ended: int
    censored: int
    km_median_days: int | None  # None: half of the cohort is still in care


@dataclass(frozen=True)
class Durations:
    ended: int
    mean_days: float | None
    median_days: float | None
    cohorts: list[Cohort]


def _intervals(session: Session, query: StatsQuery) -> list[tuple[date, date | None]]:
    if query.unit == UNIT_CLIENT:
        return [(s, e) for _c, _d, s, e in client_intervals(session, query)]
    return [
        (cast(date, s), e)
        for s, e in session.execute(
            select(F.care_start, F.care_end).where(F.care_start.is_not(None), *_fact_filters(query))
        )
    ]


def kaplan_meier_median(times: Sequence[tuple[int, bool]]) -> int | None:
    """The smallest duration t with survival S(t) ≤ 0.5; ``times`` = (days, ended) with
    ended False for care still going on at the cut-off (censored there)."""
    at_risk = len(times)
    if not at_risk:
        return None
    events = Counter(t for t, ended in times if ended)
    leaving = Counter(t for t, _ended in times)
    survival = 1.0
    for t in sorted(leaving):
        if events[t]:
            survival *= 1 - events[t] / at_risk
            if survival <= 0.5 + 1e-12:
                return t
        at_risk -= leaving[t]
    return None


def durations(session: Session, query: StatsQuery) -> Durations:
    """Care durations (end − start + 1 days) of those that ended in the period: mean and
    median; per start-year cohort in the period the Kaplan–Meier median, open care censored at
    the cut-off date."""
    first, last, cutoff = query.period_first_day, query.period_last_day, query.cutoff_date
    intervals = _intervals(session, query)
    ended = [(e - s).days + 1 for s, e in intervals if e is not None and first <= e <= last]
    cohorts: list[Cohort] = []
    for year in range(first.year, last.year + 1):
        times = []
        for s, e in intervals:
            if s.year != year or s > cutoff:
                continue
            if e is not None and e <= cutoff:
                times.append(((e - s).days + 1, True))
            else:
                times.append(((cutoff - s).days + 1, False))
        done = sum(1 for _t, ok in times if ok)
        cohorts.append(
            Cohort(year, len(times), done, len(times) - done, kaplan_meier_median(times))
        )
    return Durations(
        ended=len(ended),
        mean_days=statistics.fmean(ended) if ended else None,
        median_days=float(statistics.median(ended)) if ended else None,
        cohorts=cohorts,
    )


# --- waiting times ------------------------------------------------------------------------


@dataclass(frozen=True)
class Wait:
    n: int
    mean_days: float | None
    median_days: float | None

    @classmethod
    def of(cls, days: Sequence[int]) -> Wait:
        if not days:
            return cls(0, None, None)
        return cls(len(days), statistics.fmean(days), float(statistics.median(days)))


@dataclass(frozen=True)
class WaitMonth:
    month: int
    request_to_decision: Wait
    decision_to_start: Wait


@dataclass(frozen=True)
class WaitingTimes:
    months: list[WaitMonth]
    waiting: int  # in the feed with a decision and no start of care (now)


def waiting_times(session: Session, query: StatsQuery) -> WaitingTimes:
    """Days from request to decision and from decision to start, by month of start."""
    per_month: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for start_month, request, decision, start in session.execute(
        select(F.start_month, F.request_date, F.decision_date, F.care_start).where(
            F.start_month >= query.start, F.start_month <= query.last, *_fact_filters(query)
        )
    ):
        assert start_month is not None and start is not None
        to_decision, to_start = per_month[start_month]
        if request is not None and decision is not None:
            to_decision.append((decision - request).days)
        if decision is not None:
            to_start.append((start - decision).days)
    waiting = session.scalar(
        select(func.count())
        .select_from(F)
        .where(F.care_start.is_(None), F.decision_date.is_not(None), *_fact_filters(query))
    )
    return WaitingTimes(
        months=[
            WaitMonth(m, Wait.of(per_month[m][0]), Wait.of(per_month[m][1])) for m in query.months
        ],
        waiting=int(waiting or 0),
    )


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


def results(session: Session, query: StatsQuery, repeat_years: int) -> Results:
    """Result rate and closure categories of the trajectories closed in the period; extensions
    of those active in it; repeat use among client episodes that started in it; price per client
    and rates per 1,000 per year."""
    first, last = query.period_first_day, query.period_last_day
    conditions = _fact_filters(query)
    closed = Counter[str]()
    categories = Counter[str]()
    achieved = F.result_achieved.is_(True)
    outcome = case(
        (and_(achieved, F.care_end <= F.planned_end), "on_time"),
        (achieved, "late"),
        else_="not",
    )
    for state, category, n in session.execute(
        select(outcome, F.closure_category, func.count())
        .where(F.end_month >= query.start, F.end_month <= query.last, *conditions)
        .group_by(outcome, F.closure_category)
    ):
        closed[state] += n
        if category is not None:
            categories[str(category)] += n
    active_filter = and_(
        F.care_start.is_not(None),
        F.care_start <= last,
        or_(F.care_end.is_(None), F.care_end >= first),
    )
    active, extensions = session.execute(
        select(func.count(), func.coalesce(func.sum(F.extensions), 0)).where(
            active_filter, *conditions
        )
    ).one()

    new_episodes = repeats = 0
    for start, previous_end in _episode_starts(session, query):
        new_episodes += 1
        window_start = _years_before(start, repeat_years)
        if previous_end is not None and window_start <= previous_end < start:
            repeats += 1

    years = _year_figures(session, query, conditions)
    return Results(
        closed=sum(closed.values()),
        achieved_on_time=closed["on_time"],
        achieved_late=closed["late"],
        not_achieved=closed["not"],
        categories={c: categories[c] for c in CATEGORIES},
        active=int(active or 0),
        extensions=int(extensions or 0),
        new_episodes=new_episodes,
        repeat_episodes=repeats,
        years=years,
    )


def _episode_starts(session: Session, query: StatsQuery) -> list[tuple[date, date | None]]:
    """Repeat use: the client episodes that start in the period, each with the end of the same
    client's previous episode in the domain (None for a first one). Episodes never overlap or
    adjoin, so the previous episode's end is the latest earlier end: a start is a repeat when
    that end lies within the window before it. Without filters the kept episodes answer this
    with a window function, and only the episodes of the period leave the database."""
    first, last = query.period_first_day, query.period_last_day
    if _aggregated(query, UNIT_CLIENT):
        E = StatsEpisode
        previous_end = func.lag(E.care_end, type_=E.care_end.type).over(
            partition_by=(E.client_key, E.domain), order_by=E.care_start
        )
        ranked = select(E.care_start.label("start"), previous_end.label("previous_end"))
        if query.domain is not None:
            ranked = ranked.where(E.domain == query.domain)
        sub = ranked.subquery()
        return [
            (start, previous)
            for start, previous in session.execute(
                select(sub.c.start, sub.c.previous_end).where(
                    sub.c.start >= first, sub.c.start <= last
                )
            )
        ]
    by_client: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
    for client_key, domain, start, end in client_intervals(session, query):
        by_client[(client_key, domain)].append((start, end))
    starts: list[tuple[date, date | None]] = []
    for episodes in by_client.values():
        episodes.sort(key=lambda i: i[0])
        previous: date | None = None
        for start, end in episodes:
            if first <= start <= last:
                starts.append((start, previous))
            previous = end
    return starts


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


def _year_figures(
    session: Session, query: StatsQuery, conditions: Iterable[ColumnElement[bool]]
) -> list[YearFigures]:
    """The figures per calendar year of the period in one statement: a conditional distinct
    count (or sum) per year and figure over the rows that can count in any of the years."""
    years = range(query.period_first_day.year, query.period_last_day.year + 1)
    columns: list[ColumnElement[Any]] = []
    for year in years:
        jan1, dec31 = date(year, 1, 1), date(year, 12, 31)
        running = or_(F.care_end.is_(None), F.care_end >= jan1)
        started = and_(F.start_month >= month_index(jan1), F.start_month <= month_index(dec31))
        in_care = and_(F.care_start <= dec31, running)
        decided = and_(F.decision_date <= dec31, running)
        columns += [
            func.count(func.distinct(case((started, F.client_key)))),
            func.coalesce(func.sum(case((started, F.price))), 0),
            func.count(func.distinct(case((in_care, F.client_key)))),
            func.count(func.distinct(case((decided, F.household_key)))),
        ]
    row = session.execute(
        select(*columns).where(
            or_(F.care_end.is_(None), F.care_end >= date(years[0], 1, 1)),
            or_(
                F.care_start <= date(years[-1], 12, 31), F.decision_date <= date(years[-1], 12, 31)
            ),
            *conditions,
        )
    ).one()
    per_year: list[YearFigures] = []
    for n, year in enumerate(years):
        clients, price, in_care_count, households = row[4 * n : 4 * n + 4]
        population = session.get(PopulationFigure, year)
        per_year.append(
            YearFigures(
                year=year,
                started_clients=int(clients or 0),
                started_price=Decimal(str(price or 0)).quantize(Decimal("0.01")),
                clients_in_care=int(in_care_count or 0),
                households_with_decision=int(households or 0),
                inhabitants=population.inhabitants if population else None,
                households=population.households if population else None,
            )
        )
    return per_year
