"""Correcting residents: their details (with optimistic locking), a move out of the municipality
or a death (which ends running care through the closure workflow, once), another household (the
statistics feed follows, equal to a rebuild), and handing a household with its open work to
another gids (who then sees it as own work; the old gids no longer does)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AanmeldingOutcome,
    ClosureCategory,
    Domain,
    Household,
    Intensity,
    Resident,
    Role,
    StatsTrajectory,
    Task,
    TaskKind,
    TrajectoryEvent,
    TrajectoryState,
    Wijk,
)
from workflows.aanmeldingen import aanmeldingen_of, register_aanmelding
from workflows.caseload import caseload
from workflows.departures import Departure, departure_plan, record_departure
from workflows.errors import DomainError, VersionConflict
from workflows.households import hand_over_household, move_to_household
from workflows.inbox import open_tasks
from workflows.residents import ResidentChanges, change_resident, may_change
from workflows.scaling import request_scaling
from workflows.stats import feed

from ..factories import TODAY, World, make_trajectory, make_user

S = TrajectoryState
LATER = TODAY + timedelta(days=10)


def changes(**overrides: object) -> ResidentChanges:
    data = ResidentChanges(
        given_name="Anna",
        family_name="de Vries-Bakker",
        address="Het Ravelijn 1",
        postcode="8251 ab",
        wijk_id=None,
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def fields_of(error: pytest.ExceptionInfo[DomainError]) -> list[str | None]:
    return [p.field for p in error.value.problems]


def feed_equals_rebuild(session: Session) -> None:
    session.flush()
    kept = feed.feed_snapshot(session.connection())
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == kept


# --- details ---------------------------------------------------------------------------------


def test_the_household_gids_corrects_the_details_and_the_version_goes_up(
    session: Session, world: World
) -> None:
    version = world.adult.version
    change_resident(session, world.adult, changes(), world.gids, version)
    assert (world.adult.family_name, world.adult.address, world.adult.postcode) == (
        "de Vries-Bakker",
        "Het Ravelijn 1",
        "8251AB",
    )
    assert world.adult.version == version + 1


def test_a_page_older_than_the_last_change_is_refused_not_overwritten(
    session: Session, world: World
) -> None:
    seen = world.adult.version
    change_resident(session, world.adult, changes(family_name="Eerste"), world.gids, seen)
    with pytest.raises(VersionConflict):
        change_resident(session, world.adult, changes(family_name="Tweede"), world.gids, seen)
    assert world.adult.family_name == "Eerste"


def test_a_correction_stores_the_phone_in_ten_digits_and_may_clear_it(
    session: Session, world: World
) -> None:
    change_resident(session, world.adult, changes(phone="+31 (0)321 12 34 56"), world.gids)
    assert world.adult.phone == "0321123456"
    change_resident(session, world.adult, changes(phone="  "), world.gids)
    assert world.adult.phone is None


def test_a_wrong_phone_changes_nothing(session: Session, world: World) -> None:
    change_resident(session, world.adult, changes(phone="0612345678"), world.gids)
    version = world.adult.version
    with pytest.raises(DomainError) as error:
        change_resident(
            session,
            world.adult,
            changes(family_name="Anders", phone="+44 20 7946 0000"),
            world.gids,
        )
    assert fields_of(error) == ["phone"]
    assert (world.adult.phone, world.adult.family_name, world.adult.version) == (
        "0612345678",
        "de Vries-Bakker",
        version,
    )


def test_every_wrong_detail_is_named_at_its_field(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as error:
        change_resident(
            session,
            world.adult,
            changes(
                given_name="  ",
                postcode="0123AB",
                address="x" * 201,
                wijk_id=999_999,
                phone="06-1234",
            ),
            world.gids,
        )
    assert sorted(f or "" for f in fields_of(error)) == [
        "address",
        "given_name",
        "phone",
        "postcode",
        "wijk_id",
    ]
    assert "1234AB" in next(p.message for p in error.value.problems if p.field == "postcode")


@pytest.mark.parametrize("who", ["gids2", "aanbieder_a", "manager", "beheerder"])
def test_only_the_household_gids_may_change_a_resident(
    session: Session, world: World, who: str
) -> None:
    actor = getattr(world, who)
    assert not may_change(world.adult.household, actor)
    with pytest.raises(DomainError):
        change_resident(session, world.adult, changes(), actor)
    with pytest.raises(DomainError):
        record_departure(
            session, world.adult, actor, kind=Departure.OVERLEDEN, on=TODAY, today=TODAY
        )
    with pytest.raises(DomainError):
        move_to_household(session, world.adult, actor, member_bsn=world.child.bsn)
    with pytest.raises(DomainError):
        hand_over_household(session, world.adult.household, actor, actor.id)


def test_a_household_whose_gids_left_may_be_taken_up_by_any_gids(
    session: Session, world: World
) -> None:
    world.gids.active = False
    assert may_change(world.adult.household, world.gids2)
    hand_over_household(session, world.adult.household, world.gids2, world.gids2.id)
    assert world.adult.household.gids_id == world.gids2.id


def test_a_new_wijk_reaches_the_statistics_feed(session: Session, world: World) -> None:
    make_trajectory(session, world, S.ACTIEF)
    swifterbant = Wijk(name="Swifterbant")
    session.add(swifterbant)
    session.flush()
    change_resident(session, world.adult, changes(wijk_id=swifterbant.id), world.gids)
    assert {r.wijk for r in session.scalars(select(StatsTrajectory))} == {"Swifterbant"}
    feed_equals_rebuild(session)


# --- a move out of the municipality or a death ------------------------------------------------


def _running(session: Session, world: World):
    active = make_trajectory(session, world, S.ACTIEF)
    concept = make_trajectory(
        session, world, S.CONCEPT, profile_id=world.hh.id, intensity=Intensity.LAAG
    )
    request = register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=TODAY,
        domain=Domain.WMO,
        question="Hulp bij het huishouden",
        today=TODAY,
    )
    closed = make_trajectory(session, world, S.AFGESLOTEN)
    return active, concept, request, closed


def test_a_death_closes_running_care_with_overlijden_and_cancels_the_rest(
    session: Session, world: World
) -> None:
    active, concept, request, closed = _running(session, world)
    on = TODAY + timedelta(days=3)
    record_departure(session, world.adult, world.gids, kind=Departure.OVERLEDEN, on=on, today=LATER)
    assert world.adult.died_on == on and world.adult.moved_out_on is None
    assert (active.state, active.care_end, active.closure_category, active.end_reason_code) == (
        S.AFGESLOTEN,
        on,
        ClosureCategory.D,
        "02",
    )
    assert active.result_achieved is False
    assert concept.state == S.GEANNULEERD
    assert request.outcome == AanmeldingOutcome.GEEN_VERVOLG
    assert request.outcome_reason == "Inwoner overleden op 05-11-2026"
    assert closed.end_reason_code == "19"  # closed work is left as it was
    open_for_gids = session.scalars(
        select(Task).where(Task.trajectory_id == active.id, Task.done_at.is_(None))
    ).all()
    assert open_for_gids == []
    feed_equals_rebuild(session)


def test_a_move_closes_with_the_domains_own_code_and_the_chosen_category(
    session: Session, world: World
) -> None:
    wmo = make_trajectory(session, world, S.ACTIEF)
    jeugd = make_trajectory(
        session,
        world,
        S.ACTIEF,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.LAAG,
    )
    record_departure(
        session,
        world.adult,
        world.gids,
        kind=Departure.VERHUISD,
        on=TODAY,
        care_continues=True,
        today=TODAY,
    )
    record_departure(
        session, world.child, world.gids, kind=Departure.VERHUISD, on=TODAY, today=TODAY
    )
    assert (wmo.closure_category, wmo.end_reason_code) == (ClosureCategory.C, "31")
    assert (jeugd.closure_category, jeugd.end_reason_code) == (ClosureCategory.D, "35")
    assert world.adult.moved_out_on == TODAY


def test_the_plan_shown_is_what_is_done(session: Session, world: World) -> None:
    active, concept, request, _closed = _running(session, world)
    plan = departure_plan(world.adult, Departure.OVERLEDEN, TODAY)
    planned = {(e.trajectory.id, e.closes, e.reason_code) for e in plan.ends}
    assert planned == {(active.id, True, "02"), (concept.id, False, None)}
    assert plan.requests == [request]
    done = record_departure(
        session, world.adult, world.gids, kind=Departure.OVERLEDEN, on=TODAY, today=TODAY
    )
    assert {(e.trajectory.id, e.closes, e.reason_code) for e in done.ends} == planned
    assert (active.state, concept.state) == (S.AFGESLOTEN, S.GEANNULEERD)


def test_a_death_in_the_future_before_birth_or_before_care_started_is_refused(
    session: Session, world: World
) -> None:
    active = make_trajectory(session, world, S.ACTIEF)
    for on, words in [
        (TODAY + timedelta(days=1), "toekomst"),
        (world.adult.birth_date - timedelta(days=1), "geboortedatum"),
        (TODAY - timedelta(days=1), "startte"),
    ]:
        with pytest.raises(DomainError) as error:
            record_departure(
                session, world.adult, world.gids, kind=Departure.OVERLEDEN, on=on, today=TODAY
            )
        assert fields_of(error) == ["on"]
        assert words in error.value.problems[0].message
    assert world.adult.died_on is None and active.state == S.ACTIEF


def test_a_second_record_is_refused_so_care_closes_once(session: Session, world: World) -> None:
    active = make_trajectory(session, world, S.ACTIEF)
    record_departure(
        session, world.adult, world.gids, kind=Departure.OVERLEDEN, on=TODAY, today=TODAY
    )
    for kind in Departure:
        with pytest.raises(DomainError, match="al een verhuizing of een overlijden"):
            record_departure(session, world.adult, world.gids, kind=kind, on=TODAY, today=TODAY)
    closings = session.scalars(
        select(TrajectoryEvent).where(
            TrajectoryEvent.trajectory_id == active.id, TrajectoryEvent.action == "afsluiten"
        )
    ).all()
    assert len(closings) == 1


def test_a_stale_page_does_not_record_a_departure(session: Session, world: World) -> None:
    seen = world.adult.version
    change_resident(session, world.adult, changes(), world.gids, seen)
    with pytest.raises(VersionConflict):
        record_departure(
            session,
            world.adult,
            world.gids,
            kind=Departure.OVERLEDEN,
            on=TODAY,
            today=TODAY,
            expected_version=seen,
        )


# --- another household -------------------------------------------------------------------------


def test_moving_to_a_known_household_follows_in_the_feed_and_removes_the_empty_one(
    session: Session, world: World
) -> None:
    make_trajectory(session, world, S.ACTIEF)
    old_id = world.adult.household_id
    key_before = session.scalars(select(StatsTrajectory.household_key)).one()
    target = move_to_household(session, world.adult, world.gids, member_bsn=world.child.bsn)
    assert world.adult.household is target and target.id == world.child.household_id
    assert session.get(Household, old_id) is None
    key_after = session.scalars(select(StatsTrajectory.household_key)).one()
    assert key_after != key_before
    feed_equals_rebuild(session)


def test_moving_to_a_new_household_makes_the_mover_its_gids(session: Session, world: World) -> None:
    move_to_household(session, world.adult, world.gids, member_bsn=world.child.bsn)
    shared = world.adult.household_id
    new = move_to_household(session, world.child, world.gids, member_bsn="")
    assert new.id != shared and new.gids_id == world.gids.id
    assert [m.id for m in new.members] == [world.child.id]
    feed_equals_rebuild(session)


@pytest.mark.parametrize(
    "bsn, words", [("100000009", "geen inwoner"), ("", "alleen"), ("111222333", "al in")]
)
def test_a_move_that_goes_nowhere_is_refused_at_the_field(
    session: Session, world: World, bsn: str, words: str
) -> None:
    with pytest.raises(DomainError) as error:
        move_to_household(session, world.adult, world.gids, member_bsn=bsn)
    assert fields_of(error) == ["member_bsn"]
    assert words in error.value.problems[0].message


# --- handing a household over ------------------------------------------------------------------


def test_a_hand_over_moves_the_open_work_and_leaves_closed_work(
    session: Session, world: World
) -> None:
    active, concept, request, closed = _running(session, world)
    request_scaling(session, active, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer", TODAY)
    assert [t.kind for t in open_tasks(session, world.gids).items] == [
        TaskKind.OPSCHALING_BESLISSEN
    ]
    moved = hand_over_household(session, world.adult.household, world.gids, world.gids2.id)
    assert (moved.trajectories, moved.requests, moved.tasks) == (2, 1, 1)
    assert world.adult.household.gids_id == world.gids2.id
    new_caseload = {row.id for row in caseload(session, world.gids2).items}
    assert new_caseload == {active.id, concept.id}
    assert not caseload(session, world.gids).items
    assert [t.kind for t in open_tasks(session, world.gids2).items] == [
        TaskKind.OPSCHALING_BESLISSEN
    ]
    assert not open_tasks(session, world.gids).items
    assert [
        r.id for r in aanmeldingen_of(session, world.gids2, AanmeldingOutcome.IN_BEHANDELING).items
    ] == [request.id]
    assert closed.gids_id == world.gids.id
    feed_equals_rebuild(session)


def test_handing_over_and_back_keeps_one_task_per_recipient(session: Session, world: World) -> None:
    active = make_trajectory(session, world, S.ACTIEF)
    request_scaling(session, active, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer", TODAY)
    hand_over_household(session, world.adult.household, world.gids, world.gids2.id)
    hand_over_household(session, world.adult.household, world.gids2, world.gids.id)
    session.flush()
    assert [t.kind for t in open_tasks(session, world.gids).items] == [
        TaskKind.OPSCHALING_BESLISSEN
    ]
    assert not open_tasks(session, world.gids2).items
    assert active.gids_id == world.gids.id


def test_a_hand_over_to_anyone_but_another_active_gids_is_refused(
    session: Session, world: World
) -> None:
    blocked = make_user(session, "oud@test.nl", Role.GIDS)
    blocked.active = False
    session.flush()
    household = world.adult.household
    for target in (
        world.aanbieder_a.id,
        world.manager.id,
        world.beheerder.id,
        blocked.id,
        999_999,
        None,
    ):
        with pytest.raises(DomainError) as error:
            hand_over_household(session, household, world.gids, target)
        assert fields_of(error) == ["gids_id"]
    with pytest.raises(DomainError, match="al"):
        hand_over_household(session, household, world.gids, world.gids.id)
    assert household.gids_id == world.gids.id


def test_a_resident_is_a_resident_still_after_a_hand_over(session: Session, world: World) -> None:
    hand_over_household(session, world.adult.household, world.gids, world.gids2.id)
    assert session.get(Resident, world.adult.id) is world.adult
    feed_equals_rebuild(session)


def test_no_new_request_or_trajectory_after_a_death(session: Session, world: World) -> None:
    record_departure(
        session, world.adult, world.gids, kind=Departure.OVERLEDEN, on=TODAY, today=TODAY
    )
    with pytest.raises(DomainError, match="overleden"):
        register_aanmelding(
            session,
            world.adult,
            world.gids,
            request_date=TODAY,
            domain=Domain.WMO,
            question="Hulp",
            today=TODAY,
        )
    with pytest.raises(DomainError, match="overleden"):
        make_trajectory(session, world, S.CONCEPT)
