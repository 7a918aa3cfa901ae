"""The fallback: client episodes formed by the database after the filters, and the figure cache.

For random feeds (several clients and domains; adjoining, overlapping, nested, same-day and open
trajectories) and every combination of filters, the episodes the database forms are the ones
``episodes.merge`` forms from the same rows, and the client-unit figures built on them carry the
same counts and key sums as figures built by hand from ``merge``'s episodes.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import episode_key
from workflows.stats import figures
from workflows.stats.episodes import merge, month_index
from workflows.stats.selection import FILTER_NAMES, StatsQuery

from .stats_helpers import COLUMNS, fact, load, query

VALUES = {
    "category": ("45", "54"),
    "profile": ("P1", "P2"),
    "intensity": ("laag", "zwaar"),
    "provider": ("11111111", "22222222"),
    "wijk": ("Dronten", "Swifterbant"),
    "age_band": ("12-17", "27-64"),
}
FIRST_DAY = date(2020, 11, 1)

trajectory = st.fixed_dictionaries(
    {
        "client": st.integers(0, 5),
        "domain": st.sampled_from(("jeugd", "wmo")),
        # after the previous trajectory of the same client: adjoining, one day without care,
        # or anywhere in a short span (so overlaps and nesting are common)
        "after": st.sampled_from((None, None, 1, 2)),
        "offset": st.integers(0, 200),
        "days": st.one_of(st.none(), st.integers(0, 60)),  # None: open
        **{name: st.integers(0, 1) for name in FILTER_NAMES},
    }
)


def build(drawn: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Feed row values from the drawn trajectories."""
    rows: list[dict[str, Any]] = []
    last_end: dict[tuple[int, str], date] = {}
    for n, t in enumerate(drawn):
        pair = (t["client"], t["domain"])
        start = FIRST_DAY + timedelta(days=t["offset"])
        if t["after"] is not None and pair in last_end:
            start = last_end[pair] + timedelta(days=t["after"])
        end = None if t["days"] is None else start + timedelta(days=t["days"])
        if end is not None:
            last_end[pair] = end
        values = {name: VALUES[name][t[name]] for name in FILTER_NAMES}
        rows.append(
            {
                "client": f"c{t['client']}",
                "domain": t["domain"],
                "start": start,
                "end": end,
                "filters": values,
                "record_key": n,
            }
        )
    return rows


def load_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    load(
        session,
        *(
            fact(
                r["client"],
                r["start"],
                r["end"],
                domain=r["domain"],
                record_key=r["record_key"],
                **{COLUMNS[name]: value for name, value in r["filters"].items()},
            )
            for r in rows
        ),
    )


def merged(
    rows: list[dict[str, Any]], domain: str | None, filters: dict[str, str]
) -> list[tuple[str, str, date, date | None]]:
    """The reference: ``episodes.merge`` over the rows that pass the filters."""
    intervals: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
    for r in rows:
        if domain is not None and r["domain"] != domain:
            continue
        if any(r["filters"][name] != value for name, value in filters.items()):
            continue
        intervals[(r["client"], r["domain"])].append((r["start"], r["end"]))
    return sorted(
        (client, dom, start, end)
        for (client, dom), spans in intervals.items()
        for start, end in merge(spans)
    )


def combinations(rows: list[dict[str, Any]]) -> list[tuple[str | None, dict[str, str]]]:
    """Every subset of the filters, with the values of the first row or the last, for one
    domain or neither (in turns)."""
    subsets = [
        names
        for size in range(len(FILTER_NAMES) + 1)
        for names in itertools.combinations(FILTER_NAMES, size)
    ]
    domains = (None, "jeugd", "wmo")
    return [
        (domains[n % 3], {name: rows[-(n % 2)]["filters"][name] for name in names})
        for n, names in enumerate(subsets)
    ]


def sql_episodes(session: Session, q: StatsQuery) -> list[tuple[str, str, date, date | None]]:
    ep = figures.episodes_after_filters(q)
    return sorted(
        (client, str(getattr(dom, "value", dom)), start, end)
        for client, dom, start, end in session.execute(
            select(ep.c.client_key, ep.c.domain, ep.c.care_start, ep.c.care_end)
        )
    )


def previous_ends(episodes: list[tuple[str, str, date, date | None]]) -> dict[Any, date | None]:
    previous: dict[Any, date | None] = {}
    last: dict[tuple[str, str], date | None] = {}
    for client, dom, start, end in sorted(episodes):
        previous[(client, dom, start)] = last.get((client, dom))
        last[(client, dom)] = end
    return previous


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.lists(trajectory, min_size=1, max_size=30))
def test_the_database_forms_the_episodes_merge_forms_for_every_filter_combination(
    session: Session, drawn: list[dict[str, Any]]
) -> None:
    rows = build(drawn)
    load_rows(session, rows)
    for domain, filters in combinations(rows):
        q = query("2021-01", "2021-12", domain=domain, **filters)
        expected = merged(rows, domain, filters)
        assert sql_episodes(session, q) == expected, (domain, filters)
        # The previous episode's end, as the repeat use needs it.
        ep = figures.episodes_after_filters(q)
        got = {
            (client, str(getattr(dom, "value", dom)), start): previous
            for client, dom, start, previous in session.execute(
                select(ep.c.client_key, ep.c.domain, ep.c.care_start, ep.c.previous_end)
            )
        }
        assert got == previous_ends(expected)
        # The figures' list of keyed episodes (kept episodes when there is no filter).
        assert sorted(figures.client_intervals(session, q)) == sorted(
            (c, d, s, e, episode_key(c, d, s)) for c, d, s, e in expected
        )


def expected_flows(
    q: StatsQuery, episodes: list[tuple[str, str, date, date | None]]
) -> list[tuple[int, ...]]:
    """Monthly flows (counts and key sums) of these episodes, by the definitions."""
    out = []
    for m in q.months:
        counts: Counter[str] = Counter()
        for client, dom, start, end in episodes:
            key = episode_key(client, dom, start)
            started, ended = month_index(start), month_index(end) if end else None
            for name, hit in (
                ("begin", started < m and (ended is None or ended >= m)),
                ("in", started == m),
                ("out", ended == m),
                ("stock", started <= m and (ended is None or ended > m)),
            ):
                if hit:
                    counts[name] += 1
                    counts[name + "_key"] += key
        out.append(
            tuple(counts[n] for n in ("begin", "in", "out", "stock"))
            + tuple(counts[n + "_key"] for n in ("begin", "in", "out", "stock"))
        )
    return out


def expected_durations(
    q: StatsQuery, episodes: list[tuple[str, str, date, date | None]]
) -> tuple[Any, ...]:
    first, last, cutoff = q.period_first_day, q.period_last_day, q.cutoff_date
    ended = [
        ((e - s).days + 1, episode_key(c, d, s))
        for c, d, s, e in episodes
        if e is not None and first <= e <= last
    ]
    cohorts = []
    for year in range(first.year, last.year + 1):
        members = [(c, d, s, e) for c, d, s, e in episodes if first <= s <= last and s.year == year]
        times = [
            ((min(e, cutoff) if e else cutoff) - s).days + 1
            if e is None or e > cutoff
            else (e - s).days + 1
            for _c, _d, s, e in members
        ]
        closed = [e is not None and e <= cutoff for _c, _d, _s, e in members]
        keys = [episode_key(c, d, s) for c, d, s, _e in members]
        cohorts.append(
            (
                year,
                len(members),
                sum(closed),
                figures.kaplan_meier_median(list(zip(times, closed, strict=True))),
                sum(keys),
                sum(k for k, done in zip(keys, closed, strict=True) if done),
            )
        )
    days = [d for d, _k in ended]
    return (
        len(ended),
        statistics.fmean(days) if days else None,
        float(statistics.median(days)) if days else None,
        sum(k for _d, k in ended),
        cohorts,
    )


def expected_repeat(
    q: StatsQuery, episodes: list[tuple[str, str, date, date | None]], years: int
) -> tuple[int, int, int, int]:
    previous = previous_ends(episodes)
    new = repeat = new_key = repeat_key = 0
    for c, d, s, _e in episodes:
        if not q.period_first_day <= s <= q.period_last_day:
            continue
        key = episode_key(c, d, s)
        new, new_key = new + 1, new_key + key
        before = previous[(c, d, s)]
        if before is not None and s.replace(year=s.year - years) <= before < s:
            repeat, repeat_key = repeat + 1, repeat_key + key
    return new, repeat, new_key, repeat_key


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drawn=st.lists(trajectory, min_size=1, max_size=30),
    names=st.sets(st.sampled_from(FILTER_NAMES), min_size=1, max_size=3),
    domain=st.sampled_from((None, "jeugd", "wmo")),
)
def test_client_figures_after_filters_keep_the_counts_and_key_sums_of_merge(
    session: Session, drawn: list[dict[str, Any]], names: set[str], domain: str | None
) -> None:
    rows = build(drawn)
    load_rows(session, rows)
    filters = {name: rows[0]["filters"][name] for name in sorted(names)}
    q = query("2021-01", "2021-10", domain=domain, unit="client", **filters)
    episodes = merged(rows, domain, filters)

    flows = figures.flows(session, q)
    assert [
        (m.beginstand, m.instroom, m.uitstroom, m.eindstand)
        + tuple(m.keys[n] for n in ("beginstand", "instroom", "uitstroom", "eindstand"))
        for m in flows.months
    ] == expected_flows(q, episodes)

    d = figures.durations(session, q)
    assert (
        d.ended,
        d.mean_days,
        d.median_days,
        d.ended_key,
        [
            (c.year, c.n, c.ended, c.km_median_days, c.keys.get("n", 0), c.keys.get("ended", 0))
            for c in d.cohorts
        ],
    ) == expected_durations(q, episodes)

    r = figures.results(session, q, 1)
    assert (
        r.new_episodes,
        r.repeat_episodes,
        r.keys.get("new_episodes", 0),
        r.keys.get("repeat_episodes", 0),
    ) == expected_repeat(q, episodes, 1)


def test_a_nested_and_a_same_day_trajectory_stay_in_their_episode(session: Session) -> None:
    D = date
    load(
        session,
        fact("a", D(2021, 1, 1), D(2021, 3, 31)),
        fact("a", D(2021, 1, 1), D(2021, 1, 5)),  # same start, nested
        fact("a", D(2021, 2, 1), D(2021, 2, 10)),  # nested
        fact("a", D(2021, 4, 1), D(2021, 4, 1)),  # adjoining, one day
        fact("a", D(2021, 4, 3), None),  # one day without care: a new, open episode
        fact("a", D(2021, 5, 1), D(2021, 5, 2)),  # inside the open one
    )
    q = query("2021-01", "2021-12", wijk="Dronten")
    assert sql_episodes(session, q) == [
        ("a", "jeugd", D(2021, 1, 1), D(2021, 4, 1)),
        ("a", "jeugd", D(2021, 4, 3), None),
    ]
