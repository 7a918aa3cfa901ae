# ruff: noqa: E501 - CSV records read best unbroken
"""Dates and references that must not get through (``workflows.eligibility``), each tried by
the route an attacker or a tired user would take: a concept sent long after its planned start,
a provider whose contract ended, a start in 2099, requests from 1900, before birth or for Jeugd
at 76, an evaluation after the planned end, and history rows for a 23-year-old, with a start
before the decision or under an ended contract."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    Domain,
    EvaluationKind,
    Intensity,
    Resident,
    Trajectory,
    TrajectoryState,
)
from workflows import trajectories as wf
from workflows.aanmeldingen import register_aanmelding
from workflows.errors import DomainError
from workflows.evaluations import open_extra_evaluation
from workflows.stats.history import apply_import

from ..factories import TODAY, World, make_trajectory
from .history_csv import JEUGD, check_rows, history_row

S = TrajectoryState


def only_problem(refused: pytest.ExceptionInfo[DomainError]) -> tuple[str | None, str]:
    (problem,) = refused.value.problems
    return problem.field, problem.render()


# --- sending a concept (the decision) -----------------------------------------------------------


def test_a_concept_whose_planned_start_has_passed_cannot_be_sent(
    session: Session, world: World
) -> None:
    concept = make_trajectory(session, world)  # planned 2026-11-09 … 2027-05-09
    with pytest.raises(DomainError) as refused:
        wf.propose(session, concept, world.gids, date(2027, 6, 1))
    field, message = only_problem(refused)
    assert field == "planned_start"
    assert "De geplande startdatum ligt in het verleden" in message
    assert (concept.state, concept.decision_date) == (S.CONCEPT, None)


def test_a_concept_sent_a_day_after_its_planned_start_is_refused_too(
    session: Session, world: World
) -> None:
    concept = make_trajectory(session, world)
    with pytest.raises(DomainError):
        wf.propose(session, concept, world.gids, date(2026, 11, 10))
    wf.propose(session, concept, world.gids, date(2026, 11, 9))  # on the day itself: fine
    assert concept.decision_date == concept.planned_start
    assert concept.decision_end is not None and concept.decision_end >= concept.decision_date


def test_a_returned_trajectory_sent_again_after_its_start_must_get_a_new_start(
    session: Session, world: World
) -> None:
    returned = make_trajectory(session, world, S.TERUGGESTUURD)
    with pytest.raises(DomainError) as refused:
        wf.propose(session, returned, world.gids, date(2026, 12, 1))
    assert only_problem(refused)[0] == "planned_start"
    assert returned.state == S.TERUGGESTUURD


def test_a_concept_with_a_provider_whose_contract_has_since_ended_cannot_be_sent(
    session: Session, world: World
) -> None:
    # Zorg D's contract for household help ended on 2020-12-31.
    concept = make_trajectory(
        session,
        world,
        today=date(2020, 12, 1),
        profile_id=world.hh.id,
        intensity=Intensity.LAAG,
        provider_id=world.zorg_d.id,
        planned_start=date(2020, 12, 14),
    )
    with pytest.raises(DomainError):
        wf.propose(session, concept, world.gids, date(2021, 1, 5))
    assert (concept.state, concept.decision_date) == (S.CONCEPT, None)


def test_a_stale_version_still_conflicts_before_any_date_rule(
    session: Session, world: World
) -> None:
    from workflows.errors import VersionConflict

    concept = make_trajectory(session, world)
    with pytest.raises(VersionConflict):
        wf.propose(session, concept, world.gids, date(2027, 6, 1), concept.version + 1)


# --- the horizon --------------------------------------------------------------------------------


def test_a_planned_start_in_2099_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        make_trajectory(session, world, planned_start=date(2099, 1, 1))
    field, message = only_problem(refused)
    assert field == "planned_start"
    assert "meer dan 12 maanden vooruit (na 02-11-2027)" in message


def test_the_horizon_is_twelve_months_to_the_day(session: Session, world: World) -> None:
    assert make_trajectory(session, world, planned_start=date(2027, 11, 2)).planned_start == date(
        2027, 11, 2
    )
    with pytest.raises(DomainError):
        make_trajectory(session, world, planned_start=date(2027, 11, 3))


def test_a_concept_cannot_be_saved_with_a_start_before_today(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        make_trajectory(session, world, planned_start=TODAY - timedelta(days=1))
    assert only_problem(refused)[0] == "planned_start"


def test_an_edit_applies_the_same_rule(session: Session, world: World) -> None:
    from ..factories import trajectory_input

    concept = make_trajectory(session, world)
    with pytest.raises(DomainError) as refused:
        wf.update_trajectory(
            session,
            concept,
            trajectory_input(world, planned_start=date(2099, 1, 1)),
            world.gids,
            today=TODAY,
        )
    assert only_problem(refused)[0] == "planned_start"
    assert concept.planned_start == date(2026, 11, 9)


# --- requests -----------------------------------------------------------------------------------


def register(
    session: Session, world: World, resident: Resident | None = None, **overrides: object
) -> Aanmelding:
    values: dict[str, object] = {
        "request_date": TODAY,
        "domain": Domain.WMO,
        "question": "Hulp bij de administratie",
        "today": TODAY,
        **overrides,
    }
    return register_aanmelding(session, resident or world.adult, world.gids, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("request_date", "message"),
    [
        (date(1900, 1, 1), "vóór de geboortedatum van de inwoner (05-05-1950)"),
        (date(1950, 5, 4), "vóór de geboortedatum"),
        (date(2025, 11, 1), "meer dan 12 maanden terug (vóór 02-11-2025)"),
    ],
)
def test_a_request_dated_before_birth_or_long_ago_is_refused(
    session: Session, world: World, request_date: date, message: str
) -> None:
    with pytest.raises(DomainError) as refused:
        register(session, world, request_date=request_date)
    field, text = only_problem(refused)
    assert field == "request_date" and message in text
    assert session.scalar(select(func.count()).select_from(Aanmelding)) == 0


def test_a_request_twelve_months_back_is_still_accepted(session: Session, world: World) -> None:
    assert register(session, world, request_date=date(2025, 11, 2)).request_date == date(
        2025, 11, 2
    )


def test_a_jeugd_request_for_a_76_year_old_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        register(session, world, domain=Domain.JEUGD)
    field, message = only_problem(refused)
    assert field == "request_date"
    assert "18 jaar of ouder; de Jeugdwet is dan niet van toepassing" in message


def test_a_jeugd_request_the_day_before_the_18th_birthday_is_accepted(
    session: Session, world: World
) -> None:
    # Bram, born 29-02-2012, turns 18 on 01-03-2030.
    day = date(2030, 2, 28)
    accepted = register(
        session, world, resident=world.child, domain=Domain.JEUGD, request_date=day, today=day
    )
    assert accepted.request_date == day
    with pytest.raises(DomainError):
        register(
            session,
            world,
            resident=world.child,
            domain=Domain.JEUGD,
            request_date=date(2030, 3, 1),
            today=date(2030, 3, 1),
        )


# --- extra evaluations --------------------------------------------------------------------------


def test_an_extra_evaluation_after_the_planned_end_is_refused(
    session: Session, world: World
) -> None:
    running = make_trajectory(session, world, S.ACTIEF)  # planned end 2027-05-09
    for side in (world.gids, world.aanbieder_a):
        with pytest.raises(DomainError) as refused:
            open_extra_evaluation(session, running, side, "Valpartij", date(2035, 1, 1), TODAY)
        field, message = only_problem(refused)
        assert field == "due_on" and "na de geplande einddatum (09-05-2027)" in message
    assert [e for e in running.evaluations if e.kind == EvaluationKind.EXTRA] == []
    on_the_end = open_extra_evaluation(
        session, running, world.gids, "Valpartij", date(2027, 5, 9), TODAY
    )
    assert on_the_end.due_on == date(2027, 5, 9)


def test_past_the_planned_end_an_extra_evaluation_is_due_within_thirty_days(
    session: Session, world: World
) -> None:
    running = make_trajectory(session, world, S.ACTIEF)
    late = date(2027, 6, 1)  # termijn verstreken: care goes on (R4)
    with pytest.raises(DomainError) as refused:
        open_extra_evaluation(session, running, world.gids, "Terugval", date(2027, 7, 2), late)
    assert "uiterlijk 01-07-2027" in only_problem(refused)[1]
    kept = open_extra_evaluation(session, running, world.gids, "Terugval", date(2027, 7, 1), late)
    assert kept.due_on == date(2027, 7, 1)


# --- the history import -------------------------------------------------------------------------


HOUSEHOLD_HELP = {"productcategorie": "01", "profiel": "WMO-HH", "intensiteit": "laag"}
ZORG_D = "44332211"  # main contractor for household help until 2020-12-31


def columns(result) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [p.column for p in result.problems]


def test_the_reference_row_is_accepted(session: Session, world: World) -> None:
    result = check_rows(
        session,
        history_row(),
        history_row(import_id="H-2", **JEUGD, bsn="123456782", geboortedatum="2012-02-29"),
    )
    assert result.ok, [p.render() for p in result.problems]


def test_a_jeugd_trajectory_for_a_23_year_old_is_refused(session: Session, world: World) -> None:
    # Born 2000-03-01: 23 on every date of the row.
    result = check_rows(session, history_row(**JEUGD, bsn="100000009", geboortedatum="2000-03-01",
                                         aanmelddatum="2023-04-03", besluitdatum="2023-04-17",
                                         startdatum="2023-05-01", geplande_einddatum="2023-10-31",
                                         einddatum="2023-10-30"))  # fmt: skip
    assert not result.ok and result.rows == []
    (problem,) = result.problems
    assert (problem.line, problem.column) == (2, "aanmelddatum")
    assert "18 jaar of ouder" in problem.render()
    assert "100000009" not in problem.render()


def test_a_jeugd_request_for_a_76_year_old_is_refused_in_the_import_too(
    session: Session, world: World
) -> None:
    assert columns(check_rows(session, history_row(**JEUGD))) == ["aanmelddatum"]


def test_history_keeps_verlengde_jeugdhulp_that_began_before_18_until_23(
    session: Session, world: World
) -> None:
    # Born 2001-01-15: 18 on 2019-01-15, 23 on 2024-01-15.
    young = {**JEUGD, "bsn": "100000009", "geboortedatum": "2001-01-15",
             "aanmelddatum": "2018-12-03", "besluitdatum": "2018-12-17", "startdatum": "2019-01-07"}  # fmt: skip
    kept = check_rows(
        session, history_row(**young, geplande_einddatum="2019-12-31", einddatum="2019-12-30")
    )
    assert kept.ok, [p.render() for p in kept.problems]
    too_long = check_rows(
        session, history_row(**young, geplande_einddatum="2024-01-15", einddatum="2024-01-14")
    )
    assert columns(too_long) == ["geplande_einddatum"]
    late = {"aanmelddatum": "", "besluitdatum": "2019-01-15", "startdatum": "2019-01-21"}
    started_late = check_rows(session, history_row(**{**young, **late}))
    assert columns(started_late) == ["besluitdatum"]


def test_a_start_before_the_decision_is_refused(session: Session, world: World) -> None:
    result = check_rows(session, history_row(startdatum="2021-01-17"))
    (problem,) = result.problems
    assert problem.column == "startdatum"
    assert problem.render() == "De zorg kan niet starten vóór de besluitdatum (18-01-2021)."


@pytest.mark.parametrize(
    ("dates", "column"),
    [
        ({"aanmelddatum": "1900-01-01"}, "aanmelddatum"),
        ({"aanmelddatum": "1950-05-04"}, "aanmelddatum"),
    ],
)
def test_a_request_before_birth_is_refused(
    session: Session, world: World, dates: dict[str, str], column: str
) -> None:
    assert columns(check_rows(session, history_row(**dates))) == [column]


def test_a_provider_whose_contract_had_ended_at_the_start_is_refused(
    session: Session, world: World
) -> None:
    result = check_rows(session, history_row(**HOUSEHOLD_HELP, aanbieder=ZORG_D))
    (problem,) = result.problems
    assert problem.column == "aanbieder"
    assert "01-02-2021" in problem.render()
    waiting = check_rows(session, history_row(**HOUSEHOLD_HELP, aanbieder=ZORG_D, startdatum="",
                                         einddatum="", resultaat_behaald="", afsluitcategorie="",
                                         reden_beeindiging=""))  # fmt: skip
    assert columns(waiting) == ["aanbieder"]  # checked at the decision date


def test_a_contract_that_ended_since_does_not_matter(session: Session, world: World) -> None:
    earlier = {"aanmelddatum": "2020-04-01", "besluitdatum": "2020-05-01", "startdatum": "2020-06-01",
               "geplande_einddatum": "2021-05-31", "einddatum": "2021-05-31"}  # fmt: skip
    result = check_rows(session, history_row(**HOUSEHOLD_HELP, **earlier, aanbieder=ZORG_D))
    assert result.ok, [p.render() for p in result.problems]


def test_a_subcontractor_was_never_the_main_provider(session: Session, world: World) -> None:
    young = {**JEUGD, "bsn": "123456782", "geboortedatum": "2012-02-29"}
    assert columns(check_rows(session, history_row(**young, aanbieder="11223344"))) == ["aanbieder"]


def test_providers_the_catalogue_holds_no_contracts_for_are_not_checked(
    session: Session, world: World
) -> None:
    new = history_row(aanbieder="99999999")
    result = check_rows(session, new, create_missing=True)
    assert result.ok, [p.render() for p in result.problems]
    apply_import(session, result, world.gids, TODAY, by=world.beheerder)
    again = check_rows(session, new, create_missing=True)
    assert again.ok, [p.render() for p in again.problems]
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 1
