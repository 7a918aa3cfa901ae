"""Cyclic evaluation (R7, R8): the plan per domain and need type, submitting with its guards,
the gids's review, extra evaluations and the gids's interval override."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    Evaluation,
    EvaluationKind,
    EvaluationState,
    Intensity,
    NeedType,
    ResultScore,
    ReviewOutcome,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryState,
    ZrmScore,
)
from workflows import evaluations as ev
from workflows import trajectories as wf
from workflows.errors import DomainError, NotFound
from workflows.inbox import add_task

from ..factories import TODAY, World, make_trajectory

S = TrajectoryState
K = EvaluationKind

# make_trajectory(ACTIEF): care starts on TODAY (2026-11-02); the default is Wmo begeleiding
# middel planned 2026-11-09 … 2027-05-09 (26 weeks).


def active(session: Session, world: World, **overrides: Any) -> Trajectory:
    return make_trajectory(session, world, S.ACTIEF, **overrides)


def jeugd(world: World, **overrides: Any) -> dict[str, Any]:
    """Jeugd ambulant middel (26 weeks) for Bram."""
    return {
        "resident_id": world.child.id,
        "profile_id": world.amb.id,
        "intensity": Intensity.MIDDEL,
        **overrides,
    }


def household_help_for_a_year(world: World, **overrides: Any) -> dict[str, Any]:
    """Wmo household help laag: 52 weeks, 2026-11-09 … 2027-11-07."""
    return {"profile_id": world.hh.id, "intensity": Intensity.LAAG, **overrides}


def plan(trajectory: Trajectory) -> list[tuple[EvaluationKind, date]]:
    return [(e.kind, e.due_on) for e in ev.planned(trajectory)]


def the(trajectory: Trajectory, kind: EvaluationKind) -> Evaluation:
    (evaluation,) = ev.planned(trajectory, kind)
    return evaluation


def good_input(trajectory: Trajectory, held_on: date, **overrides: Any) -> ev.EvaluationInput:
    data = ev.EvaluationInput(
        held_on=held_on,
        with_inwoner=True,
        with_gids=True,
        with_aanbieder=True,
        with_netwerk=False,
        summary="Anna houdt haar post nu zelf bij.",
        need_changed=False,
        scores=[ev.ScoreInput(r.id, 0, "Zoals verwacht") for r in trajectory.results],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def refused_fields(call: Any) -> list[str | None]:
    with pytest.raises(DomainError) as refused:
        call()
    return [p.field for p in refused.value.problems]


def tasks(session: Session, trajectory: Trajectory, kind: TaskKind) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(Task.trajectory_id == trajectory.id, Task.kind == kind)
        ).all()
    )


# --- the plan ----------------------------------------------------------------------------------


def test_jeugd_plans_a_regular_evaluation_after_three_months_and_a_final_two_weeks_before_the_end(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, **jeugd(world))
    assert trajectory.planned_end == date(2027, 5, 9)
    assert plan(trajectory) == [(K.REGULIER, date(2027, 2, 2)), (K.EIND, date(2027, 4, 25))]


def test_wmo_plans_the_regular_evaluation_after_six_months(session: Session, world: World) -> None:
    trajectory = active(session, world, **household_help_for_a_year(world))
    assert plan(trajectory) == [(K.REGULIER, date(2027, 5, 2)), (K.EIND, date(2027, 10, 24))]


def test_a_lasting_need_is_evaluated_every_twelve_months(session: Session, world: World) -> None:
    trajectory = active(session, world, need_type=NeedType.BLIJVEND, planned_end=date(2028, 6, 30))
    assert plan(trajectory) == [(K.REGULIER, date(2027, 11, 2)), (K.EIND, date(2028, 6, 16))]


def test_a_lasting_jeugd_need_is_also_evaluated_every_twelve_months(
    session: Session, world: World
) -> None:
    trajectory = active(
        session, world, **jeugd(world, need_type=NeedType.BLIJVEND, planned_end=date(2028, 6, 30))
    )
    assert the(trajectory, K.REGULIER).due_on == date(2027, 11, 2)


def test_no_regular_evaluation_is_planned_on_or_after_the_final_one(
    session: Session, world: World
) -> None:
    # Wmo, 6 months from 2026-11-02 is 2027-05-02: after the final's 2027-04-25.
    trajectory = active(session, world)
    assert plan(trajectory) == [(K.EIND, date(2027, 4, 25))]


def test_the_final_evaluation_of_a_short_trajectory_is_due_when_care_starts(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, planned_end=date(2026, 11, 10))
    assert plan(trajectory) == [(K.EIND, TODAY)]


@pytest.mark.parametrize(
    ("override", "need", "tariff_months", "expected"),
    [
        (2, NeedType.BLIJVEND, 4, 2),  # the gids's override first
        (None, NeedType.BLIJVEND, 4, 12),  # then a lasting need
        (None, NeedType.EINDIG, 4, 4),  # then the tariff's cadence
    ],
)
def test_the_interval_comes_from_override_then_need_then_tariff(
    session: Session,
    world: World,
    override: int | None,
    need: NeedType,
    tariff_months: int,
    expected: int,
) -> None:
    trajectory = make_trajectory(session, world, need_type=need)
    trajectory.evaluation_interval_months = override
    assert trajectory.tariff is not None
    trajectory.tariff.evaluation_interval_months = tariff_months
    assert ev.interval_months(trajectory) == expected


def test_without_a_tariff_the_domain_default_applies(session: Session, world: World) -> None:
    wmo = make_trajectory(session, world)
    child = make_trajectory(session, world, **jeugd(world))
    wmo.tariff = child.tariff = None
    assert (ev.interval_months(wmo), ev.interval_months(child)) == (6, 3)


def test_planning_twice_plans_nothing_more(session: Session, world: World) -> None:
    trajectory = active(session, world, **jeugd(world))
    assert ev.plan_evaluations(session, trajectory) == []
    assert len(trajectory.evaluations) == 2


def test_the_gids_override_replans_the_evaluation_not_yet_held(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, **jeugd(world))
    old = the(trajectory, K.REGULIER)
    add_task(
        session,
        TaskKind.EVALUATIE_BINNENKORT,
        trajectory,
        provider_id=world.zorg_a.id,
        ref=old.id,
        due_on=old.due_on,
    )
    ev.set_interval(session, trajectory, world.gids, 2)
    assert trajectory.evaluation_interval_months == 2
    assert plan(trajectory) == [(K.REGULIER, date(2027, 1, 2)), (K.EIND, date(2027, 4, 25))]
    # The same evaluation, moved; the prompt for the old date is withdrawn so the scheduler
    # can prompt for the new one.
    assert the(trajectory, K.REGULIER) is old
    assert tasks(session, trajectory, TaskKind.EVALUATIE_BINNENKORT) == []
    event = trajectory.events[-1]
    assert event.action == "evaluatie_interval"
    assert event.details == "evaluatie-interval 3 → 2 maanden; volgende evaluatie 2027-01-02"


def test_a_longer_interval_can_drop_the_regular_evaluation_and_the_default_brings_it_back(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, **jeugd(world))
    dropped = the(trajectory, K.REGULIER)
    add_task(
        session,
        TaskKind.EVALUATIE_BINNENKORT,
        trajectory,
        user_id=world.gids.id,
        ref=dropped.id,
        due_on=dropped.due_on,
    )
    ev.set_interval(session, trajectory, world.gids, 12)
    assert plan(trajectory) == [(K.EIND, date(2027, 4, 25))]
    assert tasks(session, trajectory, TaskKind.EVALUATIE_BINNENKORT) == []
    ev.set_interval(session, trajectory, world.gids, None)
    assert trajectory.evaluation_interval_months is None
    assert plan(trajectory) == [(K.REGULIER, date(2027, 2, 2)), (K.EIND, date(2027, 4, 25))]


@pytest.mark.parametrize("months", [0, 25, -3])
def test_an_interval_outside_one_to_twenty_four_months_is_refused(
    session: Session, world: World, months: int
) -> None:
    trajectory = active(session, world)
    assert refused_fields(lambda: ev.set_interval(session, trajectory, world.gids, months)) == [
        "months"
    ]
    assert trajectory.evaluation_interval_months is None


def test_only_the_responsible_gids_sets_the_interval(session: Session, world: World) -> None:
    trajectory = active(session, world)
    for someone in (world.gids2, world.aanbieder_a):
        with pytest.raises(DomainError, match="geen recht"):
            ev.set_interval(session, trajectory, someone, 3)


def test_the_interval_can_be_set_before_care_starts_and_shapes_the_plan(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    ev.set_interval(session, trajectory, world.gids, 2)
    assert trajectory.evaluations == []
    wf.start_care(session, trajectory, world.aanbieder_a, TODAY, TODAY)
    assert plan(trajectory) == [(K.REGULIER, date(2027, 1, 2)), (K.EIND, date(2027, 4, 25))]


# --- submitting --------------------------------------------------------------------------------


def test_submitting_stores_the_evaluation_and_plans_the_next_from_the_day_held(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, **jeugd(world))
    first = the(trajectory, K.REGULIER)
    held = date(2027, 2, 10)  # eight days late
    ev.submit_evaluation(session, first, world.aanbieder_a, good_input(trajectory, held), held)
    assert first.state == EvaluationState.INGEDIEND
    assert first.held_on == held
    assert first.submitted_by_id == world.aanbieder_a.id
    assert [(s.result_id, s.score, s.explanation) for s in first.scores] == [
        (trajectory.results[0].id, 0, "Zoals verwacht")
    ]
    # Three months after the day held is 2027-05-10, after the final evaluation: none planned.
    assert plan(trajectory) == [(K.EIND, date(2027, 4, 25))]
    assert trajectory.events[-1].action == "evaluatie_ingediend"


def test_the_next_regular_evaluation_follows_one_interval_after_the_last(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, **jeugd(world))
    # Jeugd ambulant middel, 26 weeks: the gids sets a short cycle of two months.
    ev.set_interval(session, trajectory, world.gids, 2)
    first = the(trajectory, K.REGULIER)
    assert first.due_on == date(2027, 1, 2)
    ev.submit_evaluation(
        session,
        first,
        world.aanbieder_a,
        good_input(trajectory, date(2026, 12, 28)),
        date(2026, 12, 30),
    )
    assert the(trajectory, K.REGULIER).due_on == date(2027, 2, 28)


def test_after_the_final_evaluation_no_regular_one_is_planned(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, **jeugd(world))
    ev.set_interval(session, trajectory, world.gids, 1)
    final = the(trajectory, K.EIND)
    regular = the(trajectory, K.REGULIER)
    ev.submit_evaluation(
        session,
        final,
        world.aanbieder_a,
        good_input(trajectory, date(2026, 11, 20)),
        date(2026, 11, 20),
    )
    # Even though held early, the final ends the cycle: the regular one still planned stays,
    # but after it no other is planned.
    ev.submit_evaluation(
        session,
        regular,
        world.aanbieder_a,
        good_input(trajectory, date(2026, 12, 2)),
        date(2026, 12, 2),
    )
    assert plan(trajectory) == []


def test_submitting_completes_the_prompts_and_asks_the_gids_to_review(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, **jeugd(world))
    first = the(trajectory, K.REGULIER)
    final = the(trajectory, K.EIND)
    for kind in (TaskKind.EVALUATIE_BINNENKORT, TaskKind.EVALUATIE_TE_LAAT):
        for recipient in ({"provider_id": world.zorg_a.id}, {"user_id": world.gids.id}):
            add_task(session, kind, trajectory, ref=first.id, due_on=first.due_on, **recipient)
    add_task(
        session,
        TaskKind.EVALUATIE_BINNENKORT,
        trajectory,
        provider_id=world.zorg_a.id,
        ref=final.id,
        due_on=final.due_on,
    )
    held = date(2027, 2, 2)
    ev.submit_evaluation(session, first, world.aanbieder_a, good_input(trajectory, held), held)
    session.expire_all()
    prompts = tasks(session, trajectory, TaskKind.EVALUATIE_BINNENKORT) + tasks(
        session, trajectory, TaskKind.EVALUATIE_TE_LAAT
    )
    assert sorted((t.ref, t.done_at is not None) for t in prompts) == sorted(
        [(first.id, True)] * 4 + [(final.id, False)]
    )
    (review,) = tasks(session, trajectory, TaskKind.EVALUATIE_BEOORDELEN)
    assert (review.user_id, review.ref, review.done_at) == (world.gids.id, first.id, None)


def test_an_evaluation_on_a_trajectory_that_is_not_active_is_refused(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.AFGESLOTEN)
    stray = Evaluation(kind=K.EXTRA, due_on=TODAY, reason="Test")
    trajectory.evaluations.append(stray)
    session.flush()
    with pytest.raises(DomainError, match="Alleen bij een lopend traject"):
        ev.submit_evaluation(
            session, stray, world.aanbieder_a, good_input(trajectory, TODAY), TODAY
        )
    assert stray.state == EvaluationState.GEPLAND


def test_a_score_outside_minus_two_to_plus_two_names_the_result_and_changes_nothing(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    final = the(trajectory, K.EIND)
    result = trajectory.results[0]
    data = good_input(trajectory, TODAY, scores=[ev.ScoreInput(result.id, 3)])
    with pytest.raises(DomainError) as refused:
        ev.submit_evaluation(session, final, world.aanbieder_a, data, TODAY)
    assert str(refused.value) == (
        "De score voor resultaat 'Anna doet zelf haar administratie' moet tussen −2 en +2 liggen."
    )
    assert refused.value.problems[0].field == "scores"
    session.flush()
    assert final.state == EvaluationState.GEPLAND and final.held_on is None
    assert session.scalar(select(func.count()).select_from(ResultScore)) == 0
    assert tasks(session, trajectory, TaskKind.EVALUATIE_BEOORDELEN) == []
    assert trajectory.events[-1].action == "zorg_starten"


@pytest.mark.parametrize("score", [-2, -1, 0, 1, 2])
def test_every_gas_level_is_accepted(session: Session, world: World, score: int) -> None:
    trajectory = active(session, world)
    data = good_input(trajectory, TODAY, scores=[ev.ScoreInput(trajectory.results[0].id, score)])
    evaluation = ev.submit_evaluation(
        session, the(trajectory, K.EIND), world.aanbieder_a, data, TODAY
    )
    assert evaluation.scores[0].score == score


def test_each_agreed_result_needs_exactly_one_score(session: Session, world: World) -> None:
    trajectory = active(
        session,
        world,
        results=[wf.ResultInput("Zelf boodschappen doen"), wf.ResultInput("Weer naar de club")],
    )
    final = the(trajectory, K.EIND)
    first, second = trajectory.results
    cases = {
        "missing": [ev.ScoreInput(first.id, 1)],
        "twice": [
            ev.ScoreInput(first.id, 1),
            ev.ScoreInput(first.id, 0),
            ev.ScoreInput(second.id, 0),
        ],
        "foreign": [
            ev.ScoreInput(first.id, 1),
            ev.ScoreInput(second.id, 0),
            ev.ScoreInput(999_999, 0),
        ],
    }
    messages = {}
    for name, scores in cases.items():
        with pytest.raises(DomainError) as refused:
            ev.submit_evaluation(
                session,
                final,
                world.aanbieder_a,
                good_input(trajectory, TODAY, scores=scores),
                TODAY,
            )
        messages[name] = str(refused.value)
    assert messages == {
        "missing": "Geef een score voor resultaat 'Weer naar de club'.",
        "twice": "Resultaat 'Zelf boodschappen doen' heeft meer dan één score.",
        "foreign": "Een score hoort niet bij een afgesproken resultaat.",
    }


def test_all_problems_are_reported_at_once(session: Session, world: World) -> None:
    trajectory = active(session, world)
    data = good_input(
        trajectory,
        TODAY + timedelta(days=1),
        with_inwoner=False,
        with_gids=False,
        with_aanbieder=False,
        summary="   ",
        scores=[],
    )
    fields = refused_fields(
        lambda: ev.submit_evaluation(
            session, the(trajectory, K.EIND), world.aanbieder_a, data, TODAY
        )
    )
    assert fields == ["held_on", "participants", "summary", "scores"]


def test_a_held_on_date_in_the_future_or_before_care_started_is_refused(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    final = the(trajectory, K.EIND)
    for held in (TODAY + timedelta(days=1), TODAY - timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            ev.submit_evaluation(
                session, final, world.aanbieder_a, good_input(trajectory, held), TODAY
            )
        assert [p.field for p in refused.value.problems] == ["held_on"]
    assert final.state == EvaluationState.GEPLAND


def test_only_the_main_provider_submits(session: Session, world: World) -> None:
    trajectory = active(session, world)
    final = the(trajectory, K.EIND)
    for someone in (world.aanbieder_b, world.gids):
        with pytest.raises(NotFound):
            ev.submit_evaluation(session, final, someone, good_input(trajectory, TODAY), TODAY)


def test_an_evaluation_is_submitted_once(session: Session, world: World) -> None:
    trajectory = active(session, world)
    final = the(trajectory, K.EIND)
    ev.submit_evaluation(session, final, world.aanbieder_a, good_input(trajectory, TODAY), TODAY)
    with pytest.raises(DomainError, match="al ingediend"):
        ev.submit_evaluation(
            session, final, world.aanbieder_a, good_input(trajectory, TODAY), TODAY
        )


FULL_ZRM = {domain: 3 for domain in range(1, 14)}


def test_zrm_scores_are_stored_when_the_trajectory_uses_the_zrm(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    trajectory.uses_zrm = True
    final = the(trajectory, K.EIND)
    zrm = {**FULL_ZRM, 1: 1, 13: 5}
    ev.submit_evaluation(
        session, final, world.aanbieder_a, good_input(trajectory, TODAY, zrm=zrm), TODAY
    )
    assert {z.domain: z.score for z in final.zrm_scores} == zrm


def test_zrm_scores_may_be_left_out_even_when_the_trajectory_uses_the_zrm(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    trajectory.uses_zrm = True
    final = the(trajectory, K.EIND)
    ev.submit_evaluation(
        session, final, world.aanbieder_a, good_input(trajectory, TODAY, zrm={}), TODAY
    )
    assert final.zrm_scores == []


@pytest.mark.parametrize(
    ("uses_zrm", "zrm", "message"),
    [
        (False, FULL_ZRM, "Dit traject gebruikt de Zelfredzaamheid-Matrix niet."),
        (
            True,
            {1: 3, 2: 3},
            "Vul de Zelfredzaamheid-Matrix voor alle 13 domeinen in, of laat hem helemaal leeg.",
        ),
        (True, {**FULL_ZRM, 4: 6}, "ZRM-domein 4: de score moet van 1 tot en met 5 lopen."),
        (True, {**FULL_ZRM, 4: 0}, "ZRM-domein 4: de score moet van 1 tot en met 5 lopen."),
    ],
)
def test_wrong_zrm_scores_are_refused(
    session: Session, world: World, uses_zrm: bool, zrm: dict[int, int], message: str
) -> None:
    trajectory = active(session, world)
    trajectory.uses_zrm = uses_zrm
    final = the(trajectory, K.EIND)
    with pytest.raises(DomainError) as refused:
        ev.submit_evaluation(
            session, final, world.aanbieder_a, good_input(trajectory, TODAY, zrm=zrm), TODAY
        )
    assert [(p.field, p.render()) for p in refused.value.problems] == [("zrm", message)]
    assert session.scalar(select(func.count()).select_from(ZrmScore)) == 0


# --- review ------------------------------------------------------------------------------------


def submitted(session: Session, world: World) -> tuple[Trajectory, Evaluation]:
    trajectory = active(session, world)
    final = the(trajectory, K.EIND)
    ev.submit_evaluation(session, final, world.aanbieder_a, good_input(trajectory, TODAY), TODAY)
    return trajectory, final


def test_the_gids_approves_an_evaluation_and_the_review_task_is_done(
    session: Session, world: World
) -> None:
    trajectory, evaluation = submitted(session, world)
    ev.review_evaluation(session, evaluation, world.gids, ReviewOutcome.AKKOORD, "  ", TODAY)
    assert evaluation.state == EvaluationState.BEOORDEELD
    assert (evaluation.review_outcome, evaluation.review_remark) == (ReviewOutcome.AKKOORD, None)
    assert evaluation.reviewed_by_id == world.gids.id
    session.expire_all()
    (review,) = tasks(session, trajectory, TaskKind.EVALUATIE_BEOORDELEN)
    assert review.done_at is not None
    assert trajectory.events[-1].action == "evaluatie_beoordeeld"


def test_discussing_an_evaluation_needs_a_remark(session: Session, world: World) -> None:
    trajectory, evaluation = submitted(session, world)
    assert refused_fields(
        lambda: ev.review_evaluation(
            session, evaluation, world.gids, ReviewOutcome.BESPREKEN, " ", TODAY
        )
    ) == ["remark"]
    assert evaluation.state == EvaluationState.INGEDIEND
    ev.review_evaluation(
        session, evaluation, world.gids, ReviewOutcome.BESPREKEN, "Doel 1 bijstellen", TODAY
    )
    assert evaluation.review_remark == "Doel 1 bijstellen"
    assert trajectory.events[-1].reason == "Doel 1 bijstellen"


def test_only_the_responsible_gids_reviews_and_only_once(session: Session, world: World) -> None:
    _, evaluation = submitted(session, world)
    for someone in (world.gids2, world.aanbieder_a):
        with pytest.raises(DomainError, match="geen recht"):
            ev.review_evaluation(session, evaluation, someone, ReviewOutcome.AKKOORD, None, TODAY)
    ev.review_evaluation(session, evaluation, world.gids, ReviewOutcome.AKKOORD, None, TODAY)
    with pytest.raises(DomainError, match="wacht niet op beoordeling"):
        ev.review_evaluation(session, evaluation, world.gids, ReviewOutcome.AKKOORD, None, TODAY)


def test_a_planned_evaluation_cannot_be_reviewed(session: Session, world: World) -> None:
    trajectory = active(session, world)
    with pytest.raises(DomainError, match="wacht niet op beoordeling"):
        ev.review_evaluation(
            session, the(trajectory, K.EIND), world.gids, ReviewOutcome.AKKOORD, None, TODAY
        )


# --- extra evaluations and overdue -------------------------------------------------------------


def test_the_provider_opens_an_extra_evaluation_when_the_need_changed(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    due = TODAY + timedelta(days=7)
    extra = ev.open_extra_evaluation(
        session, trajectory, world.aanbieder_a, " Mantelzorger valt weg ", due, TODAY
    )
    assert (extra.kind, extra.due_on, extra.reason) == (K.EXTRA, due, "Mantelzorger valt weg")
    assert extra in ev.planned(trajectory)
    assert trajectory.events[-1].action == "evaluatie_extra"


def test_the_gids_may_open_an_extra_evaluation_due_today(session: Session, world: World) -> None:
    trajectory = active(session, world)
    extra = ev.open_extra_evaluation(session, trajectory, world.gids, "Valpartij", TODAY, TODAY)
    assert extra.state == EvaluationState.GEPLAND


def test_an_extra_evaluation_needs_a_reason_and_a_date_not_in_the_past(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    assert refused_fields(
        lambda: ev.open_extra_evaluation(
            session, trajectory, world.gids, "", TODAY - timedelta(days=1), TODAY
        )
    ) == ["reason", "due_on"]


def test_an_extra_evaluation_is_only_for_the_parties_of_an_active_trajectory(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    with pytest.raises(NotFound):
        ev.open_extra_evaluation(session, trajectory, world.aanbieder_b, "X", TODAY, TODAY)
    with pytest.raises(DomainError, match="geen recht"):
        ev.open_extra_evaluation(session, trajectory, world.gids2, "X", TODAY, TODAY)
    accepted = make_trajectory(session, world, S.GEACCEPTEERD)
    with pytest.raises(DomainError, match="lopend traject"):
        ev.open_extra_evaluation(session, accepted, world.gids, "X", TODAY, TODAY)


def test_overdue_means_planned_and_past_its_due_date(session: Session, world: World) -> None:
    trajectory = active(session, world)
    final = the(trajectory, K.EIND)
    assert not ev.is_overdue(final, final.due_on)
    assert ev.is_overdue(final, final.due_on + timedelta(days=1))
    ev.submit_evaluation(session, final, world.aanbieder_a, good_input(trajectory, TODAY), TODAY)
    assert not ev.is_overdue(final, final.due_on + timedelta(days=1))


def test_every_state_and_kind_has_a_label() -> None:
    assert set(ev.EVALUATION_STATE_LABELS) == set(EvaluationState)
    assert set(ev.EVALUATION_KIND_LABELS) == set(EvaluationKind)


def test_closing_a_trajectory_removes_evaluations_never_held_and_finishes_its_tasks(
    session: Session, world: World
) -> None:
    trajectory = active(session, world, **jeugd(world))
    held = the(trajectory, K.REGULIER)
    ev.submit_evaluation(session, held, world.aanbieder_a, good_input(trajectory, TODAY), TODAY)
    final = the(trajectory, K.EIND)
    add_task(
        session,
        TaskKind.EVALUATIE_BINNENKORT,
        trajectory,
        provider_id=world.zorg_a.id,
        ref=final.id,
        due_on=final.due_on,
    )
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=TODAY,
        closure_category=ClosureCategory.A,
        end_reason_code="31",
        result_achieved=True,
        today=TODAY,
    )
    session.expire_all()
    assert [(e.kind, e.state) for e in trajectory.evaluations] == [
        (K.REGULIER, EvaluationState.INGEDIEND)
    ]
    assert (
        session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.trajectory_id == trajectory.id, Task.done_at.is_(None))
        )
        == 0
    )


def test_the_responsible_gids_switches_the_zrm_on_for_an_open_trajectory(
    session: Session, world: World
) -> None:
    trajectory = active(session, world)
    with pytest.raises(DomainError, match="geen recht"):
        ev.set_uses_zrm(session, trajectory, world.gids2, True)
    ev.set_uses_zrm(session, trajectory, world.gids, True)
    assert trajectory.uses_zrm is True
    assert (trajectory.events[-1].action, trajectory.events[-1].details) == (
        "zrm_gewijzigd",
        "gebruikt de ZRM",
    )
    closed = make_trajectory(session, world, S.AFGESLOTEN)
    with pytest.raises(DomainError, match="ligt vast"):
        ev.set_uses_zrm(session, closed, world.gids, True)
