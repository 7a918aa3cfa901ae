"""Claims (R3, R4, R11): the amount for on-time, late and early-ended trajectories, one claim per
trajectory, the gids's decision, and properties that hold for any dates and prices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Claim, ClaimState, ClosureCategory, Trajectory, TrajectoryState
from workflows import claims
from workflows import trajectories as wf
from workflows.claims import ClaimPolicy, claimable_amount
from workflows.errors import DomainError, NotFound

from ..factories import TODAY, World, make_trajectory, trajectory_input

S = TrajectoryState
PRICE = Decimal("3800.00")  # Wmo begeleiding middel from 2021
PLANNED_START = date(2026, 11, 9)
PLANNED_END = date(2027, 5, 9)  # 26 weeks: 182 days, both ends included


def closed(
    session: Session,
    world: World,
    *,
    care_start: date = PLANNED_START,
    care_end: date,
    achieved: bool,
    **overrides: Any,
) -> Trajectory:
    """Begeleiding middel planned 2026-11-09 … 2027-05-09, care from ``care_start`` to
    ``care_end``, closed on ``care_end``; the decision was taken on the day care started, or on
    the planned start when care started later (a planned start cannot precede the decision)."""
    data = trajectory_input(world, planned_start=PLANNED_START, **overrides)
    trajectory = wf.create_trajectory(session, data, world.gids, today=TODAY)
    wf.propose(session, trajectory, world.gids, min(care_start, PLANNED_START))
    wf.accept(session, trajectory, world.aanbieder_a)
    wf.start_care(session, trajectory, world.aanbieder_a, care_start, care_start)
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=care_end,
        closure_category=ClosureCategory.A if achieved else ClosureCategory.D,
        end_reason_code="19" if achieved else "21",
        result_achieved=achieved,
        today=care_end,
    )
    return trajectory


def claim_count(session: Session, trajectory: Trajectory | None = None) -> int:
    query = select(func.count()).select_from(Claim)
    if trajectory is not None:
        query = query.where(Claim.trajectory_id == trajectory.id)
    return session.scalar(query) or 0


# --- the amount --------------------------------------------------------------------------------


def test_the_result_achieved_on_time_earns_the_full_price(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 3, 1), achieved=True)
    assert trajectory.planned_end == PLANNED_END
    assert claimable_amount(trajectory) == (PRICE, "Resultaat behaald: de volledige trajectprijs.")


def test_the_result_achieved_late_earns_the_price_and_nothing_more(
    session: Session, world: World
) -> None:
    trajectory = closed(session, world, care_end=date(2027, 8, 1), achieved=True)
    amount, basis = claimable_amount(trajectory)
    assert amount == PRICE
    assert "de extra periode wordt niet vergoed" in basis


def test_an_early_end_without_the_result_earns_the_elapsed_share_of_the_planned_period(
    session: Session, world: World
) -> None:
    # 2026-11-09 … 2027-01-31 is 84 days of the 182 planned: 3800 × 84 / 182 = 1753.846… → 1753.85
    trajectory = closed(session, world, care_end=date(2027, 1, 31), achieved=False)
    amount, basis = claimable_amount(trajectory)
    assert amount == Decimal("1753.85")
    assert basis == (
        "Resultaat niet behaald; naar rato: 84 van 182 geplande dagen zorg geleverd, "
        "84/182 × € 3.800,00 = € 1.753,85."
    )


def test_days_after_the_planned_end_never_count(session: Session, world: World) -> None:
    # Care from 2027-01-01, planned end 2027-05-09: 129 of 182 days count, the summer does not.
    # 3800 × 129 / 182 = 2693.406… → 2693.41
    trajectory = closed(
        session, world, care_start=date(2027, 1, 1), care_end=date(2027, 8, 1), achieved=False
    )
    amount, basis = claimable_amount(trajectory)
    assert amount == Decimal("2693.41")
    assert basis.endswith("Dagen na de geplande einddatum tellen niet mee.")


def test_late_without_the_result_is_never_above_the_price(session: Session, world: World) -> None:
    # Care started a week before the planned start and ran past the planned end.
    trajectory = closed(
        session, world, care_start=date(2026, 11, 2), care_end=date(2027, 8, 1), achieved=False
    )
    assert claimable_amount(trajectory)[0] == PRICE


def test_policy_niets_pays_nothing_without_the_result(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 1, 31), achieved=False)
    assert claimable_amount(trajectory, ClaimPolicy.NIETS) == (
        Decimal("0.00"),
        "Resultaat niet behaald; volgens het beleid geen vergoeding.",
    )
    achieved = closed(session, world, care_end=date(2027, 1, 31), achieved=True)
    assert claimable_amount(achieved, ClaimPolicy.NIETS)[0] == PRICE


def test_rounding_is_half_up_to_cents() -> None:
    # 0.05 × 1 / 2 = 0.025 → 0.03 (half-up, not the banker's 0.02)
    amount, counted, planned = claims.pro_rata(
        Decimal("0.05"), date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 1), date(2027, 1, 1)
    )
    assert (amount, counted, planned) == (Decimal("0.03"), 1, 2)


def test_an_open_trajectory_has_no_claimable_amount(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    with pytest.raises(DomainError, match="Declareren kan pas als het traject is afgesloten."):
        claimable_amount(trajectory)


# --- submitting --------------------------------------------------------------------------------


def test_the_provider_claims_a_closed_trajectory(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 1, 31), achieved=False)
    claim = claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 2, 1))
    assert (claim.price, claim.amount, claim.state) == (
        PRICE,
        Decimal("1753.85"),
        ClaimState.INGEDIEND,
    )
    assert claim.provider_id == world.zorg_a.id
    assert claim.submitted_by_id == world.aanbieder_a.id
    assert claim.basis.startswith("Resultaat niet behaald; naar rato")
    event = trajectory.events[-1]
    assert (event.action, event.details) == ("gedeclareerd", "€ 1.753,85 van € 3.800,00")


def test_a_claim_on_an_open_trajectory_is_refused(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    with pytest.raises(DomainError) as refused:
        claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 2, 1))
    assert str(refused.value) == "Declareren kan pas als het traject is afgesloten."
    assert claim_count(session) == 0


def test_a_second_claim_is_refused(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 3, 1), achieved=True)
    claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 3, 2))
    with pytest.raises(DomainError) as refused:
        claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 3, 3))
    assert str(refused.value) == "Voor dit traject is al gedeclareerd."
    assert claim_count(session, trajectory) == 1


def test_the_unique_constraint_backs_the_check_when_two_claims_race(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    trajectory = closed(session, world, care_end=date(2027, 3, 1), achieved=True)
    claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 3, 2))
    # The second request did its check before the first one's row was there.
    monkeypatch.setattr(claims, "claim_of", lambda *_: None)
    with pytest.raises(DomainError, match="Voor dit traject is al gedeclareerd."):
        claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 3, 2))
    assert claim_count(session, trajectory) == 1
    assert [e.action for e in trajectory.events].count("gedeclareerd") == 1


def test_only_the_main_provider_claims(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 3, 1), achieved=True)
    for someone in (world.aanbieder_b, world.gids):
        with pytest.raises(NotFound):
            claims.submit_claim(session, trajectory, someone, date(2027, 3, 2))


def test_the_policy_can_be_chosen_when_claiming(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 1, 31), achieved=False)
    claim = claims.submit_claim(
        session, trajectory, world.aanbieder_a, date(2027, 2, 1), ClaimPolicy.NIETS
    )
    assert claim.amount == Decimal("0.00")


# --- deciding and listing ----------------------------------------------------------------------


def test_the_gids_approves_a_claim(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 3, 1), achieved=True)
    claim = claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 3, 2))
    claims.decide_claim(
        session, claim, world.gids, approve=True, reason=None, today=date(2027, 3, 3)
    )
    assert claim.state == ClaimState.GOEDGEKEURD
    assert claim.decided_by_id == world.gids.id
    assert trajectory.events[-1].action == "declaratie_goedgekeurd"


def test_a_refused_claim_needs_a_reason(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 3, 1), achieved=True)
    claim = claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 3, 2))
    with pytest.raises(DomainError) as refused:
        claims.decide_claim(
            session, claim, world.gids, approve=False, reason="", today=date(2027, 3, 3)
        )
    assert refused.value.problems[0].field == "reason"
    assert claim.state == ClaimState.INGEDIEND
    claims.decide_claim(
        session,
        claim,
        world.gids,
        approve=False,
        reason="Resultaat niet aangetoond",
        today=date(2027, 3, 3),
    )
    assert (claim.state, claim.decision_reason) == (
        ClaimState.AFGEWEZEN,
        "Resultaat niet aangetoond",
    )
    with pytest.raises(DomainError, match="al besloten"):
        claims.decide_claim(
            session, claim, world.gids, approve=True, reason=None, today=date(2027, 3, 4)
        )


def test_only_the_responsible_gids_decides_a_claim(session: Session, world: World) -> None:
    trajectory = closed(session, world, care_end=date(2027, 3, 1), achieved=True)
    claim = claims.submit_claim(session, trajectory, world.aanbieder_a, date(2027, 3, 2))
    for someone in (world.gids2, world.aanbieder_a):
        with pytest.raises(DomainError, match="geen recht"):
            claims.decide_claim(
                session, claim, someone, approve=True, reason=None, today=date(2027, 3, 3)
            )


def test_claims_are_listed_newest_first_per_provider_and_for_everyone(
    session: Session, world: World
) -> None:
    first = claims.submit_claim(
        session,
        closed(session, world, care_end=date(2027, 3, 1), achieved=True),
        world.aanbieder_a,
        date(2027, 3, 2),
    )
    second = claims.submit_claim(
        session,
        closed(session, world, care_end=date(2027, 3, 1), achieved=False),
        world.aanbieder_a,
        date(2027, 3, 2),
    )
    # Submitted within the same instant on a fast machine: the id breaks the tie.
    second.submitted_at = first.submitted_at
    session.flush()
    zone = "Europe/Amsterdam"

    def listed(provider_id: int) -> list[int]:
        chosen = claims.ClaimFilter(provider_id=provider_id)
        return [row.id for row in claims.provider_claims(session, chosen, zone_name=zone).items]

    def exported(provider_id: int | None) -> list[str]:
        data, _count = claims.claims_csv(session, claims.ClaimFilter(provider_id), zone)
        return [line.split(";")[0] for line in data.decode("utf-8-sig").splitlines()[1:]]

    assert listed(world.zorg_a.id) == [second.id, first.id]
    assert listed(world.zorg_b.id) == []
    assert exported(None) == [str(second.id), str(first.id)]
    assert exported(world.zorg_b.id) == []


def test_every_claim_state_and_policy_has_a_label() -> None:
    assert set(claims.CLAIM_STATE_LABELS) == set(ClaimState)
    assert set(claims.CLAIM_POLICY_LABELS) == set(ClaimPolicy)
    assert ClaimPolicy("pro_rata") is ClaimPolicy.PRO_RATA


# --- properties --------------------------------------------------------------------------------

prices = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(
    price=prices,
    planned_start=days,
    planned_days=st.integers(min_value=1, max_value=800),
    start_offset=st.integers(min_value=-120, max_value=900),
    care_days=st.integers(min_value=0, max_value=1200),
    achieved=st.booleans(),
    policy=st.sampled_from(ClaimPolicy),
)
def test_the_claimable_amount_is_never_negative_nor_above_the_price(
    price: Decimal,
    planned_start: date,
    planned_days: int,
    start_offset: int,
    care_days: int,
    achieved: bool,
    policy: ClaimPolicy,
) -> None:
    care_start = planned_start + timedelta(days=start_offset)
    trajectory = Trajectory(
        state=S.AFGESLOTEN,
        price=price,
        planned_start=planned_start,
        planned_end=planned_start + timedelta(days=planned_days - 1),
        care_start=care_start,
        care_end=care_start + timedelta(days=care_days),
        result_achieved=achieved,
    )
    amount, basis = claimable_amount(trajectory, policy)
    assert Decimal("0") <= amount <= price
    assert amount == amount.quantize(Decimal("0.01"))
    assert basis
    if achieved:
        assert amount == price
    elif policy == ClaimPolicy.NIETS:
        assert amount == 0


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    care_days=st.integers(min_value=0, max_value=300),
    achieved=st.booleans(),
    attempts=st.integers(min_value=1, max_value=4),
)
def test_claiming_again_and_again_never_makes_a_second_claim(
    session: Session, world: World, care_days: int, achieved: bool, attempts: int
) -> None:
    care_end = PLANNED_START + timedelta(days=care_days)
    trajectory = closed(session, world, care_end=care_end, achieved=achieved)
    refusals = 0
    for _ in range(attempts):
        try:
            claim = claims.submit_claim(session, trajectory, world.aanbieder_a, care_end)
        except DomainError:
            refusals += 1
        else:
            assert claim.amount <= claim.price
    assert refusals == attempts - 1
    assert claim_count(session, trajectory) == 1
