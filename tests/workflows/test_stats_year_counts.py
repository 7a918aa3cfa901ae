"""The results' per-year figures (distinct clients and households per calendar year) from the
kept ``stats_year_counts`` equal, count for count and key sum for key sum, what a scan of the
feed gives and a direct computation over the rows, for every kept filter set and for whole,
partial and mid-year spans; and the kept cells follow every change through the flush hook as
a rebuild derives them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from models import ClosureCategory, Household, StatsTrajectory, Task, TrajectoryState, Wijk
from workflows import trajectories as wf
from workflows.stats import feed, figures, kept
from workflows.stats.selection import StatsQuery

from ..factories import World, make_trajectory
from .stats_helpers import COLUMNS, fact, load, query
from .test_stats_feed import kept_equals_rebuild

D = date
S = TrajectoryState
WIJKEN = ("Dronten", "Biddinghuizen", None)
PROFILES = (("45", "JZ-AMB"), ("54", "JZ-GGZ"))
PROVIDERS = ("11111111", "22222222")
AGE_BANDS = ("4-11", "12-17")
# One query per kept filter set of the results (and none).
FILTERS: list[dict[str, str]] = [
    {},
    {"intensity": "zwaar"},
    {"category": "45"},
    {"profile": "JZ-GGZ"},
    {"provider": "22222222"},
    {"wijk": "Dronten"},
    {"age_band": "4-11"},
    {"wijk": "Biddinghuizen", "age_band": "12-17"},
    {"profile": "JZ-AMB", "provider": "11111111"},
]
PERIODS = (
    ("2018-01", "2021-12"),  # whole years
    ("2017-12", "2021-11"),  # a last month and eleven first months at the edges
    ("2019-03", "2021-02"),
    ("2020-03", "2020-09"),  # inside one year: scanned
    ("2020-01", "2020-01"),
    ("2016-06", "2022-06"),  # past the cut-off (2021-12)
)


def random_rows(seed: int) -> list[StatsTrajectory]:
    """Clients in shared households, chains of care over 2014-2022 (some open, some waiting with
    only a decision, a few decided after the care ended), both domains, every filter value."""
    rng = random.Random(seed)
    rows = []
    for n in range(70):
        client = f"c{n}"
        household = f"h{rng.randrange(35)}"
        start = D(2014, 1, 1) + timedelta(days=rng.randrange(8 * 365))
        for _ in range(rng.randint(1, 4)):
            category, profile = rng.choice(PROFILES)
            length = rng.choice((0, 1, 27, 59, 180, 400, 800, 1500))
            end: date | None = start + timedelta(days=length)
            if end is not None and (end > D(2022, 1, 9) or rng.random() < 0.15):
                end = None
            waiting = rng.random() < 0.1
            decided = start - timedelta(days=rng.randrange(60))
            if end is not None and rng.random() < 0.05:
                decided = end + timedelta(days=rng.randrange(1, 90))
            rows.append(
                fact(
                    client,
                    None if waiting else start,
                    None if waiting else end,
                    household=household,
                    decision_date=None if rng.random() < 0.05 else decided,
                    domain=rng.choice(("jeugd", "jeugd", "wmo")),
                    intensity=rng.choice(("laag", "middel", "zwaar")),
                    wijk=rng.choice(WIJKEN),
                    profile_code=profile,
                    category_code=category,
                    provider_agb=rng.choice(PROVIDERS),
                    age_band=rng.choice(AGE_BANDS),
                    price=rng.choice(("1200.00", "99.99", "0.01", "3800.50")),
                    record_key=rng.getrandbits(30),
                    client_record_key=rng.getrandbits(30) if n % 7 == 0 else n + 1,
                    household_record_key=int(household[1:]) * 1000 + 7,
                )
            )
            if end is None or waiting:
                break
            start = end + timedelta(days=rng.choice((1, 2, 40, 400)))
    return rows


def direct(rows: list[StatsTrajectory], q: StatsQuery) -> list[tuple[Any, ...]]:
    """The per-year figures by hand: per year of the period (its part inside the period), the
    distinct clients (client key, client record key) with a started trajectory and the sum of
    those trajectories' prices, the distinct clients with care running, the distinct
    households with a decision running, each with the key sum of those counted."""
    chosen = [
        r
        for r in rows
        if (q.domain is None or r.domain == q.domain.value)
        and all(getattr(r, COLUMNS[name]) == q.value(name) for name in q.narrowing)
    ]
    first, last = q.period_first_day, q.period_last_day
    out = []
    for year in range(first.year, last.year + 1):
        lo, hi = max(D(year, 1, 1), first), min(D(year, 12, 31), last)
        started: dict[tuple[str, int], int] = {}
        in_care: dict[tuple[str, int], int] = {}
        households: dict[tuple[str, int], int] = {}
        price = Decimal("0")
        for r in chosen:
            client = (r.client_key, r.client_record_key)
            if r.care_start is not None and lo <= r.care_start <= hi:
                started[client] = r.client_record_key
                price += r.price
            running = r.care_end is None or r.care_end >= lo
            if r.care_start is not None and r.care_start <= hi and running:
                in_care[client] = r.client_record_key
            if r.decision_date is not None and r.decision_date <= hi and running:
                households[(r.household_key, r.household_record_key)] = r.household_record_key
        out.append(
            (
                year,
                len(started),
                price,
                len(in_care),
                len(households),
                sum(started.values()),
                sum(in_care.values()),
                sum(households.values()),
            )
        )
    return out


def cells(years: list[figures.YearFigures]) -> list[tuple[Any, ...]]:
    return [
        (
            y.year,
            y.started_clients,
            y.started_price,
            y.clients_in_care,
            y.households_with_decision,
            y.keys["clients_started"],
            y.keys["clients_in_care"],
            y.keys["households_with_decision"],
        )
        for y in years
    ]


def both_ways(session: Session, q: StatsQuery) -> list[tuple[Any, ...]]:
    """The figures from the kept cells, asserted equal to those of a scan of the feed."""
    filter_set = kept.kept_filters(q.narrowing, q.filters)
    assert filter_set is not None
    from_kept = cells(figures.year_figures(session, q, filter_set))
    assert from_kept == cells(figures.year_figures(session, q, None)), q
    return from_kept


@pytest.mark.parametrize("seed", [5, 6])
def test_kept_year_figures_equal_a_scan_and_a_direct_count(session: Session, seed: int) -> None:
    rows = random_rows(seed)
    load(session, *rows)
    counted = 0
    for filters in FILTERS:
        for domain in ("jeugd", None):
            for start, end in PERIODS:
                q = query(start, end, domain=domain, **filters)
                found = both_ways(session, q)
                assert found == direct(rows, q), (filters, domain, start, end)
                counted += sum(row[1] + row[3] + row[4] for row in found)
    assert counted > 1000  # the random feed is not empty under the filters


@contextmanager
def tables_read(session: Session) -> Iterator[set[str]]:
    """The statistics tables the statements inside the block name."""
    names = ("stats_year_counts", "stats_trajectories")
    read: set[str] = set()

    def capture(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        read.update(name for name in names if name in statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield read
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def test_a_rebuild_that_folds_its_patterns_often_gives_the_same_cells(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(session, *random_rows(10))
    cells = feed.feed_snapshot(session.connection())["stats_year_counts"]
    monkeypatch.setattr(kept, "REBUILD_PATTERNS", 3)
    feed.rebuild_aggregates(session.connection())
    assert feed.feed_snapshot(session.connection())["stats_year_counts"] == cells
    assert len(cells) > 1000


def test_a_period_with_whole_or_edge_years_reads_only_the_kept_cells(session: Session) -> None:
    load(session, *random_rows(7))
    for period, tables in (
        (("2017-12", "2021-11"), {"stats_year_counts"}),  # 2017: December; 2021: to November
        (("2020-03", "2020-09"), {"stats_trajectories"}),  # inside one year: scanned
        (("2019-03", "2020-09"), {"stats_year_counts"}),  # any period over two years
    ):
        q = query(*period, profile="JZ-AMB", provider="11111111")
        with tables_read(session) as read:
            figures.year_figures(session, q, kept.kept_filters(q.narrowing, q.filters))
        assert read == tables, period
    q = query("2018-01", "2021-12", profile="JZ-AMB", category="45")  # no kept set
    with tables_read(session) as read:
        figures.year_figures(session, q, kept.kept_filters(q.narrowing, q.filters))
    assert read == {"stats_trajectories"}


def test_a_client_counts_once_across_domains_and_open_care_in_every_later_year(
    session: Session,
) -> None:
    """a: Jeugd 2019-05 … 2019-06, Wmo 2019-09 … open (from an earlier decision); without a
    domain one client a year. b: decided 2020-03 after care that ended 2020-02: counted in 2020
    only in spans holding both February and March."""
    load(
        session,
        fact("a", D(2019, 5, 1), D(2019, 6, 30), household="x", decision_date=D(2019, 4, 1)),
        fact("a", D(2019, 9, 1), None, domain="wmo", household="x", decision_date=D(2019, 8, 1)),
        fact("b", D(2020, 1, 1), D(2020, 2, 10), household="y", decision_date=D(2020, 3, 5)),
    )
    q = query("2019-01", "2021-12", domain=None)
    years = {y.year: y for y in figures.year_figures(session, q, ("", "", ""))}
    assert [years[y].clients_in_care for y in (2019, 2020, 2021)] == [1, 2, 1]
    assert [years[y].households_with_decision for y in (2019, 2020, 2021)] == [1, 2, 1]
    assert years[2021].started_clients == 0
    assert both_ways(session, q) == direct(load_rows(session), q)
    for period, households in ((("2020-01", "2020-02"), 1), (("2020-02", "2020-12"), 2)):
        q = query(*period, domain=None)
        (year,) = figures.year_figures(session, q, ("", "", ""))
        assert year.households_with_decision == households, period
        assert both_ways(session, q) == direct(load_rows(session), q)


def load_rows(session: Session) -> list[StatsTrajectory]:
    return list(session.query(StatsTrajectory))


# --- through the flush hook ------------------------------------------------------------------


def all_queries(session: Session) -> list[StatsQuery]:
    """A query per kept set with the values of the feed's first row, over whole and partial
    years up to the cut-off of the factories' today."""
    row = session.query(StatsTrajectory).order_by(StatsTrajectory.id).first()
    assert row is not None
    out = []
    for names in kept.FILTER_SETS:
        values = {name: getattr(row, COLUMNS[name]) for name in names}
        values = {name: getattr(value, "value", value) for name, value in values.items()}
        for start, end in (("2024-01", "2026-10"), ("2025-11", "2026-10")):
            for domain in ("wmo", None):
                out.append(query(start, end, cutoff="2026-10", domain=domain, **values))
    return out


def check(session: Session) -> None:
    kept_equals_rebuild(session)
    rows = load_rows(session)
    for q in all_queries(session):
        assert both_ways(session, q) == direct(rows, q), q


def test_the_year_counts_follow_every_change_as_a_rebuild_does(
    session: Session, world: World
) -> None:
    """Inserts, changed dates, a move to another wijk, a household change, a deletion and a
    rebuild: the kept cells equal a rebuild after each, and the figures from them a scan."""
    first = make_trajectory(session, world, S.AFGESLOTEN)
    second = make_trajectory(session, world, S.ACTIEF)
    check(session)
    first.care_start, first.care_end = D(2024, 3, 5), D(2025, 1, 31)
    second.care_start = D(2025, 11, 20)
    second.decision_date = D(2025, 10, 1)
    check(session)
    child = make_trajectory(
        session, world, S.ACTIEF, resident_id=world.child.id, profile_id=world.amb.id
    )
    child.care_start = D(2023, 6, 1)
    check(session)
    world.adult.wijk = Wijk(name="Swifterbant")  # a move: every row of the adult changes
    check(session)
    world.adult.household = Household(gids=world.gids)  # the household counts apart now
    check(session)
    world.adult.household = world.child.household  # and now together with the child's
    session.flush()
    households = {r.household_key for r in load_rows(session)}
    assert len(households) == 1
    check(session)
    wf.close(
        session,
        second,
        world.gids,
        care_end=D(2026, 10, 15),
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=D(2026, 11, 1),
    )
    check(session)
    session.execute(delete(Task).where(Task.trajectory_id == first.id))
    session.delete(first)  # detached: stays in the feed and counts
    check(session)
    feed.detach(session, [child.id])  # frozen
    world.child.wijk = Wijk(name="Biddinghuizen")
    check(session)
    feed.rebuild(session)
    check(session)
