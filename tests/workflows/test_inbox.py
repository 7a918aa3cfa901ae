"""The inbox: which workflow steps hand work over as a task, which steps complete it, what a user
may mark handled, and how a large backlog is paged and counted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ClosureCategory, Intensity, ReviewOutcome, Task, TaskKind, Trajectory
from models import TrajectoryState as S
from workflows import trajectories as wf
from workflows.caseload import PROVIDER_RESPONSE_DAYS
from workflows.claims import decide_claim, submit_claim
from workflows.errors import DomainError, NotFound
from workflows.evaluations import EvaluationInput, ScoreInput, review_evaluation, submit_evaluation
from workflows.inbox import (
    DISMISSIBLE,
    UNREAD_SHOWN_UP_TO,
    add_task,
    dismiss_task,
    mark_read,
    open_tasks,
    unread_count,
)
from workflows.scaling import decide_scaling, request_scaling

from ..factories import TODAY, World, make_trajectory

K = TaskKind


def open_of(
    session: Session, trajectory: Trajectory
) -> list[tuple[TaskKind, int | None, int | None]]:
    """(kind, user, provider) of the trajectory's open tasks."""
    session.flush()
    return sorted(
        (task.kind, task.user_id, task.provider_id)
        for task in session.scalars(
            select(Task).where(Task.trajectory_id == trajectory.id, Task.done_at.is_(None))
        )
    )


# --- work handed over ----------------------------------------------------------------------


def test_a_proposal_is_a_task_for_the_provider_due_within_the_response_time(
    session: Session, world: World
) -> None:
    t = make_trajectory(session, world, S.VOORGESTELD)

    (task,) = session.scalars(select(Task).where(Task.trajectory_id == t.id)).all()
    assert (task.kind, task.provider_id, task.user_id) == (K.VOORSTEL_NIEUW, world.zorg_a.id, None)
    assert task.due_on == TODAY + timedelta(days=PROVIDER_RESPONSE_DAYS)


def test_accepting_completes_the_proposal(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.VOORGESTELD)

    wf.accept(session, t, world.aanbieder_a)

    assert open_of(session, t) == []


def test_a_returned_proposal_goes_to_the_gids_and_sending_it_again_to_the_provider(
    session: Session, world: World
) -> None:
    t = make_trajectory(session, world, S.VOORGESTELD)
    wf.return_to_gids(session, t, world.aanbieder_a, "Geen plek", TODAY)
    assert open_of(session, t) == [(K.TERUGGESTUURD, world.gids.id, None)]

    wf.propose(session, t, world.gids, TODAY + timedelta(days=1))

    assert open_of(session, t) == [(K.VOORSTEL_NIEUW, None, world.zorg_a.id)]
    assert len(session.scalars(select(Task).where(Task.kind == K.VOORSTEL_NIEUW)).all()) == 2


def test_cancelling_completes_every_open_task(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.TERUGGESTUURD)

    wf.cancel(session, t, world.gids, "Inwoner ziet af van hulp")

    assert open_of(session, t) == []


def _submitted(session: Session, world: World) -> tuple[Trajectory, int]:
    t = make_trajectory(session, world, S.ACTIEF)
    evaluation = next(e for e in t.evaluations if e.held_on is None)
    held = EvaluationInput(
        held_on=TODAY,
        with_inwoner=True,
        with_gids=True,
        with_aanbieder=True,
        with_netwerk=False,
        summary="Gaat goed",
        need_changed=False,
        scores=[ScoreInput(t.results[0].id, 0)],
    )
    submit_evaluation(session, evaluation, world.aanbieder_a, held, TODAY)
    return t, evaluation.id


def test_an_evaluation_to_discuss_leaves_a_notice_for_the_provider(
    session: Session, world: World
) -> None:
    t, evaluation_id = _submitted(session, world)
    assert open_of(session, t) == [(K.EVALUATIE_BEOORDELEN, world.gids.id, None)]
    evaluation = next(e for e in t.evaluations if e.id == evaluation_id)

    review_evaluation(
        session, evaluation, world.gids, ReviewOutcome.BESPREKEN, "Resultaat 1 bijstellen", TODAY
    )

    assert open_of(session, t) == [(K.EVALUATIE_BESPREKEN, None, world.zorg_a.id)]


def test_an_approved_evaluation_leaves_nothing_open(session: Session, world: World) -> None:
    t, evaluation_id = _submitted(session, world)
    evaluation = next(e for e in t.evaluations if e.id == evaluation_id)

    review_evaluation(session, evaluation, world.gids, ReviewOutcome.AKKOORD, None, TODAY)

    assert open_of(session, t) == []


def test_a_refused_scaling_request_of_the_provider_leaves_it_a_notice(
    session: Session, world: World
) -> None:
    t = make_trajectory(session, world, S.ACTIEF)
    asked = request_scaling(
        session, t, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", TODAY
    )
    assert open_of(session, t) == [(K.OPSCHALING_BESLISSEN, world.gids.id, None)]

    decide_scaling(session, asked, world.gids, accept=False, reason="Eerst evalueren", today=TODAY)

    assert open_of(session, t) == [(K.OPSCHALING_AFGEWEZEN, None, world.zorg_a.id)]


@pytest.mark.parametrize("approve", [True, False])
def test_a_claim_is_a_task_for_the_gids_and_a_refusal_a_notice_for_the_provider(
    session: Session, world: World, approve: bool
) -> None:
    t = make_trajectory(session, world, S.AFGESLOTEN)
    claim = submit_claim(session, t, world.aanbieder_a, TODAY)
    assert open_of(session, t) == [(K.DECLARATIE_BEOORDELEN, world.gids.id, None)]

    decide_claim(
        session,
        claim,
        world.gids,
        approve=approve,
        reason=None if approve else "Te hoog",
        today=TODAY,
    )

    expected = [] if approve else [(K.DECLARATIE_AFGEWEZEN, None, world.zorg_a.id)]
    assert open_of(session, t) == expected


# --- marking handled -------------------------------------------------------------------------


def test_signals_and_notices_are_dismissible_and_work_to_do_is_not() -> None:
    assert {
        K.TERMIJN_BIJNA,
        K.TERMIJN_VERSTREKEN,
        K.JEUGD_18,
        K.BESCHIKKING_VERLOOPT,
        K.EVALUATIE_BESPREKEN,
        K.OPSCHALING_AFGEWEZEN,
        K.EINDE_ZORG_TERUGGESTUURD,
        K.DECLARATIE_AFGEWEZEN,
    } == DISMISSIBLE
    assert (
        not {
            K.EVALUATIE_BINNENKORT,
            K.EVALUATIE_TE_LAAT,
            K.EVALUATIE_BEOORDELEN,
            K.VOORSTEL_NIEUW,
            K.DECLARATIE_BEOORDELEN,
        }
        & DISMISSIBLE
    )


def test_a_notice_can_be_marked_handled_by_its_recipient(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.ACTIEF)
    add_task(session, K.TERMIJN_VERSTREKEN, t, user_id=world.gids.id, due_on=TODAY)
    task = open_tasks(session, world.gids).items[0]

    dismiss_task(session, world.gids, task.id)

    assert task.done_at is not None
    assert open_tasks(session, world.gids).total == 0


def test_work_that_a_step_completes_cannot_be_clicked_away(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.VOORGESTELD)
    (task,) = open_tasks(session, world.aanbieder_a).items

    with pytest.raises(DomainError, match="verdwijnt vanzelf"):
        dismiss_task(session, world.aanbieder_a, task.id)
    assert open_of(session, t) == [(K.VOORSTEL_NIEUW, None, world.zorg_a.id)]


def test_someone_elses_task_is_not_found(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.ACTIEF)
    add_task(session, K.TERMIJN_BIJNA, t, provider_id=world.zorg_a.id, due_on=TODAY)
    task = open_tasks(session, world.aanbieder_a).items[0]

    for stranger in (world.aanbieder_b, world.gids):
        with pytest.raises(NotFound):
            dismiss_task(session, stranger, task.id)
    assert task.done_at is None


# --- a large backlog -------------------------------------------------------------------------


def _backlog(session: Session, world: World, n: int) -> Trajectory:
    """``n`` open prompts for the gids on one trajectory, due on consecutive days."""
    t = make_trajectory(session, world, S.ACTIEF)
    for i in range(n):
        add_task(
            session,
            K.EVALUATIE_TE_LAAT,
            t,
            user_id=world.gids.id,
            ref=10_000 + i,
            due_on=date(2026, 1, 1) + timedelta(days=(i * 7) % n),
        )
    session.flush()
    return t


def test_the_inbox_pages_through_a_backlog_soonest_due_first(
    session: Session, world: World
) -> None:
    _backlog(session, world, 120)

    first = open_tasks(session, world.gids, page=1, per_page=50)
    last = open_tasks(session, world.gids, page=3, per_page=50)

    assert (first.total, first.pages, len(first.items), len(last.items)) == (120, 3, 50, 20)
    dues = [t.due_on for t in first.items] + [t.due_on for t in last.items]
    assert dues == sorted(dues)
    assert open_tasks(session, world.gids, page=99, per_page=50).page == 3


def test_only_the_page_shown_is_read_and_the_unread_count_stops_at_its_cap(
    session: Session, world: World
) -> None:
    _backlog(session, world, UNREAD_SHOWN_UP_TO + 60)
    assert unread_count(session, world.gids) == UNREAD_SHOWN_UP_TO + 1  # shown as "99+"

    shown = open_tasks(session, world.gids, per_page=100).items
    mark_read(session, shown)
    session.expire_all()

    assert all(task.read_at is not None for task in shown)
    assert unread_count(session, world.gids) == 59


def test_closing_completes_the_notices_too(session: Session, world: World) -> None:
    t = make_trajectory(session, world, S.ACTIEF)
    add_task(session, K.TERMIJN_BIJNA, t, provider_id=world.zorg_a.id, due_on=TODAY)

    wf.close(
        session,
        t,
        world.gids,
        care_end=TODAY,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=TODAY,
    )

    assert open_of(session, t) == []
