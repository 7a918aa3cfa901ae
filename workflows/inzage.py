"""A request for access (*inzageverzoek*, AVG art. 15): everything held about one resident, as
plain data that the web app renders as JSON and as PDF.

What is in it: the resident's own details and household contact (not the other members: their
data is theirs), requests, trajectories with agreed results, history, evaluations with scores,
scaling requests, end-of-care reports, claims and inbox tasks, and who accessed the file.
Accesses name the role and the organisation (the municipality or the provider), when and what —
not the individual employee nor the address they worked from; the beheerder's own listing
(``audit.entries_for_resident``) shows those, for the municipality's own checks.

The beheerder sees no case content (DOMAIN.md) — except here: answering a request for access is
a legal duty that needs the whole file. Every lookup and export is itself in the audit log.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import (
    AuditEntry,
    Claim,
    EndOfCareReport,
    Evaluation,
    Request,
    Resident,
    ScalingRequest,
    Task,
    Trajectory,
    User,
)

from .errors import N_, NotFound

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
        _fields(c, ["id", "price", "amount", "basis", "state", "submitted_at", "decision_reason"])
        for c in session.scalars(select(Claim).where(Claim.trajectory_id == trajectory.id))
    ]
    data["tasks"] = [
        _fields(t, ["kind", "due_on", "created_at", "done_at"])
        for t in session.scalars(
            select(Task).where(Task.trajectory_id == trajectory.id).order_by(Task.id)
        )
    ]
    return data


def resident_file(session: Session, resident_id: int, today: date) -> dict[str, Any]:
    """Everything held about the resident, in plain JSON-ready values."""
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
    requests = session.scalars(
        select(Request).where(Request.resident_id == resident_id).order_by(Request.request_date)
    ).all()
    return {
        "made_on": today.isoformat(),
        "resident": {
            **_fields(
                resident,
                ["id", "bsn", "given_name", "family_name", "birth_date", "postcode", "created_at"],
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
            for r in requests
        ],
        "trajectories": [_trajectory(session, t) for t in trajectories],
        "accesses": _accesses(session, resident_id),
    }
