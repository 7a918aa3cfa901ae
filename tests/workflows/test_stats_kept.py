"""The kept aggregates of the durations and results figures (``workflows.stats.kept``): kept by
the flush hook equal to a rebuild, the figures read from them equal to a direct computation
over the rows for random feeds and every filter set, and hand-computed edge cases."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    Intensity,
    StatsDurationCount,
    StatsRepeatCount,
    StatsResultCount,
    StatsTrajectory,
    TrajectoryEvent,
    TrajectoryState,
    Wijk,
    episode_key,
)
from workflows import scaling
from workflows import trajectories as wf
from workflows.stats import feed, figures, kept
from workflows.stats.episodes import merge, month_index
from workflows.stats.selection import StatsQuery

from ..factories import TODAY, World, make_trajectory
from .stats_helpers import COLUMNS, fact, load, query

D = date
S = TrajectoryState
REPEAT_YEARS = 2


def test_the_kept_counts_follow_every_change_as_a_rebuild_gives_them(
    session: Session, world: World
) -> None:
    make_trajectory(session, world, S.AFGESLOTEN)
    active = make_trajectory(session, world, S.ACTIEF)
    active.events.append(TrajectoryEvent(action=feed.EXTENSION_ACTION, reason="04"))
    session.flush()
    decided = TODAY + timedelta(days=40)
    request = scaling.request_scaling(
        session, active, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", decided
    )
    scaling.decide_scaling(session, request, world.gids, accept=True, reason=None, today=decided)
    child = make_trajectory(
        session, world, S.ACTIEF, resident_id=world.child.id, profile_id=world.amb.id
    )
    wf.close(
        session,
        child,
        world.gids,
        care_end=TODAY + timedelta(days=3),
        closure_category=ClosureCategory.B,
        end_reason_code="31",
        result_achieved=True,
        today=TODAY + timedelta(days=5),
    )
    world.child.wijk = Wijk(name="Swifterbant")  # every filter set with the wijk moves
    session.flush()
    snapshot = feed.feed_snapshot(session.connection())
    for table in ("stats_duration_counts", "stats_result_counts", "stats_repeat_counts"):
        assert snapshot[table], table
    assert any(row[1] == "Swifterbant" for row in snapshot["stats_result_counts"])
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == snapshot


# --- random feeds against a direct computation -----------------------------------------------

WIJKEN = ("Dronten", "Biddinghuizen", None)
PROFILES = (("JZ-AMB", "45"), ("JZ-GGZ", "54"))
PROVIDERS = ("11111111", "22222222", "33333333")
AGE_BANDS = ("4-11", "12-17")


def random_feed(seed: int) -> list[StatsTrajectory]:
    """Clients with chains of trajectories from 2016 into January 2022 (after the cut-off of
    2021-12), some open, some waiting, some in the other domain."""
    rng = random.Random(seed)
    rows = []
    for n in range(60):
        client = f"c{n}"
        start = D(2016, 1, 1) + timedelta(days=rng.randrange(6 * 365))
        for _ in range(rng.randint(1, 4)):
            if start > D(2022, 1, 9):
                break
            profile, category = rng.choice(PROFILES)
            length = rng.choice((0, 1, 27, 59, 180, 400, 800))
            end: date | None = start + timedelta(days=length)
            if end is not None and (end > D(2022, 1, 9) or rng.random() < 0.15):
                end = None
            waiting = rng.random() < 0.05
            rows.append(
                fact(
                    client,
                    None if waiting else start,
                    None if waiting else end,
                    domain=rng.choice(("jeugd", "jeugd", "wmo")),
                    intensity=rng.choice(("laag", "middel", "zwaar")),
                    wijk=rng.choice(WIJKEN),
                    profile_code=profile,
                    category_code=category,
                    provider_agb=rng.choice(PROVIDERS),
                    age_band=rng.choice(AGE_BANDS),
                    planned_end=start + timedelta(days=rng.choice((30, 200, 500))),
                    result_achieved=None if end is None else rng.random() < 0.6,
                    closure_category=None if end is None else rng.choice("abcd"),
                    extensions=rng.choice((0, 0, 1, 2)),
                )
            )
            if end is None or waiting:
                break
            start = end + timedelta(days=rng.choice((1, 2, 40, 400, 900)))
    return rows


FILTERS: list[dict[str, str]] = [
    {},
    {"category": "45"},
    {"profile": "JZ-GGZ"},
    {"intensity": "zwaar"},
    {"provider": "22222222"},
    {"wijk": "Dronten"},
    {"age_band": "4-11"},
    {"wijk": "Biddinghuizen", "age_band": "12-17"},
    {"profile": "JZ-AMB", "provider": "11111111"},
    {"category": "54", "provider": "33333333"},  # no kept set: read from the feed
]


def selected(rows: list[StatsTrajectory], q: StatsQuery) -> list[StatsTrajectory]:
    return [
        r
        for r in rows
        if (q.domain is None or r.domain == q.domain.value)
        and all(getattr(r, COLUMNS[n]) == q.value(n) for n in q.narrowing)
    ]


def direct_durations(rows: list[StatsTrajectory], q: StatsQuery) -> tuple[Any, ...]:
    first, last, cutoff = q.period_first_day, q.period_last_day, q.cutoff_date
    ended = [
        ((r.care_end - r.care_start).days + 1, r.record_key)
        for r in rows
        if r.care_start and r.care_end and first <= r.care_end <= last
    ]
    cohorts = []
    for year in range(first.year, last.year + 1):
        times, keys = [], Counter[str]()
        for r in rows:
            if not (r.care_start and first <= r.care_start <= last and r.care_start.year == year):
                continue
            closed = r.care_end is not None and r.care_end <= cutoff
            until = r.care_end if closed else cutoff
            assert until is not None
            times.append(((until - r.care_start).days + 1, closed))
            keys["n"] += r.record_key
            keys["ended" if closed else "censored"] += r.record_key
        done = sum(1 for _t, closed in times if closed)
        median = figures.kaplan_meier_median(times)
        cohorts.append((year, len(times), done, len(times) - done, median, dict(keys)))
    days = [d for d, _k in ended]
    return (
        len(days),
        statistics.fmean(days) if days else None,
        float(statistics.median(days)) if days else None,
        sum(k for _d, k in ended),
        cohorts,
    )


def app_durations(session: Session, q: StatsQuery) -> tuple[Any, ...]:
    d = figures.durations(session, q)
    cohorts = [
        (c.year, c.n, c.ended, c.censored, c.km_median_days, {k: v for k, v in c.keys.items() if v})
        for c in d.cohorts
    ]
    return (d.ended, d.mean_days, d.median_days, d.ended_key, cohorts)


def years_before(day: date, years: int) -> date:
    if (day.month, day.day) == (2, 29):
        return D(day.year - years, 3, 1) if day.year % 4 else D(day.year - years, 2, 29)
    return day.replace(year=day.year - years)


def direct_results(rows: list[StatsTrajectory], q: StatsQuery) -> dict[str, tuple[int, int]]:
    first, last = q.period_first_day, q.period_last_day
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(name: str, n: int, key: int) -> None:
        out[name][0] += n
        out[name][1] += key

    for r in rows:
        if r.care_start is None:
            continue
        if r.care_end is not None and first <= r.care_end <= last:
            on_time = r.care_end <= r.planned_end
            state = (
                "achieved_on_time"
                if r.result_achieved and on_time
                else "achieved_late"
                if r.result_achieved
                else "not_achieved"
            )
            add("closed", 1, r.record_key)
            add(state, 1, r.record_key)
            if r.closure_category:
                add(f"category.{r.closure_category}", 1, r.record_key)
        if r.care_start <= last and (r.care_end is None or r.care_end >= first):
            add("active", 1, r.record_key)
            add("extensions", r.extensions, r.extensions * r.record_key)
    by_client: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
    for r in rows:
        if r.care_start is not None:
            by_client[(r.client_key, r.domain)].append((r.care_start, r.care_end))
    for (client, domain), intervals in by_client.items():
        previous: date | None = None
        for start, end in merge(intervals):
            if first <= start <= last:
                key = episode_key(client, domain, start)
                add("new_episodes", 1, key)
                if previous is not None and previous >= years_before(start, REPEAT_YEARS):
                    add("repeat_episodes", 1, key)
            previous = end
    return {name: (n, k) for name, (n, k) in out.items() if n or k}


def app_results(session: Session, q: StatsQuery) -> dict[str, tuple[int, int]]:
    r = figures.results(session, q, REPEAT_YEARS)
    counts = {
        "closed": r.closed,
        "achieved_on_time": r.achieved_on_time,
        "achieved_late": r.achieved_late,
        "not_achieved": r.not_achieved,
        **{f"category.{c}": n for c, n in r.categories.items()},
        "active": r.active,
        "extensions": r.extensions,
        "new_episodes": r.new_episodes,
        "repeat_episodes": r.repeat_episodes,
    }
    return {
        name: (n, r.keys.get(name, 0)) for name, n in counts.items() if n or r.keys.get(name, 0)
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_figures_equal_a_direct_computation_for_every_filter_set(
    session: Session, seed: int
) -> None:
    rows = random_feed(seed)
    load(session, *rows)
    assert session.scalar(select(func.count()).select_from(StatsResultCount))
    for filters in FILTERS:
        for domain in ("jeugd", None):
            for start, end in (
                ("2019-01", "2021-12"),
                ("2020-07", "2021-03"),
                ("2021-06", "2022-06"),
            ):
                q = query(start, end, domain=domain, **filters)
                chosen = selected(rows, q)
                context = (filters, domain, start, end)
                assert app_durations(session, q) == direct_durations(chosen, q), context
                # Repeat use after filters merges the filtered rows; without, the kept episodes.
                assert app_results(session, q) == direct_results(chosen, q), context


# --- edge cases by hand ------------------------------------------------------------------


def test_care_that_ends_after_the_cutoff_is_censored_at_it(session: Session) -> None:
    """Cut-off 2021-12. a: 2021-12-20 … 2022-01-05 ended after the cut-off: censored at
    2021-12-31 (12 days), not ended in the period. b: 2021-12-01 … open: censored, 31 days.
    c: 2021-12-30 … 2021-12-31: ended, 2 days. The Kaplan–Meier median: one event at 2 days
    among 3 at risk (S = 2/3), then no other event: not reached."""
    a = fact("a", D(2021, 12, 20), D(2022, 1, 5))
    b = fact("b", D(2021, 12, 1), None)
    c = fact("c", D(2021, 12, 30), D(2021, 12, 31))
    load(session, a, b, c)
    d = figures.durations(session, query("2021-01", "2021-12"))
    assert (d.ended, d.mean_days, d.median_days, d.ended_key) == (1, 2.0, 2.0, c.record_key)
    (cohort,) = d.cohorts
    assert (cohort.n, cohort.ended, cohort.censored, cohort.km_median_days) == (3, 1, 2, None)
    assert cohort.keys == {
        "n": a.record_key + b.record_key + c.record_key,
        "ended": c.record_key,
        "censored": a.record_key + b.record_key,
    }
    # Kept: a counts as closed with 17 days, and is moved to censored at the cut-off.
    kept_rows = session.execute(
        select(StatsDurationCount.kind, StatsDurationCount.month, StatsDurationCount.days)
    ).all()
    assert ("closed", month_index(D(2021, 12, 1)), 17) in kept_rows
    assert ("open", month_index(D(2021, 12, 1)), 1) in kept_rows


def test_open_care_from_a_leap_day_is_censored_at_the_cutoff(session: Session) -> None:
    """a: 2020-02-29 … open: censored at 2021-12-31 = 672 days (2020-02-29 … 2021-02-28 is
    366 days, then 306 more). b: 2020-02-28 … 2020-03-01: 3 days (over the leap day)."""
    load(
        session,
        fact("a", D(2020, 2, 29), None),
        fact("b", D(2020, 2, 28), D(2020, 3, 1)),
    )
    d = figures.durations(session, query("2020-01", "2021-12"))
    assert (d.ended, d.median_days) == (1, 3.0)
    cohort_2020 = d.cohorts[0]
    assert (cohort_2020.year, cohort_2020.n, cohort_2020.ended) == (2020, 2, 1)
    # At 3 days: 1 event among 2 at risk, S = 1/2: the median is 3 days.
    assert cohort_2020.km_median_days == 3
    (censored_days,) = {
        days
        for kind, days in session.execute(select(StatsDurationCount.kind, StatsDurationCount.days))
        if kind == "open"
    }
    assert censored_days == 29  # the start day kept for open care
    assert (D(2021, 12, 31) - D(2020, 2, 29)).days + 1 == 672


def test_the_repeat_gap_counts_whole_years_back_and_a_leap_day_as_1_march(
    session: Session,
) -> None:
    """Episodes starting 2024-02-29: with a previous end on 2019-03-01 it is repeat use within
    5 years (2024-02-29 minus 5 years is 2019-03-01), with 2019-02-28 only within 6."""
    assert kept.gap_years(D(2024, 2, 29), D(2019, 3, 1)) == 5
    assert kept.gap_years(D(2024, 2, 29), D(2019, 2, 28)) == 6
    assert kept.gap_years(D(2024, 2, 29), D(2020, 2, 29)) == 4
    assert kept.gap_years(D(2024, 2, 29), D(2020, 2, 28)) == 5
    assert kept.gap_years(D(2021, 6, 1), D(2021, 5, 1)) == 1
    assert kept.gap_years(D(2021, 6, 1), D(2020, 6, 1)) == 1
    assert kept.gap_years(D(2021, 6, 1), D(2020, 5, 31)) == 2
    assert kept.gap_years(D(2021, 6, 1), None) == 0
    load(
        session,
        fact("a", D(2015, 1, 1), D(2019, 3, 1)),
        fact("a", D(2024, 2, 29), None),
        fact("b", D(2015, 1, 1), D(2019, 2, 28)),
        fact("b", D(2024, 2, 29), None),
    )
    gaps = dict(
        session.execute(
            select(StatsRepeatCount.gap_years, StatsRepeatCount.n).where(
                StatsRepeatCount.month == month_index(D(2024, 2, 1))
            )
        ).all()
    )
    assert gaps == {5: 1, 6: 1}
    q = query("2024-01", "2024-12", cutoff="2024-12")
    for years, repeats in ((4, 0), (5, 1), (6, 2)):
        r = figures.results(session, q, years)
        assert (r.new_episodes, r.repeat_episodes) == (2, repeats)
