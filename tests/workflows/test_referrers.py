"""The referrer (Verwijzer) of a Jeugd trajectory: a concept may leave it open, sending needs
it (and a name for every type but zelfverwijzer); the Wmo keeps none."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from models import Domain, Intensity, ReferrerType, TrajectoryState
from workflows import trajectories as wf
from workflows.aanmeldingen import register_aanmelding
from workflows.errors import DomainError

from ..factories import TODAY, World, make_trajectory


def _jeugd(
    session: Session, world: World, state: TrajectoryState = TrajectoryState.CONCEPT,
    **overrides: object,
):  # fmt: skip
    return make_trajectory(
        session, world, state, resident_id=world.child.id, profile_id=world.amb.id,
        intensity=Intensity.MIDDEL, **overrides,
    )  # fmt: skip


def _refusal(session: Session, world: World, trajectory) -> dict[str | None, str]:
    with pytest.raises(DomainError) as refused:
        wf.propose(session, trajectory, world.gids, TODAY)
    assert trajectory.state == TrajectoryState.CONCEPT and trajectory.decision_date is None
    return {p.field: p.render() for p in refused.value.problems}


def test_a_jeugd_concept_may_leave_the_referrer_open_but_cannot_be_sent_without_one(
    session: Session, world: World
) -> None:
    trajectory = _jeugd(session, world, referrer_type=None, referrer_name=None)
    assert trajectory.referrer_type is None
    problems = _refusal(session, world, trajectory)
    assert "verwijzer" in problems["referrer_type"]


@pytest.mark.parametrize(
    "referrer_type",
    [ReferrerType.HUISARTS, ReferrerType.MEDISCH_SPECIALIST, ReferrerType.GEMEENTE],
)
def test_a_referrer_that_names_someone_needs_the_name_to_send(
    session: Session, world: World, referrer_type: ReferrerType
) -> None:
    trajectory = _jeugd(session, world, referrer_type=referrer_type, referrer_name="  ")
    problems = _refusal(session, world, trajectory)
    assert "naam van de verwijzer" in problems["referrer_name"]


def test_a_self_referral_needs_no_name_and_keeps_none(session: Session, world: World) -> None:
    trajectory = _jeugd(
        session, world, referrer_type=ReferrerType.ZELFVERWIJZER, referrer_name="Moeder"
    )
    assert trajectory.referrer_name is None
    wf.propose(session, trajectory, world.gids, TODAY)
    assert trajectory.state == TrajectoryState.VOORGESTELD


def test_a_jeugd_trajectory_with_its_referrer_is_sent_and_keeps_it(
    session: Session, world: World
) -> None:
    trajectory = _jeugd(
        session, world, TrajectoryState.VOORGESTELD, referrer_type=ReferrerType.HUISARTS,
        referrer_name=" Huisarts De Boer ",
    )  # fmt: skip
    assert trajectory.state == TrajectoryState.VOORGESTELD
    assert (trajectory.referrer_type, trajectory.referrer_name) == (
        ReferrerType.HUISARTS,
        "Huisarts De Boer",
    )


def test_a_referrer_name_longer_than_the_standard_allows_is_refused_even_in_a_concept(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        _jeugd(session, world, referrer_type=ReferrerType.HUISARTS, referrer_name="x" * 65)
    assert "64" in {p.field: p.render() for p in refused.value.problems}["referrer_name"]


def test_a_wmo_trajectory_needs_no_referrer_and_keeps_none(session: Session, world: World) -> None:
    trajectory = make_trajectory(
        session, world, TrajectoryState.VOORGESTELD, referrer_type=ReferrerType.HUISARTS,
        referrer_name="Huisarts De Boer",
    )  # fmt: skip
    assert trajectory.domain == Domain.WMO
    assert (trajectory.referrer_type, trajectory.referrer_name) == (None, None)


def test_editing_a_returned_jeugd_trajectory_keeps_the_referrer_rule(
    session: Session, world: World
) -> None:
    trajectory = _jeugd(session, world)
    data = wf.input_of(trajectory)
    data.referrer_type = None
    wf.update_trajectory(session, trajectory, data, world.gids, today=TODAY)
    assert trajectory.referrer_type is None and trajectory.referrer_name is None
    assert "referrer_type" in _refusal(session, world, trajectory)


def test_an_aanmelding_records_a_jeugd_referrer_and_a_wmo_one_none(
    session: Session, world: World
) -> None:
    jeugd = register_aanmelding(
        session, world.child, world.gids, request_date=TODAY, domain=Domain.JEUGD,
        question="Vastlopen op school", today=TODAY, referrer_type=ReferrerType.JEUGDARTS,
        referrer_name="GGD Flevoland",
    )  # fmt: skip
    assert (jeugd.referrer_type, jeugd.referrer_name) == (ReferrerType.JEUGDARTS, "GGD Flevoland")
    open_one = register_aanmelding(
        session, world.child, world.gids, request_date=TODAY, domain=Domain.JEUGD,
        question="Zonder verwijzer", today=TODAY,
    )  # fmt: skip
    assert open_one.referrer_type is None
    wmo = register_aanmelding(
        session, world.adult, world.gids, request_date=TODAY, domain=Domain.WMO,
        question="Hulp bij de was", today=TODAY, referrer_type=ReferrerType.HUISARTS,
        referrer_name="Huisarts",
    )  # fmt: skip
    assert (wmo.referrer_type, wmo.referrer_name) == (None, None)
