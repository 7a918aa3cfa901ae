"""The state machines, walked completely: the trajectory's 7 states × 8 actions, the table itself,
who may act and optimistic locking; then the small tables of what hangs off a trajectory
(evaluations, claims, scaling requests, end-of-care reports), each pair through the real
workflow function."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    EventAction,
    Role,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
)
from workflows import trajectories as wf
from workflows.errors import DomainError, NotFound, VersionConflict
from workflows.transitions import (
    ACTION_LABELS,
    ACTION_REFUSALS,
    ACTION_ROLES,
    ORIGINS,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    allowed_actions,
)

from ..factories import TODAY, World, make_trajectory, make_user, trajectory_input

S = TrajectoryState
ALL_PAIRS = list(itertools.product(TrajectoryState, Action))
LEGAL_PAIRS = [pair for pair in ALL_PAIRS if pair in TRANSITIONS]
ILLEGAL_PAIRS = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]


def _pair_id(pair: tuple[TrajectoryState, Action]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


def perform(
    session: Session,
    world: World,
    trajectory: Trajectory,
    action: Action,
    expected_version: int | None = None,
) -> None:
    """Take ``action`` through the real workflow function, by the right actor, with valid input."""
    if action == Action.EDIT:
        wf.update_trajectory(
            session, trajectory, trajectory_input(world), world.gids, expected_version, today=TODAY
        )
    elif action == Action.PROPOSE:
        wf.propose(session, trajectory, world.gids, TODAY, expected_version)
    elif action == Action.ACCEPT:
        wf.accept(session, trajectory, world.aanbieder_a, expected_version)
    elif action == Action.RETURN:
        wf.return_to_gids(
            session, trajectory, world.aanbieder_a, "Geen plek deze maand", TODAY, expected_version
        )
    elif action == Action.START:
        wf.start_care(session, trajectory, world.aanbieder_a, TODAY, TODAY, expected_version)
    elif action == Action.CLOSE:
        wf.close(
            session,
            trajectory,
            world.gids,
            care_end=TODAY,
            closure_category=ClosureCategory.A,
            end_reason_code="19",
            result_achieved=True,
            today=TODAY,
            expected_version=expected_version,
        )
    elif action == Action.CANCEL:
        wf.cancel(session, trajectory, world.gids, "Inwoner ziet af van hulp", expected_version)
    elif action == Action.EXTEND:
        wf.extend_decision(
            session,
            trajectory,
            world.gids,
            new_end=(trajectory.decision_end or TODAY) + timedelta(days=90),
            reason="Meer tijd nodig",
            today=TODAY,
            expected_version=expected_version,
        )
    else:  # pragma: no cover - a new action needs a line here
        raise AssertionError(action)


def stored_event_count(session: Session, trajectory: Trajectory) -> int:
    return session.scalar(
        select(func.count())
        .select_from(TrajectoryEvent)
        .where(TrajectoryEvent.trajectory_id == trajectory.id)
    )


def stored_state(session: Session, trajectory: Trajectory) -> TrajectoryState:
    return session.scalar(select(Trajectory.state).where(Trajectory.id == trajectory.id))


def test_the_legal_and_illegal_pairs_cover_all_56_combinations() -> None:
    assert len(ALL_PAIRS) == 56
    assert len(LEGAL_PAIRS) == len(TRANSITIONS) == 14
    assert len(ILLEGAL_PAIRS) == 42


@pytest.mark.parametrize(("state", "action"), LEGAL_PAIRS, ids=map(_pair_id, LEGAL_PAIRS))
def test_a_legal_action_moves_to_the_next_state_and_records_exactly_one_event(
    session: Session, world: World, state: TrajectoryState, action: Action
) -> None:
    trajectory = make_trajectory(session, world, state)
    events_before = stored_event_count(session, trajectory)

    perform(session, world, trajectory, action)

    new_state = TRANSITIONS[(state, action)]
    assert trajectory.state == new_state
    assert stored_state(session, trajectory) == new_state
    assert stored_event_count(session, trajectory) == events_before + 1
    event = session.scalars(
        select(TrajectoryEvent)
        .where(TrajectoryEvent.trajectory_id == trajectory.id)
        .order_by(TrajectoryEvent.id.desc())
        .limit(1)
    ).one()
    assert event is trajectory.events[-1]
    assert (event.action, event.old_state, event.new_state) == (action.value, state, new_state)
    expected_actor = world.aanbieder_a if ACTION_ROLES[action] == Role.AANBIEDER else world.gids
    assert event.user is expected_actor


@pytest.mark.parametrize(("state", "action"), ILLEGAL_PAIRS, ids=map(_pair_id, ILLEGAL_PAIRS))
def test_an_illegal_action_is_refused_in_dutch_and_changes_nothing(
    session: Session, world: World, state: TrajectoryState, action: Action
) -> None:
    trajectory = make_trajectory(session, world, state)
    events_before = stored_event_count(session, trajectory)
    version_before = trajectory.version

    with pytest.raises(DomainError) as refused:
        perform(session, world, trajectory, action)

    expected = ACTION_REFUSALS.get(
        action, f"Dit kan niet bij een traject met status '{STATE_LABELS[state]}'."
    )
    assert str(refused.value) == expected
    session.flush()
    assert trajectory.state == state
    assert stored_state(session, trajectory) == state
    assert stored_event_count(session, trajectory) == events_before
    assert len(trajectory.events) == events_before
    assert trajectory.version == version_before


# --- the table as data ------------------------------------------------------------------------


def test_the_transition_table_uses_only_valid_states_and_actions() -> None:
    for (state, action), new_state in TRANSITIONS.items():
        assert isinstance(state, TrajectoryState)
        assert isinstance(action, Action)
        assert isinstance(new_state, TrajectoryState)


@pytest.mark.parametrize("state", [S.AFGESLOTEN, S.GEANNULEERD])
def test_closed_and_cancelled_trajectories_have_no_way_out(state: TrajectoryState) -> None:
    assert allowed_actions(state) == set()
    assert not any(s == state for s, _ in TRANSITIONS)


@pytest.mark.parametrize("state", [s for s in S if s not in (S.AFGESLOTEN, S.GEANNULEERD)])
def test_every_open_state_has_a_way_forward(state: TrajectoryState) -> None:
    assert allowed_actions(state)


def test_every_state_but_the_first_ones_is_reached_from_another_state() -> None:
    reached = {new for (state, _), new in TRANSITIONS.items() if new != state}
    assert reached == set(S) - {S.CONCEPT}
    assert set(ORIGINS.values()) == {S.CONCEPT, S.GEACCEPTEERD}


def test_only_editing_and_extending_keep_the_state() -> None:
    kept = {action for (s, action), new in TRANSITIONS.items() if s == new}
    assert kept == {Action.EDIT, Action.EXTEND}


def test_every_action_has_a_role_and_every_state_a_dutch_label() -> None:
    assert set(ACTION_ROLES) == set(Action)
    assert set(STATE_LABELS) == set(S)


def test_every_action_is_an_event_action_and_every_event_action_has_a_label() -> None:
    assert {a.value for a in Action} <= {e.value for e in EventAction}
    assert set(ACTION_LABELS) == set(EventAction)


def test_the_decision_extends_in_the_states_the_table_says() -> None:
    assert wf.DECISION_OPEN_STATES == (S.GEACCEPTEERD, S.ACTIEF)


# --- who may act ------------------------------------------------------------------------------


def test_an_aanbieder_cannot_propose(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world)
    with pytest.raises(DomainError) as refused:
        wf.propose(session, trajectory, world.aanbieder_a, TODAY)
    assert not isinstance(refused.value, NotFound)
    assert str(refused.value) == "U heeft geen recht om dit te doen."
    assert trajectory.state == S.CONCEPT
    assert trajectory.decision_date is None


def test_a_gids_cannot_accept(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.VOORGESTELD)
    with pytest.raises(DomainError) as refused:
        wf.accept(session, trajectory, world.gids)
    assert not isinstance(refused.value, NotFound)
    assert str(refused.value) == "U heeft geen recht om dit te doen."
    assert trajectory.state == S.VOORGESTELD


@pytest.mark.parametrize("action", [Action.ACCEPT, Action.RETURN])
def test_an_aanbieder_of_another_provider_does_not_find_the_proposal(
    session: Session, world: World, action: Action
) -> None:
    trajectory = make_trajectory(session, world, S.VOORGESTELD)
    events_before = len(trajectory.events)
    with pytest.raises(NotFound):
        if action == Action.ACCEPT:
            wf.accept(session, trajectory, world.aanbieder_b)
        else:
            wf.return_to_gids(session, trajectory, world.aanbieder_b, "Niet voor ons", TODAY)
    assert trajectory.state == S.VOORGESTELD
    assert len(trajectory.events) == events_before


def test_an_aanbieder_of_another_provider_cannot_start_care(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    with pytest.raises(NotFound):
        wf.start_care(session, trajectory, world.aanbieder_b, TODAY, TODAY)
    assert trajectory.state == S.GEACCEPTEERD
    assert trajectory.care_start is None


def test_a_subcontractor_cannot_accept_on_behalf_of_the_main_contractor(
    session: Session, world: World
) -> None:
    aanbieder_c = make_user(session, "aanbieder.c@test.nl", Role.AANBIEDER, world.zorg_c)
    trajectory = make_trajectory(
        session,
        world,
        S.VOORGESTELD,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        subcontractor_id=world.zorg_c.id,
    )
    with pytest.raises(NotFound):
        wf.accept(session, trajectory, aanbieder_c)
    assert trajectory.state == S.VOORGESTELD


@pytest.mark.parametrize("role_name", ["manager", "beheerder", "aanbieder_a"])
def test_only_a_gids_can_cancel(session: Session, world: World, role_name: str) -> None:
    trajectory = make_trajectory(session, world)
    with pytest.raises(DomainError, match="U heeft geen recht om dit te doen."):
        wf.cancel(session, trajectory, getattr(world, role_name), "Geen hulp meer nodig")
    assert trajectory.state == S.CONCEPT


@pytest.mark.parametrize("role_name", ["aanbieder_a", "manager", "beheerder"])
def test_only_a_gids_can_create_a_trajectory(
    session: Session, world: World, role_name: str
) -> None:
    with pytest.raises(DomainError, match="Alleen een gids kan een traject aanmaken."):
        wf.create_trajectory(
            session, trajectory_input(world), getattr(world, role_name), today=TODAY
        )
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0


def test_an_aanbieder_cannot_edit_a_returned_trajectory(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.TERUGGESTUURD)
    with pytest.raises(DomainError, match="U heeft geen recht"):
        wf.update_trajectory(
            session, trajectory, trajectory_input(world), world.aanbieder_a, today=TODAY
        )


# --- optimistic locking -----------------------------------------------------------------------


def test_each_change_raises_the_version(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world)
    first = trajectory.version
    wf.propose(session, trajectory, world.gids, TODAY)
    assert trajectory.version == first + 1
    wf.accept(session, trajectory, world.aanbieder_a)
    assert trajectory.version == first + 2


@pytest.mark.parametrize(("state", "action"), LEGAL_PAIRS, ids=map(_pair_id, LEGAL_PAIRS))
def test_a_stale_version_is_refused_and_changes_nothing(
    session: Session, world: World, state: TrajectoryState, action: Action
) -> None:
    trajectory = make_trajectory(session, world, state)
    assert wf.get_trajectory(session, trajectory.id, for_update=True) is trajectory
    version = trajectory.version
    events_before = stored_event_count(session, trajectory)
    fields_before = (trajectory.decision_date, trajectory.care_start, trajectory.care_end)

    with pytest.raises(VersionConflict) as refused:
        perform(session, world, trajectory, action, expected_version=version - 1)

    assert "intussen door iemand anders gewijzigd" in str(refused.value)
    session.flush()
    assert trajectory.state == state
    assert stored_state(session, trajectory) == state
    assert trajectory.version == version
    assert stored_event_count(session, trajectory) == events_before
    assert (trajectory.decision_date, trajectory.care_start, trajectory.care_end) == fields_before


def test_the_current_version_is_accepted(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world)
    wf.propose(session, trajectory, world.gids, TODAY, expected_version=trajectory.version)
    assert trajectory.state == S.VOORGESTELD


def test_an_unknown_trajectory_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(NotFound, match="Traject niet gevonden."):
        wf.get_trajectory(session, 987654)
