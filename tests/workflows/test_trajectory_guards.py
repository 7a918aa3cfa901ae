"""The guards on trajectory input and on each step: results, intensity, tariff and price,
planned dates, contracts, the Jeugd 18-year rule, requests, care start and closure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    AanmeldingOutcome,
    AgreedResult,
    ClosureCategory,
    Domain,
    Intensity,
    ProfileIntensity,
    Trajectory,
    TrajectoryState,
)
from workflows import trajectories as wf
from workflows.aanmeldingen import register_aanmelding
from workflows.catalogue import set_allowed_intensities, tariff_on
from workflows.errors import DomainError, NotFound
from workflows.trajectories import ResultInput

from ..factories import TODAY, World, make_trajectory, trajectory_input

S = TrajectoryState
L, M, Z = Intensity.LAAG, Intensity.MIDDEL, Intensity.ZWAAR


def made_on(overrides: dict[str, object]) -> date:
    """The day a test's concept is made: TODAY, or the day of its planned start when the test
    names one (tariff and contract versions of 2019–2020 and birthdays years ahead are tried
    with concepts made on that day; the date rules themselves are in test_eligibility.py)."""
    start = overrides.get("planned_start")
    return start if isinstance(start, date) else TODAY


def refused_fields(session: Session, world: World, **overrides: object) -> list[str | None]:
    """Create a trajectory that must be refused; the fields of every problem, in order."""
    with pytest.raises(DomainError) as refused:
        wf.create_trajectory(
            session, trajectory_input(world, **overrides), world.gids, today=made_on(overrides)
        )
    assert session.scalar(select(func.count()).select_from(Trajectory)) == 0
    return [p.field for p in refused.value.problems]


def create(session: Session, world: World, **overrides: object) -> Trajectory:
    return wf.create_trajectory(
        session, trajectory_input(world, **overrides), world.gids, today=made_on(overrides)
    )


def jeugd(world: World, **overrides: object) -> dict[str, object]:
    """Overrides for a Jeugd ambulant (laag, 13 weeks) trajectory for Bram, born 29-02-2012."""
    return {
        "resident_id": world.child.id,
        "profile_id": world.amb.id,
        "intensity": L,
        **overrides,
    }


def accepted_on(session: Session, world: World, decided: date, **overrides: object) -> Trajectory:
    """A trajectory sent to the provider (decision date ``decided``) and accepted."""
    trajectory = create(session, world, **overrides)
    wf.propose(session, trajectory, world.gids, decided)
    wf.accept(session, trajectory, world.aanbieder_a)
    return trajectory


def started_on(session: Session, world: World, care_start: date) -> Trajectory:
    """An active Wmo trajectory whose care started on ``care_start`` (before TODAY)."""
    trajectory = accepted_on(session, world, care_start, planned_start=care_start)
    wf.start_care(session, trajectory, world.aanbieder_a, care_start, TODAY)
    return trajectory


# --- agreed results ---------------------------------------------------------------------------


def test_a_trajectory_needs_at_least_one_agreed_result(session: Session, world: World) -> None:
    assert refused_fields(session, world, results=[]) == ["results"]


def test_only_blank_result_descriptions_count_as_no_result(session: Session, world: World) -> None:
    blank = [ResultInput(""), ResultInput("   \n", measure="Wekelijks")]
    assert refused_fields(session, world, results=blank) == ["results"]


def test_blank_results_are_skipped_and_the_rest_is_stored_trimmed(
    session: Session, world: World
) -> None:
    results = [
        ResultInput("  "),
        ResultInput("  Anna kookt zelf  ", measure="  ", gas_zero=" Drie keer per week "),
        ResultInput("Anna betaalt haar rekeningen op tijd"),
    ]
    trajectory = create(session, world, results=results)
    stored = session.scalars(
        select(AgreedResult)
        .where(AgreedResult.trajectory_id == trajectory.id)
        .order_by(AgreedResult.position)
    ).all()
    assert [(r.position, r.description) for r in stored] == [
        (0, "Anna kookt zelf"),
        (1, "Anna betaalt haar rekeningen op tijd"),
    ]
    assert stored[0].measure is None
    assert stored[0].gas_zero == "Drie keer per week"


# --- intensity --------------------------------------------------------------------------------


def test_household_help_rejects_intensity_middel(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        create(session, world, profile_id=world.hh.id, intensity=M)
    assert [p.field for p in refused.value.problems] == ["intensity"]
    assert str(refused.value) == (
        "Intensiteit Middel is niet toegestaan voor profiel Hulp bij het huishouden."
    )


def test_household_help_rejects_middel_even_if_the_catalogue_lists_it(
    session: Session, world: World
) -> None:
    world.hh.intensities.append(ProfileIntensity(intensity=M))
    session.flush()
    assert M in world.hh.allowed_intensities
    assert refused_fields(session, world, profile_id=world.hh.id, intensity=M) == ["intensity"]


@pytest.mark.parametrize(
    ("intensity", "price", "weeks"), [(L, Decimal("1300.00"), 52), (Z, Decimal("2600.00"), 26)]
)
def test_household_help_accepts_laag_and_zwaar(
    session: Session, world: World, intensity: Intensity, price: Decimal, weeks: int
) -> None:
    trajectory = create(session, world, profile_id=world.hh.id, intensity=intensity)
    assert trajectory.price == price
    assert trajectory.planned_end == date(2026, 11, 9) + timedelta(weeks=weeks, days=-1)


def test_an_intensity_the_profile_does_not_allow_is_refused(session: Session, world: World) -> None:
    set_allowed_intensities(session, world.bg, [L, Z])
    assert refused_fields(session, world, intensity=M) == ["intensity"]


def test_an_inactive_profile_is_refused(session: Session, world: World) -> None:
    world.bg.active = False
    session.flush()
    assert refused_fields(session, world) == ["profile_id"]


def test_an_unknown_resident_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(NotFound, match="Inwoner niet gevonden."):
        create(session, world, resident_id=987654)


# --- tariff and price -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("planned_start", "price", "tariff_from"),
    [
        (date(2019, 1, 1), Decimal("3500.00"), date(2019, 1, 1)),
        (date(2020, 6, 15), Decimal("3500.00"), date(2019, 1, 1)),
        (date(2020, 12, 31), Decimal("3500.00"), date(2019, 1, 1)),
        (date(2021, 1, 1), Decimal("3800.00"), date(2021, 1, 1)),
        (date(2026, 11, 9), Decimal("3800.00"), date(2021, 1, 1)),
    ],
)
def test_price_defaults_to_the_tariff_valid_on_the_planned_start(
    session: Session, world: World, planned_start: date, price: Decimal, tariff_from: date
) -> None:
    trajectory = create(session, world, planned_start=planned_start)
    assert trajectory.price == price
    assert trajectory.price_reason is None
    assert trajectory.tariff is not None
    assert trajectory.tariff.valid_from == tariff_from
    assert trajectory.tariff == tariff_on(session, world.bg.id, M, planned_start)


@pytest.mark.parametrize(
    ("planned_start", "planned_end"),
    [(date(2020, 12, 31), date(2021, 6, 30)), (date(2021, 1, 1), date(2021, 12, 30))],
)
def test_household_help_laag_takes_the_duration_valid_on_the_planned_start(
    session: Session, world: World, planned_start: date, planned_end: date
) -> None:
    """The 2021 version of household help Laag lasts 52 weeks instead of 26 (R5)."""
    trajectory = create(
        session, world, profile_id=world.hh.id, intensity=L, planned_start=planned_start
    )
    assert trajectory.planned_end == planned_end


def test_there_is_no_tariff_before_2019(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        create(session, world, planned_start=date(2018, 12, 31))
    problems = {p.field: p.render() for p in refused.value.problems}
    assert problems["planned_start"] == (
        "Er is geen tarief voor dit profiel en deze intensiteit op 31-12-2018."
    )


def test_a_price_that_differs_from_the_tariff_needs_a_reason(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        create(session, world, price=Decimal("3000.00"))
    assert [p.field for p in refused.value.problems] == ["price_reason"]
    assert (
        str(refused.value) == "Een prijs die afwijkt van het tarief (€ 3800,00) vraagt een reden."
    )


def test_a_blank_reason_is_no_reason(session: Session, world: World) -> None:
    fields = refused_fields(session, world, price=Decimal("3000.00"), price_reason="  \n ")
    assert fields == ["price_reason"]


def test_a_different_price_with_a_reason_is_kept(session: Session, world: World) -> None:
    trajectory = create(
        session, world, price=Decimal("3000.00"), price_reason="  Korter traject afgesproken  "
    )
    assert trajectory.price == Decimal("3000.00")
    assert trajectory.price_reason == "Korter traject afgesproken"
    assert trajectory.tariff is not None
    assert trajectory.tariff.price == Decimal("3800.00")


def test_a_reason_for_a_price_equal_to_the_tariff_is_dropped(
    session: Session, world: World
) -> None:
    trajectory = create(session, world, price=Decimal("3800"), price_reason="Zoals afgesproken")
    assert trajectory.price == Decimal("3800.00")
    assert trajectory.price_reason is None


def test_a_negative_price_is_refused(session: Session, world: World) -> None:
    fields = refused_fields(session, world, price=Decimal("-1.00"), price_reason="Korting")
    assert fields == ["price"]


def test_a_price_of_zero_with_a_reason_is_allowed(session: Session, world: World) -> None:
    trajectory = create(session, world, price=Decimal("0"), price_reason="Proefplaatsing")
    assert trajectory.price == Decimal("0")


# --- planned dates ----------------------------------------------------------------------------


def test_planned_end_defaults_to_the_standard_duration_in_whole_weeks(
    session: Session, world: World
) -> None:
    trajectory = create(session, world)  # Monday 9 November 2026, 26 weeks
    assert trajectory.planned_start.isoweekday() == 1
    assert trajectory.planned_end == date(2027, 5, 9)
    assert trajectory.planned_end.isoweekday() == 7


def test_an_explicit_planned_end_is_kept(session: Session, world: World) -> None:
    trajectory = create(session, world, planned_end=date(2027, 1, 31))
    assert trajectory.planned_end == date(2027, 1, 31)


def test_planned_end_before_planned_start_is_refused(session: Session, world: World) -> None:
    assert refused_fields(session, world, planned_end=date(2026, 11, 8)) == ["planned_end"]


def test_planned_end_on_the_planned_start_is_allowed(session: Session, world: World) -> None:
    trajectory = create(session, world, planned_end=date(2026, 11, 9))
    assert trajectory.planned_end == trajectory.planned_start


def test_a_planned_start_in_the_past_is_allowed(session: Session, world: World) -> None:
    trajectory = create(session, world, planned_start=date(2020, 3, 2))
    assert trajectory.planned_end == date(2020, 8, 30)


# --- contracts --------------------------------------------------------------------------------


def test_a_provider_without_a_contract_for_the_profile_is_refused(
    session: Session, world: World
) -> None:
    fields = refused_fields(
        session, world, profile_id=world.hh.id, intensity=L, provider_id=world.zorg_b.id
    )
    assert fields == ["provider_id"]


@pytest.mark.parametrize(
    ("planned_start", "allowed"),
    [(date(2019, 1, 1), True), (date(2020, 12, 31), True), (date(2021, 1, 1), False)],
)
def test_a_provider_whose_contract_ended_is_refused_from_the_next_day(
    session: Session, world: World, planned_start: date, allowed: bool
) -> None:
    overrides: dict[str, object] = {
        "profile_id": world.hh.id,
        "intensity": L,
        "provider_id": world.zorg_d.id,
        "planned_start": planned_start,
    }
    if allowed:
        assert create(session, world, **overrides).provider is world.zorg_d
    else:
        assert refused_fields(session, world, **overrides) == ["provider_id"]


def test_a_subcontractor_cannot_be_the_main_contractor(session: Session, world: World) -> None:
    fields = refused_fields(session, world, **jeugd(world, provider_id=world.zorg_c.id))
    assert fields == ["provider_id"]


def test_an_inactive_provider_is_refused(session: Session, world: World) -> None:
    """contracted_providers() hides inactive providers; the guard agrees with the list."""
    world.zorg_b.active = False
    session.flush()
    assert refused_fields(session, world, provider_id=world.zorg_b.id) == ["provider_id"]


def test_the_subcontractor_must_differ_from_the_main_contractor(
    session: Session, world: World
) -> None:
    fields = refused_fields(session, world, **jeugd(world, subcontractor_id=world.zorg_a.id))
    assert fields == ["subcontractor_id"]


def test_a_subcontractor_without_a_contract_for_the_profile_is_refused(
    session: Session, world: World
) -> None:
    fields = refused_fields(session, world, **jeugd(world, subcontractor_id=world.zorg_b.id))
    assert fields == ["subcontractor_id"]


def test_a_contracted_subcontractor_is_stored(session: Session, world: World) -> None:
    trajectory = create(session, world, **jeugd(world, subcontractor_id=world.zorg_c.id))
    assert trajectory.provider is world.zorg_a
    assert trajectory.subcontractor is world.zorg_c


# --- decisions: Jeugd and the 18-year rule; Wmo -----------------------------------------------


def test_a_jeugd_decision_ends_the_day_before_the_18th_birthday(
    session: Session, world: World
) -> None:
    """Bram is born 29-02-2012; 2030 is a common year, so he turns 18 on 1 March 2030."""
    trajectory = create(session, world, **jeugd(world))
    assert trajectory.domain == Domain.JEUGD
    assert trajectory.decision_end == date(2030, 2, 28)
    assert trajectory.planned_end == date(2027, 2, 7)  # 13 weeks, well before the decision end


def test_the_default_jeugd_planned_end_is_capped_at_the_decision_end(
    session: Session, world: World
) -> None:
    trajectory = create(session, world, **jeugd(world, planned_start=date(2030, 1, 7)))
    assert trajectory.planned_end == date(2030, 2, 28)  # not 2030-04-07


def test_a_jeugd_trajectory_may_start_on_the_last_day_before_the_18th_birthday(
    session: Session, world: World
) -> None:
    trajectory = create(session, world, **jeugd(world, planned_start=date(2030, 2, 28)))
    assert trajectory.planned_end == trajectory.decision_end == date(2030, 2, 28)


def test_a_jeugd_trajectory_cannot_start_on_the_18th_birthday(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        create(session, world, **jeugd(world, planned_start=date(2030, 3, 1)))
    assert [p.field for p in refused.value.problems] == ["planned_start"]
    assert "18 jaar of ouder" in str(refused.value)


def test_a_jeugd_profile_is_refused_for_an_adult(session: Session, world: World) -> None:
    overrides = jeugd(world, resident_id=world.adult.id)
    assert refused_fields(session, world, **overrides) == ["planned_start"]


def test_an_explicit_jeugd_planned_end_after_the_decision_end_is_refused(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        create(session, world, **jeugd(world, planned_end=date(2030, 3, 1)))
    assert [p.field for p in refused.value.problems] == ["planned_end"]
    assert "(28-02-2030, de dag vóór de 18e verjaardag)" in str(refused.value)


def test_an_explicit_jeugd_planned_end_on_the_decision_end_is_allowed(
    session: Session, world: World
) -> None:
    trajectory = create(session, world, **jeugd(world, planned_end=date(2030, 2, 28)))
    assert trajectory.planned_end == date(2030, 2, 28)


def test_a_wmo_decision_ends_with_the_planned_end(session: Session, world: World) -> None:
    trajectory = create(session, world, planned_end=date(2027, 3, 31))
    assert trajectory.domain == Domain.WMO
    assert trajectory.decision_end == trajectory.planned_end == date(2027, 3, 31)


def test_a_wmo_trajectory_for_a_child_has_no_18_year_limit(session: Session, world: World) -> None:
    trajectory = create(session, world, resident_id=world.child.id, planned_start=date(2030, 3, 4))
    assert trajectory.decision_end == trajectory.planned_end


def test_every_problem_is_reported_at_once(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        create(
            session,
            world,
            profile_id=world.hh.id,
            intensity=M,
            provider_id=world.zorg_b.id,
            planned_end=date(2026, 11, 1),
            results=[ResultInput(" ")],
        )
    fields = [p.field for p in refused.value.problems]
    assert fields == ["intensity", "planned_end", "provider_id", "results"]
    assert str(refused.value).count("; ") == 3


# --- requests ---------------------------------------------------------------------------------


def test_a_request_of_another_resident_is_refused(session: Session, world: World) -> None:
    aanmelding = register_aanmelding(
        session,
        world.child,
        world.gids,
        request_date=date(2026, 10, 1),
        domain=Domain.WMO,
        question="Hulp thuis",
        today=TODAY,
    )
    with pytest.raises(DomainError, match="Deze aanmelding hoort niet bij deze inwoner."):
        create(session, world, request_id=aanmelding.id)


def test_a_request_of_the_other_domain_is_refused(session: Session, world: World) -> None:
    aanmelding = register_aanmelding(
        session,
        world.child,
        world.gids,
        request_date=date(2026, 10, 1),
        domain=Domain.WMO,
        question="Hulp bij de administratie",
        today=TODAY,
    )
    fields = refused_fields(
        session,
        world,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        request_id=aanmelding.id,
    )
    assert fields == ["profile_id"]


# --- update -----------------------------------------------------------------------------------


def test_an_update_records_the_changed_fields_in_the_event(session: Session, world: World) -> None:
    trajectory = create(session, world)
    wf.update_trajectory(
        session, trajectory, trajectory_input(world, intensity=L), world.gids, today=TODAY
    )
    event = trajectory.events[-1]
    assert (event.action, event.old_state, event.new_state) == ("wijzigen", S.CONCEPT, S.CONCEPT)
    assert event.details is not None
    assert "intensity: middel → laag" in event.details
    assert "price: 3800.00 → 2200.00" in event.details
    assert "planned_end" not in event.details  # 26 weeks either way
    assert trajectory.intensity == L
    assert trajectory.price == Decimal("2200.00")


def test_an_update_records_fields_that_were_empty_before(session: Session, world: World) -> None:
    trajectory = create(session, world, **jeugd(world))
    new = trajectory_input(
        world,
        **jeugd(world, subcontractor_id=world.zorg_c.id),
        price=Decimal("2900.00"),
        price_reason="Kortere inzet",
    )
    wf.update_trajectory(session, trajectory, new, world.gids, today=TODAY)
    details = trajectory.events[-1].details or ""
    assert f"subcontractor_id: None → {world.zorg_c.id}" in details
    assert "price_reason: None → Kortere inzet" in details
    assert "price: 3100.00 → 2900.00" in details


def test_an_update_of_the_results_says_so(session: Session, world: World) -> None:
    trajectory = create(session, world)
    new = trajectory_input(world, results=[ResultInput("Anna gaat zelf boodschappen doen")])
    wf.update_trajectory(session, trajectory, new, world.gids, today=TODAY)
    assert trajectory.events[-1].details == "resultaten gewijzigd"
    assert [r.description for r in trajectory.results] == ["Anna gaat zelf boodschappen doen"]


def test_an_update_without_changes_records_an_event_without_details(
    session: Session, world: World
) -> None:
    trajectory = create(session, world)
    wf.update_trajectory(session, trajectory, trajectory_input(world), world.gids, today=TODAY)
    assert [e.action for e in trajectory.events] == ["aangemaakt", "wijzigen"]
    assert trajectory.events[-1].details is None


def test_a_trajectory_cannot_move_to_another_resident(session: Session, world: World) -> None:
    trajectory = create(session, world)
    with pytest.raises(DomainError, match="niet naar een andere inwoner"):
        wf.update_trajectory(
            session,
            trajectory,
            trajectory_input(world, resident_id=world.child.id),
            world.gids,
            today=TODAY,
        )
    assert trajectory.resident is world.adult
    assert len(trajectory.events) == 1


def test_an_update_checks_the_same_guards_and_changes_nothing_when_refused(
    session: Session, world: World
) -> None:
    trajectory = create(session, world)
    bad = trajectory_input(world, provider_id=world.zorg_d.id)
    with pytest.raises(DomainError):
        wf.update_trajectory(session, trajectory, bad, world.gids, today=TODAY)
    assert trajectory.provider is world.zorg_a
    assert len(trajectory.events) == 1


def test_a_returned_trajectory_can_be_edited_and_sent_again(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.TERUGGESTUURD)
    new = trajectory_input(world, provider_id=world.zorg_b.id)
    wf.update_trajectory(session, trajectory, new, world.gids, today=TODAY)
    assert trajectory.state == S.TERUGGESTUURD
    wf.propose(session, trajectory, world.gids, TODAY + timedelta(days=3))
    assert trajectory.state == S.VOORGESTELD
    assert trajectory.provider is world.zorg_b
    assert trajectory.decision_date == TODAY + timedelta(days=3)


# --- propose ----------------------------------------------------------------------------------


def test_propose_sets_the_decision_date_and_grants_the_linked_request(
    session: Session, world: World
) -> None:
    aanmelding = register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=date(2026, 10, 20),
        domain=Domain.WMO,
        question="Hulp bij de administratie",
        today=TODAY,
    )
    trajectory = create(session, world, request_id=aanmelding.id)
    assert aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING

    wf.propose(session, trajectory, world.gids, TODAY)

    assert trajectory.decision_date == TODAY
    assert aanmelding.outcome == AanmeldingOutcome.TOEGEKEND
    assert aanmelding.decided_on == TODAY


def test_propose_without_a_request_only_sets_the_decision_date(
    session: Session, world: World
) -> None:
    trajectory = create(session, world)
    wf.propose(session, trajectory, world.gids, TODAY)
    assert trajectory.decision_date == TODAY
    assert trajectory.aanmelding is None


def test_propose_refuses_a_request_dated_after_the_decision(session: Session, world: World) -> None:
    aanmelding = register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=TODAY,
        domain=Domain.WMO,
        question="Hulp bij de administratie",
        today=TODAY,
    )
    trajectory = create(session, world, request_id=aanmelding.id)
    with pytest.raises(DomainError, match="De aanmelddatum ligt na vandaag."):
        wf.propose(session, trajectory, world.gids, TODAY - timedelta(days=1))
    assert trajectory.state == S.CONCEPT
    assert trajectory.decision_date is None
    assert aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING


def test_propose_checks_the_contract_again(session: Session, world: World) -> None:
    trajectory = create(session, world, provider_id=world.zorg_b.id)
    world.zorg_b.contracts[0].valid_to = date(2026, 10, 31)
    session.flush()
    with pytest.raises(DomainError) as refused:
        wf.propose(session, trajectory, world.gids, TODAY)
    assert [p.field for p in refused.value.problems] == ["provider_id"]
    assert trajectory.state == S.CONCEPT
    assert trajectory.decision_date is None


def test_propose_refuses_a_provider_that_became_inactive(session: Session, world: World) -> None:
    trajectory = create(session, world, provider_id=world.zorg_b.id)
    world.zorg_b.active = False
    session.flush()
    with pytest.raises(DomainError):
        wf.propose(session, trajectory, world.gids, TODAY)
    assert trajectory.state == S.CONCEPT


# --- start of care ----------------------------------------------------------------------------


def test_start_of_care_cannot_lie_in_the_future(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    with pytest.raises(DomainError) as refused:
        wf.start_care(session, trajectory, world.aanbieder_a, TODAY + timedelta(days=1), TODAY)
    assert [p.field for p in refused.value.problems] == ["care_start"]
    assert trajectory.state == S.GEACCEPTEERD
    assert trajectory.care_start is None


def test_care_cannot_start_before_the_decision_date(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    with pytest.raises(DomainError) as refused:
        wf.start_care(session, trajectory, world.aanbieder_a, TODAY - timedelta(days=1), TODAY)
    assert str(refused.value) == "De zorg kan niet starten vóór de besluitdatum (02-11-2026)."
    assert trajectory.state == S.GEACCEPTEERD


def test_care_cannot_start_after_the_decision_end(session: Session, world: World) -> None:
    trajectory = accepted_on(
        session,
        world,
        date(2021, 1, 4),
        planned_start=date(2021, 1, 4),
        planned_end=date(2021, 1, 31),
    )
    with pytest.raises(DomainError) as refused:
        wf.start_care(session, trajectory, world.aanbieder_a, date(2021, 2, 1), TODAY)
    assert str(refused.value) == (
        "De zorg kan niet starten na het einde van de beschikking (31-01-2021)."
    )
    wf.start_care(session, trajectory, world.aanbieder_a, date(2021, 1, 31), TODAY)
    assert trajectory.care_start == date(2021, 1, 31)


def test_jeugd_care_cannot_start_on_the_18th_birthday(session: Session, world: World) -> None:
    trajectory = accepted_on(
        session, world, date(2030, 1, 7), **jeugd(world, planned_start=date(2030, 1, 7))
    )
    later = date(2030, 3, 10)
    with pytest.raises(DomainError, match="einde van de beschikking"):
        wf.start_care(session, trajectory, world.aanbieder_a, date(2030, 3, 1), later)
    wf.start_care(session, trajectory, world.aanbieder_a, date(2030, 2, 28), later)
    assert trajectory.state == S.ACTIEF


def test_start_of_care_on_the_decision_date_is_stored(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    wf.start_care(session, trajectory, world.aanbieder_a, TODAY, TODAY)
    assert trajectory.state == S.ACTIEF
    assert trajectory.care_start == TODAY
    assert trajectory.events[-1].details == "start zorg 2026-11-02"
    assert trajectory.events[-1].user is world.aanbieder_a


# --- closure ----------------------------------------------------------------------------------


def close(
    session: Session,
    world: World,
    trajectory: Trajectory,
    *,
    care_end: date = TODAY,
    code: str = "19",
    category: ClosureCategory = ClosureCategory.A,
    achieved: bool = True,
) -> None:
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=care_end,
        closure_category=category,
        end_reason_code=code,
        result_achieved=achieved,
        today=TODAY,
    )


def closure_refused(
    session: Session, world: World, trajectory: Trajectory, **kwargs: Any
) -> list[str | None]:
    with pytest.raises(DomainError) as refused:
        close(session, world, trajectory, **kwargs)
    assert trajectory.state == S.ACTIEF
    assert trajectory.care_end is None
    assert trajectory.end_reason_code is None
    return [p.field for p in refused.value.problems]


def test_care_cannot_end_before_it_started(session: Session, world: World) -> None:
    trajectory = started_on(session, world, date(2026, 10, 5))
    assert closure_refused(session, world, trajectory, care_end=date(2026, 10, 4)) == ["care_end"]


def test_care_may_end_on_the_day_it_started(session: Session, world: World) -> None:
    trajectory = started_on(session, world, date(2026, 10, 5))
    close(session, world, trajectory, care_end=date(2026, 10, 5))
    assert trajectory.care_end == date(2026, 10, 5)


def test_the_end_of_care_cannot_lie_in_the_future(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    fields = closure_refused(session, world, trajectory, care_end=TODAY + timedelta(days=1))
    assert fields == ["care_end"]


def test_an_unknown_end_reason_is_refused(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    assert closure_refused(session, world, trajectory, code="99") == ["end_reason_code"]


@pytest.mark.parametrize(
    ("domain", "code", "allowed"),
    [
        (Domain.WMO, "19", True),
        (Domain.WMO, "32", False),
        (Domain.JEUGD, "31", True),
        (Domain.JEUGD, "19", False),
    ],
)
def test_the_end_reason_comes_from_the_list_of_the_trajectorys_domain(
    session: Session, world: World, domain: Domain, code: str, allowed: bool
) -> None:
    overrides = jeugd(world) if domain == Domain.JEUGD else {}
    trajectory = make_trajectory(session, world, S.ACTIEF, **overrides)
    assert trajectory.domain == domain
    if allowed:
        close(session, world, trajectory, code=code)
        assert trajectory.end_reason_code == code
    else:
        assert closure_refused(session, world, trajectory, code=code) == ["end_reason_code"]


def test_closure_reports_every_problem_at_once(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    fields = closure_refused(
        session, world, trajectory, care_end=TODAY + timedelta(days=1), code="99"
    )
    assert fields == ["care_end", "end_reason_code"]


def test_closure_stores_every_closure_field(session: Session, world: World) -> None:
    trajectory = started_on(session, world, date(2026, 10, 5))
    close(
        session,
        world,
        trajectory,
        care_end=date(2026, 10, 30),
        code="23",
        category=ClosureCategory.D,
        achieved=False,
    )
    session.expire(trajectory)
    stored = session.get(Trajectory, trajectory.id)
    assert stored is not None
    assert stored.state == S.AFGESLOTEN
    assert stored.care_start == date(2026, 10, 5)
    assert stored.care_end == date(2026, 10, 30)
    assert stored.closure_category == ClosureCategory.D
    assert stored.end_reason_code == "23"
    assert stored.result_achieved is False
    assert stored.events[-1].details == (
        "einde zorg 2026-10-30, categorie d, reden 23, resultaat niet behaald"
    )


# --- reasons for returning and cancelling -----------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_returning_needs_a_reason(session: Session, world: World, reason: str) -> None:
    trajectory = make_trajectory(session, world, S.VOORGESTELD)
    with pytest.raises(DomainError) as refused:
        wf.return_to_gids(session, trajectory, world.aanbieder_a, reason, TODAY)
    assert [p.field for p in refused.value.problems] == ["reason"]
    assert trajectory.state == S.VOORGESTELD


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_cancelling_needs_a_reason(session: Session, world: World, reason: str) -> None:
    trajectory = make_trajectory(session, world)
    with pytest.raises(DomainError) as refused:
        wf.cancel(session, trajectory, world.gids, reason)
    assert [p.field for p in refused.value.problems] == ["reason"]
    assert trajectory.state == S.CONCEPT


def test_the_reasons_for_returning_and_cancelling_are_kept_trimmed(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.VOORGESTELD)
    wf.return_to_gids(session, trajectory, world.aanbieder_a, "  Geen plek tot januari  ", TODAY)
    wf.cancel(session, trajectory, world.gids, " Inwoner verhuist ")
    assert [e.reason for e in trajectory.events[-2:]] == [
        "Geen plek tot januari",
        "Inwoner verhuist",
    ]
    assert trajectory.state == S.GEANNULEERD
