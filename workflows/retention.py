"""Retention (AVG, *bewaartermijnen*): a resident's file is removed once it has been closed for
longer than the retention period of its domain — by default Jeugd 20 years, Wmo 15 years after
closure (configurable).

Decisions written down here (the issue leaves them open):

* **What closes a file.** A closed trajectory closes on its care end; a cancelled one on the day
  it was cancelled (its last change); a request without a trajectory on the day it was decided.
  While anything is still open (a running trajectory, an undecided request) nothing is due.
* **Per domain, then the latest.** Each closed item is due at its closure plus its domain's
  period; the resident's file is due when its latest item is. A resident with both Jeugd and
  Wmo history is kept until the later of the two.
* **Nothing but the registration.** A resident with no request or trajectory at all is due the
  longest period after registration.
* **Removed, not anonymised.** The resident, the requests, the requests for access
  (*inzageverzoeken*), trajectories (with results, events, evaluations, scores, scaling
  requests, end-of-care reports, claims and inbox tasks) and the providers' requests by
  message about them (``verzoeken``) are deleted; a household without
  members goes too. The audit log keeps its entries (they name the resident by internal id
  only, never by a personal detail) and records the purge.
* **Statistics are not touched.** The pseudonymised statistics feed has no reference to these
  tables (keyed hash, no foreign key), so ``purge`` never reads or changes it; the test
  ``test_purge_deletes_only_personal_tables`` fails if it ever does.

Login attempts (IP addresses) older than their own period are removed by the same command.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    AanmeldingOutcome,
    AccessRequest,
    AgreedResult,
    Claim,
    Domain,
    EndOfCareReport,
    Evaluation,
    Household,
    LoginAttempt,
    Resident,
    ResultScore,
    ScalingRequest,
    Task,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    Verzoek,
    ZrmBaselineScore,
    ZrmScore,
)

from . import audit, clock

# Every table purge deletes from, in the order it deletes (children first).
PERSONAL_TABLES = (
    "verzoeken",
    "tasks",
    "claims",
    "scaling_requests",
    "end_of_care_reports",
    "result_scores",
    "zrm_scores",
    "zrm_baseline_scores",
    "evaluations",
    "agreed_results",
    "trajectory_events",
    "trajectories",
    "requests",
    "access_requests",
    "residents",
    "households",
    "login_attempts",
)
CHUNK = 500


@dataclass(frozen=True)
class RetentionPolicy:
    years: dict[Domain, int]
    login_attempt_days: int = 90
    # The municipality's zone: a closure recorded at 00:30 Dutch time closed on that day.
    timezone: str = clock.DEFAULT_TIMEZONE

    def due_on(self, domain: Domain, closed_on: date) -> date:
        due: date = closed_on + relativedelta(years=self.years[domain])
        return due

    @property
    def longest(self) -> int:
        return max(self.years.values())


@dataclass(frozen=True)
class DueFile:
    resident_id: int
    closed_on: date  # the latest closure among the resident's items
    due_on: date  # the day the file may be removed
    domains: tuple[Domain, ...]


@dataclass
class PurgeReport:
    residents: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _day(value: date | datetime | str | None, zone_name: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return clock.local_date(value, zone_name)
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def due_files(session: Session, today: date, policy: RetentionPolicy) -> list[DueFile]:
    """The residents whose whole file is past its retention period on ``today``."""
    open_trajectory = select(Trajectory.resident_id).where(
        Trajectory.state.in_(
            [
                s
                for s in TrajectoryState
                if s not in (TrajectoryState.AFGESLOTEN, TrajectoryState.GEANNULEERD)
            ]
        )
    )
    open_request = select(Aanmelding.resident_id).where(
        Aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING
    )
    blocked = {*session.scalars(open_trajectory), *session.scalars(open_request)}

    # (resident, domain) -> latest closure
    latest: dict[int, dict[Domain, date]] = {}

    def note(resident_id: int, domain: Domain, closed: date | None) -> None:
        if closed is None or resident_id in blocked:
            return
        per_domain = latest.setdefault(resident_id, {})
        if domain not in per_domain or closed > per_domain[domain]:
            per_domain[domain] = closed

    closed_rows = session.execute(
        select(Trajectory.resident_id, Trajectory.domain, func.max(Trajectory.care_end))
        .where(Trajectory.state == TrajectoryState.AFGESLOTEN)
        .group_by(Trajectory.resident_id, Trajectory.domain)
    )
    for resident_id, domain, closed in closed_rows:
        note(resident_id, Domain(domain), _day(closed, policy.timezone))
    cancelled_rows = session.execute(
        select(Trajectory.resident_id, Trajectory.domain, func.max(Trajectory.updated_at))
        .where(Trajectory.state == TrajectoryState.GEANNULEERD)
        .group_by(Trajectory.resident_id, Trajectory.domain)
    )
    for resident_id, domain, changed in cancelled_rows:
        note(resident_id, Domain(domain), _day(changed, policy.timezone))
    request_rows = session.execute(
        select(Aanmelding.resident_id, Aanmelding.domain, func.max(Aanmelding.decided_on))
        .where(Aanmelding.outcome != AanmeldingOutcome.IN_BEHANDELING)
        .group_by(Aanmelding.resident_id, Aanmelding.domain)
    )
    for resident_id, domain, decided in request_rows:
        note(resident_id, Domain(domain), _day(decided, policy.timezone))

    found: list[DueFile] = []
    for resident_id, per_domain in latest.items():
        due = max(policy.due_on(domain, closed) for domain, closed in per_domain.items())
        if due <= today:
            found.append(
                DueFile(resident_id, max(per_domain.values()), due, tuple(sorted(per_domain)))
            )

    with_history = {*session.scalars(select(Trajectory.resident_id).distinct())}
    with_history |= {*session.scalars(select(Aanmelding.resident_id).distinct())}
    bare = session.execute(select(Resident.id, Resident.created_at)).all()
    for resident_id, created_at in bare:
        if resident_id in with_history or resident_id in blocked:
            continue
        registered = _day(created_at, policy.timezone)
        assert registered is not None
        bare_due: date = registered + relativedelta(years=policy.longest)
        if bare_due <= today:
            found.append(DueFile(resident_id, registered, bare_due, ()))
    return sorted(found, key=lambda f: f.resident_id)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _delete(session: Session, table: Table, where: object, report: PurgeReport) -> None:
    result = session.execute(
        delete(table).where(where),  # type: ignore[arg-type]
        execution_options={"synchronize_session": False},
    )
    report.rows[table.name] = report.rows.get(table.name, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge(
    session: Session, files: Sequence[DueFile], policy: RetentionPolicy, now: datetime
) -> PurgeReport:
    """Remove the given files and the old login attempts; flushes, the caller commits once."""
    report = PurgeReport(rows={name: 0 for name in PERSONAL_TABLES})
    tables = _tables()
    for residents in _chunks([f.resident_id for f in files]):
        trajectories = list(
            session.scalars(select(Trajectory.id).where(Trajectory.resident_id.in_(residents)))
        )
        households = list(
            session.scalars(
                select(Resident.household_id).where(Resident.id.in_(residents)).distinct()
            )
        )
        evaluations = select(Evaluation.id).where(Evaluation.trajectory_id.in_(trajectories))
        # A provider's requests by message about the file (workflows.berichten.requests).
        _delete(
            session,
            tables["verzoeken"],
            Verzoek.trajectory_id.in_(trajectories)
            | Verzoek.aanmelding_id.in_(
                select(Aanmelding.id).where(Aanmelding.resident_id.in_(residents))
            )
            | Verzoek.scaling_request_id.in_(
                select(ScalingRequest.id).where(ScalingRequest.trajectory_id.in_(trajectories))
            ),
            report,
        )
        _delete(session, tables["tasks"], Task.trajectory_id.in_(trajectories), report)
        _delete(session, tables["claims"], Claim.trajectory_id.in_(trajectories), report)
        _delete(
            session,
            tables["scaling_requests"],
            ScalingRequest.trajectory_id.in_(trajectories)
            | ScalingRequest.follow_up_id.in_(trajectories),
            report,
        )
        _delete(
            session,
            tables["end_of_care_reports"],
            EndOfCareReport.trajectory_id.in_(trajectories),
            report,
        )
        _delete(
            session, tables["result_scores"], ResultScore.evaluation_id.in_(evaluations), report
        )
        _delete(session, tables["zrm_scores"], ZrmScore.evaluation_id.in_(evaluations), report)
        _delete(
            session,
            tables["zrm_baseline_scores"],
            ZrmBaselineScore.trajectory_id.in_(trajectories),
            report,
        )
        _delete(session, tables["evaluations"], Evaluation.trajectory_id.in_(trajectories), report)
        _delete(
            session, tables["agreed_results"], AgreedResult.trajectory_id.in_(trajectories), report
        )
        _delete(
            session,
            tables["trajectory_events"],
            TrajectoryEvent.trajectory_id.in_(trajectories),
            report,
        )
        session.execute(  # the follow-up chain points within the same resident's file
            update(tables["trajectories"])
            .where(Trajectory.id.in_(trajectories))
            .values(follows_id=None)
        )
        _delete(session, tables["trajectories"], Trajectory.id.in_(trajectories), report)
        _delete(session, tables["requests"], Aanmelding.resident_id.in_(residents), report)
        _delete(
            session, tables["access_requests"], AccessRequest.resident_id.in_(residents), report
        )
        _delete(session, tables["residents"], Resident.id.in_(residents), report)
        still_lived_in = select(Resident.household_id).where(Resident.household_id.in_(households))
        _delete(
            session,
            tables["households"],
            Household.id.in_(households) & Household.id.not_in(still_lived_in),
            report,
        )
        for resident_id in residents:
            audit.record(
                session,
                "verwijderd",
                "inwoner",
                resident_id,
                resident_id,
                details="bewaartermijn verstreken",
            )
    report.residents = len(files)
    cutoff = now - timedelta(days=policy.login_attempt_days)
    _delete(session, tables["login_attempts"], LoginAttempt.at < cutoff, report)
    session.expunge_all()
    session.flush()
    return report


def _tables() -> dict[str, Table]:
    metadata = Trajectory.metadata
    return {name: metadata.tables[name] for name in PERSONAL_TABLES}
