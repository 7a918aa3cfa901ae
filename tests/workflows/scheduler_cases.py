"""Trajectories and evaluations for the scheduler job tests, made through the real workflow but
without the evaluations and tasks other steps add, so each test decides which exist."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    Evaluation,
    EvaluationKind,
    EvaluationState,
    Household,
    Intensity,
    Resident,
    Task,
    Trajectory,
    TrajectoryState,
)
from workflows import trajectories as wf

from ..factories import TODAY, World, make_trajectory

S = TrajectoryState
D = date(2026, 11, 2)  # a Monday; the run date most tests use


def trajectory(
    session: Session, world: World, state: TrajectoryState = S.ACTIEF, **overrides: object
) -> Trajectory:
    """A trajectory through the real workflow, without the evaluations care start may plan or
    the tasks other steps may add, so each test decides which evaluations and tasks exist."""
    t = make_trajectory(session, world, state, **overrides)
    for evaluation in list(t.evaluations):
        session.delete(evaluation)
    session.flush()
    session.execute(delete(Task).where(Task.trajectory_id == t.id))
    session.expire(t, ["evaluations"])
    return t


def evaluation(
    session: Session,
    t: Trajectory,
    due_on: date,
    state: EvaluationState = EvaluationState.GEPLAND,
) -> Evaluation:
    e = Evaluation(
        trajectory=t,
        kind=EvaluationKind.REGULIER,
        due_on=due_on,
        state=state,
        held_on=None if state == EvaluationState.GEPLAND else due_on,
    )
    session.add(e)
    session.flush()
    return e


def jeugd_resident(session: Session, world: World, birth_date: date, bsn: str) -> Resident:
    resident = Resident(
        bsn=bsn,
        given_name="Kees",
        family_name="Bakker",
        birth_date=birth_date,
        household=Household(gids=world.gids),
    )
    session.add(resident)
    session.flush()
    return resident


def jeugd_trajectory(
    session: Session, world: World, resident: Resident, state: TrajectoryState = S.ACTIEF
) -> Trajectory:
    t = trajectory(
        session,
        world,
        S.ACTIEF if state == S.AFGESLOTEN else state,
        resident_id=resident.id,
        profile_id=world.amb.id,
        intensity=Intensity.LAAG,
    )
    if state == S.AFGESLOTEN:  # the factory closes with a Wmo reason code
        wf.close(
            session,
            t,
            world.gids,
            care_end=TODAY,
            closure_category=ClosureCategory.A,
            end_reason_code="31",
            result_achieved=True,
            today=TODAY,
        )
    return t


def busy_caseload(session: Session, world: World) -> list[Trajectory]:
    """Trajectories that each job has something to say about on ``D``."""
    wmo = trajectory(session, world)
    evaluation(session, wmo, D + timedelta(days=5))
    evaluation(session, wmo, D - timedelta(days=5))
    ending = trajectory(session, world)
    ending.planned_end = ending.decision_end = D + timedelta(days=20)
    late = trajectory(session, world)
    late.planned_start = date(2026, 5, 4)
    late.planned_end = late.decision_end = D - timedelta(days=1)
    resident = jeugd_resident(session, world, date(2009, 2, 1), "100000009")
    child = jeugd_trajectory(session, world, resident)
    session.flush()
    return [wmo, ending, late, child]
