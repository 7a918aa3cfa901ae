"""Money in the feed follows the workflows in the same transaction: a claim submitted, refused,
corrected and approved, and a price that deviates from the tariff; the kept finance counts equal
a rebuild after each change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ClaimState, ClosureCategory, StatsTrajectory, TrajectoryState
from workflows import claims
from workflows import trajectories as wf
from workflows.stats import feed
from workflows.stats.episodes import month_index

from ..factories import World, make_trajectory, trajectory_input

S = TrajectoryState
PLANNED_START = date(2026, 11, 9)


def row_of(session: Session, trajectory_id: int) -> StatsTrajectory:
    session.expire_all()
    return session.scalars(
        select(StatsTrajectory).where(StatsTrajectory.source_trajectory_id == trajectory_id)
    ).one()


def kept_equals_rebuild(session: Session) -> None:
    session.flush()
    kept = feed.feed_snapshot(session.connection())
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == kept


def closed_without_result(session: Session, world: World, care_end: date):  # type: ignore[no-untyped-def]
    data = trajectory_input(world, planned_start=PLANNED_START)
    trajectory = wf.create_trajectory(session, data, world.gids, today=date(2026, 11, 2))
    wf.propose(session, trajectory, world.gids, PLANNED_START)
    wf.accept(session, trajectory, world.aanbieder_a)
    wf.start_care(session, trajectory, world.aanbieder_a, PLANNED_START, PLANNED_START)
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=care_end,
        closure_category=ClosureCategory.D,
        end_reason_code="21",
        result_achieved=False,
        today=care_end,
    )
    return trajectory


def test_a_trajectory_carries_its_commitment_tariff_and_expected_claim(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    row = row_of(session, trajectory.id)
    assert row.commit_month == month_index(trajectory.decision_date)
    assert row.tariff_price == trajectory.price  # at the tariff: no deviation
    assert row.expected_month == month_index(trajectory.planned_end)
    assert (row.claim_state, row.claim_amount, row.pro_rata_amount) == (None, None, None)
    kept_equals_rebuild(session)


def test_a_deviating_price_is_kept_beside_the_tariff(session: Session, world: World) -> None:
    trajectory = make_trajectory(
        session, world, S.GEACCEPTEERD, price=Decimal("4100.00"), price_reason="Extra reistijd"
    )
    row = row_of(session, trajectory.id)
    assert row.price == Decimal("4100.00")
    assert row.tariff_price is not None and row.tariff_price != row.price
    kept_equals_rebuild(session)


def test_a_claim_refused_corrected_and_approved_reaches_the_feed(
    session: Session, world: World
) -> None:
    trajectory = closed_without_result(session, world, date(2027, 1, 31))
    row = row_of(session, trajectory.id)
    # Closed without the result and not claimed: expected in its month of end, pro rata.
    assert row.expected_month == month_index(date(2027, 1, 31))
    assert row.pro_rata_amount == Decimal("1753.85")  # 84 of 182 days of 3800
    with freeze_time("2027-02-01 10:00:00"):
        claim = claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 2, 1))
    row = row_of(session, trajectory.id)
    assert (row.claim_state, row.claim_amount) == ("ingediend", Decimal("1753.85"))
    assert row.claim_submitted_month == month_index(date(2027, 2, 1))
    assert row.expected_month is None
    kept_equals_rebuild(session)
    with freeze_time("2027-03-03 10:00:00"):
        claims.decide_claim(
            session,
            claim,
            world.gids,
            approve=False,
            reason="Verslag ontbreekt",
            today=date(2027, 3, 3),
        )
    row = row_of(session, trajectory.id)
    assert (row.claim_state, row.claim_decided_month) == (
        "afgewezen",
        month_index(date(2027, 3, 3)),
    )
    kept_equals_rebuild(session)
    with freeze_time("2027-04-04 10:00:00"):
        claims.resubmit_claim(
            session,
            claim,
            world.aanbieder_a,
            amount=Decimal("1500.00"),
            correction="Bedrag verlaagd",
            today=date(2027, 4, 4),
        )
    with freeze_time("2027-05-05 10:00:00"):
        claims.decide_claim(
            session, claim, world.gids, approve=True, reason=None, today=date(2027, 5, 5)
        )
    row = row_of(session, trajectory.id)
    assert claim.state == ClaimState.GOEDGEKEURD
    assert (row.claim_state, row.claim_amount) == ("goedgekeurd", Decimal("1500.00"))
    assert row.claim_submitted_month == month_index(date(2027, 4, 4))
    assert row.claim_decided_month == month_index(date(2027, 5, 5))
    kept_equals_rebuild(session)
