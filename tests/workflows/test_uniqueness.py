"""Unique constraints speak Dutch (``workflows.uniqueness``): a record that another request
created a moment ago is refused with the message of the workflow's own check, at its field,
never as a database error — and every unique constraint of the schema is accounted for."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    Evaluation,
    EvaluationKind,
    EvaluationState,
    Resident,
    Trajectory,
    TrajectoryState,
    Wijk,
)
from workflows import evaluations as ev
from workflows.areas import add_wijk
from workflows.errors import DomainError
from workflows.residents import ResidentInput, add_resident
from workflows.uniqueness import (
    DUPLICATES,
    NOT_BY_PEOPLE,
    refusing_duplicates,
    unique_constraints,
    violated_constraint,
)

from ..factories import TODAY, World, make_trajectory


def test_every_unique_constraint_says_what_a_person_is_told_or_why_no_one_meets_it() -> None:
    """A new unique constraint must be added to DUPLICATES (with its Dutch message) or to
    NOT_BY_PEOPLE (with the reason no form can hit it); a stale entry fails too."""
    names = set(unique_constraints())
    assert set(DUPLICATES) | set(NOT_BY_PEOPLE) == names
    assert not set(DUPLICATES) & set(NOT_BY_PEOPLE)


def _duplicate_of(session: Session, resident: Resident) -> IntegrityError:
    nested = session.begin_nested()
    try:
        with pytest.raises(IntegrityError) as error:
            session.execute(
                insert(Resident).values(
                    bsn=resident.bsn,
                    given_name="Dubbel",
                    family_name="Ingevoerd",
                    birth_date=resident.birth_date,
                    household_id=resident.household_id,
                )
            )
        return error.value
    finally:
        nested.rollback()


def test_the_violated_constraint_is_named_on_this_database(session: Session, world: World) -> None:
    assert violated_constraint(_duplicate_of(session, world.adult)) == "uq_residents_bsn"


def test_a_partial_unique_index_is_named_on_this_database(session: Session, world: World) -> None:
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    ev.open_extra_evaluation(session, t, world.gids, "Verhuizing", date(2026, 12, 1), TODAY)
    nested = session.begin_nested()
    try:
        with pytest.raises(IntegrityError) as error:
            session.execute(
                insert(Evaluation).values(
                    trajectory_id=t.id,
                    kind=EvaluationKind.EXTRA,
                    due_on=date(2026, 12, 2),
                    reason="Nog een keer",
                    state=EvaluationState.GEPLAND,
                )
            )
    finally:
        nested.rollback()
    assert violated_constraint(error.value) == "uq_evaluations_open_extra"


def test_a_duplicate_becomes_the_checks_message_at_its_field_and_the_session_goes_on(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as error, refusing_duplicates(session):
        session.add(
            Resident(
                bsn=world.adult.bsn,
                given_name="Dubbel",
                family_name="Ingevoerd",
                birth_date=world.adult.birth_date,
                household_id=world.adult.household_id,
            )
        )
    problem = error.value.problems[0]
    assert (problem.message, problem.field) == ("Er is al een inwoner met dit BSN.", "bsn")
    # only the savepoint was rolled back: the session reads and writes on
    assert session.scalar(select(Resident.bsn).where(Resident.id == world.adult.id))
    session.add(Wijk(name="Swifterbant"))
    session.flush()


def test_other_integrity_errors_stay_errors(session: Session, world: World) -> None:
    """A broken rule that is not a duplicate is a bug, not something to tell a person."""
    with pytest.raises(IntegrityError), refusing_duplicates(session):
        session.add(Wijk(name=None))  # type: ignore[arg-type]


def test_a_resident_registered_a_moment_ago_is_refused_at_the_bsn(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request committed after this one's check: the constraint answers, with the
    check's own message (the check is skipped here to stand for that moment)."""
    data = ResidentInput(
        bsn=world.adult.bsn, given_name="Anna", family_name="Dubbel", birth_date=date(1950, 5, 5)
    )
    real_scalar = session.scalar

    def check_finds_nothing(statement, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if "residents.bsn" in str(statement) and "residents.id" in str(statement):
            return None
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(session, "scalar", check_finds_nothing)
    with pytest.raises(DomainError) as error:
        add_resident(session, data, world.gids, TODAY)
    assert [(p.message, p.field) for p in error.value.problems] == [
        ("Er is al een inwoner met dit BSN.", "bsn")
    ]


def test_an_extra_evaluation_planned_a_moment_ago_is_refused(
    session: Session, world: World
) -> None:
    """This request loaded the plan before the other planned its extra evaluation: the check
    sees none, the unique index refuses the second, with the same message."""
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    assert not ev.planned(t, EvaluationKind.EXTRA)  # the plan as this request loaded it
    session.execute(
        insert(Evaluation).values(
            trajectory_id=t.id,
            kind=EvaluationKind.EXTRA,
            due_on=date(2026, 12, 1),
            reason="De mantelzorger valt weg",
            state=EvaluationState.GEPLAND,
        )
    )  # what the other request committed meanwhile
    with pytest.raises(DomainError) as error:
        ev.open_extra_evaluation(session, t, world.aanbieder_a, "Ook", date(2026, 12, 3), TODAY)
    assert error.value.problems == [DUPLICATES["uq_evaluations_open_extra"]]


def test_one_open_extra_evaluation_at_a_time_and_a_new_one_once_it_is_held(
    session: Session, world: World
) -> None:
    t = make_trajectory(session, world, TrajectoryState.ACTIEF)
    first = ev.open_extra_evaluation(session, t, world.gids, "Verhuizing", date(2026, 11, 5), TODAY)
    with pytest.raises(DomainError) as error:
        ev.open_extra_evaluation(session, t, world.aanbieder_a, "Ook", date(2026, 12, 3), TODAY)
    assert "Er staat al een extra evaluatie gepland" in str(error.value)
    data = ev.EvaluationInput(
        held_on=TODAY,
        with_inwoner=True,
        with_gids=True,
        with_aanbieder=True,
        with_netwerk=False,
        summary="Besproken",
        need_changed=True,
        scores=[ev.ScoreInput(r.id, 0) for r in t.results],
    )
    ev.submit_evaluation(session, first, world.aanbieder_a, data, TODAY)
    second = ev.open_extra_evaluation(session, t, world.gids, "Weer", date(2026, 12, 3), TODAY)
    assert second.state == EvaluationState.GEPLAND
    session.expire_all()
    extra = [e for e in session.get(Trajectory, t.id).evaluations if e.kind == EvaluationKind.EXTRA]
    assert len(extra) == 2


def test_a_wijk_is_added_once(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as error:
        add_wijk(session, " Dronten ")
    assert error.value.problems == [DUPLICATES["uq_wijken_name"]]
    assert add_wijk(session, "Biddinghuizen").name == "Biddinghuizen"
