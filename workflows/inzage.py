"""A request for access (*inzageverzoek*, AVG art. 15): the registered request, and everything
held about its resident as plain data that the web app renders as JSON and as PDF.

**The request is the only way in.** The beheerder sees no case content (docs/domain.md) — except to
answer a request for access, a legal duty that needs the whole file. So the file is reached
through a registered ``AccessRequest`` (who asked, when, the case number), never by a resident
id: the beheerder registers it, finding the resident by BSN, and the pages and downloads hang
off the request. Every view and export names the beheerder and the request in the audit log.

Rules decided here (the issue leaves them open):

* **Who asks**: the resident, a legal representative (parent, guardian, curator) or someone the
  resident authorised; the beheerder checks the identity and the authority outside the system
  and records the requester's name and relation.
* **Deadline**: one month after receipt (AVG art. 12(3)); an open request past it is marked
  *termijn verstreken*. The extension by two months that the AVG allows is not modelled: it
  needs a letter to the requester, which happens outside the system.
* **Received on**: not in the future, not before 25 May 2018 (the AVG applies from then).
* **Case number** (*zaaknummer*): letters, digits and ``- / .``, unique without regard to case.
* **Open, then closed**: the file is reachable only while the request is open. The beheerder
  closes it once answered (or withdrawn); after that the request shows its facts, never the
  file again — a new question is a new request. Any beheerder may answer any open request
  (the municipality's privacy function, not one person).
* **Retention**: the request is part of the resident's file and goes with it in the retention
  purge (``workflows.retention``).

What is in the file: the resident's own details and household contact (not the other members:
their data is theirs), requests, trajectories with agreed results, history, evaluations with
scores, scaling requests, end-of-care reports, claims and inbox tasks, and who accessed the
file. Accesses name the role and the organisation (the municipality or the provider), when and
what — not the individual employee nor the address they worked from; the beheerder's own
listing (``log_page``) shows those, for the municipality's own checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models import (
    Aanmelding,
    AccessRequest,
    AccessRequestState,
    AuditEntry,
    Claim,
    EndOfCareReport,
    Evaluation,
    RequesterRelation,
    Resident,
    Role,
    ScalingRequest,
    Task,
    Trajectory,
    User,
    utcnow,
)

from .bsn import is_valid_bsn, normalise_bsn
from .errors import N_, DomainError, NotFound, Problem
from .paging import Page, paginate
from .text import clean_text
from .uniqueness import duplicate, refusing_duplicates

ANSWER_WITHIN = relativedelta(months=1)  # AVG art. 12(3)
AVG_APPLIES_FROM = date(2018, 5, 25)
REFERENCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{0,39}")
NAME_LENGTH = 160

RELATION_LABELS: dict[RequesterRelation, str] = {
    RequesterRelation.INWONER: N_("De inwoner zelf"),
    RequesterRelation.WETTELIJK_VERTEGENWOORDIGER: N_(
        "Wettelijk vertegenwoordiger (ouder, voogd, curator)"
    ),
    RequesterRelation.GEMACHTIGDE: N_("Gemachtigde (schriftelijke machtiging)"),
}
STATE_LABELS: dict[AccessRequestState, str] = {
    AccessRequestState.OPEN: N_("Open"),
    AccessRequestState.AFGEHANDELD: N_("Afgehandeld"),
}


class FileClosed(DomainError):
    """The request has been closed: its resident's file is no longer reachable through it."""


@dataclass
class AccessRequestInput:
    bsn: str
    reference: str
    requester_name: str
    requester_relation: str
    received_on: date | None


def register_access_request(
    session: Session, data: AccessRequestInput, actor: User, today: date
) -> AccessRequest:
    """The beheerder registers a request for access, finding the resident by BSN. All problems
    are reported at once, each at its field."""
    if actor.role != Role.BEHEERDER:
        raise DomainError(N_("Alleen een beheerder registreert een inzageverzoek."))
    problems: list[Problem] = []
    resident: Resident | None = None
    bsn = normalise_bsn(data.bsn)
    if not is_valid_bsn(bsn):
        problems.append(Problem(N_("Dit is geen geldig BSN (9 cijfers en de elfproef)."), "bsn"))
    else:
        resident = find_by_bsn(session, bsn)
        if resident is None:
            problems.append(Problem(N_("Er is geen inwoner met dit BSN bekend."), "bsn"))
    # Stored in capitals: a case number is the same whatever case it was typed in, and so the
    # unique constraint holds that too, also for two beheerders at the same moment.
    reference = (clean_text(data.reference) or "").upper()
    if not REFERENCE_RE.fullmatch(reference):
        problems.append(
            Problem(
                N_(
                    "Een zaaknummer is 1 tot 40 letters en cijfers, met eventueel - / of . "
                    "ertussen (bijvoorbeeld Z-2026-0142)."
                ),
                "reference",
            )
        )
    elif _reference_taken(session, reference):
        problems.append(duplicate("uq_access_requests_reference"))
    name = " ".join((clean_text(data.requester_name) or "").split())
    if not name:
        problems.append(Problem(N_("Vul de naam in van wie het verzoek deed."), "requester_name"))
    elif len(name) > NAME_LENGTH:
        problems.append(
            Problem(N_("Een naam is hoogstens %(n)s tekens."), "requester_name", {"n": NAME_LENGTH})
        )
    relation = next((r for r in RequesterRelation if r.value == data.requester_relation), None)
    if relation is None:
        problems.append(Problem(N_("Kies wie het verzoek deed."), "requester_relation"))
    received = data.received_on
    if received is None:
        problems.append(Problem(N_("Vul de datum van ontvangst in."), "received_on"))
    elif received > today:
        problems.append(Problem(N_("De datum van ontvangst ligt in de toekomst."), "received_on"))
    elif received < AVG_APPLIES_FROM:
        problems.append(
            Problem(
                N_("De datum van ontvangst ligt vóór 25 mei 2018, toen de AVG ging gelden."),
                "received_on",
            )
        )
    if problems:
        raise DomainError.from_problems(problems)
    assert resident is not None and relation is not None and received is not None
    access_request = AccessRequest(
        reference=reference,
        resident_id=resident.id,
        requester_name=name,
        requester_relation=relation,
        received_on=received,
        due_on=received + ANSWER_WITHIN,
        state=AccessRequestState.OPEN,
        registered_by_id=actor.id,
    )
    with refusing_duplicates(session):  # two beheerders with one case number at the same moment
        session.add(access_request)
    return access_request


def _reference_taken(session: Session, reference: str) -> bool:
    found = session.scalar(
        select(AccessRequest.id).where(func.upper(AccessRequest.reference) == reference)
    )
    return found is not None


def get_access_request(
    session: Session, access_request_id: int, *, for_update: bool = False
) -> AccessRequest:
    """The request (row locked when it is about to change: two beheerders closing it at once
    close it once)."""
    access_request = session.get(AccessRequest, access_request_id, with_for_update=for_update)
    if access_request is None:
        raise NotFound(N_("Inzageverzoek niet gevonden."))
    return access_request


def require_open(access_request: AccessRequest) -> None:
    """The file is reachable only while the request is open."""
    if not access_request.is_open:
        raise FileClosed(
            N_(
                "Dit inzageverzoek is afgehandeld; het dossier is via dit verzoek niet meer in "
                "te zien. Registreer een nieuw verzoek als de inwoner opnieuw om inzage vraagt."
            )
        )


def is_overdue(access_request: AccessRequest | AccessRequestRow, today: date) -> bool:
    return access_request.state == AccessRequestState.OPEN and access_request.due_on < today


def close_access_request(session: Session, access_request: AccessRequest, actor: User) -> None:
    """The beheerder closes the request once answered (or withdrawn); the file closes with it."""
    if actor.role != Role.BEHEERDER:
        raise DomainError(N_("Alleen een beheerder handelt een inzageverzoek af."))
    if not access_request.is_open:
        raise DomainError(N_("Dit inzageverzoek is al afgehandeld."))
    access_request.state = AccessRequestState.AFGEHANDELD
    access_request.closed_at = utcnow()
    access_request.closed_by_id = actor.id
    session.flush()


@dataclass(frozen=True, slots=True)
class AccessRequestRow:
    """One line of the beheerder's list of requests: no name of the resident or requester (the
    list is no way into anyone's file; the request's own page is, and it is logged)."""

    id: int
    reference: str
    requester_relation: RequesterRelation
    received_on: date
    due_on: date
    state: AccessRequestState


def access_requests(
    session: Session, *, open_only: bool, page: int = 1, per_page: int = 25
) -> Page[AccessRequestRow]:
    """The requests, open ones first by deadline, then the closed ones newest first."""
    conditions = [AccessRequest.state == AccessRequestState.OPEN] if open_only else []
    rows = (
        select(
            AccessRequest.id,
            AccessRequest.reference,
            AccessRequest.requester_relation,
            AccessRequest.received_on,
            AccessRequest.due_on,
            AccessRequest.state,
        )
        .where(*conditions)
        .order_by(
            AccessRequest.state != AccessRequestState.OPEN,
            AccessRequest.due_on,
            AccessRequest.id,
        )
    )
    return paginate(
        session,
        select(AccessRequest.id).where(*conditions),
        rows,
        page=page,
        per_page=per_page,
        convert=lambda values: AccessRequestRow(*values),
    )


def log_page(
    session: Session, access_request: AccessRequest, *, page: int = 1, per_page: int = 100
) -> Page[tuple[AuditEntry, str | None]]:
    """The audit log about the request's resident with the name of who acted, newest first —
    for the beheerder's own checks; only while the request is open."""
    require_open(access_request)
    about = AuditEntry.resident_id == access_request.resident_id
    return paginate(
        session,
        select(AuditEntry.id).where(about),
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(about)
        # The log is append-only, so its key is the order of writing: newest first even when
        # a server's clock was set back.
        .order_by(AuditEntry.id.desc()),
        page=page,
        per_page=per_page,
        convert=lambda row: (row[0], row[1]),
    )


MUNICIPALITY = "gemeente"


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _fields(obj: Any, names: list[str]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


def find_by_bsn(session: Session, bsn: str) -> Resident | None:
    return session.scalar(select(Resident).where(Resident.bsn == bsn))


def _organisation(user: User | None) -> str:
    if user is None:
        return MUNICIPALITY
    return user.provider.name if user.provider is not None else MUNICIPALITY


def _accesses(session: Session, resident_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(AuditEntry, User)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.resident_id == resident_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return [
        {
            "at": _value(entry.at),
            "role": entry.role,
            "organisation": _organisation(user),
            "action": entry.action,
            "object": entry.object_type,
            "object_id": entry.object_id,
            "details": entry.details,
        }
        for entry, user in rows
    ]


def _evaluation(evaluation: Evaluation) -> dict[str, Any]:
    data = _fields(
        evaluation,
        [
            "id",
            "kind",
            "due_on",
            "state",
            "reason",
            "held_on",
            "with_inwoner",
            "with_gids",
            "with_aanbieder",
            "with_netwerk",
            "summary",
            "need_changed",
            "review_outcome",
            "review_remark",
        ],
    )
    data["scores"] = [
        {"result_id": s.result_id, "score": s.score, "explanation": s.explanation}
        for s in evaluation.scores
    ]
    data["zrm"] = {str(z.domain): z.score for z in evaluation.zrm_scores}
    return data


def _trajectory(session: Session, trajectory: Trajectory) -> dict[str, Any]:
    data = _fields(
        trajectory,
        [
            "id",
            "domain",
            "intensity",
            "need_type",
            "price",
            "price_reason",
            "planned_start",
            "planned_end",
            "decision_date",
            "decision_end",
            "care_start",
            "care_end",
            "state",
            "closure_category",
            "end_reason_code",
            "result_achieved",
            "follows_id",
            "request_id",
        ],
    )
    data["profile"] = f"{trajectory.profile.name} ({trajectory.profile.code})"
    data["provider"] = trajectory.provider.name
    data["subcontractor"] = trajectory.subcontractor.name if trajectory.subcontractor else None
    data["gids"] = trajectory.gids.name
    data["results"] = [
        _fields(
            r,
            [
                "id",
                "description",
                "measure",
                "gas_minus2",
                "gas_minus1",
                "gas_zero",
                "gas_plus1",
                "gas_plus2",
            ],
        )
        for r in trajectory.results
    ]
    data["history"] = [
        {
            "at": _value(e.at),
            "action": e.action,
            "old_state": _value(e.old_state),
            "new_state": _value(e.new_state),
            "reason": e.reason,
            "details": e.details,
            "by": e.user.role.value if e.user else None,
        }
        for e in trajectory.events
    ]
    data["zrm_start"] = {str(z.domain): z.score for z in trajectory.zrm_baseline}
    data["evaluations"] = [_evaluation(e) for e in trajectory.evaluations]
    data["scaling_requests"] = [
        _fields(s, ["id", "requested_at", "new_intensity", "reason", "state", "decision_reason"])
        for s in session.scalars(
            select(ScalingRequest).where(ScalingRequest.trajectory_id == trajectory.id)
        )
    ]
    data["end_of_care_reports"] = [
        _fields(
            r,
            [
                "id",
                "reported_at",
                "care_end",
                "closure_category",
                "end_reason_code",
                "result_achieved",
                "state",
                "decision_reason",
            ],
        )
        for r in session.scalars(
            select(EndOfCareReport).where(EndOfCareReport.trajectory_id == trajectory.id)
        )
    ]
    data["claims"] = [
        _fields(
            c,
            [
                "id",
                "price",
                "amount",
                "basis",
                "state",
                "submitted_at",
                "decision_reason",
                "first_submitted_at",
                "first_amount",
                "first_refusal_reason",
                "correction",
            ],
        )
        for c in session.scalars(select(Claim).where(Claim.trajectory_id == trajectory.id))
    ]
    data["tasks"] = [
        _fields(t, ["kind", "due_on", "created_at", "done_at"])
        for t in session.scalars(
            select(Task).where(Task.trajectory_id == trajectory.id).order_by(Task.id)
        )
    ]
    return data


def resident_file(session: Session, access_request: AccessRequest, today: date) -> dict[str, Any]:
    """Everything held about the request's resident, in plain JSON-ready values; only while the
    request is open."""
    require_open(access_request)
    resident_id = access_request.resident_id
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(N_("Inwoner niet gevonden."))
    trajectories = session.scalars(
        select(Trajectory)
        .where(Trajectory.resident_id == resident_id)
        .options(
            selectinload(Trajectory.results),
            selectinload(Trajectory.events),
            selectinload(Trajectory.evaluations).selectinload(Evaluation.scores),
            selectinload(Trajectory.evaluations).selectinload(Evaluation.zrm_scores),
        )
        .order_by(Trajectory.planned_start, Trajectory.id)
    ).all()
    aanmeldingen = session.scalars(
        select(Aanmelding)
        .where(Aanmelding.resident_id == resident_id)
        .order_by(Aanmelding.request_date)
    ).all()
    return {
        "made_on": today.isoformat(),
        "access_request": {
            "reference": access_request.reference,
            "received_on": access_request.received_on.isoformat(),
            "due_on": access_request.due_on.isoformat(),
            "requester_relation": access_request.requester_relation.value,
        },
        "resident": {
            **_fields(
                resident,
                [
                    "id",
                    "bsn",
                    "given_name",
                    "family_name",
                    "birth_date",
                    "address",
                    "phone",
                    "postcode",
                    "moved_out_on",
                    "died_on",
                    "created_at",
                ],
            ),
            "wijk": resident.wijk.name if resident.wijk else None,
            "contact_gids": resident.household.gids.name,
        },
        "requests": [
            _fields(
                r,
                [
                    "id",
                    "request_date",
                    "domain",
                    "question",
                    "outcome",
                    "outcome_reason",
                    "decided_on",
                ],
            )
            for r in aanmeldingen
        ],
        "trajectories": [_trajectory(session, t) for t in trajectories],
        "accesses": _accesses(session, resident_id),
    }
