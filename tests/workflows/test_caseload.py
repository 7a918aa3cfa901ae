"""Work lists: the gids's caseload, overdue markers, and what a provider may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from models import Domain, Intensity, Role, Trajectory, TrajectoryState, User
from workflows import trajectories as wf
from workflows.caseload import (
    MARKER_LABELS,
    NEXT_ACTION,
    PROVIDER_NEXT_ACTION,
    caseload,
    markers,
    provider_list,
    provider_sees,
)

from ..factories import TODAY, World, make_trajectory, make_user, trajectory_input

S = TrajectoryState


def jeugd(world: World, **overrides: object) -> dict[str, object]:
    return {
        "resident_id": world.child.id,
        "profile_id": world.amb.id,
        "intensity": Intensity.LAAG,
        **overrides,
    }


def ids(items: Iterable[Trajectory]) -> list[int]:
    return [t.id for t in items]


def aanbieder_c(session: Session, world: World) -> User:
    return make_user(session, "aanbieder.c@test.nl", Role.AANBIEDER, world.zorg_c)


# --- caseload ---------------------------------------------------------------------------------


def test_a_gids_sees_only_own_trajectories(session: Session, world: World) -> None:
    own = make_trajectory(session, world)
    other = wf.create_trajectory(session, trajectory_input(world), world.gids2, today=TODAY)
    assert ids(caseload(session, world.gids).items) == [own.id]
    assert ids(caseload(session, world.gids2).items) == [other.id]


def test_the_caseload_shows_open_trajectories_unless_asked_otherwise(
    session: Session, world: World
) -> None:
    by_state = {state: make_trajectory(session, world, state) for state in S}
    open_ids = {by_state[s].id for s in S if s not in (S.AFGESLOTEN, S.GEANNULEERD)}

    assert set(ids(caseload(session, world.gids).items)) == open_ids
    closed = caseload(session, world.gids, states=[S.AFGESLOTEN, S.GEANNULEERD])
    assert set(ids(closed.items)) == {by_state[S.AFGESLOTEN].id, by_state[S.GEANNULEERD].id}
    only = caseload(session, world.gids, states=[S.TERUGGESTUURD])
    assert ids(only.items) == [by_state[S.TERUGGESTUURD].id]


def test_the_caseload_filters_on_domain(session: Session, world: World) -> None:
    wmo = make_trajectory(session, world)
    youth = make_trajectory(session, world, **jeugd(world))
    assert ids(caseload(session, world.gids, domain=Domain.JEUGD).items) == [youth.id]
    assert ids(caseload(session, world.gids, domain=Domain.WMO).items) == [wmo.id]


@pytest.mark.parametrize(
    ("search", "who"),
    [
        ("bram", "child"),
        ("Bram Jans", "child"),
        ("DE VRIES", "adult"),
        ("123456782", "child"),
        ("123 456 782", "child"),
        ("111.222.333", "adult"),
        ("Pietersen", None),
        ("123456781", None),
    ],
)
def test_the_caseload_searches_by_name_and_by_bsn(
    session: Session, world: World, search: str, who: str | None
) -> None:
    trajectories = {
        "adult": make_trajectory(session, world),
        "child": make_trajectory(session, world, **jeugd(world)),
    }
    found = caseload(session, world.gids, search=search)
    assert ids(found.items) == ([] if who is None else [trajectories[who].id])
    assert found.total == len(found.items)


def test_the_caseload_is_ordered_by_planned_end(session: Session, world: World) -> None:
    ends = [date(2027, 3, 1), date(2026, 12, 1), date(2027, 1, 15), date(2026, 12, 1)]
    made = [make_trajectory(session, world, planned_end=end) for end in ends]
    expected = [made[1], made[3], made[2], made[0]]  # ties by id
    assert ids(caseload(session, world.gids).items) == ids(expected)


@pytest.mark.parametrize(
    ("page", "shown_page", "count"),
    [(1, 1, 2), (2, 2, 2), (3, 3, 1), (4, 3, 1), (99, 3, 1), (0, 1, 2), (-3, 1, 2)],
)
def test_the_caseload_is_paginated_and_the_page_is_clamped(
    session: Session, world: World, page: int, shown_page: int, count: int
) -> None:
    made = [make_trajectory(session, world, planned_end=date(2027, 1, day)) for day in range(1, 6)]
    result = caseload(session, world.gids, page=page, per_page=2)
    assert (result.total, result.pages, result.page, result.per_page) == (5, 3, shown_page, 2)
    assert len(result.items) == count
    start = (shown_page - 1) * 2
    assert ids(result.items) == ids(made[start : start + 2])


def test_an_empty_caseload_has_one_empty_page(session: Session, world: World) -> None:
    result = caseload(session, world.gids, page=5)
    assert (result.total, result.pages, result.page, list(result.items)) == (0, 1, 1, [])


def test_every_state_has_a_next_action() -> None:
    assert set(NEXT_ACTION) == set(S)
    assert set(PROVIDER_NEXT_ACTION) == set(S)


# --- markers ----------------------------------------------------------------------------------


def test_a_fresh_active_trajectory_has_no_markers(session: Session, world: World) -> None:
    assert markers(make_trajectory(session, world, S.ACTIEF), TODAY) == []


def test_the_term_has_passed_the_day_after_the_planned_end(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    assert trajectory.planned_end == date(2027, 5, 9)
    assert "termijn_verstreken" not in markers(trajectory, date(2027, 5, 9))
    assert "termijn_verstreken" in markers(trajectory, date(2027, 5, 10))


def test_the_term_marker_is_only_for_active_care(session: Session, world: World) -> None:
    for state in (S.GEACCEPTEERD, S.AFGESLOTEN):
        trajectory = make_trajectory(session, world, state)
        assert "termijn_verstreken" not in markers(trajectory, date(2027, 6, 1))


def test_start_of_care_is_overdue_the_day_after_the_planned_start(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.GEACCEPTEERD)
    assert trajectory.planned_start == date(2026, 11, 9)
    assert markers(trajectory, date(2026, 11, 9)) == []
    assert markers(trajectory, date(2026, 11, 10)) == ["start_verlopen"]


def test_a_proposal_waits_too_long_after_ten_days(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.VOORGESTELD)
    assert trajectory.decision_date == date(2026, 11, 2)
    assert markers(trajectory, date(2026, 11, 12)) == []
    assert markers(trajectory, date(2026, 11, 13)) == ["wacht_op_aanbieder"]


def test_a_returned_trajectory_does_not_wait_for_the_provider(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.TERUGGESTUURD)
    assert "wacht_op_aanbieder" not in markers(trajectory, date(2026, 12, 1))


def test_the_decision_ending_within_30_days_is_flagged(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    assert trajectory.decision_end == date(2027, 5, 9)
    assert markers(trajectory, date(2027, 4, 8)) == []
    assert markers(trajectory, date(2027, 4, 9)) == ["beschikking_verloopt"]
    assert markers(trajectory, date(2027, 5, 9)) == ["beschikking_verloopt"]


def test_an_expired_decision_on_open_care_is_flagged_as_expired(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    assert markers(trajectory, date(2027, 5, 10)) == [
        "termijn_verstreken",
        "beschikking_verlopen",
    ]


@pytest.mark.parametrize("state", [S.CONCEPT, S.AFGESLOTEN, S.GEANNULEERD])
def test_concepts_and_finished_trajectories_never_get_the_decision_marker(
    session: Session, world: World, state: TrajectoryState
) -> None:
    trajectory = make_trajectory(session, world, state)
    assert markers(trajectory, date(2027, 5, 1)) == []


def test_every_marker_has_a_dutch_label(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    assert set(markers(trajectory, date(2027, 6, 1))) <= set(MARKER_LABELS)


# --- what a provider sees ---------------------------------------------------------------------


def test_a_provider_never_sees_a_concept(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world)
    assert not provider_sees(world.aanbieder_a, trajectory)
    everything = provider_list(session, world.aanbieder_a, states=list(S))
    assert everything.items == []


def test_a_provider_sees_what_was_sent_to_it_and_nothing_of_another_provider(
    session: Session, world: World
) -> None:
    for_a = make_trajectory(session, world, S.VOORGESTELD)
    for_b = make_trajectory(session, world, S.VOORGESTELD, provider_id=world.zorg_b.id)
    assert provider_sees(world.aanbieder_a, for_a)
    assert not provider_sees(world.aanbieder_a, for_b)
    assert provider_sees(world.aanbieder_b, for_b)
    assert not provider_sees(world.aanbieder_b, for_a)
    assert ids(provider_list(session, world.aanbieder_a).items) == [for_a.id]
    assert ids(provider_list(session, world.aanbieder_b).items) == [for_b.id]


@pytest.mark.parametrize(
    "state", [S.VOORGESTELD, S.TERUGGESTUURD, S.GEACCEPTEERD, S.ACTIEF, S.AFGESLOTEN]
)
def test_a_provider_sees_its_trajectory_in_every_state_after_sending(
    session: Session, world: World, state: TrajectoryState
) -> None:
    assert provider_sees(world.aanbieder_a, make_trajectory(session, world, state))


def test_a_provider_sees_a_cancelled_trajectory_only_if_it_had_been_sent(
    session: Session, world: World
) -> None:
    never_sent = make_trajectory(session, world, S.GEANNULEERD)
    sent = make_trajectory(session, world, S.VOORGESTELD)
    wf.cancel(session, sent, world.gids, "Inwoner verhuist")
    assert not provider_sees(world.aanbieder_a, never_sent)
    assert provider_sees(world.aanbieder_a, sent)
    listed = provider_list(session, world.aanbieder_a, states=[S.GEANNULEERD])
    assert ids(listed.items) == [sent.id]


def test_a_gids_or_manager_is_no_provider(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    assert not provider_sees(world.gids, trajectory)
    assert not provider_sees(world.manager, trajectory)


def test_a_subcontractor_sees_its_trajectories(session: Session, world: World) -> None:
    user_c = aanbieder_c(session, world)
    concept = make_trajectory(session, world, **jeugd(world, subcontractor_id=world.zorg_c.id))
    sent = make_trajectory(
        session, world, S.ACTIEF, **jeugd(world, subcontractor_id=world.zorg_c.id)
    )
    without_c = make_trajectory(session, world, S.ACTIEF, **jeugd(world))
    assert provider_sees(user_c, sent)
    assert not provider_sees(user_c, concept)
    assert not provider_sees(user_c, without_c)
    assert ids(provider_list(session, user_c).items) == [sent.id]
    assert provider_sees(world.aanbieder_a, sent)  # the main contractor too


def test_the_provider_list_puts_proposals_first_then_accepted_then_by_planned_start(
    session: Session, world: World
) -> None:
    active = make_trajectory(session, world, S.ACTIEF, planned_start=date(2026, 11, 2))
    accepted = make_trajectory(session, world, S.GEACCEPTEERD, planned_start=date(2026, 12, 7))
    late_proposal = make_trajectory(session, world, S.VOORGESTELD, planned_start=date(2026, 12, 7))
    early_proposal = make_trajectory(
        session, world, S.VOORGESTELD, planned_start=date(2026, 11, 16)
    )
    make_trajectory(session, world, S.AFGESLOTEN)  # not in the default list
    listed = provider_list(session, world.aanbieder_a)
    assert ids(listed.items) == ids([early_proposal, late_proposal, accepted, active])


def test_the_provider_list_searches_and_pages(session: Session, world: World) -> None:
    adult = make_trajectory(session, world, S.VOORGESTELD)
    child = make_trajectory(session, world, S.VOORGESTELD, **jeugd(world))
    assert ids(provider_list(session, world.aanbieder_a, search="bram").items) == [child.id]
    assert ids(provider_list(session, world.aanbieder_a, search="111222333").items) == [adult.id]
    page = provider_list(session, world.aanbieder_a, page=2, per_page=1)
    assert (page.total, page.pages, page.page, len(page.items)) == (2, 2, 2, 1)


def test_a_returned_trajectory_moved_to_another_provider_is_hidden_until_sent_there(session, world):
    t = make_trajectory(session, world, TrajectoryState.TERUGGESTUURD)
    wf.update_trajectory(
        session, t, trajectory_input(world, provider_id=world.zorg_b.id), world.gids, today=TODAY
    )
    assert not provider_sees(world.aanbieder_a, t)
    assert not provider_sees(world.aanbieder_b, t)
    wf.propose(session, t, world.gids, TODAY)
    assert provider_sees(world.aanbieder_b, t)
