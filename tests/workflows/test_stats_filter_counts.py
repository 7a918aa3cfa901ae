"""Flows and intensity with a kept filter set come from ``stats_filter_counts``; they equal, count
for count and key sum for key sum, what the feed gives for the same filter (trajectories
grouped, episodes merged after the filter), in both units, on a random feed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import KEPT_SETS
from workflows.stats import figures

from .stats_helpers import fact, load, query

WIJKEN = ("Dronten", "Biddinghuizen", None)  # a row without a wijk: in no wijk cell
AGE_BANDS = ("4-11", "12-17", "18-26")
PROVIDERS = ("98140017", "12345678", "87654321")
PROFILES = (("45", "JZ-AMB"), ("45", "JZ-DAG"), ("46", "JZ-VB"))
# One value per filter, for the queries (each occurs in the random feed).
VALUES = {
    "category": "45",
    "profile": "JZ-AMB",
    "provider": "12345678",
    "wijk": "Dronten",
    "age_band": "12-17",
}


@pytest.fixture
def random_feed(session: Session) -> None:
    """Random trajectories of 2019-2021 of few clients, so many merge into episodes (some join
    only without a filter), in both domains."""
    rng = random.Random(13)
    rows = []
    for _ in range(600):
        start = date(2019, 6, 1) + timedelta(days=rng.randrange(0, 900))
        end = None if rng.random() < 0.3 else start + timedelta(days=rng.randrange(0, 120))
        category, profile = rng.choice(PROFILES)
        rows.append(
            fact(
                f"client{rng.randrange(150)}",
                start,
                end,
                domain=rng.choices(("jeugd", "wmo"), weights=(4, 1))[0],
                intensity=rng.choice(["laag", "middel", "zwaar"]),
                wijk=rng.choice(WIJKEN),
                age_band=rng.choice(AGE_BANDS),
                provider_agb=rng.choice(PROVIDERS),
                category_code=category,
                profile_code=profile,
                record_key=rng.getrandbits(30),
            )
        )
    rows.append(fact("waiting", None, None, decision_date=date(2021, 3, 1)))
    load(session, *rows)


@contextmanager
def tables_read(session: Session) -> Iterator[set[str]]:
    """The statistics tables the statements inside the block name."""
    names = ("stats_filter_counts", "stats_monthly_counts", "stats_trajectories")
    read: set[str] = set()

    def capture(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        read.update(name for name in names if name in statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield read
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def both_ways(
    session: Session, monkeypatch: pytest.MonkeyPatch, figure: Any, stats_query: Any
) -> tuple[Any, Any, set[str]]:
    """The figure as asked (and the tables it read), then from the feed (no kept set)."""
    with tables_read(session) as read:
        kept = figure(session, stats_query)
    with monkeypatch.context() as patched:
        patched.setattr(figures, "kept_set", lambda _query, _unit: None)
        from_feed = figure(session, stats_query)
    return kept, from_feed, read


def flow_cells(flows: figures.Flows) -> list[tuple[Any, ...]]:
    return [
        (m.month, m.beginstand, m.instroom, m.uitstroom, m.eindstand, sorted(m.keys.items()))
        for m in flows.months
    ]


def intensity_cells(months: list[figures.IntensityMonth]) -> list[tuple[Any, ...]]:
    return [(m.month, sorted(m.counts.items()), sorted(m.keys.items())) for m in months]


@pytest.mark.parametrize("names", KEPT_SETS, ids="+".join)
@pytest.mark.parametrize("unit", ["traject", "client"])
@pytest.mark.parametrize("domain", ["jeugd", None])
def test_flows_from_the_filter_counts_equal_those_from_the_feed(
    session: Session,
    random_feed: None,
    monkeypatch: pytest.MonkeyPatch,
    names: tuple[str, ...],
    unit: str,
    domain: str | None,
) -> None:
    filters = {name: VALUES[name] for name in names}
    stats_query = query("2020-01", "2021-06", domain=domain, unit=unit, **filters)
    assert figures.kept_set(stats_query, unit) == names
    kept, from_feed, read = both_ways(session, monkeypatch, figures.flows, stats_query)
    assert "stats_filter_counts" in read and "stats_trajectories" not in read
    assert flow_cells(kept) == flow_cells(from_feed)
    assert kept.yearly == from_feed.yearly
    assert sum(m.instroom for m in kept.months) > 0 and kept.months[-1].eindstand > 0


@pytest.mark.parametrize("names", KEPT_SETS, ids="+".join)
@pytest.mark.parametrize("basis", ["eindstand", "instroom"])
@pytest.mark.parametrize("level", [None, "zwaar"])
def test_intensity_and_an_intensity_filter_combine_with_every_kept_set(
    session: Session,
    random_feed: None,
    monkeypatch: pytest.MonkeyPatch,
    names: tuple[str, ...],
    basis: str,
    level: str | None,
) -> None:
    filters = {name: VALUES[name] for name in names}
    stats_query = query("2020-01", "2021-06", basis=basis, intensity=level, **filters)
    assert figures.kept_set(stats_query, "traject") == names
    kept, from_feed, read = both_ways(session, monkeypatch, figures.intensity, stats_query)
    assert "stats_filter_counts" in read and "stats_trajectories" not in read
    assert intensity_cells(kept) == intensity_cells(from_feed)
    assert sum(sum(m.counts.values()) for m in kept) > 0
    kept_flows, feed_flows, _read = both_ways(session, monkeypatch, figures.flows, stats_query)
    assert flow_cells(kept_flows) == flow_cells(feed_flows)


def test_only_exactly_a_kept_set_reads_the_filter_counts() -> None:
    assert figures.kept_set(query("2021-01", "2021-02"), "traject") is None  # no filter
    assert figures.kept_set(query("2021-01", "2021-02", age_band="4-11", wijk="X"), "client") == (
        "wijk",
        "age_band",
    )
    assert figures.kept_set(query("2021-01", "2021-02", intensity="laag"), "client") is None
    assert (
        figures.kept_set(query("2021-01", "2021-02", wijk="X", intensity="laag"), "client") is None
    )  # episodes after an intensity filter are not kept
    assert figures.kept_set(query("2021-01", "2021-02", wijk="X", intensity="laag"), "traject") == (
        "wijk",
    )
    assert (
        figures.kept_set(
            query("2021-01", "2021-02", wijk="X", provider="1", age_band="4-11"), "traject"
        )
        is None
    )
