"""Scaling up or down (R9): who may ask, what may be asked, and the gids's decision — a refusal
with a reason, or the current trajectory closed as *omgezet* and a follow-up from the next day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    EvaluationKind,
    EvaluationState,
    Intensity,
    ScalingRequest,
    SubmissionState,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryState,
)
from workflows import evaluations as ev
from workflows import scaling
from workflows import trajectories as wf
from workflows.errors import DomainError, NotFound

from ..factories import TODAY, World, make_trajectory

S = TrajectoryState
L, M, Z = Intensity.LAAG, Intensity.MIDDEL, Intensity.ZWAAR
DECIDED = date(2027, 1, 15)  # the day the gids decides, well after care started on TODAY


def active(session: Session, world: World, **overrides: Any) -> Trajectory:
    """Wmo begeleiding middel with Zorg A, care from TODAY (2026-11-02)."""
    return make_trajectory(session, world, S.ACTIEF, **overrides)


def ask(
    session: Session,
    trajectory: Trajectory,
    world: World,
    *,
    by: Any = None,
    profile_id: int | None = None,
    intensity: Intensity = Z,
    reason: str = "Meer begeleiding nodig na opname",
    today: date = DECIDED,
) -> ScalingRequest:
    return scaling.request_scaling(
        session,
        trajectory,
        by or world.aanbieder_a,
        profile_id or world.bg.id,
        intensity,
        reason,
        today,
    )


def open_tasks(session: Session, trajectory: Trajectory, kind: TaskKind) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(
                Task.trajectory_id == trajectory.id, Task.kind == kind, Task.done_at.is_(None)
            )
        ).all()
    )


# --- asking ------------------------------------------------------------------------------------


def test_the_provider_asks_and_the_gids_gets_a_task(session: Session, world: World) -> None:
    trajectory = active(session, world)
    request = ask(session, trajectory, world)
    assert request.state == SubmissionState.INGEDIEND
    assert (request.new_profile_id, request.new_intensity) == (world.bg.id, Z)
    (task,) = open_tasks(session, trajectory, TaskKind.OPSCHALING_BESLISSEN)
    assert (task.user_id, task.ref) == (world.gids.id, request.id)
    event = trajectory.events[-1]
    assert (event.action, event.reason, event.details) == (
        "opschaling_gevraagd",
        "Meer begeleiding nodig na opname",
        "naar WMO-BG zwaar",
    )


def test_the_gids_may_ask_too_without_a_task_for_herself(session: Session, world: World) -> None:
    trajectory = active(session, world)
    ask(session, trajectory, world, by=world.gids, intensity=L)
    assert open_tasks(session, trajectory, TaskKind.OPSCHALING_BESLISSEN) == []


def test_only_the_parties_of_the_trajectory_may_ask(session: Session, world: World) -> None:
    trajectory = active(session, world)
    with pytest.raises(NotFound):
        ask(session, trajectory, world, by=world.aanbieder_b)
    with pytest.raises(DomainError, match="geen recht"):
        ask(session, trajectory, world, by=world.gids2)


def test_only_an_active_trajectory_can_be_scaled(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    with pytest.raises(DomainError, match="lopend traject"):
        ask(session, trajectory, world)


def test_one_open_request_at_a_time(session: Session, world: World) -> None:
    trajectory = active(session, world)
    first = ask(session, trajectory, world)
    with pytest.raises(DomainError, match="Er is al een verzoek"):
        ask(session, trajectory, world, intensity=L)
    scaling.decide_scaling(
        session, first, world.gids, accept=False, reason="Eerst evalueren", today=DECIDED
    )
    assert ask(session, trajectory, world, intensity=L).state == SubmissionState.INGEDIEND


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"profile": "amb"}, ["new_profile_id"]),  # another domain
        ({"profile": "hh", "intensity": M}, ["new_intensity"]),  # household help: Laag/Zwaar
        ({"intensity": M}, ["new_intensity"]),  # the current combination
        ({"reason": "  "}, ["reason"]),
        ({"profile": "amb", "reason": ""}, ["new_profile_id", "reason"]),
    ],
)
def test_a_request_must_change_something_allowed_and_say_why(
    session: Session, world: World, change: dict[str, Any], fields: list[str]
) -> None:
    trajectory = active(session, world)
    profile = getattr(world, change.get("profile", "bg"))
    with pytest.raises(DomainError) as refused:
        ask(
            session,
            trajectory,
            world,
            profile_id=profile.id,
            intensity=change.get("intensity", Z),
            reason=change.get("reason", "Reden"),
        )
    assert [p.field for p in refused.value.problems] == fields
    assert session.scalar(select(func.count()).select_from(ScalingRequest)) == 0


def test_a_profile_the_provider_has_no_contract_for_is_refused(
    session: Session, world: World
) -> None:
    # Zorg B holds a main contract for begeleiding only, not for household help.
    trajectory = make_trajectory(session, world, provider_id=world.zorg_b.id)
    wf.propose(session, trajectory, world.gids, TODAY)
    wf.accept(session, trajectory, world.aanbieder_b)
    wf.start_care(session, trajectory, world.aanbieder_b, TODAY, TODAY)
    with pytest.raises(DomainError, match="geen contract"):
        ask(session, trajectory, world, by=world.aanbieder_b, profile_id=world.hh.id)


# --- refusing ----------------------------------------------------------------------------------


def test_a_refusal_needs_a_reason_the_requester_reads(session: Session, world: World) -> None:
    trajectory = active(session, world)
    request = ask(session, trajectory, world)
    with pytest.raises(DomainError) as refused:
        scaling.decide_scaling(
            session, request, world.gids, accept=False, reason=" ", today=DECIDED
        )
    assert refused.value.problems[0].field == "reason"
    assert request.state == SubmissionState.INGEDIEND

    scaling.decide_scaling(
        session, request, world.gids, accept=False, reason="Eerst evalueren", today=DECIDED
    )
    assert request.state == SubmissionState.AFGEWEZEN
    assert request.decision_reason == "Eerst evalueren"
    assert request.follow_up_id is None
    assert trajectory.state == S.ACTIEF
    assert open_tasks(session, trajectory, TaskKind.OPSCHALING_BESLISSEN) == []
    assert trajectory.events[-1].action == "opschaling_afgewezen"
    assert scaling.requests_of(session, trajectory) == [request]


def test_only_the_responsible_gids_decides_and_only_once(session: Session, world: World) -> None:
    trajectory = active(session, world)
    request = ask(session, trajectory, world)
    for someone in (world.gids2, world.aanbieder_a):
        with pytest.raises(DomainError, match="geen recht"):
            scaling.decide_scaling(
                session, request, someone, accept=True, reason=None, today=DECIDED
            )
    scaling.decide_scaling(session, request, world.gids, accept=False, reason="Nee", today=DECIDED)
    with pytest.raises(DomainError, match="al besloten"):
        scaling.decide_scaling(
            session, request, world.gids, accept=True, reason=None, today=DECIDED
        )


# --- accepting ---------------------------------------------------------------------------------


def test_accepting_closes_the_trajectory_as_omgezet_and_starts_the_follow_up_the_next_day(
    session: Session, world: World
) -> None:
    trajectory = active(
        session,
        world,
        results=[wf.ResultInput("Zelf de post bijhouden", "Wekelijks"), wf.ResultInput("Sport")],
    )
    request = ask(session, trajectory, world)
    follow_up = scaling.decide_scaling(
        session, request, world.gids, accept=True, reason=None, today=DECIDED
    )
    assert follow_up is not None

    assert trajectory.state == S.AFGESLOTEN
    assert trajectory.care_end == DECIDED
    assert (trajectory.closure_category, trajectory.end_reason_code) == (ClosureCategory.C, "37")
    assert trajectory.result_achieved is False
    assert [e.action for e in trajectory.events[-2:]] == ["opschaling_toegekend", "afsluiten"]

    next_day = DECIDED + timedelta(days=1)
    assert follow_up.state == S.ACTIEF
    assert follow_up.follows_id == trajectory.id
    assert (follow_up.profile_id, follow_up.intensity) == (world.bg.id, Z)
    assert follow_up.tariff is not None and follow_up.tariff.valid_from == date(2021, 1, 1)
    assert follow_up.price == Decimal("5400.00")  # begeleiding zwaar from 2021
    assert follow_up.planned_start == follow_up.care_start == next_day
    assert follow_up.planned_end == date(2027, 7, 16)  # 26 weeks
    assert follow_up.decision_date == DECIDED
    for name in ("resident_id", "gids_id", "provider_id", "need_type", "request_id", "domain"):
        assert getattr(follow_up, name) == getattr(trajectory, name)
    assert [(r.position, r.description, r.measure) for r in follow_up.results] == [
        (0, "Zelf de post bijhouden", "Wekelijks"),
        (1, "Sport", None),
    ]
    assert {r.id for r in follow_up.results}.isdisjoint({r.id for r in trajectory.results})
    assert [(e.action, e.reason) for e in follow_up.events] == [
        ("aangemaakt", "vervolg na op-/afschalen"),
        ("zorg_starten", "vervolg na op-/afschalen"),
    ]
    # Wmo: 6 months after 2027-01-16 is 2027-07-16, after the final evaluation on 2027-07-02.
    assert [(e.kind, e.due_on) for e in ev.planned(follow_up)] == [
        (EvaluationKind.EIND, date(2027, 7, 2))
    ]

    assert request.state == SubmissionState.TOEGEKEND
    assert request.follow_up_id == follow_up.id
    assert request.decided_by_id == world.gids.id
    assert open_tasks(session, trajectory, TaskKind.OPSCHALING_BESLISSEN) == []


def test_the_closed_trajectory_keeps_no_planned_evaluations(session: Session, world: World) -> None:
    trajectory = active(session, world)
    request = ask(session, trajectory, world)
    scaling.decide_scaling(session, request, world.gids, accept=True, reason=None, today=DECIDED)
    assert all(e.state != EvaluationState.GEPLAND for e in trajectory.evaluations)


def test_a_jeugd_follow_up_plans_its_evaluations_on_the_jeugd_cycle(
    session: Session, world: World
) -> None:
    trajectory = active(
        session,
        world,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=L,
        subcontractor_id=world.zorg_c.id,
    )
    request = ask(session, trajectory, world, profile_id=world.amb.id, intensity=Z)
    follow_up = scaling.decide_scaling(
        session, request, world.gids, accept=True, reason="Akkoord na overleg", today=DECIDED
    )
    assert follow_up is not None
    assert follow_up.subcontractor_id == world.zorg_c.id
    assert follow_up.price == Decimal("9300.00")
    assert follow_up.planned_end == date(2027, 10, 15)  # 39 weeks from 2027-01-16
    assert follow_up.decision_end == date(2030, 2, 28)  # the day before Bram turns 18
    assert [(e.kind, e.due_on) for e in ev.planned(follow_up)] == [
        (EvaluationKind.REGULIER, date(2027, 4, 16)),
        (EvaluationKind.EIND, date(2027, 10, 1)),
    ]
    assert request.decision_reason == "Akkoord na overleg"


def test_a_follow_up_can_be_scaled_again_once_its_care_started(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    follow_up = scaling.decide_scaling(
        session,
        ask(session, trajectory, world),
        world.gids,
        accept=True,
        reason=None,
        today=DECIDED,
    )
    assert follow_up is not None
    again = ask(session, follow_up, world, intensity=L)
    with pytest.raises(DomainError, match="eerste zorgdag"):
        scaling.decide_scaling(session, again, world.gids, accept=True, reason=None, today=DECIDED)
    later = DECIDED + timedelta(days=10)
    third = scaling.decide_scaling(
        session, again, world.gids, accept=True, reason=None, today=later
    )
    assert third is not None and third.follows_id == follow_up.id
    assert follow_up.care_end == later


def test_an_open_request_is_answered_when_the_gids_closes_the_trajectory(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    request = ask(session, trajectory, world)
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=DECIDED,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=DECIDED,
    )
    assert request.state == SubmissionState.AFGEWEZEN
    assert request.decision_reason == "Het traject is afgesloten."
    assert open_tasks(session, trajectory, TaskKind.OPSCHALING_BESLISSEN) == []
    with pytest.raises(DomainError):
        scaling.decide_scaling(
            session, request, world.gids, accept=True, reason=None, today=DECIDED
        )


def test_every_request_state_has_a_label() -> None:
    assert set(scaling.SCALING_STATE_LABELS) == set(SubmissionState)
