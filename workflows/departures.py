"""A resident leaves the municipality's care: a move out of the municipality or a death.

The gids records the date; what was still running for the resident ends with it, through the
same workflow steps as by hand. Decisions written down here (where the domain is silent):

* **The workflow closes, after the gids has seen what it will do.** The gids's page first shows
  every running trajectory with the closure it will get — end date, category, reason — and every
  open request, and the gids confirms (``departure_plan`` makes that list; ``record_departure``
  carries out exactly that list). A death or a move leaves nothing to decide per trajectory,
  and care that runs on for someone who died or left is money paid for nothing, so one
  confirmation closes them all at once.
* **Reasons**: a death is *overlijden* (02), a move *verhuizing / externe omstandigheden* (Wmo 31,
  Jeugd 35; ``closure_rules.DEATH_REASON`` / ``MOVE_REASON``). The category is *d voortijdig* for
  a death; for a move the gids says whether care continues in the new municipality (*c
  vervolghulp*) or not (*d*). The result counts as not achieved (the table allows nothing else).
* Care that started is **closed** on the date (``trajectories.close``: evaluations, tasks and
  requests on it are settled); a trajectory whose care has not started is **cancelled**
  (``trajectories.cancel``), and a request still without an outcome gets *geen vervolg*
  (``aanmeldingen.decide_aanmelding``); each with the reason "inwoner overleden / verhuisd op …".
* The date lies between the birth date and today (a death or a move is recorded once it
  happened), and not before the start of care of a running trajectory.
* At most one departure per resident: a second one (a double submit, a second tab) is refused
  with a message, so the trajectories close once. A move *within* the municipality is a
  correction of the address and wijk (``residents.change_resident``).
* Only the household's gids records it (``residents.may_change``); the running trajectories of
  the resident close whoever is their responsible gids, since the death or move ends them all.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    AanmeldingOutcome,
    ClosureCategory,
    Resident,
    Trajectory,
    TrajectoryState,
    User,
)

from . import trajectories as wf
from .aanmeldingen import decide_aanmelding
from .closure_rules import DEATH_REASON, MOVE_REASON
from .errors import N_, DomainError, Problem
from .residents import check_resident_version, require_may_change


class Departure(enum.StrEnum):
    VERHUISD = "verhuisd"  # moved out of the municipality
    OVERLEDEN = "overleden"  # died


@dataclass(frozen=True)
class PlannedEnd:
    """What a departure does with one running trajectory: closed with ``category`` and
    ``reason_code`` when care started, else cancelled (both None)."""

    trajectory: Trajectory
    category: ClosureCategory | None = None
    reason_code: str | None = None

    @property
    def closes(self) -> bool:
        return self.category is not None


@dataclass
class DeparturePlan:
    kind: Departure
    on: date
    ends: list[PlannedEnd] = field(default_factory=list)
    requests: list[Aanmelding] = field(default_factory=list)


def departure_plan(
    resident: Resident, kind: Departure, on: date, *, care_continues: bool = False
) -> DeparturePlan:
    """What recording the departure will end: the running trajectories (with their closure) and
    the requests without an outcome. The page shows it; ``record_departure`` carries it out."""
    plan = DeparturePlan(kind=kind, on=on)
    for trajectory in resident.trajectories:
        if not trajectory.is_open:
            continue
        if trajectory.state != TrajectoryState.ACTIEF:
            plan.ends.append(PlannedEnd(trajectory))
        elif kind == Departure.OVERLEDEN:
            plan.ends.append(
                PlannedEnd(trajectory, ClosureCategory.D, DEATH_REASON[trajectory.domain])
            )
        else:
            category = ClosureCategory.C if care_continues else ClosureCategory.D
            plan.ends.append(PlannedEnd(trajectory, category, MOVE_REASON[trajectory.domain]))
    plan.requests = [
        r for r in resident.aanmeldingen if r.outcome == AanmeldingOutcome.IN_BEHANDELING
    ]
    return plan


def _day(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def departure_problems(resident: Resident, kind: Departure, on: date, today: date) -> list[Problem]:
    """What is wrong with the date: in the future, before the birth date, or before the start
    of care of a running trajectory (which would then end before it began)."""
    if on > today:
        if kind == Departure.OVERLEDEN:
            return [Problem(N_("De datum van overlijden kan niet in de toekomst liggen."), "on")]
        return [Problem(N_("De datum van verhuizing kan niet in de toekomst liggen."), "on")]
    if on < resident.birth_date:
        return [Problem(N_("Deze datum ligt vóór de geboortedatum."), "on")]
    return [
        Problem(
            N_(
                "De zorg van traject %(name)s startte op %(day)s, na deze datum. Controleer de "
                "datum of de start van de zorg."
            ),
            "on",
            {"name": t.profile.name, "day": _day(t.care_start)},
        )
        for t in resident.trajectories
        if t.state == TrajectoryState.ACTIEF and t.care_start is not None and on < t.care_start
    ]


def reason_text(kind: Departure, on: date) -> str:
    if kind == Departure.OVERLEDEN:
        return f"Inwoner overleden op {_day(on)}"
    return f"Inwoner verhuisd buiten de gemeente op {_day(on)}"


def record_departure(
    session: Session,
    resident: Resident,
    actor: User,
    *,
    kind: Departure,
    on: date,
    care_continues: bool = False,
    today: date,
    expected_version: int | None = None,
) -> DeparturePlan:
    """Record the move or death and end what was running (``departure_plan``), in one unit of
    work: all of it or, when a step is refused, nothing."""
    require_may_change(resident.household, actor)
    if resident.departed:
        raise DomainError(
            N_("Voor deze inwoner is al een verhuizing of een overlijden vastgelegd.")
        )
    check_resident_version(resident, expected_version)
    problems = departure_problems(resident, kind, on, today)
    if problems:
        raise DomainError.from_problems(problems)
    if kind == Departure.OVERLEDEN:
        resident.died_on = on
    else:
        resident.moved_out_on = on
    plan = departure_plan(resident, kind, on, care_continues=care_continues)
    why = reason_text(kind, on)
    for end in plan.ends:
        trajectory = wf.get_trajectory(session, end.trajectory.id, for_update=True)
        _end(session, trajectory, end, actor, on=on, why=why, today=today)
    for request in plan.requests:
        decide_aanmelding(
            session,
            request,
            actor,
            outcome=AanmeldingOutcome.GEEN_VERVOLG,
            reason=why,
            today=today,
        )
    session.flush()
    return plan


def _end(
    session: Session,
    trajectory: Trajectory,
    end: PlannedEnd,
    actor: User,
    *,
    on: date,
    why: str,
    today: date,
) -> None:
    if end.category is None or end.reason_code is None:
        wf.cancel(session, trajectory, actor, why)
        return
    wf.close(
        session,
        trajectory,
        actor,
        care_end=on,
        closure_category=end.category,
        end_reason_code=end.reason_code,
        result_achieved=False,
        today=today,
        reason=why,
    )
