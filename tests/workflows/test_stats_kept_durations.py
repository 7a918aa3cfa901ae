"""The durations figure (unit traject) from the kept ``stats_duration_counts`` of every kept
filter set equals the same figure from the feed's rows (``figures.durations_from_feed``): the
exact numbers and every key sum, on random feeds, after changes through the flush hook and
after a rebuild."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    FILTER_COLUMNS,
    ClosureCategory,
    Intensity,
    StatsTrajectory,
    TrajectoryState,
    Wijk,
)
from workflows import scaling
from workflows import trajectories as wf
from workflows.stats import feed, figures, kept
from workflows.stats.selection import StatsQuery

from ..factories import TODAY, World, make_trajectory
from .stats_helpers import fact, load, query
from .test_stats_kept import AGE_BANDS, PROFILES, PROVIDERS, WIJKEN, random_feed

S = TrajectoryState


def both(session: Session, q: StatsQuery) -> tuple[Any, Any]:
    """The figure as ``durations`` gives it (kept cells when a kept set holds ``q``) and as the
    feed's rows give it, each with every count and key sum."""

    def flat(d: figures.Durations) -> tuple[Any, ...]:
        cohorts = [
            (c.year, c.n, c.ended, c.censored, c.km_median_days, {k: v for k, v in c.keys.items()
             if v})
            for c in d.cohorts
        ]  # fmt: skip
        return (d.ended, d.mean_days, d.median_days, d.ended_key, cohorts)

    return flat(figures.durations(session, q)), flat(figures.durations_from_feed(session, q))


def plain(value: Any) -> str:
    return str(getattr(value, "value", value))


def set_queries(session: Session, periods: list[tuple[str, str]], cutoff: str) -> list[StatsQuery]:
    """A query per kept filter set and value present in the feed (and one value absent from
    it), domain and period; each one a kept set holds."""
    rows = session.scalars(select(StatsTrajectory)).all()
    queries = []
    for names in kept.FILTER_SETS:
        found = {
            tuple(plain(getattr(r, FILTER_COLUMNS[n])) for n in names)
            for r in rows
            if all(getattr(r, FILTER_COLUMNS[n]) is not None for n in names)
        }
        if names:
            found.add(tuple("absent" if n != "intensity" else "laag" for n in names))
        for values in sorted(found):
            for domain in ("jeugd", "wmo", None):
                for start, end in periods:
                    q = query(
                        start,
                        end,
                        cutoff=cutoff,
                        domain=domain,
                        **dict(zip(names, values, strict=True)),
                    )
                    assert kept.kept_filters(q.narrowing, q.filters) is not None, q
                    queries.append(q)
    return queries


def dense_feed(seed: int) -> list[StatsTrajectory]:
    """Many durations of every length up to two years, so medians fall inside spans, next to
    their edges and among censorings; some care ends after the cut-off of 2021-12."""
    rng = random.Random(seed)
    rows = []
    for n in range(400):
        start = date(2019, 1, 1) + timedelta(days=rng.randrange(3 * 365 + 20))
        end: date | None = start + timedelta(days=rng.randrange(730))
        if end is not None and (end > date(2022, 1, 9) or rng.random() < 0.1):
            end = None
        profile, category = rng.choice(PROFILES)
        rows.append(
            fact(
                f"d{n}",
                start,
                end,
                domain=rng.choice(("jeugd", "jeugd", "wmo")),
                intensity=rng.choice(("laag", "middel", "zwaar")),
                wijk=rng.choice(WIJKEN),
                profile_code=profile,
                category_code=category,
                provider_agb=rng.choice(PROVIDERS),
                age_band=rng.choice(AGE_BANDS),
            )
        )
    return rows


@pytest.mark.parametrize(("feed_of", "seed"), [(random_feed, 4), (random_feed, 5), (dense_feed, 6)])
def test_every_kept_set_gives_the_figures_and_key_sums_of_the_scan(
    session: Session, feed_of: Any, seed: int
) -> None:
    load(session, *feed_of(seed))
    queries = set_queries(
        session, [("2019-01", "2021-12"), ("2020-07", "2021-03"), ("2021-06", "2022-06")], "2021-12"
    )
    assert len(queries) > 100
    for q in queries:
        from_kept, scanned = both(session, q)
        assert from_kept == scanned, (q.filters, q.domain, q.start, q.end)


def test_the_kept_cells_follow_the_flush_hook_and_a_rebuild(session: Session, world: World) -> None:
    """Trajectories made, closed (one after the cut-off), scaled and moved to another wijk
    through the workflows: after each flush every kept set answers as the scan does, and a
    rebuild derives the very same cells."""
    periods = [("2026-01", "2027-06"), ("2026-11", "2026-12")]

    def check() -> None:
        for cutoff in ("2026-11", "2027-06"):
            for q in set_queries(session, periods, cutoff):
                from_kept, scanned = both(session, q)
                assert from_kept == scanned, (q.filters, q.domain, q.start, q.end, q.cutoff)

    make_trajectory(session, world, S.AFGESLOTEN)
    active = make_trajectory(session, world, S.ACTIEF)
    child = make_trajectory(
        session, world, S.ACTIEF, resident_id=world.child.id, profile_id=world.amb.id
    )
    session.flush()
    check()
    decided = TODAY + timedelta(days=40)
    request = scaling.request_scaling(
        session, active, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", decided
    )
    scaling.decide_scaling(session, request, world.gids, accept=True, reason=None, today=decided)
    session.flush()
    check()
    wf.close(
        session,
        child,
        world.gids,
        care_end=TODAY + timedelta(days=45),  # after the cut-off of 2026-11
        closure_category=ClosureCategory.B,
        end_reason_code="31",
        result_achieved=True,
        today=TODAY + timedelta(days=50),
    )
    session.flush()
    check()
    world.child.wijk = Wijk(name="Swifterbant")  # every set with the wijk moves
    session.flush()
    check()
    cells = feed.feed_snapshot(session.connection())["stats_duration_counts"]
    assert {row[0] for row in cells} == {
        "",
        "intensity",
        "category",
        "profile",
        "provider",
        "wijk",
        "age_band",
        "wijk+age_band",
        "profile+provider",
    }
    assert any(row[1] == "Swifterbant" for row in cells)
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection())["stats_duration_counts"] == cells
    check()
