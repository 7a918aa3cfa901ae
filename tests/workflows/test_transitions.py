"""The state machines, walked completely: the trajectory's 7 states × 8 actions, the table itself,
who may act and optimistic locking; then the small tables of what hangs off a trajectory
(evaluations, claims, scaling requests, end-of-care reports), each pair through the real
workflow function."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Claim,
    ClaimState,
    ClosureCategory,
    EndOfCareReport,
    Evaluation,
    EvaluationState,
    EventAction,
    Intensity,
    ReviewOutcome,
    Role,
    ScalingRequest,
    SubmissionState,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
)
from workflows import claims, closure, evaluations, scaling
from workflows import trajectories as wf
from workflows.errors import DomainError, NotFound, VersionConflict
from workflows.transitions import (
    ACTION_LABELS,
    ACTION_REFUSALS,
    ACTION_ROLES,
    CLAIM_TABLE,
    END_OF_CARE_TABLE,
    EVALUATION_TABLE,
    ORIGINS,
    SCALING_TABLE,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    AnswerAction,
    ClaimAction,
    EvaluationAction,
    StateTable,
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


# --- the small tables: evaluations, claims, scaling requests, end-of-care reports ---------------
#
# Each pair goes through the real workflow function: the object is brought to the state by the
# workflow, then the action is taken by the party who may take it. A legal pair ends in the
# table's state; an illegal one is refused with the table's message and changes nothing.

LATER = date(2027, 3, 1)  # well after care started on TODAY (2026-11-02)
CARE_END = date(2027, 2, 26)


def _walk_ids(pair: tuple[enum.Enum, enum.Enum]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


def _check_pair(
    table: StateTable[Any, Any], state: Any, action: Any, subject: Any, act: Callable[[], object]
) -> None:
    """Take the action; the subject moves as the table says, or is refused and stays."""
    if (state, action) in table.moves:
        act()
        assert subject.state == table.moves[(state, action)]
    else:
        with pytest.raises(DomainError) as refused:
            act()
        assert str(refused.value) == str(table.refusal(state, action))
        assert subject.state == state


def _evaluation_in(session: Session, world: World, state: EvaluationState) -> Evaluation:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    evaluation = evaluations.planned(trajectory)[0]
    if state != EvaluationState.GEPLAND:
        _submit(session, world, evaluation)
    if state == EvaluationState.BEOORDEELD:
        _review(session, world, evaluation)
    assert evaluation.state == state
    return evaluation


def _submit(session: Session, world: World, evaluation: Evaluation) -> None:
    trajectory = evaluation.trajectory
    data = evaluations.EvaluationInput(
        held_on=TODAY,
        with_inwoner=True,
        with_gids=True,
        with_aanbieder=True,
        with_netwerk=False,
        summary="Het gaat goed.",
        need_changed=False,
        scores=[evaluations.ScoreInput(r.id, 0) for r in trajectory.results],
    )
    evaluations.submit_evaluation(session, evaluation, world.aanbieder_a, data, TODAY)


def _review(session: Session, world: World, evaluation: Evaluation) -> None:
    evaluations.review_evaluation(
        session, evaluation, world.gids, ReviewOutcome.AKKOORD, None, TODAY
    )


EVALUATION_PAIRS = list(itertools.product(EvaluationState, EvaluationAction))


@pytest.mark.parametrize(
    ("state", "action"), EVALUATION_PAIRS, ids=map(_walk_ids, EVALUATION_PAIRS)
)
def test_an_evaluation_moves_as_its_table_says(
    session: Session, world: World, state: EvaluationState, action: EvaluationAction
) -> None:
    evaluation = _evaluation_in(session, world, state)
    step = {EvaluationAction.SUBMIT: _submit, EvaluationAction.REVIEW: _review}[action]
    _check_pair(
        EVALUATION_TABLE, state, action, evaluation, lambda: step(session, world, evaluation)
    )


def _claim_in(session: Session, world: World, state: ClaimState) -> Claim:
    trajectory = make_trajectory(session, world, S.AFGESLOTEN)
    claim = claims.submit_claim(session, trajectory, world.aanbieder_a, TODAY)
    if state != ClaimState.INGEDIEND:
        _decide_claim(session, world, claim, state == ClaimState.GOEDGEKEURD)
    assert claim.state == state
    return claim


def _decide_claim(session: Session, world: World, claim: Claim, approve: bool) -> None:
    reason = None if approve else "Het resultaat is niet behaald."
    claims.decide_claim(session, claim, world.gids, approve=approve, reason=reason, today=TODAY)


CLAIM_PAIRS = list(itertools.product(ClaimState, ClaimAction))


@pytest.mark.parametrize(("state", "action"), CLAIM_PAIRS, ids=map(_walk_ids, CLAIM_PAIRS))
def test_a_claim_moves_as_its_table_says(
    session: Session, world: World, state: ClaimState, action: ClaimAction
) -> None:
    claim = _claim_in(session, world, state)
    approve = action == ClaimAction.APPROVE

    def act() -> None:
        if action == ClaimAction.RESUBMIT:
            claims.resubmit_claim(
                session,
                claim,
                world.aanbieder_a,
                amount=claim.amount,
                correction="Het bedrag is nagerekend.",
                today=TODAY,
            )
        else:
            _decide_claim(session, world, claim, approve)

    _check_pair(CLAIM_TABLE, state, action, claim, act)


def _close(session: Session, world: World, trajectory: Trajectory) -> None:
    """The gids closes the trajectory directly, which answers what is still open."""
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=CARE_END,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=LATER,
    )


def _answer(
    session: Session,
    world: World,
    subject: ScalingRequest | EndOfCareReport,
    action: AnswerAction,
) -> None:
    """The gids answers a scaling request or an end-of-care report, or closes the trajectory."""
    if action == AnswerAction.SETTLE:
        _close(session, world, subject.trajectory)
    elif isinstance(subject, ScalingRequest):
        accept = action == AnswerAction.ACCEPT
        reason = None if accept else "Eerst evalueren."
        scaling.decide_scaling(
            session, subject, world.gids, accept=accept, reason=reason, today=LATER
        )
    elif action == AnswerAction.ACCEPT:
        closure.confirm_end_of_care(session, subject, world.gids, LATER)
    else:
        closure.return_end_of_care(session, subject, world.gids, "Klopt niet.", LATER)


# How each answered state is reached from the open one.
REACHED_BY = {
    SubmissionState.TOEGEKEND: AnswerAction.ACCEPT,
    SubmissionState.AFGEWEZEN: AnswerAction.REFUSE,
}


def _scaling_request_in(session: Session, world: World, state: SubmissionState) -> ScalingRequest:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    request = scaling.request_scaling(
        session, trajectory, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", LATER
    )
    if state != SubmissionState.INGEDIEND:
        _answer(session, world, request, REACHED_BY[state])
    assert request.state == state
    return request


def _report_in(session: Session, world: World, state: SubmissionState) -> EndOfCareReport:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    report = closure.report_end_of_care(
        session,
        trajectory,
        world.aanbieder_a,
        care_end=CARE_END,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=LATER,
    )
    if state != SubmissionState.INGEDIEND:
        _answer(session, world, report, REACHED_BY[state])
    assert report.state == state
    return report


ANSWER_PAIRS = list(itertools.product(SubmissionState, AnswerAction))


def _check_answer(
    session: Session,
    world: World,
    table: StateTable[SubmissionState, AnswerAction],
    subject: ScalingRequest | EndOfCareReport,
    state: SubmissionState,
    action: AnswerAction,
) -> None:
    if action == AnswerAction.SETTLE and (state, action) not in table.moves:
        # Closing answers only what is open: an answered one is refused by the table, and where
        # the trajectory can still be closed, closing leaves it as it was.
        with pytest.raises(DomainError) as refused:
            table.next_state(state, action)
        assert str(refused.value) == str(table.refusal(state, action))
        reason = subject.decision_reason
        if subject.trajectory.state == S.ACTIEF:
            _close(session, world, subject.trajectory)
        assert (subject.state, subject.decision_reason) == (state, reason)
        return
    _check_pair(table, state, action, subject, lambda: _answer(session, world, subject, action))


# What the gids answers, how it is brought to a state, and its table.
ANSWERED = {
    "scaling": (_scaling_request_in, SCALING_TABLE),
    "report": (_report_in, END_OF_CARE_TABLE),
}


@pytest.mark.parametrize("kind", list(ANSWERED))
@pytest.mark.parametrize(("state", "action"), ANSWER_PAIRS, ids=map(_walk_ids, ANSWER_PAIRS))
def test_a_scaling_request_and_an_end_of_care_report_move_as_their_tables_say(
    session: Session, world: World, state: SubmissionState, action: AnswerAction, kind: str
) -> None:
    bring_to, table = ANSWERED[kind]
    subject = bring_to(session, world, state)
    _check_answer(session, world, table, subject, state, action)


@pytest.mark.parametrize(
    ("table", "first"),
    [
        (EVALUATION_TABLE, EvaluationState.GEPLAND),
        (CLAIM_TABLE, ClaimState.INGEDIEND),
        (SCALING_TABLE, SubmissionState.INGEDIEND),
        (END_OF_CARE_TABLE, SubmissionState.INGEDIEND),
    ],
    ids=["evaluation", "claim", "scaling", "end_of_care"],
)
def test_every_small_table_starts_from_one_state_and_ends_in_states_without_a_way_out(
    table: StateTable[Any, Any], first: Any
) -> None:
    """Every state is reached from the first one, and the table ends in states without a way
    out. The only loop is a claim's: refused, corrected and submitted again (once, which the
    workflow checks: ``claims.resubmit_claim``)."""
    reached, todo = {first}, [first]
    while todo:
        state = todo.pop()
        for (source, _action), target in table.moves.items():
            if source == state and target not in reached:
                reached.add(target)
                todo.append(target)
    states = {state for state, _ in table.moves} | set(table.moves.values())
    assert reached == states
    assert any(not table.allowed_actions(state) for state in states)


def test_an_evaluation_is_submitted_then_reviewed_in_that_order() -> None:
    assert EVALUATION_TABLE.moves == {
        (EvaluationState.GEPLAND, EvaluationAction.SUBMIT): EvaluationState.INGEDIEND,
        (EvaluationState.INGEDIEND, EvaluationAction.REVIEW): EvaluationState.BEOORDEELD,
    }


def test_an_approved_claim_is_approved_and_a_refused_one_refused() -> None:
    assert CLAIM_TABLE.next_state(ClaimState.INGEDIEND, ClaimAction.APPROVE) == (
        ClaimState.GOEDGEKEURD
    )
    assert CLAIM_TABLE.next_state(ClaimState.INGEDIEND, ClaimAction.REFUSE) == ClaimState.AFGEWEZEN


@pytest.mark.parametrize("table", [SCALING_TABLE, END_OF_CARE_TABLE], ids=["scaling", "report"])
def test_only_an_accepted_answer_grants_and_closing_answers_as_refused(
    table: StateTable[SubmissionState, AnswerAction],
) -> None:
    open_ = SubmissionState.INGEDIEND
    assert table.next_state(open_, AnswerAction.ACCEPT) == SubmissionState.TOEGEKEND
    assert table.next_state(open_, AnswerAction.REFUSE) == SubmissionState.AFGEWEZEN
    assert table.next_state(open_, AnswerAction.SETTLE) == SubmissionState.AFGEWEZEN
