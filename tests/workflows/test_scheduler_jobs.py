"""The daily scheduler jobs: who gets which task when, run twice, after a missed day, and in two
processes at once (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from models import (
    Domain,
    Evaluation,
    EvaluationState,
    PromptStage,
    Role,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryState,
    User,
)
from workflows import evaluations as wf_evaluations
from workflows.scheduler_jobs import (
    JOBS,
    claim_unmailed_tasks,
    evaluation_prompts,
    jeugd_18,
    run_all,
    term_prompts,
    wmo_decision_expiring,
)

from ..committed import remove_committed_rows
from ..factories import World, build_world, make_user
from .scheduler_cases import (
    D,
    busy_caseload,
    evaluation,
    jeugd_resident,
    jeugd_trajectory,
    trajectory,
)

S = TrajectoryState
K = TaskKind

# Planned through the real workflow: Wmo begeleiding middel from 2026-11-09 for 26 weeks.
WMO_PLANNED_END = date(2027, 5, 9)


@dataclass(frozen=True)
class Row:
    kind: TaskKind
    trajectory_id: int
    ref: int
    user_id: int | None
    provider_id: int | None
    due_on: date | None


def rows(session: Session, *kinds: TaskKind) -> set[Row]:
    query = select(
        Task.kind, Task.trajectory_id, Task.ref, Task.user_id, Task.provider_id, Task.due_on
    )
    if kinds:
        query = query.where(Task.kind.in_(kinds))
    return {Row(*r) for r in session.execute(query)}


def task_count(session: Session) -> int:
    return session.scalar(select(func.count(Task.id))) or 0


def provider_task(kind: TaskKind, t: Trajectory, ref: int, due_on: date | None) -> Row:
    return Row(kind, t.id, ref, None, t.provider_id, due_on)


def gids_task(kind: TaskKind, t: Trajectory, ref: int, due_on: date | None) -> Row:
    return Row(kind, t.id, ref, t.gids_id, None, due_on)


# --- evaluation prompts -----------------------------------------------------------------------


def test_an_evaluation_due_within_14_days_prompts_the_provider_and_the_gids(
    session: Session, world: World
) -> None:
    t = trajectory(session, world)
    on_edge = evaluation(session, t, D + timedelta(days=14))
    today_due = evaluation(session, t, D)
    evaluation(session, t, D + timedelta(days=15))

    assert evaluation_prompts(session, D) == 4
    assert rows(session) == {
        provider_task(K.EVALUATIE_BINNENKORT, t, on_edge.id, on_edge.due_on),
        gids_task(K.EVALUATIE_BINNENKORT, t, on_edge.id, on_edge.due_on),
        provider_task(K.EVALUATIE_BINNENKORT, t, today_due.id, D),
        gids_task(K.EVALUATIE_BINNENKORT, t, today_due.id, D),
    }


def test_provider_tasks_go_to_the_organisation_and_gids_tasks_to_the_person(
    session: Session, world: World
) -> None:
    t = trajectory(session, world)
    t.provider_id = world.zorg_b.id  # the trajectory's main provider, whoever accepted it
    session.flush()
    evaluation(session, t, D + timedelta(days=3))

    evaluation_prompts(session, D)

    recipients = {(r.user_id, r.provider_id) for r in rows(session)}
    assert recipients == {(None, world.zorg_b.id), (world.gids.id, None)}


def test_an_overdue_evaluation_escalates_to_provider_and_gids(
    session: Session, world: World
) -> None:
    t = trajectory(session, world)
    overdue = evaluation(session, t, D - timedelta(days=1))

    assert evaluation_prompts(session, D) == 2
    assert rows(session) == {
        provider_task(K.EVALUATIE_TE_LAAT, t, overdue.id, overdue.due_on),
        gids_task(K.EVALUATIE_TE_LAAT, t, overdue.id, overdue.due_on),
    }


def test_submitted_evaluations_are_not_prompted(session: Session, world: World) -> None:
    t = trajectory(session, world)
    evaluation(session, t, D + timedelta(days=2), EvaluationState.INGEDIEND)
    evaluation(session, t, D - timedelta(days=2), EvaluationState.INGEDIEND)

    assert evaluation_prompts(session, D) == 0
    assert task_count(session) == 0


@pytest.mark.parametrize("state", [S.GEACCEPTEERD, S.AFGESLOTEN])
def test_evaluations_of_trajectories_not_active_are_not_prompted(
    session: Session, world: World, state: TrajectoryState
) -> None:
    t = trajectory(session, world, state)
    evaluation(session, t, D + timedelta(days=2))
    evaluation(session, t, D - timedelta(days=2))

    assert evaluation_prompts(session, D) == 0


def test_evaluation_prompts_catch_up_after_a_missed_day(session: Session, world: World) -> None:
    t = trajectory(session, world)
    due_today = evaluation(session, t, D)  # overdue from D+1 on
    enters_window = evaluation(session, t, D + timedelta(days=15))  # within 14 days from D+1 on

    evaluation_prompts(session, D)
    assert {(r.kind, r.ref) for r in rows(session)} == {(K.EVALUATIE_BINNENKORT, due_today.id)}

    # The scheduler did not run on D+1; on D+2 everything D+1 would have made is there.
    evaluation_prompts(session, D + timedelta(days=2))
    assert {(r.kind, r.ref) for r in rows(session)} == {
        (K.EVALUATIE_BINNENKORT, due_today.id),
        (K.EVALUATIE_TE_LAAT, due_today.id),
        (K.EVALUATIE_BINNENKORT, enters_window.id),
    }
    assert task_count(session) == 6  # each for the provider and the gids


# --- term prompts -----------------------------------------------------------------------------


def test_a_planned_end_within_30_days_prompts_gids_and_provider(
    session: Session, world: World
) -> None:
    t = trajectory(session, world)
    assert t.planned_end == WMO_PLANNED_END
    today = WMO_PLANNED_END - timedelta(days=30)

    assert term_prompts(session, today - timedelta(days=1)) == 0
    assert term_prompts(session, today) == 2
    assert rows(session) == {
        gids_task(K.TERMIJN_BIJNA, t, 0, WMO_PLANNED_END),
        provider_task(K.TERMIJN_BIJNA, t, 0, WMO_PLANNED_END),
    }


def test_a_passed_planned_end_tells_the_gids_the_term_has_expired(
    session: Session, world: World
) -> None:
    t = trajectory(session, world)

    term_prompts(session, WMO_PLANNED_END)  # the last day of the term: not yet expired
    assert rows(session, K.TERMIJN_VERSTREKEN) == set()
    assert term_prompts(session, WMO_PLANNED_END + timedelta(days=1)) == 1
    assert rows(session, K.TERMIJN_VERSTREKEN) == {
        gids_task(K.TERMIJN_VERSTREKEN, t, 0, WMO_PLANNED_END)
    }


@pytest.mark.parametrize("state", [S.VOORGESTELD, S.GEACCEPTEERD, S.AFGESLOTEN])
def test_term_prompts_are_only_for_active_trajectories(
    session: Session, world: World, state: TrajectoryState
) -> None:
    trajectory(session, world, state)

    assert term_prompts(session, WMO_PLANNED_END - timedelta(days=10)) == 0
    assert term_prompts(session, WMO_PLANNED_END + timedelta(days=10)) == 0


def test_term_prompts_catch_up_after_a_missed_day(session: Session, world: World) -> None:
    t = trajectory(session, world)
    day = WMO_PLANNED_END - timedelta(days=31)  # one day before the window

    term_prompts(session, day)
    assert task_count(session) == 0
    term_prompts(session, day + timedelta(days=2))  # D+1 skipped
    assert rows(session) == {
        gids_task(K.TERMIJN_BIJNA, t, 0, WMO_PLANNED_END),
        provider_task(K.TERMIJN_BIJNA, t, 0, WMO_PLANNED_END),
    }


# --- Jeugd 18 ---------------------------------------------------------------------------------


def test_jeugd_18_prompts_the_gids_exactly_six_months_ahead(session: Session, world: World) -> None:
    # 18 on 2027-05-10, so the decision ends on 2027-05-09 (R6).
    resident = jeugd_resident(session, world, date(2009, 5, 10), "100000009")
    t = jeugd_trajectory(session, world, resident)
    assert t.decision_end == date(2027, 5, 9)

    assert jeugd_18(session, date(2026, 11, 8)) == 0  # 6 months and a day ahead
    assert jeugd_18(session, date(2026, 11, 9)) == 1  # exactly 6 months ahead
    assert rows(session) == {gids_task(K.JEUGD_18, t, 0, date(2027, 5, 9))}


def test_jeugd_18_window_ends_on_the_decision_end(session: Session, world: World) -> None:
    resident = jeugd_resident(session, world, date(2009, 5, 10), "100000009")
    t = jeugd_trajectory(session, world, resident)

    assert jeugd_18(session, date(2027, 5, 10)) == 0  # already 18: decision has ended
    assert jeugd_18(session, date(2027, 5, 9)) == 1  # the last day of the decision
    assert rows(session) == {gids_task(K.JEUGD_18, t, 0, date(2027, 5, 9))}


def test_jeugd_18_at_the_end_of_a_month_uses_the_last_day_six_months_on(
    session: Session, world: World
) -> None:
    # Born 31 March 2009: 18 on 2027-03-31, decision ends 2027-03-30. Six months before
    # 2026-09-30 is 2027-03-30: inside; from 2026-09-29 it is 2027-03-29: outside.
    resident = jeugd_resident(session, world, date(2009, 3, 31), "100000009")
    jeugd_trajectory(session, world, resident)

    assert jeugd_18(session, date(2026, 9, 29)) == 0
    assert jeugd_18(session, date(2026, 9, 30)) == 1


@pytest.mark.parametrize(
    ("state", "expected"),
    [(S.VOORGESTELD, 0), (S.GEACCEPTEERD, 1), (S.ACTIEF, 1), (S.AFGESLOTEN, 0)],
)
def test_jeugd_18_is_for_agreed_and_active_trajectories_only(
    session: Session, world: World, state: TrajectoryState, expected: int
) -> None:
    resident = jeugd_resident(session, world, date(2009, 5, 10), "100000009")
    jeugd_trajectory(session, world, resident, state)

    assert jeugd_18(session, date(2027, 1, 1)) == expected


def test_jeugd_18_ignores_wmo_trajectories(session: Session, world: World) -> None:
    trajectory(session, world)  # Wmo, decision end 2027-05-09

    assert jeugd_18(session, date(2027, 1, 1)) == 0


# --- Wmo decision expiring --------------------------------------------------------------------


def test_a_wmo_decision_ending_within_30_days_prompts_the_gids(
    session: Session, world: World
) -> None:
    t = trajectory(session, world)
    assert t.domain == Domain.WMO and t.decision_end == WMO_PLANNED_END
    first_day = WMO_PLANNED_END - timedelta(days=30)

    assert wmo_decision_expiring(session, first_day - timedelta(days=1)) == 0
    assert wmo_decision_expiring(session, first_day) == 1
    assert rows(session) == {
        gids_task(K.BESCHIKKING_VERLOOPT, t, WMO_PLANNED_END.toordinal(), WMO_PLANNED_END)
    }
    assert wmo_decision_expiring(session, WMO_PLANNED_END + timedelta(days=1)) == 0


def test_an_extended_wmo_decision_prompts_again_for_its_new_end(
    session: Session, world: World
) -> None:
    t = trajectory(session, world)
    wmo_decision_expiring(session, WMO_PLANNED_END - timedelta(days=5))
    extended = WMO_PLANNED_END + timedelta(days=90)
    t.decision_end = extended
    session.flush()

    assert wmo_decision_expiring(session, extended - timedelta(days=5)) == 1
    assert {r.ref for r in rows(session)} == {WMO_PLANNED_END.toordinal(), extended.toordinal()}


@pytest.mark.parametrize(
    ("state", "expected"),
    [(S.VOORGESTELD, 0), (S.GEACCEPTEERD, 1), (S.ACTIEF, 1), (S.AFGESLOTEN, 0)],
)
def test_decision_prompts_are_for_agreed_and_active_wmo_trajectories_only(
    session: Session, world: World, state: TrajectoryState, expected: int
) -> None:
    trajectory(session, world, state)

    assert wmo_decision_expiring(session, WMO_PLANNED_END - timedelta(days=3)) == expected


def test_decision_prompts_ignore_jeugd_trajectories(session: Session, world: World) -> None:
    resident = jeugd_resident(session, world, date(2009, 5, 10), "100000009")
    t = jeugd_trajectory(session, world, resident)
    assert t.decision_end is not None

    assert wmo_decision_expiring(session, t.decision_end - timedelta(days=3)) == 0


# --- all jobs ---------------------------------------------------------------------------------


def test_run_all_reports_rows_per_job(session: Session, world: World) -> None:
    busy_caseload(session, world)

    counts = run_all(session, D)

    assert list(counts) == list(JOBS)
    assert counts == {
        "evaluation_prompts": 4,
        "term_prompts": 3,  # ending: gids + provider; late: gids
        "jeugd_18": 1,
        "wmo_decision_expiring": 1,  # ending
    }
    assert task_count(session) == sum(counts.values())


def test_a_second_run_on_the_same_day_adds_nothing(session: Session, world: World) -> None:
    busy_caseload(session, world)
    first = run_all(session, D)
    before = rows(session)

    second = run_all(session, D)

    assert sum(first.values()) > 0
    assert second == dict.fromkeys(JOBS, 0)
    assert rows(session) == before


def test_the_next_day_adds_only_what_is_new(session: Session, world: World) -> None:
    caseload = busy_caseload(session, world)
    run_all(session, D)
    evaluation(session, caseload[0], D + timedelta(days=15))

    counts = run_all(session, D + timedelta(days=1))

    assert counts["evaluation_prompts"] == 2
    assert sum(counts.values()) == 2


def test_a_run_marks_how_far_each_date_was_prompted(session: Session, world: World) -> None:
    wmo, ending, late, child = busy_caseload(session, world)

    run_all(session, D)

    session.expire_all()
    assert sorted(e.prompt_stage for e in wmo.evaluations) == [PromptStage.SOON, PromptStage.PASSED]
    assert ending.term_prompt_stage == PromptStage.SOON
    assert late.term_prompt_stage == PromptStage.PASSED
    assert child.decision_prompted_for == child.decision_end
    assert late.decision_prompted_for is None  # the Wmo decision ended yesterday: no prompt


def test_the_marks_keep_the_version_and_the_last_change_of_the_trajectory(
    session: Session, world: World
) -> None:
    _, ending, _, _ = busy_caseload(session, world)
    session.expire_all()
    version, changed = ending.version, ending.updated_at

    run_all(session, D)

    session.expire_all()
    assert ending.term_prompt_stage == PromptStage.SOON
    assert (ending.version, ending.updated_at) == (version, changed)


def test_a_run_reads_the_marks_not_the_tasks(session: Session, world: World) -> None:
    """What was prompted is not prompted again, even when its tasks are gone (e.g. deleted by
    hand): the daily run reads only what entered a window since the last run."""
    busy_caseload(session, world)
    run_all(session, D)
    session.execute(delete(Task))

    assert run_all(session, D + timedelta(days=1)) == dict.fromkeys(JOBS, 0)


def test_after_an_upgrade_unmarked_rows_with_prompts_get_no_duplicates(
    session: Session, world: World
) -> None:
    """Migration 0004 starts every mark at zero while the tasks exist: the first run finds them
    (ON CONFLICT DO NOTHING) and only sets the marks."""
    busy_caseload(session, world)
    run_all(session, D)
    before = rows(session)
    session.execute(update(Evaluation).values(prompt_stage=PromptStage.NONE))
    session.execute(
        update(Trajectory).values(term_prompt_stage=PromptStage.NONE, decision_prompted_for=None)
    )

    assert run_all(session, D) == dict.fromkeys(JOBS, 0)
    assert rows(session) == before
    assert session.scalar(select(func.count()).where(Evaluation.prompt_stage == 0)) == 0


def test_a_moved_evaluation_is_prompted_again_for_its_new_date(
    session: Session, world: World
) -> None:
    t = trajectory(session, world)
    planned = evaluation(session, t, D + timedelta(days=3))
    run_all(session, D)
    session.expire(planned)
    assert planned.prompt_stage == PromptStage.SOON

    wf_evaluations.withdraw_prompts(session, t, planned)
    planned.due_on = D + timedelta(days=40)
    session.flush()

    assert evaluation_prompts(session, D + timedelta(days=25)) == 0
    assert evaluation_prompts(session, D + timedelta(days=26)) == 2


# --- e-mail claims ----------------------------------------------------------------------------


def test_unmailed_tasks_are_claimed_once_per_user_with_counts_per_kind(
    session: Session, world: World
) -> None:
    busy_caseload(session, world)
    colleague = make_user(session, "aanbieder.a2@test.nl", Role.AANBIEDER, world.zorg_a)
    make_user(session, "weg@test.nl", Role.AANBIEDER, world.zorg_a).active = False
    run_all(session, D)

    notes = {n.email: n for n in claim_unmailed_tasks(session)}

    assert set(notes) == {world.gids.email, world.aanbieder_a.email, colleague.email}
    assert dict(notes[world.aanbieder_a.email].counts) == {
        K.EVALUATIE_BINNENKORT: 1,
        K.EVALUATIE_TE_LAAT: 1,
        K.TERMIJN_BIJNA: 1,
    }
    assert notes[colleague.email].counts == notes[world.aanbieder_a.email].counts
    assert dict(notes[world.gids.email].counts) == {
        K.EVALUATIE_BINNENKORT: 1,
        K.EVALUATIE_TE_LAAT: 1,
        K.TERMIJN_BIJNA: 1,
        K.TERMIJN_VERSTREKEN: 1,
        K.JEUGD_18: 1,
        K.BESCHIKKING_VERLOOPT: 1,
    }
    assert session.scalar(select(func.count()).where(Task.mailed_at.is_(None))) == 0
    assert claim_unmailed_tasks(session) == []


def test_tasks_already_done_are_marked_but_not_mentioned(session: Session, world: World) -> None:
    busy_caseload(session, world)
    run_all(session, D)
    session.execute(
        Task.__table__.update().where(Task.user_id.is_not(None)).values(done_at=func.now())
    )

    notes = claim_unmailed_tasks(session)

    assert {n.role for n in notes} == {Role.AANBIEDER}
    assert session.scalar(select(func.count()).where(Task.mailed_at.is_(None))) == 0


# --- two processes at once (PostgreSQL) -------------------------------------------------------


@pytest.fixture
def committed_world(app: Flask) -> Iterator[World]:
    """A world and a busy caseload committed for real, so two connections see them; removed
    afterwards (the code lists from the migrations stay)."""
    assert db.engine is not None
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite serialises writers (one write transaction per database at a time), so two "
            "concurrent runs cannot interleave there; this runs on PostgreSQL."
        )
    with db.sessions() as session:
        world = build_world(session)
        busy_caseload(session, world)
        for i in range(20):
            t = trajectory(session, world)
            evaluation(session, t, D + timedelta(days=i % 10))
            evaluation(session, t, D - timedelta(days=1 + i))
        session.commit()
    try:
        yield world
    finally:
        remove_committed_rows(db.engine)


def run_concurrently(work: Any, processes: int = 2) -> list[Any]:
    """Start ``work(session)`` in ``processes`` threads at the same moment, each with its own
    connection, committing at the end; return their results (or raise the first error)."""
    barrier = threading.Barrier(processes)
    results: list[Any] = [None] * processes
    errors: list[BaseException] = []

    def one(index: int) -> None:
        try:
            with db.sessions() as session:  # as the scheduler's: from the app's factory
                session.connection()  # check out a connection before the start signal
                barrier.wait(timeout=30)
                results[index] = work(session)
                session.commit()
        except BaseException as err:  # noqa: BLE001 - reported to the test below
            errors.append(err)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a run hung"
    if errors:
        raise errors[0]
    return results


def single_run_count(world: World) -> int:
    """What one run makes, measured in a transaction that is rolled back."""
    assert db.engine is not None
    with db.sessions() as session:
        count = sum(run_all(session, D).values())
        session.rollback()
    return count


def test_two_concurrent_runs_make_each_task_once(committed_world: World) -> None:
    expected = single_run_count(committed_world)
    assert expected > 40

    results = run_concurrently(lambda session: run_all(session, D))

    assert sorted(sum(r.values()) for r in results) == [0, expected]
    with Session(db.engine) as session:
        assert task_count(session) == expected
        duplicates = session.execute(
            select(Task.kind, Task.trajectory_id, Task.ref, Task.user_id, Task.provider_id)
            .group_by(Task.kind, Task.trajectory_id, Task.ref, Task.user_id, Task.provider_id)
            .having(func.count() > 1)
        ).all()
        assert duplicates == []


def test_the_unique_index_alone_keeps_concurrent_jobs_from_duplicating(
    committed_world: World,
) -> None:
    """Without run_all's advisory lock: the jobs race and only ``uq_tasks_dedupe`` decides."""
    expected = single_run_count(committed_world)

    def jobs_without_lock(session: Session) -> int:
        return sum(job(session, D) for job in JOBS.values())

    results = run_concurrently(jobs_without_lock)

    assert sum(results) == expected
    with Session(db.engine) as session:
        assert task_count(session) == expected


def test_two_concurrent_mail_claims_share_the_tasks_out_once(committed_world: World) -> None:
    assert db.engine is not None
    with Session(db.engine) as session:
        run_all(session, D)
        session.commit()
        users = session.scalar(
            select(func.count(User.id)).where(User.role.in_([Role.GIDS, Role.AANBIEDER]))
        )
    assert users

    results = run_concurrently(lambda session: claim_unmailed_tasks(session))

    claimed = [sum(n.total for n in notes) for notes in results]
    with Session(db.engine) as session:
        assert sorted(claimed) == [0, task_count(session)]
        assert session.scalar(select(func.count()).where(Task.mailed_at.is_(None))) == 0
