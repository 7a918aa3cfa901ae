"""Running care for the view tests of evaluations, scaling, end of care, claims and the inbox:
trajectories taken through the real workflows, and small readers for what the pages show.

Dates: care starts on ``TODAY`` (2026-11-02, see factories) and the tests run on ``NOW``
(frozen, 2026-11-16), so an evaluation held "today" lies after the start of care.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    Evaluation,
    EvaluationState,
    Provider,
    Role,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
)
from workflows import trajectories as wf
from workflows.evaluations import (
    EvaluationInput,
    ScoreInput,
    open_extra_evaluation,
    submit_evaluation,
)

from ..factories import TODAY, World, make_trajectory, make_user, trajectory_input

S = TrajectoryState
NOW = date(2026, 11, 16)
ENGLISH = ("Not a valid", "This field", "Invalid Choice", "Field cannot", "Field must")


def assert_dutch(message: str) -> None:
    assert message and not message.startswith(ENGLISH), message


def active(session: Session, world: World, **overrides: object) -> Trajectory:
    """Anna's Wmo begeleiding with Zorg A, care started on TODAY; evaluations are planned."""
    t = make_trajectory(session, world, S.ACTIEF, **overrides)
    session.flush()
    return t


def closed(session: Session, world: World, *, result_achieved: bool = True) -> Trajectory:
    t = make_trajectory(session, world, S.ACTIEF)
    wf.close(
        session,
        t,
        world.gids,
        care_end=TODAY,
        closure_category=ClosureCategory.A if result_achieved else ClosureCategory.D,
        end_reason_code="19" if result_achieved else "21",
        result_achieved=result_achieved,
        today=TODAY,
    )
    session.flush()
    return t


def evaluated(
    session: Session, world: World, scores: list[int], *, zrm: dict[int, int] | None = None
) -> Trajectory:
    """An active trajectory of provider A with one submitted extra evaluation per GAS score in
    ``scores`` (each result that score), held on 3, 4, … November; ``zrm``: the ZRM with each."""
    trajectory = active(session, world)
    if zrm:
        trajectory.uses_zrm = True
    for number, score in enumerate(scores):
        evaluation = open_extra_evaluation(
            session, trajectory, world.aanbieder_a, "Behoefte veranderd", NOW, NOW
        )
        data = EvaluationInput(
            held_on=date(2026, 11, 3 + number),
            with_inwoner=True,
            with_gids=True,
            with_aanbieder=True,
            with_netwerk=False,
            summary="Het gaat goed.",
            need_changed=False,
            scores=[ScoreInput(r.id, score) for r in trajectory.results],
            zrm=zrm,
        )
        submit_evaluation(session, evaluation, world.aanbieder_a, data, NOW)
    session.flush()
    return trajectory


def planned_evaluation(trajectory: Trajectory) -> Evaluation:
    return next(e for e in trajectory.evaluations if e.state == EvaluationState.GEPLAND)


def subcontracted(session: Session, world: World) -> tuple[Trajectory, User]:
    """Bram's Jeugd ambulant with Zorg A as main and Zorg C as subcontractor, care started; and a
    user of Zorg C."""
    from models import Intensity

    data = trajectory_input(
        world,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.MIDDEL,
        subcontractor_id=world.zorg_c.id,
    )
    t = wf.create_trajectory(session, data, world.gids, today=TODAY)
    wf.propose(session, t, world.gids, TODAY)
    wf.accept(session, t, world.aanbieder_a)
    wf.start_care(session, t, world.aanbieder_a, TODAY, TODAY)
    user = make_user(session, "planner@zorg-c.nl", Role.AANBIEDER, world.zorg_c)
    session.flush()
    return t, user


def provider_user(session: Session, email: str, provider: Provider) -> User:
    return make_user(session, email, Role.AANBIEDER, provider)


def snapshot(session: Session, trajectory_id: int) -> tuple[object, ...]:
    """Everything a failed form must leave as it was."""
    session.expire_all()
    t = session.get(Trajectory, trajectory_id)
    assert t is not None
    events = session.scalar(
        select(func.count())
        .select_from(TrajectoryEvent)
        .where(TrajectoryEvent.trajectory_id == trajectory_id)
    )
    evaluations = [
        (e.id, e.kind, e.state, e.due_on, e.held_on, len(e.scores), len(e.zrm_scores))
        for e in t.evaluations
    ]
    return (
        t.state,
        t.version,
        t.evaluation_interval_months,
        t.uses_zrm,
        evaluations,
        events,
        _count(session, "scaling_requests", trajectory_id),
        _count(session, "end_of_care_reports", trajectory_id),
        _count(session, "claims", trajectory_id),
        _count(session, "tasks", trajectory_id),
    )


def _count(session: Session, table: str, trajectory_id: int) -> int:
    from models import Base

    rows = Base.metadata.tables[table]
    return (
        session.scalar(
            select(func.count()).select_from(rows).where(rows.c.trajectory_id == trajectory_id)
        )
        or 0
    )


def is_checked(body: str, name: str) -> bool:
    """Whether the checkbox ``name`` is rendered checked."""
    tag = re.search(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    assert tag, f"no input {name}"
    return re.search(r"\bchecked\b", tag.group(0)) is not None
