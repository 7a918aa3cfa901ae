"""Wijken and kernen: added, renamed (the figures follow, with exactly the same values) and
deleted only when nothing uses them; every change in the change log."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    ConfigChange,
    StatsDurationCount,
    StatsFilterCount,
    StatsRepeatCount,
    StatsResultCount,
    StatsTrajectory,
    Wijk,
)
from workflows.areas import add_wijk, remove_wijk, rename_wijk, wijken
from workflows.errors import DomainError, NotFound
from workflows.stats import feed, figures

from ..factories import World
from .stats_helpers import fact, load, query

REPEAT_YEARS = 2


def _random_feed(session: Session) -> None:
    rng = random.Random(7)
    rows = []
    for _ in range(300):
        start = date(2019, 6, 1) + timedelta(days=rng.randrange(0, 900))
        end = None if rng.random() < 0.3 else start + timedelta(days=rng.randrange(0, 200))
        rows.append(
            fact(
                f"client{rng.randrange(80)}",
                start,
                end,
                domain="jeugd",
                wijk=rng.choice(("Dronten", "Biddinghuizen")),
                age_band=rng.choice(("4-11", "12-17")),
                record_key=rng.getrandbits(30),
            )
        )
    load(session, *rows)


def _figures(session: Session, wijk: str) -> tuple[object, ...]:
    out: list[object] = []
    for unit in ("traject", "client"):
        flows = figures.flows(session, query("2020-01", "2021-06", unit=unit, wijk=wijk))
        out.append([(m.month, m.instroom, m.uitstroom, m.eindstand) for m in flows.months])
    out.append(figures.results(session, query("2020-01", "2021-06", wijk=wijk), REPEAT_YEARS))
    out.append(figures.durations(session, query("2020-01", "2021-06", wijk=wijk)))
    return tuple(out)


def test_a_renamed_wijk_keeps_its_figures_under_the_new_name(
    session: Session, world: World
) -> None:
    _random_feed(session)
    before = _figures(session, "Dronten")
    version = feed.feed_version(session.connection())
    rename_wijk(session, world.beheerder, world.dronten.id, "Dronten-Centrum")
    assert _figures(session, "Dronten-Centrum") == before
    assert feed.feed_version(session.connection()) != version  # cached figures are stale
    for model in (StatsFilterCount, StatsResultCount, StatsRepeatCount, StatsDurationCount):
        assert not session.scalar(
            select(func.count()).select_from(model).where(model.value_1 == "Dronten")
        )
    assert not session.scalar(
        select(func.count()).select_from(StatsTrajectory).where(StatsTrajectory.wijk == "Dronten")
    )
    change = session.scalars(select(ConfigChange).where(ConfigChange.object_type == "wijk")).one()
    assert (change.field, change.old, change.new) == ("name", "Dronten", "Dronten-Centrum")


def test_a_name_that_the_figures_still_use_is_refused(session: Session, world: World) -> None:
    _random_feed(session)  # names "Biddinghuizen", which is no wijk (any more)
    with pytest.raises(DomainError, match="cijfers") as refused:
        rename_wijk(session, world.beheerder, world.dronten.id, "Biddinghuizen")
    assert refused.value.problems[0].field == "name"
    with pytest.raises(DomainError, match="cijfers"):
        add_wijk(session, "Biddinghuizen", world.beheerder)


def test_add_is_logged_and_a_duplicate_name_refused(session: Session, world: World) -> None:
    wijk = add_wijk(session, "  Swifterbant ", world.beheerder)
    assert wijk.name == "Swifterbant"
    with pytest.raises(DomainError, match="Er is al een wijk") as refused:
        add_wijk(session, "Swifterbant", world.beheerder)
    assert refused.value.problems[0].field == "name"
    with pytest.raises(DomainError, match="Er is al een wijk"):
        rename_wijk(session, world.beheerder, wijk.id, "Dronten")
    logged = session.scalars(select(ConfigChange).where(ConfigChange.object_id == wijk.id)).one()
    assert (logged.action, logged.new, logged.user_id) == (
        "aangemaakt",
        "Swifterbant",
        world.beheerder.id,
    )


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_bad_name_is_refused_at_its_field(session: Session, world: World, name: str) -> None:
    with pytest.raises(DomainError) as refused:
        add_wijk(session, name, world.beheerder)
    assert refused.value.problems[0].field == "name"


def test_a_wijk_in_use_is_not_deleted_an_unused_one_is(session: Session, world: World) -> None:
    with pytest.raises(DomainError, match="Dronten is in gebruik"):
        remove_wijk(session, world.beheerder, world.dronten.id)  # residents live there
    spare = add_wijk(session, "Ketelhaven", world.beheerder)
    assert {(r.wijk.name, r.in_use) for r in wijken(session)} == {
        ("Dronten", True),
        ("Ketelhaven", False),
    }
    remove_wijk(session, world.beheerder, spare.id)
    assert session.get(Wijk, spare.id) is None
    with pytest.raises(NotFound):
        remove_wijk(session, world.beheerder, spare.id)


def test_a_wijk_only_the_figures_name_is_in_use(session: Session, world: World) -> None:
    spare = add_wijk(session, "Ketelhaven", world.beheerder)
    load(session, fact("c1", date(2020, 1, 1), None, wijk="Ketelhaven"))
    with pytest.raises(DomainError, match="in gebruik"):
        remove_wijk(session, world.beheerder, spare.id)


def test_only_a_beheerder_changes_wijken(session: Session, world: World) -> None:
    for actor in (world.gids, world.manager):
        with pytest.raises(DomainError, match="geen recht"):
            add_wijk(session, "Ketelhaven", actor)
        with pytest.raises(DomainError, match="geen recht"):
            rename_wijk(session, actor, world.dronten.id, "X")
        with pytest.raises(DomainError, match="geen recht"):
            remove_wijk(session, actor, world.dronten.id)
