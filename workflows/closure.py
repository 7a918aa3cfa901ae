"""End of care (R10): the provider reports it, the responsible gids confirms or returns it.

The provider knows when care ended and whether the result was reached; the gids owns the
trajectory and closes it. So the provider's *einde zorg* is a report (``EndOfCareReport``), and
confirming it closes the trajectory through ``workflows.trajectories.close`` with the reported
values — the same guards and the same event as when the gids closes directly.

Decisions written down here (where the issue is silent):

* Category, reason and result must go together as the domain's table says: the report is
  checked when it is made and again when the gids confirms it, with the same function as the
  gids's own close (``closure_rules.close_problems``).
* One open report per trajectory: a second report waits until the gids has answered the first.
* On closing (directly or by a confirmed report) nothing stays open on the trajectory
  (``trajectories.settle_open_work``): evaluations never held are removed, all open tasks are
  done, and open scaling requests and end-of-care reports are answered with "the trajectory is
  closed".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    EndOfCareReport,
    EventAction,
    ScalingRequest,
    SubmissionState,
    TaskKind,
    Trajectory,
    User,
    utcnow,
)

from .closure_rules import close_problems, describe_closure
from .errors import N_, DomainError
from .guards import require_active, require_main_provider_user, require_responsible_gids
from .inbox import add_task, complete_tasks
from .scaling import requests_of
from .trajectories import close
from .transitions import END_OF_CARE_TABLE, AnswerAction, record_unchanged, required_reason
from .uniqueness import duplicate, refusing_duplicates

REPORT_STATE_LABELS: dict[SubmissionState, str] = {
    SubmissionState.INGEDIEND: N_("Wacht op bevestiging gids"),
    SubmissionState.TOEGEKEND: N_("Bevestigd"),
    SubmissionState.AFGEWEZEN: N_("Teruggestuurd"),
}


def open_report(session: Session, trajectory: Trajectory) -> EndOfCareReport | None:
    """The report waiting for the gids, if any."""
    return session.scalars(
        select(EndOfCareReport).where(
            EndOfCareReport.trajectory_id == trajectory.id,
            EndOfCareReport.state == SubmissionState.INGEDIEND,
        )
    ).first()


def report_end_of_care(
    session: Session,
    trajectory: Trajectory,
    actor: User,
    *,
    care_end: date,
    closure_category: ClosureCategory,
    end_reason_code: str,
    result_achieved: bool,
    today: date,
) -> EndOfCareReport:
    """The main provider reports that care ended; the gids gets a task to confirm it."""
    require_main_provider_user(trajectory, actor)
    require_active(trajectory, N_("Einde zorg kan alleen bij een lopend traject worden gemeld."))
    if open_report(session, trajectory) is not None:
        raise DomainError.from_problems([duplicate("uq_end_of_care_reports_open")])
    problems = close_problems(
        trajectory,
        care_end=care_end,
        closure_category=closure_category,
        end_reason_code=end_reason_code,
        result_achieved=result_achieved,
        today=today,
    )
    if problems:
        raise DomainError.from_problems(problems)
    report = EndOfCareReport(
        trajectory_id=trajectory.id,
        reported_by=actor,
        care_end=care_end,
        closure_category=closure_category,
        end_reason_code=end_reason_code,
        result_achieved=result_achieved,
        state=SubmissionState.INGEDIEND,
    )
    with refusing_duplicates(session):  # one open report, also at the same moment
        session.add(report)
    complete_tasks(session, trajectory.id, [TaskKind.EINDE_ZORG_TERUGGESTUURD])
    add_task(
        session,
        TaskKind.EINDE_ZORG_BEVESTIGEN,
        trajectory,
        user_id=trajectory.gids_id,
        ref=report.id,
        due_on=today,
    )
    record_unchanged(
        session, trajectory, EventAction.EINDE_ZORG_GEMELD, actor, details=_describe(report)
    )
    session.flush()
    return report


def _describe(report: EndOfCareReport) -> str:
    return describe_closure(
        report.care_end, report.closure_category, report.end_reason_code, report.result_achieved
    )


def confirm_end_of_care(
    session: Session, report: EndOfCareReport, actor: User, today: date
) -> None:
    """The responsible gids confirms: the trajectory closes with the reported values."""
    trajectory = report.trajectory
    require_responsible_gids(trajectory, actor)
    confirmed = END_OF_CARE_TABLE.next_state(report.state, AnswerAction.ACCEPT)
    require_active(trajectory, N_("Dit traject loopt niet meer."))
    problems = close_problems(
        trajectory,
        care_end=report.care_end,
        closure_category=report.closure_category,
        end_reason_code=report.end_reason_code,
        result_achieved=report.result_achieved,
        today=today,
    )
    if problems:
        raise DomainError.from_problems(problems)
    # Answered before closing, so closing does not answer it as "closed" in passing.
    report.state = confirmed
    report.decided_by = actor
    report.decided_at = utcnow()
    close(
        session,
        trajectory,
        actor,
        care_end=report.care_end,
        closure_category=report.closure_category,
        end_reason_code=report.end_reason_code,
        result_achieved=report.result_achieved,
        today=today,
        reason="einde zorg gemeld door de aanbieder, bevestigd door de gids",
    )
    session.flush()


def return_end_of_care(
    session: Session, report: EndOfCareReport, actor: User, reason: str, today: date
) -> None:
    """The responsible gids returns the report with a reason the provider reads (a notice in its
    inbox until it reports again); the trajectory stays active and the provider may report
    again."""
    trajectory = report.trajectory
    require_responsible_gids(trajectory, actor)
    returned = END_OF_CARE_TABLE.next_state(report.state, AnswerAction.REFUSE)
    reason_text = required_reason(reason, N_("Geef een reden waarom u de melding terugstuurt."))
    report.state = returned
    report.decision_reason = reason_text
    report.decided_by = actor
    report.decided_at = utcnow()
    complete_tasks(session, trajectory.id, [TaskKind.EINDE_ZORG_BEVESTIGEN], ref=report.id)
    add_task(
        session,
        TaskKind.EINDE_ZORG_TERUGGESTUURD,
        trajectory,
        provider_id=trajectory.provider_id,
        ref=report.id,
        due_on=today,
    )
    record_unchanged(
        session,
        trajectory,
        EventAction.EINDE_ZORG_TERUGGESTUURD,
        actor,
        reason=reason_text,
        details=_describe(report),
    )
    session.flush()


def reports_of(session: Session, trajectory: Trajectory) -> Sequence[EndOfCareReport]:
    """The trajectory's end-of-care reports, newest first (for the trajectory pages)."""
    return session.scalars(
        select(EndOfCareReport)
        .where(EndOfCareReport.trajectory_id == trajectory.id)
        .order_by(EndOfCareReport.reported_at.desc(), EndOfCareReport.id.desc())
    ).all()


class CareRequests(NamedTuple):
    """What a provider has asked about a trajectory: scaling requests and end-of-care reports,
    each newest first."""

    scaling_requests: Sequence[ScalingRequest]
    reports: Sequence[EndOfCareReport]


_ANY_REQUEST = select(
    exists().where(ScalingRequest.trajectory_id == bindparam("trajectory_id")),
    exists().where(EndOfCareReport.trajectory_id == bindparam("trajectory_id")),
)


def care_requests(session: Session, trajectory: Trajectory) -> CareRequests:
    """The trajectory pages show both lists on every view, and most trajectories have neither:
    one statement asks whether there are any, and only the lists that have rows are loaded
    (bench/load.py: one statement fewer per trajectory page)."""
    any_scaling, any_report = session.execute(_ANY_REQUEST, {"trajectory_id": trajectory.id}).one()
    return CareRequests(
        requests_of(session, trajectory) if any_scaling else [],
        reports_of(session, trajectory) if any_report else [],
    )
