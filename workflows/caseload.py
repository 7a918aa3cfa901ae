"""Work lists: the gids's caseload and the provider's list, with next action and overdue markers.

Markers (decided here, the issue leaves them open):

* *termijn verstreken* — care is active and the planned end has passed (R4);
* *start zorg verlopen* — accepted, but the planned start passed without a registered start;
* *wacht op aanbieder* — proposed more than ``PROVIDER_RESPONSE_DAYS`` days ago, no answer;
* *beschikking verloopt* — an open trajectory whose decision ends within 30 days;
* *beschikking verlopen* — an open trajectory whose decision has ended (R6: for the Wmo the end of
  the decision is the end of the trajectory, so it needs an extension or closure).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from models import (
    OPEN_STATES,
    Domain,
    Evaluation,
    EvaluationState,
    Intensity,
    Provider,
    Resident,
    SupportProfile,
    Trajectory,
    TrajectoryState,
    User,
)

from . import audit
from .errors import N_
from .paging import Page, paginate
from .residents import resident_matches

S = TrajectoryState
PROVIDER_RESPONSE_DAYS = 10
DECISION_WARNING_DAYS = 30

NEXT_ACTION: dict[TrajectoryState, str] = {
    S.CONCEPT: N_("Versturen naar aanbieder"),
    S.VOORGESTELD: N_("Wacht op reactie aanbieder"),
    S.TERUGGESTUURD: N_("Aanpassen en opnieuw versturen"),
    S.GEACCEPTEERD: N_("Wacht op start zorg"),
    S.ACTIEF: N_("Evalueren en resultaat volgen"),
    S.AFGESLOTEN: N_("Geen"),
    S.GEANNULEERD: N_("Geen"),
}

PROVIDER_NEXT_ACTION: dict[TrajectoryState, str] = {
    S.VOORGESTELD: N_("Accepteren of terugsturen"),
    S.TERUGGESTUURD: N_("Wacht op gids"),
    S.GEACCEPTEERD: N_("Start zorg registreren"),
    S.ACTIEF: N_("Zorg leveren en evalueren"),
    S.AFGESLOTEN: N_("Geen"),
    S.GEANNULEERD: N_("Geen"),
    S.CONCEPT: N_("Geen"),
}

MARKER_LABELS = {
    "termijn_verstreken": N_("Termijn verstreken"),
    "start_verlopen": N_("Start zorg verlopen"),
    "wacht_op_aanbieder": N_("Wacht lang op aanbieder"),
    "beschikking_verloopt": N_("Beschikking verloopt"),
    "beschikking_verlopen": N_("Beschikking verlopen"),
}


def answer_due(decision_date: date) -> date:
    """The last day for the provider to accept or return a proposal sent on ``decision_date``:
    the day its inbox task is due; after it the gids sees *wacht lang op aanbieder*."""
    return decision_date + timedelta(days=PROVIDER_RESPONSE_DAYS)


def markers(trajectory: Trajectory | ListRow, today: date) -> list[str]:
    found = []
    if trajectory.state == S.ACTIEF and trajectory.planned_end < today:
        found.append("termijn_verstreken")
    if trajectory.state == S.GEACCEPTEERD and trajectory.planned_start < today:
        found.append("start_verlopen")
    if (
        trajectory.state == S.VOORGESTELD
        and trajectory.decision_date is not None
        and answer_due(trajectory.decision_date) < today
    ):
        found.append("wacht_op_aanbieder")
    if (
        trajectory.state in OPEN_STATES
        and trajectory.state != S.CONCEPT
        and trajectory.decision_end is not None
    ):
        if trajectory.decision_end < today:
            found.append("beschikking_verlopen")
        elif trajectory.decision_end <= today + timedelta(days=DECISION_WARNING_DAYS):
            found.append("beschikking_verloopt")
    return found


@dataclass(frozen=True, slots=True)
class ListRow:
    """One line of a work list, read as plain columns rather than ORM objects: loading 25
    trajectories with their residents, profiles and providers as objects cost more than the
    rest of the page (bench/load.py). ``markers`` takes a row or a trajectory."""

    id: int
    resident_id: int
    resident_name: str
    domain: Domain
    profile_name: str
    intensity: Intensity
    provider_id: int
    provider_name: str
    state: TrajectoryState
    planned_start: date
    planned_end: date
    decision_date: date | None
    decision_end: date | None
    price: Decimal
    next_evaluation: date | None = None  # the soonest planned evaluation's due date


# The soonest due date of a trajectory's planned (not yet held) evaluations.
NEXT_EVALUATION = (
    select(func.min(Evaluation.due_on))
    .where(Evaluation.trajectory_id == Trajectory.id, Evaluation.state == EvaluationState.GEPLAND)
    .correlate(Trajectory)
    .scalar_subquery()
)

_ROW_COLUMNS = (
    Trajectory.id,
    Trajectory.resident_id,
    Resident.given_name,
    Resident.family_name,
    Trajectory.domain,
    SupportProfile.name,
    Trajectory.intensity,
    Trajectory.provider_id,
    Provider.name,
    Trajectory.state,
    Trajectory.planned_start,
    Trajectory.planned_end,
    Trajectory.decision_date,
    Trajectory.decision_end,
    Trajectory.price,
    NEXT_EVALUATION.label("next_evaluation"),
)


def _row(values: Any) -> ListRow:
    (id_, resident_id, given, family, domain, profile, intensity, provider_id, provider,
     state, planned_start, planned_end, decision_date, decision_end, price,
     next_evaluation) = values  # fmt: skip
    return ListRow(
        id=id_,
        resident_id=resident_id,
        resident_name=f"{given} {family}",
        domain=domain,
        profile_name=profile,
        intensity=intensity,
        provider_id=provider_id,
        provider_name=provider,
        state=state,
        planned_start=planned_start,
        planned_end=planned_end,
        decision_date=decision_date,
        decision_end=decision_end,
        price=price,
        next_evaluation=next_evaluation,
    )


def _paginate(
    session: Session,
    conditions: list[ColumnElement[bool]],
    search: str | None,
    order: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    page: int,
    per_page: int,
) -> Page[ListRow]:
    """Count (up to the cap), then read one page of rows. What the page shows is noted in the
    audit log as read: each trajectory and its resident, as loading them would have."""
    match = resident_matches(search)
    ids = select(Trajectory.id).where(*conditions)
    if match is not None:
        ids = ids.join(Resident, Resident.id == Trajectory.resident_id).where(match)
    rows = (
        select(*_ROW_COLUMNS)
        .join(Resident, Resident.id == Trajectory.resident_id)
        .join(SupportProfile, SupportProfile.id == Trajectory.profile_id)
        .join(Provider, Provider.id == Trajectory.provider_id)
        .where(*conditions)
    )
    if match is not None:
        rows = rows.where(match)
    result = paginate(
        session, ids, rows.order_by(*order), page=page, per_page=per_page, convert=_row
    )
    audit.note_listed(session, [(item.id, item.resident_id) for item in result.items])
    return result


def caseload(
    session: Session,
    gids: User,
    *,
    search: str | None = None,
    states: Sequence[TrajectoryState] = OPEN_STATES,
    domain: Domain | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page[ListRow]:
    """The gids's own trajectories, soonest planned end first."""
    conditions = [Trajectory.gids_id == gids.id, Trajectory.state.in_(states)]
    if domain is not None:
        conditions.append(Trajectory.domain == domain)
    order = (Trajectory.planned_end, Trajectory.id)
    return _paginate(session, conditions, search, order, page, per_page)


PROVIDER_VISIBLE_STATES = (S.VOORGESTELD, S.TERUGGESTUURD, S.GEACCEPTEERD, S.ACTIEF, S.AFGESLOTEN)


def provider_sees(user: User, trajectory: Trajectory) -> bool:
    """Need to know: a provider sees trajectories sent to its own organisation as main contractor
    or named as subcontractor, never concepts; cancelled ones only if they had been sent."""
    if user.provider_id is None:
        return False
    assigned = user.provider_id in (trajectory.provider_id, trajectory.subcontractor_id)
    if not assigned or trajectory.decision_date is None:
        return False
    return trajectory.state in PROVIDER_VISIBLE_STATES or trajectory.state == S.GEANNULEERD


class ProviderSort(enum.StrEnum):
    """The orders of a provider's list: proposals first, then by planned start (the default),
    or the soonest next evaluation first (trajectories without a planned evaluation last)."""

    STANDAARD = "standaard"
    EVALUATIE = "evaluatie"


PROVIDER_SORT_LABELS: dict[ProviderSort, str] = {
    ProviderSort.STANDAARD: N_("Voorstellen eerst, dan geplande start"),
    ProviderSort.EVALUATIE: N_("Eerstvolgende evaluatie"),
}


CONTACT_STATES = (S.GEACCEPTEERD, S.ACTIEF)


def provider_gets_contact(user: User, trajectory: Trajectory) -> bool:
    """Need to know: the resident's contact details go only to a provider that delivers the
    care — main contractor or subcontractor of a trajectory it accepted and that has not ended.
    A proposal not yet accepted, a returned or a closed trajectory shows none."""
    return provider_sees(user, trajectory) and trajectory.state in CONTACT_STATES


def provider_list(
    session: Session,
    user: User,
    *,
    states: Sequence[TrajectoryState] = (S.VOORGESTELD, S.GEACCEPTEERD, S.ACTIEF),
    search: str | None = None,
    sort: ProviderSort = ProviderSort.STANDAARD,
    page: int = 1,
    per_page: int = 25,
) -> Page[ListRow]:
    """A provider's proposals and trajectories in the chosen order (``ProviderSort``)."""
    assert user.provider_id is not None
    conditions = [
        or_(
            Trajectory.provider_id == user.provider_id,
            Trajectory.subcontractor_id == user.provider_id,
        ),
        Trajectory.state.in_(states),
        Trajectory.decision_date.is_not(None),
    ]
    order: tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]
    if sort == ProviderSort.EVALUATIE:
        order = (NEXT_EVALUATION.is_(None), NEXT_EVALUATION, Trajectory.id)
    else:
        order = (
            (Trajectory.state != S.VOORGESTELD),
            (Trajectory.state != S.GEACCEPTEERD),
            Trajectory.planned_start,
            Trajectory.id,
        )
    return _paginate(session, conditions, search, order, page, per_page)
