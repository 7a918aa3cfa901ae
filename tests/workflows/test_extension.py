"""R6: extending a decision (*verlenging*): who may, to which dates, what it changes, and that the
statistics count it and the scheduler prompts again for the new end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Intensity, StatsTrajectory, Task, TaskKind, Trajectory
from models import TrajectoryState as S
from workflows import trajectories as wf
from workflows.dates import jeugd_decision_end
from workflows.errors import DomainError, VersionConflict
from workflows.scheduler_jobs import wmo_decision_expiring

from ..factories import TODAY, World, make_trajectory

LATER = date(2027, 9, 30)


def extend(session: Session, t: Trajectory, world: World, new_end: date, **kw: object) -> None:
    wf.extend_decision(
        session,
        t,
        kw.pop("actor", world.gids),  # type: ignore[arg-type]
        new_end=new_end,
        reason=kw.pop("reason", "Herbeoordeling: resultaat 2 vraagt meer tijd"),  # type: ignore[arg-type]
        today=TODAY,
        **kw,  # type: ignore[arg-type]
    )


def test_an_extension_moves_the_decision_end_and_records_why(
    session: Session, world: World
) -> None:
    t = make_trajectory(session, world, S.ACTIEF)
    old_end, planned_end, price = t.decision_end, t.planned_end, t.price

    extend(session, t, world, LATER)

    assert t.decision_end == LATER
    assert (t.planned_end, t.price) == (planned_end, price)  # the agreement stands (R4)
    event = t.events[-1]
    assert (event.action, event.reason) == (
        "verlengd",
        "Herbeoordeling: resultaat 2 vraagt meer tijd",
    )
    assert event.details is not None and "reden 04" in event.details
    assert old_end is not None and old_end.isoformat() in event.details


def test_the_statistics_feed_counts_the_extension(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.ACTIEF)

    extend(session, t, world, LATER)
    extend(session, t, world, LATER + timedelta(days=30))
    session.flush()

    row = session.scalars(
        select(StatsTrajectory).where(StatsTrajectory.source_trajectory_id == t.id)
    ).one()
    assert row.extensions == 2


@pytest.mark.parametrize("new_end", [date(2027, 5, 9), date(2027, 1, 1)])
def test_the_new_end_must_lie_after_the_current_one(
    session: Session, world: World, new_end: date
) -> None:
    t = make_trajectory(session, world, S.ACTIEF)
    assert t.decision_end == date(2027, 5, 9)

    with pytest.raises(DomainError) as refused:
        extend(session, t, world, new_end)

    assert refused.value.problems[0].field == "new_end"
    assert "09-05-2027" in str(refused.value)
    assert t.decision_end == date(2027, 5, 9)


def test_a_reason_is_required(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.ACTIEF)

    with pytest.raises(DomainError, match="reden"):
        extend(session, t, world, LATER, reason="   ")


def test_a_jeugd_decision_never_runs_past_the_day_before_the_18th_birthday(
    session: Session, world: World
) -> None:
    t = make_trajectory(
        session,
        world,
        S.ACTIEF,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.LAAG,
    )
    limit = jeugd_decision_end(world.child.birth_date)
    if t.decision_end == limit:  # the factory child may already be capped: shorten first
        t.decision_end = limit - timedelta(days=100)

    with pytest.raises(DomainError, match="18e verjaardag"):
        extend(session, t, world, limit + timedelta(days=1))
    extend(session, t, world, limit)
    assert t.decision_end == limit


@pytest.mark.parametrize("state", [S.CONCEPT, S.VOORGESTELD, S.AFGESLOTEN])
def test_only_an_agreed_or_running_trajectory_can_be_extended(
    session: Session, world: World, state: S
) -> None:
    t = make_trajectory(session, world, state)

    with pytest.raises(DomainError):
        extend(session, t, world, LATER)


def test_only_the_responsible_gids_extends(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.ACTIEF)

    for someone_else in (world.gids2, world.aanbieder_a):
        with pytest.raises(DomainError):
            extend(session, t, world, LATER, actor=someone_else)
    assert t.decision_end == date(2027, 5, 9)


def test_a_stale_page_is_a_conflict(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.ACTIEF)

    with pytest.raises(VersionConflict):
        extend(session, t, world, LATER, expected_version=t.version - 1)


def test_the_expiry_prompt_is_settled_and_comes_again_for_the_new_end(
    session: Session, world: World
) -> None:
    t = make_trajectory(session, world, S.ACTIEF)
    assert t.decision_end is not None
    wmo_decision_expiring(session, t.decision_end - timedelta(days=10))
    prompt = session.scalars(select(Task).where(Task.kind == TaskKind.BESCHIKKING_VERLOOPT)).one()
    session.expire(t)

    extend(session, t, world, LATER)

    session.refresh(prompt)
    assert prompt.done_at is not None
    assert wmo_decision_expiring(session, LATER - timedelta(days=31)) == 0
    assert wmo_decision_expiring(session, LATER - timedelta(days=30)) == 1
