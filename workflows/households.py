"""Households: moving a resident to another household, and handing a household with its open
work to another gids.

Decisions written down here (where the domain is silent):

* **Moving a resident** goes to the household of a known resident (found by BSN, as at
  registration) or to a new household, whose gids is the one who moves them. A household left
  without members is removed (as the retention purge does). The resident's trajectories and
  requests stay with their responsible gids; handing them over is its own step. The statistics
  feed follows by itself: a changed resident is derived again in the same flush
  (``workflows.stats.feed``), so the household key of the resident's rows is the new household's.
* **Handing over** a household moves everything that is still work to the new gids: the
  household itself (its single contact), its residents' open trajectories and trajectories with
  open tasks (a claim to decide after closing), their requests without an outcome, and the open
  tasks of those trajectories addressed to a gids. Closed work stays with whoever did it. The new
  gids then sees it in the caseload, the requests and the inbox, the old one no longer.
* Only the household's gids does either (``residents.may_change``). The new gids is an active
  account with the role gids, not the present one.
* The audit log records the changed trajectories and requests with their changed field
  (``gids_id``) through its hooks, the moved resident with ``household_id``, and for a hand-over
  one entry per resident (the household itself is no personal record).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import (
    OPEN_STATES,
    Aanmelding,
    AanmeldingOutcome,
    Household,
    Resident,
    Role,
    Task,
    Trajectory,
    User,
    utcnow,
)

from . import audit
from .bsn import normalise_bsn
from .errors import N_, DomainError, NotFound, Problem
from .residents import check_resident_version, require_may_change

HANDED_OVER = "stap huishouden_overgedragen"  # the audit entry's detail per resident


def move_to_household(
    session: Session,
    resident: Resident,
    actor: User,
    *,
    member_bsn: str | None,
    expected_version: int | None = None,
) -> Household:
    """Move the resident to the household of the resident with ``member_bsn``, or to a new
    household (no BSN) with the acting gids as its contact."""
    old = resident.household
    require_may_change(old, actor)
    check_resident_version(resident, expected_version)
    target: Household | None = None
    bsn = normalise_bsn(member_bsn or "")
    if bsn:
        member = session.scalar(select(Resident).where(Resident.bsn == bsn))
        if member is None:
            raise DomainError(N_("Er is geen inwoner met dit BSN bekend."), field="member_bsn")
        if member.household_id == old.id:
            raise DomainError(N_("Deze inwoner woont al in dat huishouden."), field="member_bsn")
        target = member.household
    elif len(old.members) == 1:
        raise DomainError(
            N_("Deze inwoner vormt al een huishouden alleen; vul het BSN van een huisgenoot in."),
            field="member_bsn",
        )
    if target is None:
        target = Household(gids=actor)
        session.add(target)
    resident.household = target
    session.flush()
    if not session.scalar(select(func.count()).where(Resident.household_id == old.id)):
        session.delete(old)
        session.flush()
    return target


def gids_choices(session: Session) -> list[User]:
    """The gidsen a household can go to: active accounts with the role gids, by name."""
    return list(
        session.scalars(
            select(User).where(User.role == Role.GIDS, User.active.is_(True)).order_by(User.name)
        )
    )


@dataclass(frozen=True)
class HandOver:
    """What moved: counts for the message the gids sees."""

    trajectories: int
    requests: int
    tasks: int


def get_household(session: Session, household_id: int, *, for_update: bool = False) -> Household:
    household = session.get(
        Household, household_id, with_for_update=for_update or None, populate_existing=for_update
    )
    if household is None:
        raise NotFound(N_("Huishouden niet gevonden."))
    return household


def hand_over_household(
    session: Session, household: Household, actor: User, new_gids_id: int | None
) -> HandOver:
    """Hand the household and its open work to the gids ``new_gids_id``."""
    require_may_change(household, actor)
    new_gids = session.get(User, new_gids_id) if new_gids_id is not None else None
    if new_gids is None or new_gids.role != Role.GIDS or not new_gids.active:
        raise DomainError.from_problems([Problem(N_("Kies een gids uit de lijst."), "gids_id")])
    if new_gids.id == household.gids_id:
        raise DomainError(N_("Dit huishouden heeft deze gids al."), field="gids_id")
    members = [m.id for m in household.members]
    open_task = (
        select(Task.id)
        .where(
            Task.trajectory_id == Trajectory.id, Task.done_at.is_(None), Task.user_id.isnot(None)
        )
        .exists()
    )
    trajectories = list(
        session.scalars(
            select(Trajectory)
            .where(
                Trajectory.resident_id.in_(members),
                Trajectory.gids_id != new_gids.id,
                or_(Trajectory.state.in_(OPEN_STATES), open_task),
            )
            .order_by(Trajectory.id)
            .with_for_update()
        )
    )
    requests = list(
        session.scalars(
            select(Aanmelding).where(
                Aanmelding.resident_id.in_(members),
                Aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING,
                Aanmelding.gids_id != new_gids.id,
            )
        )
    )
    tasks = _move_tasks(session, [t.id for t in trajectories], new_gids)
    for trajectory in trajectories:
        trajectory.gids_id = new_gids.id
    for request in requests:
        request.gids_id = new_gids.id
    household.gids_id = new_gids.id
    session.flush()
    if audit.context_of(session) is not None:
        for member_id in members:
            audit.record(
                session, audit.CHANGED, "inwoner", member_id, member_id, details=HANDED_OVER
            )
    return HandOver(trajectories=len(trajectories), requests=len(requests), tasks=tasks)


def _move_tasks(session: Session, trajectory_ids: list[int], new_gids: User) -> int:
    """Readdress the open gids tasks of the trajectories to the new gids. Where the new gids
    already holds the same task (handed over before and back), that one is opened again and the
    moving one done: one task per trajectory, kind and reference per recipient."""
    if not trajectory_ids:
        return 0
    moving = list(
        session.scalars(
            select(Task).where(
                Task.trajectory_id.in_(trajectory_ids),
                Task.done_at.is_(None),
                Task.user_id.isnot(None),
                Task.user_id != new_gids.id,
            )
        )
    )
    now = utcnow()
    for task in moving:
        existing = session.scalar(
            select(Task).where(
                Task.trajectory_id == task.trajectory_id,
                Task.kind == task.kind,
                Task.ref == task.ref,
                Task.user_id == new_gids.id,
            )
        )
        if existing is None:
            task.user_id = new_gids.id
            task.read_at = None
            task.mailed_at = None
        else:
            existing.done_at = None
            existing.read_at = None
            task.done_at = now
    return len(moving)
