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

A refused claim may be corrected and submitted again **once** (``resubmit_claim``): the provider
gives the amount (never above what ``claimable_amount`` allows) and says what it corrected. The
claim keeps its first submission and the refusal's reason (``Claim.first_*``), goes back to
*ingediend*, and the gids decides it as usual. A second resubmission is refused; so is one of a
claim that was not refused. The trajectory's history shows both submissions and both decisions.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from models import (
    Claim,
    ClaimState,
    EventAction,
    Provider,
    Resident,
    SupportProfile,
    TaskKind,
    Trajectory,
    TrajectoryState,
    User,
    utcnow,
)

from . import audit, clock, csv_format
from .errors import N_, DomainError, Problem
from .guards import require_main_provider_user, require_responsible_gids
from .inbox import add_or_reopen_task, add_task, complete_tasks
from .paging import Page, paginate
from .text import clean_text
from .transitions import CLAIM_TABLE, ClaimAction, record_unchanged
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
    *,
    amount: Decimal | None = None,
) -> Claim:
    """The main provider claims a closed trajectory, once. The unique constraint on the
    trajectory backs the check, also when two requests arrive at the same moment.

    ``amount`` is what the provider asks when it names an amount (a declaration message does):
    never more than ``claimable_amount`` allows; less is kept as asked. Without it the claim is
    for what may be claimed (the portal's claim)."""
    require_main_provider_user(trajectory, actor)
    if trajectory.state != TrajectoryState.AFGESLOTEN:
        raise DomainError(N_("Declareren kan pas als het traject is afgesloten."))
    if claim_of(session, trajectory) is not None:
        raise DomainError.from_problems([duplicate("uq_claims_trajectory_id")])
    maximum, basis = claimable_amount(trajectory, policy)
    if amount is None:
        amount = maximum
    elif amount < 0 or amount != amount.quantize(CENT) or amount > maximum:
        raise DomainError(
            N_("Het bedrag kan niet hoger zijn dan %(amount)s."), amount=_euro(maximum)
        )
    elif amount < maximum:
        basis += f" Ingediend: {_euro(amount)}, minder dan het toegestane bedrag."
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
    record_unchanged(
        session,
        trajectory,
        EventAction.GEDECLAREERD,
        actor,
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
    decided = CLAIM_TABLE.next_state(
        claim.state, ClaimAction.APPROVE if approve else ClaimAction.REFUSE
    )
    reason_text = clean_text(reason)
    if not approve and not reason_text:
        raise DomainError(N_("Geef een reden waarom u de declaratie afwijst."), field="reason")
    claim.state = decided
    claim.decision_reason = reason_text
    claim.decided_by = actor
    claim.decided_at = utcnow()
    complete_tasks(session, trajectory.id, [TaskKind.DECLARATIE_BEOORDELEN], ref=claim.id)
    if not approve:
        add_or_reopen_task(
            session,
            TaskKind.DECLARATIE_AFGEWEZEN,
            trajectory,
            provider_id=trajectory.provider_id,
            ref=claim.id,
            due_on=today,
        )
    record_unchanged(
        session,
        trajectory,
        EventAction.DECLARATIE_GOEDGEKEURD if approve else EventAction.DECLARATIE_AFGEWEZEN,
        actor,
        reason=reason_text,
        details=_euro(claim.amount),
    )
    session.flush()


def resubmit_claim(
    session: Session,
    claim: Claim,
    actor: User,
    *,
    amount: Decimal | None,
    correction: str | None,
    today: date,
    policy: ClaimPolicy = ClaimPolicy.PRO_RATA,
) -> None:
    """The main provider corrects a refused claim and submits it again, once (see the module
    docstring). Called with the trajectory's lock held and the claim read again after it, so a
    double submit finds the claim submitted already and is refused."""
    trajectory = claim.trajectory
    require_main_provider_user(trajectory, actor)
    if claim.state == ClaimState.AFGEWEZEN and claim.resubmitted:
        raise DomainError(
            N_("Een afgewezen declaratie kan maar één keer opnieuw worden ingediend.")
        )
    resubmitted = CLAIM_TABLE.next_state(claim.state, ClaimAction.RESUBMIT)
    maximum, _basis = claimable_amount(trajectory, policy)
    problems = []
    if amount is None:
        problems.append(Problem(N_("Vul het bedrag in."), "amount"))
    elif amount < 0 or amount != amount.quantize(CENT):
        problems.append(
            Problem(N_("Vul een bedrag in euro's en centen in, niet negatief."), "amount")
        )
    elif amount > maximum:
        problems.append(
            Problem(
                N_("Het bedrag kan niet hoger zijn dan %(amount)s."),
                "amount",
                {"amount": _euro(maximum)},
            )
        )
    correction_text = clean_text(correction)
    if not correction_text:
        problems.append(Problem(N_("Beschrijf wat u heeft gecorrigeerd."), "correction"))
    if problems:
        raise DomainError.from_problems(problems)
    assert amount is not None and claim.decision_reason is not None
    claim.first_submitted_at = claim.submitted_at
    claim.first_amount = claim.amount
    claim.first_refusal_reason = claim.decision_reason
    claim.first_decided_by_id = claim.decided_by_id
    claim.first_decided_at = claim.decided_at
    claim.correction = correction_text
    claim.amount = amount
    claim.submitted_by = actor
    claim.submitted_at = utcnow()
    claim.state = resubmitted
    claim.decision_reason = None
    claim.decided_by = None
    claim.decided_at = None
    complete_tasks(session, trajectory.id, [TaskKind.DECLARATIE_AFGEWEZEN], ref=claim.id)
    add_or_reopen_task(
        session,
        TaskKind.DECLARATIE_BEOORDELEN,
        trajectory,
        user_id=trajectory.gids_id,
        ref=claim.id,
        due_on=today,
    )
    record_unchanged(
        session,
        trajectory,
        EventAction.GEDECLAREERD,
        actor,
        reason=correction_text,
        details=f"opnieuw ingediend na afwijzing: {_euro(amount)} van {_euro(trajectory.price)}",
    )
    session.flush()


# --- lists and exports -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimFilter:
    """Which claims a list or an export holds. ``provider_id`` None means every provider (only
    the beheerder's export); ``year`` is the year of submission on the municipality's calendar.
    A provider's views always set ``provider_id`` to the provider's own organisation, never
    from what the request says."""

    provider_id: int | None = None
    state: ClaimState | None = None
    year: int | None = None


def year_bounds(year: int, zone_name: str) -> tuple[datetime, datetime]:
    """The instants (UTC) from 1 January 00:00 of ``year`` to 1 January of the next year, on the
    municipality's clock: a claim submitted at 23:30 UTC on 31 December is next year's there."""
    zone = clock.zone(zone_name)
    first = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    return first, datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)


def _conditions(chosen: ClaimFilter, zone_name: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if chosen.provider_id is not None:
        conditions.append(Claim.provider_id == chosen.provider_id)
    if chosen.state is not None:
        conditions.append(Claim.state == chosen.state)
    if chosen.year is not None:
        first, after = year_bounds(chosen.year, zone_name)
        conditions += [Claim.submitted_at >= first, Claim.submitted_at < after]
    return conditions


NEWEST_FIRST = (Claim.submitted_at.desc(), Claim.id.desc())


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One line of a provider's claims list, read as plain columns: loading thousands of claims
    with their trajectories and residents as objects made the page take seconds."""

    id: int
    trajectory_id: int
    resident_id: int
    resident_name: str
    basis: str
    amount: Decimal
    price: Decimal
    state: ClaimState
    submitted_at: datetime
    decision_reason: str | None


def _claim_row(values: Any) -> ClaimRow:
    (id_, trajectory_id, resident_id, given, family, basis, amount, price, state, submitted_at,
     decision_reason) = values  # fmt: skip
    return ClaimRow(
        id=id_,
        trajectory_id=trajectory_id,
        resident_id=resident_id,
        resident_name=f"{given} {family}",
        basis=basis,
        amount=amount,
        price=price,
        state=state,
        submitted_at=submitted_at,
        decision_reason=decision_reason,
    )


def provider_claims(
    session: Session,
    chosen: ClaimFilter,
    *,
    zone_name: str,
    page: int = 1,
    per_page: int = 25,
) -> Page[ClaimRow]:
    """One page of a provider's claims, newest first (the index on provider and submission
    serves both the count and the page). Each claim shown is noted in the audit log as read,
    with its trajectory and resident (the list names the resident)."""
    if chosen.provider_id is None:
        raise ValueError("a provider's claims list needs the provider")
    conditions = _conditions(chosen, zone_name)
    rows = (
        select(
            Claim.id,
            Claim.trajectory_id,
            Trajectory.resident_id,
            Resident.given_name,
            Resident.family_name,
            Claim.basis,
            Claim.amount,
            Claim.price,
            Claim.state,
            Claim.submitted_at,
            Claim.decision_reason,
        )
        .join(Trajectory, Trajectory.id == Claim.trajectory_id)
        .join(Resident, Resident.id == Trajectory.resident_id)
        .where(*conditions)
        .order_by(*NEWEST_FIRST)
    )
    result = paginate(
        session,
        select(Claim.id).where(*conditions),
        rows,
        page=page,
        per_page=per_page,
        convert=_claim_row,
    )
    audit.note_listed_claims(
        session, [(row.id, row.trajectory_id, row.resident_id) for row in result.items]
    )
    return result


def first_claim_year(session: Session, provider_id: int, zone_name: str) -> int | None:
    """The year of the provider's first claim (for the year filter's choices)."""
    first = session.scalar(
        select(func.min(Claim.submitted_at)).where(Claim.provider_id == provider_id)
    )
    return None if first is None else clock.local_date(first, zone_name).year


# The claims CSV (R11): only claim and catalogue facts — no names, BSNs or birth dates. The
# beheerder sees no case content, and a provider's file that travels by e-mail leaks nothing;
# the trajectory id finds the client in the application.
CLAIMS_CSV_COLUMNS = (
    "declaratie_id",
    "traject_id",
    "aanbieder_agb",
    "aanbieder",
    "productcategorie",
    "profiel",
    "intensiteit",
    "trajectprijs",
    "bedrag",
    "status",
    "ingediend_op",
    "besloten_op",
    "reden",
)


def claims_csv(session: Session, chosen: ClaimFilter, zone_name: str) -> tuple[bytes, int]:
    """The claims the filter selects, newest first, as a CSV for Dutch Excel
    (``workflows.csv_format``), and the number of claims in it. Read as plain columns, so the
    export loads no objects and writes no read entry per claim: the caller records the export
    once (``audit.record_export``)."""
    statement = (
        select(
            Claim.id,
            Claim.trajectory_id,
            Provider.agb_code,
            Provider.name,
            SupportProfile.category_code,
            SupportProfile.code,
            Trajectory.intensity,
            Claim.price,
            Claim.amount,
            Claim.state,
            Claim.submitted_at,
            Claim.decided_at,
            Claim.decision_reason,
        )
        .join(Provider, Provider.id == Claim.provider_id)
        .join(Trajectory, Trajectory.id == Claim.trajectory_id)
        .join(SupportProfile, SupportProfile.id == Trajectory.profile_id)
        .where(*_conditions(chosen, zone_name))
        .order_by(*NEWEST_FIRST)
    )

    def day(moment: datetime | None) -> str:
        return "" if moment is None else clock.local_date(moment, zone_name).isoformat()

    lines: list[Sequence[object]] = [CLAIMS_CSV_COLUMNS]
    for (claim_id, trajectory_id, agb_code, provider, category, profile, intensity, price, amount,
         state, submitted_at, decided_at, reason) in session.execute(statement):  # fmt: skip
        lines.append(
            [
                claim_id,
                trajectory_id,
                agb_code,
                csv_format.neutralise(provider),
                category,
                profile,
                intensity.value,
                csv_format.amount(price),
                csv_format.amount(amount),
                state.value,
                day(submitted_at),
                day(decided_at),
                csv_format.neutralise(reason or ""),
            ]
        )
    return csv_format.csv_bytes(lines), len(lines) - 1
