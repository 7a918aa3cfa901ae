"""The managers' first figure: trajectories in care per domain and product category, with small
counts suppressed (STATISTICS.md: 0 < n < k hidden, zero shown, secondary suppression)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from models import (
    Contract,
    ContractRole,
    Domain,
    Intensity,
    ProfileIntensity,
    SupportProfile,
    Tariff,
    Trajectory,
    TrajectoryState,
)
from workflows.overview import in_care_by_category, in_care_by_domain

from ..factories import TODAY, World, make_trajectory

S = TrajectoryState
L = Intensity.LAAG


def day_care(session: Session, world: World) -> SupportProfile:
    """A third Wmo category (07 Dagbesteding) delivered by Zorg A."""
    profile = SupportProfile(
        code="WMO-DB", name="Dagbesteding", domain=Domain.WMO, category_code="07"
    )
    profile.intensities = [ProfileIntensity(intensity=L)]
    profile.tariffs = [
        Tariff(
            intensity=L,
            valid_from=date(2019, 1, 1),
            price=Decimal("1500.00"),
            standard_duration_weeks=26,
            evaluation_interval_months=6,
        )
    ]
    profile.contracts = [
        Contract(
            provider=world.zorg_a, role=ContractRole.HOOFDAANNEMER, valid_from=date(2019, 1, 1)
        )
    ]
    session.add(profile)
    session.flush()
    return profile


def in_care(
    session: Session, world: World, n: int, profile: SupportProfile, state: S = S.ACTIEF
) -> list[Trajectory]:
    """``n`` trajectories of ``profile`` whose care started on TODAY."""
    overrides: dict[str, object] = {"profile_id": profile.id}
    if profile.domain == Domain.JEUGD:
        overrides["resident_id"] = world.child.id
    if profile.domain == Domain.JEUGD or profile.is_household_help or profile.code == "WMO-DB":
        overrides["intensity"] = L
    return [make_trajectory(session, world, state, **overrides) for _ in range(n)]


def counts(session: Session, on: date = TODAY, k: int = 5) -> dict[str, int | None]:
    return {c.category_code: c.count for c in in_care_by_category(session, on, k)}


def test_zero_is_shown_for_every_category_in_the_catalogue(session: Session, world: World) -> None:
    rows = in_care_by_category(session, TODAY)
    assert [(r.domain, r.category_code, r.count) for r in rows] == [
        ("jeugd", "45", 0),
        ("wmo", "01", 0),
        ("wmo", "02", 0),
    ]
    assert rows[0].category_name == "Jeugdhulp ambulant"


def test_counts_of_five_or_more_are_shown(session: Session, world: World) -> None:
    in_care(session, world, 5, world.bg)
    assert counts(session) == {"45": 0, "01": 0, "02": 5}
    assert in_care_by_domain(session, TODAY) == {"wmo": 5}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_counts_from_one_to_four_are_suppressed(session: Session, world: World, n: int) -> None:
    in_care(session, world, n, world.amb)
    assert counts(session) == {"45": None, "01": 0, "02": 0}
    assert in_care_by_domain(session, TODAY) == {"jeugd": None}


def test_the_threshold_can_be_set(session: Session, world: World) -> None:
    in_care(session, world, 1, world.amb)
    in_care(session, world, 2, world.hh)
    assert counts(session, k=2) == {"45": None, "01": 2, "02": 0}


def test_one_suppressed_part_also_hides_the_next_smallest_part(
    session: Session, world: World
) -> None:
    dagbesteding = day_care(session, world)
    in_care(session, world, 2, world.hh)
    in_care(session, world, 6, world.bg)
    in_care(session, world, 5, dagbesteding)
    assert counts(session) == {"45": 0, "01": None, "02": 6, "07": None}
    assert in_care_by_domain(session, TODAY) == {"wmo": 13}


def test_two_suppressed_parts_need_no_secondary_suppression(session: Session, world: World) -> None:
    dagbesteding = day_care(session, world)
    in_care(session, world, 2, world.hh)
    in_care(session, world, 5, world.bg)
    in_care(session, world, 3, dagbesteding)
    assert counts(session) == {"45": 0, "01": None, "02": 5, "07": None}


def test_secondary_suppression_never_picks_an_empty_category(
    session: Session, world: World
) -> None:
    """Hiding a 0 beside a hidden 1 would give both away: the hidden sum would be 1."""
    day_care(session, world)
    in_care(session, world, 1, world.hh)
    in_care(session, world, 6, world.bg)
    assert counts(session) == {"45": 0, "01": None, "02": None, "07": 0}
    assert in_care_by_domain(session, TODAY) == {"wmo": 7}


def test_secondary_suppression_stays_within_the_domain(session: Session, world: World) -> None:
    in_care(session, world, 2, world.amb)
    in_care(session, world, 5, world.hh)
    in_care(session, world, 7, world.bg)
    assert counts(session) == {"45": None, "01": 5, "02": 7}


def test_only_care_running_on_the_date_is_counted(session: Session, world: World) -> None:
    in_care(session, world, 5, world.bg, S.AFGESLOTEN)  # care from TODAY to TODAY
    in_care(session, world, 5, world.bg, S.GEACCEPTEERD)  # care not started
    in_care(session, world, 5, world.bg, S.GEANNULEERD)
    assert counts(session, TODAY - timedelta(days=1))["02"] == 0
    assert counts(session, TODAY)["02"] == 5
    assert counts(session, TODAY + timedelta(days=1))["02"] == 0
