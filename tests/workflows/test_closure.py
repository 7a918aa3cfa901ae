"""End of care (R10): the provider reports it, the gids confirms (the trajectory closes with the
reported values) or returns it (the trajectory stays active)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    EndOfCareReport,
    EvaluationState,
    Intensity,
    SubmissionState,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryState,
)
from workflows import closure
from workflows import trajectories as wf
from workflows.errors import DomainError, NotFound
from workflows.inbox import add_task
from workflows.scaling import request_scaling

from ..factories import TODAY, World, make_trajectory

S = TrajectoryState
C = ClosureCategory
LATER = date(2027, 3, 1)


def active(session: Session, world: World, **overrides: Any) -> Trajectory:
    """Wmo begeleiding middel with Zorg A, care from TODAY (2026-11-02)."""
    return make_trajectory(session, world, S.ACTIEF, **overrides)


def report(
    session: Session,
    trajectory: Trajectory,
    world: World,
    *,
    by: Any = None,
    care_end: date = date(2027, 2, 26),
    category: ClosureCategory = C.A,
    code: str = "19",
    achieved: bool = True,
    today: date = LATER,
) -> EndOfCareReport:
    return closure.report_end_of_care(
        session,
        trajectory,
        by or world.aanbieder_a,
        care_end=care_end,
        closure_category=category,
        end_reason_code=code,
        result_achieved=achieved,
        today=today,
    )


def open_tasks(session: Session, trajectory: Trajectory) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(Task.trajectory_id == trajectory.id, Task.done_at.is_(None))
        ).all()
    )


def test_the_provider_reports_end_of_care_and_the_gids_gets_a_task(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    reported = report(session, trajectory, world)
    assert reported.state == SubmissionState.INGEDIEND
    assert trajectory.state == S.ACTIEF
    (task,) = open_tasks(session, trajectory)
    assert (task.kind, task.user_id, task.ref) == (
        TaskKind.EINDE_ZORG_BEVESTIGEN,
        world.gids.id,
        reported.id,
    )
    event = trajectory.events[-1]
    assert (event.action, event.details) == (
        "einde_zorg_gemeld",
        "einde zorg 2027-02-26, categorie a, reden 19, resultaat behaald",
    )


def test_confirming_closes_the_trajectory_with_the_reported_values(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    add_task(
        session,
        TaskKind.TERMIJN_BIJNA,
        trajectory,
        provider_id=world.zorg_a.id,
        due_on=trajectory.planned_end,
    )
    reported = report(session, trajectory, world, category=C.D, code="21", achieved=False)
    closure.confirm_end_of_care(session, reported, world.gids, LATER)
    assert trajectory.state == S.AFGESLOTEN
    assert (
        trajectory.care_end,
        trajectory.closure_category,
        trajectory.end_reason_code,
        trajectory.result_achieved,
    ) == (date(2027, 2, 26), C.D, "21", False)
    assert reported.state == SubmissionState.TOEGEKEND
    assert reported.decided_by_id == world.gids.id
    last = trajectory.events[-1]
    assert (last.action, last.new_state) == ("afsluiten", S.AFGESLOTEN)
    assert last.reason == "einde zorg gemeld door de aanbieder, bevestigd door de gids"
    # Nothing stays open: the evaluations never held are gone, every task is done.
    assert all(e.state != EvaluationState.GEPLAND for e in trajectory.evaluations)
    session.expire_all()
    assert open_tasks(session, trajectory) == []


def test_returning_keeps_the_trajectory_active_and_the_provider_may_report_again(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    reported = report(session, trajectory, world)
    with pytest.raises(DomainError) as refused:
        closure.return_end_of_care(session, reported, world.gids, "  ", LATER)
    assert refused.value.problems[0].field == "reason"
    closure.return_end_of_care(session, reported, world.gids, "Resultaat 2 nog niet behaald", LATER)
    assert reported.state == SubmissionState.AFGEWEZEN
    assert reported.decision_reason == "Resultaat 2 nog niet behaald"
    assert trajectory.state == S.ACTIEF
    assert trajectory.events[-1].action == "einde_zorg_teruggestuurd"
    session.expire_all()
    (notice,) = open_tasks(session, trajectory)
    assert (notice.kind, notice.provider_id, notice.ref) == (
        TaskKind.EINDE_ZORG_TERUGGESTUURD,
        world.zorg_a.id,
        reported.id,
    )
    again = report(session, trajectory, world, care_end=LATER)
    assert closure.reports_of(session, trajectory) == [again, reported]
    session.expire_all()
    assert [t.kind for t in open_tasks(session, trajectory)] == [TaskKind.EINDE_ZORG_BEVESTIGEN]


def test_a_second_open_report_is_refused(session: Session, world: World) -> None:
    trajectory = active(session, world)
    report(session, trajectory, world)
    with pytest.raises(DomainError, match="Er is al een melding"):
        report(session, trajectory, world)


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"care_end": TODAY - timedelta(days=1)}, ["care_end"]),  # before care started
        ({"care_end": LATER + timedelta(days=1)}, ["care_end"]),  # in the future
        ({"code": "32"}, ["end_reason_code"]),  # a Jeugd code on a Wmo trajectory
        ({"category": C.D, "code": "19"}, ["end_reason_code"]),  # d: no "volgens plan"
        ({"care_end": LATER + timedelta(days=1), "code": "99"}, ["care_end", "end_reason_code"]),
    ],
)
def test_a_bad_report_is_refused_and_nothing_is_stored(
    session: Session, world: World, values: dict[str, Any], fields: list[str]
) -> None:
    trajectory = active(session, world)
    with pytest.raises(DomainError) as refused:
        report(session, trajectory, world, **values)
    assert [p.field for p in refused.value.problems] == fields
    assert session.scalar(select(func.count()).select_from(EndOfCareReport)) == 0
    assert trajectory.events[-1].action == "zorg_starten"


@pytest.mark.parametrize("code", ["21", "22", "23"])
def test_category_d_goes_with_each_wmo_premature_reason(
    session: Session, world: World, code: str
) -> None:
    trajectory = active(session, world)
    assert report(session, trajectory, world, category=C.D, code=code, achieved=False)


@pytest.mark.parametrize("code", ["32", "33", "34"])
def test_category_d_goes_with_each_jeugd_premature_reason(
    session: Session, world: World, code: str
) -> None:
    trajectory = active(session, world, resident_id=world.child.id, profile_id=world.amb.id)
    assert report(session, trajectory, world, category=C.D, code=code, achieved=False)


def test_care_may_end_on_the_day_it_started_or_today(session: Session, world: World) -> None:
    for day in (TODAY, LATER):
        trajectory = active(session, world)
        assert report(session, trajectory, world, care_end=day).care_end == day


def test_only_the_main_provider_reports(session: Session, world: World) -> None:
    trajectory = active(session, world)
    for someone in (world.aanbieder_b, world.gids):
        with pytest.raises(NotFound):
            report(session, trajectory, world, by=someone)


def test_only_an_active_trajectory_can_be_reported_ended(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    with pytest.raises(DomainError, match="lopend traject"):
        report(session, trajectory, world)


def test_only_the_responsible_gids_answers_a_report_and_only_once(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    reported = report(session, trajectory, world)
    for someone in (world.gids2, world.aanbieder_a):
        with pytest.raises(DomainError, match="geen recht"):
            closure.confirm_end_of_care(session, reported, someone, LATER)
        with pytest.raises(DomainError, match="geen recht"):
            closure.return_end_of_care(session, reported, someone, "Nee", LATER)
    closure.confirm_end_of_care(session, reported, world.gids, LATER)
    with pytest.raises(DomainError, match="al gereageerd"):
        closure.return_end_of_care(session, reported, world.gids, "Toch niet", LATER)


def test_an_open_report_is_answered_when_the_gids_closes_directly(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    reported = report(session, trajectory, world)
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=LATER,
        closure_category=C.B,
        end_reason_code="19",
        result_achieved=True,
        today=LATER,
    )
    assert reported.state == SubmissionState.AFGEWEZEN
    assert reported.decision_reason == "Het traject is afgesloten."
    with pytest.raises(DomainError, match="al gereageerd"):
        closure.confirm_end_of_care(session, reported, world.gids, LATER)


def test_care_requests_loads_only_the_lists_that_have_rows(
    session: Session, world: World, connection: Connection
) -> None:
    trajectory = active(session, world)
    session.flush()
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    def asked() -> closure.CareRequests:
        statements.clear()
        event.listen(connection, "before_cursor_execute", record)
        try:
            return closure.care_requests(session, trajectory)
        finally:
            event.remove(connection, "before_cursor_execute", record)

    assert asked() == closure.CareRequests([], [])
    assert len(statements) == 1, "neither list: one existence check, no list queries"

    reported = report(session, trajectory, world)
    assert asked() == closure.CareRequests([], [reported])
    assert len(statements) == 2
    assert not [s for s in statements[1:] if "scaling_requests" in s]

    scaling_request = request_scaling(
        session,
        trajectory,
        world.aanbieder_a,
        world.bg.id,
        Intensity.ZWAAR,
        "Meer begeleiding nodig na opname",
        LATER,
    )
    assert asked() == closure.CareRequests([scaling_request], [reported])
    assert len(statements) == 3
