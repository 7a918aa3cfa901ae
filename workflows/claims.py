"""Claims (*declaraties*, R3, R4, R11): one per trajectory, never above its price.

What may be claimed follows from how the trajectory closed (``claimable_amount``):

* **Result achieved** — the full trajectory price (R3: sooner or with fewer hours, the agreed
  price stands). Also when the result came after the planned end: the price is the whole
  payment for the result, so the extra period is never paid (R4).
* **Closed without the result** — the configured ``ClaimPolicy`` (R11):

  - ``PRO_RATA`` (default): the share of the planned period in which care was delivered::

        elapsed = max(0, min(care_end, planned_end) − care_start + 1)   (days, both inclusive)
        planned = planned_end − planned_start + 1                        (days, both inclusive)
        amount  = price × min(1, elapsed ÷ planned), rounded half-up to cents, at most the price

    Days after the planned end never count (R4), so a trajectory that ran over its term without
    the result can claim at most the full price — and only because the whole planned period
    was delivered.
  - ``NIETS``: nothing; the provider carries the risk of a result not reached.

  A trajectory closed because it was scaled up or down (R9, reason 37) closes without the
  result: its claim follows the policy, and the follow-up trajectory is claimed on its own.

The provider submits; the responsible gids decides, because the gids took part in the
evaluations and knows whether the result was reached. A refusal carries a reason.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import Claim, ClaimState, TaskKind, Trajectory, TrajectoryState, User, utcnow

from . import trajectories as wf
from .errors import N_, DomainError
from .guards import require_main_provider_user, require_responsible_gids
from .inbox import add_task, complete_tasks
from .uniqueness import duplicate, refusing_duplicates

CENT = Decimal("0.01")


class ClaimPolicy(enum.StrEnum):
    """What a trajectory closed without its result may claim (R11)."""

    PRO_RATA = "pro_rata"
    NIETS = "niets"


CLAIM_POLICY_LABELS: dict[ClaimPolicy, str] = {
    ClaimPolicy.PRO_RATA: N_("Naar rato van de verstreken geplande duur"),
    ClaimPolicy.NIETS: N_("Geen vergoeding"),
}

CLAIM_STATE_LABELS: dict[ClaimState, str] = {
    ClaimState.INGEDIEND: N_("Ingediend"),
    ClaimState.GOEDGEKEURD: N_("Goedgekeurd"),
    ClaimState.AFGEWEZEN: N_("Afgewezen"),
}


def _euro(amount: Decimal) -> str:
    """€ 1.234,56 — Dutch notation, for the stored explanation."""
    text = f"{amount.quantize(CENT):,.2f}"
    return "€ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


def pro_rata(
    price: Decimal,
    planned_start: date,
    planned_end: date,
    care_start: date,
    care_end: date,
) -> tuple[Decimal, int, int]:
    """The pro-rata amount, the days of care counted and the days of the planned period
    (see the module docstring for the formula)."""
    planned_days = (planned_end - planned_start).days + 1
    elapsed_days = max(0, (min(care_end, planned_end) - care_start).days + 1)
    if planned_days <= 0:  # impossible by the check constraint; never divide by it
        return Decimal("0.00"), elapsed_days, planned_days
    counted = min(elapsed_days, planned_days)
    amount = (price * counted / planned_days).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(amount, price), counted, planned_days


def claimable_amount(
    trajectory: Trajectory, policy: ClaimPolicy = ClaimPolicy.PRO_RATA
) -> tuple[Decimal, str]:
    """What the provider may claim for a closed trajectory, and a Dutch explanation (the
    claim's ``basis``). See the module docstring for the rules."""
    if trajectory.state != TrajectoryState.AFGESLOTEN:
        raise DomainError(N_("Declareren kan pas als het traject is afgesloten."))
    assert trajectory.care_start is not None and trajectory.care_end is not None
    price = trajectory.price
    if trajectory.result_achieved:
        if trajectory.care_end > trajectory.planned_end:
            return price, (
                "Resultaat behaald na de geplande einddatum: de volledige trajectprijs; "
                "de extra periode wordt niet vergoed."
            )
        return price, "Resultaat behaald: de volledige trajectprijs."
    if policy == ClaimPolicy.NIETS:
        return Decimal("0.00"), "Resultaat niet behaald; volgens het beleid geen vergoeding."
    amount, counted, planned_days = pro_rata(
        price,
        trajectory.planned_start,
        trajectory.planned_end,
        trajectory.care_start,
        trajectory.care_end,
    )
    basis = (
        f"Resultaat niet behaald; naar rato: {counted} van {planned_days} geplande dagen zorg "
        f"geleverd, {counted}/{planned_days} × {_euro(price)} = {_euro(amount)}."
    )
    if trajectory.care_end > trajectory.planned_end:
        basis += " Dagen na de geplande einddatum tellen niet mee."
    return amount, basis


def claim_of(session: Session, trajectory: Trajectory) -> Claim | None:
    """The trajectory's claim, if any. Only a closed trajectory is ever claimed
    (``submit_claim``), so the others need no query: the trajectory pages ask on every view."""
    if trajectory.state != TrajectoryState.AFGESLOTEN:
        return None
    return session.scalars(select(Claim).where(Claim.trajectory_id == trajectory.id)).first()


def submit_claim(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    today: date,
    policy: ClaimPolicy = ClaimPolicy.PRO_RATA,
) -> Claim:
    """The main provider claims a closed trajectory, once. The unique constraint on the
    trajectory backs the check, also when two requests arrive at the same moment."""
    require_main_provider_user(trajectory, actor)
    if trajectory.state != TrajectoryState.AFGESLOTEN:
        raise DomainError(N_("Declareren kan pas als het traject is afgesloten."))
    if claim_of(session, trajectory) is not None:
        raise DomainError.from_problems([duplicate("uq_claims_trajectory_id")])
    amount, basis = claimable_amount(trajectory, policy)
    claim = Claim(
        trajectory_id=trajectory.id,
        provider_id=trajectory.provider_id,
        price=trajectory.price,
        amount=amount,
        basis=basis,
        submitted_by=actor,
        state=ClaimState.INGEDIEND,
    )
    with refusing_duplicates(session):  # two claims at the same moment: the constraint holds
        session.add(claim)
    add_task(
        session,
        TaskKind.DECLARATIE_BEOORDELEN,
        trajectory,
        user_id=trajectory.gids_id,
        ref=claim.id,
        due_on=today,
    )
    wf._record(
        session,
        trajectory,
        "gedeclareerd",
        actor,
        trajectory.state,
        trajectory.state,
        details=f"{_euro(amount)} van {_euro(trajectory.price)}",
    )
    session.flush()
    return claim


def decide_claim(
    session: Session,
    claim: Claim,
    actor: User,
    *,
    approve: bool,
    reason: str | None,
    today: date,
) -> None:
    """The trajectory's responsible gids approves or refuses (with a reason) a submitted claim:
    the gids took part in the evaluations and knows whether the result was reached."""
    trajectory = claim.trajectory
    require_responsible_gids(trajectory, actor)
    if claim.state != ClaimState.INGEDIEND:
        raise DomainError(N_("Over deze declaratie is al besloten."))
    reason_text = wf._clean(reason)
    if not approve and not reason_text:
        raise DomainError(N_("Geef een reden waarom u de declaratie afwijst."), field="reason")
    claim.state = ClaimState.GOEDGEKEURD if approve else ClaimState.AFGEWEZEN
    claim.decision_reason = reason_text
    claim.decided_by = actor
    claim.decided_at = utcnow()
    complete_tasks(session, trajectory.id, [TaskKind.DECLARATIE_BEOORDELEN], ref=claim.id)
    if not approve:
        add_task(
            session,
            TaskKind.DECLARATIE_AFGEWEZEN,
            trajectory,
            provider_id=trajectory.provider_id,
            ref=claim.id,
            due_on=today,
        )
    wf._record(
        session,
        trajectory,
        "declaratie_goedgekeurd" if approve else "declaratie_afgewezen",
        actor,
        trajectory.state,
        trajectory.state,
        reason=reason_text,
        details=_euro(claim.amount),
    )
    session.flush()


def claims_of_provider(session: Session, provider_id: int) -> Sequence[Claim]:
    """The provider's claims, newest first."""
    return all_claims(session, provider_id=provider_id)


def all_claims(session: Session, *, provider_id: int | None = None) -> Sequence[Claim]:
    """Every claim (optionally of one provider), newest first, with trajectory and provider
    loaded — for the beheerder's CSV export."""
    query = select(Claim).options(joinedload(Claim.trajectory), joinedload(Claim.provider))
    if provider_id is not None:
        query = query.where(Claim.provider_id == provider_id)
    return session.scalars(query.order_by(Claim.submitted_at.desc(), Claim.id.desc())).all()
