"""The demo municipality keeps the rules every live path and the history import apply: its
closures follow the rule table (``workflows.closure_rules``), its export passes the history
import's row checks (``workflows.eligibility``) — Jeugd ages, start after decision, the main
contract at the trajectory's own dates — and its planned ends, decision ends and evaluation
cycles are the ones the workflows compute."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import EvaluationKind, Resident, Role, Tariff, Trajectory, TrajectoryState, User
from seed.demo import build_demo
from workflows.closure_rules import is_allowed
from workflows.dates import add_months, add_weeks
from workflows.eligibility import decision_end_limit, decision_end_of, planned_end_default
from workflows.evaluations import final_due_on, interval_months
from workflows.stats.history import check_import, export_csv

from .demo_settings import PASSWORD, SCALE, TODAY

pytestmark = pytest.mark.slow  # builds the demo municipality


def test_the_demo_closes_only_as_the_rule_table_allows_and_round_trips_the_import(
    session: Session,
) -> None:
    build_demo(session, password=PASSWORD, seed=2016, today=TODAY, scale=SCALE)
    closed = session.execute(
        select(
            Trajectory.domain,
            Trajectory.closure_category,
            Trajectory.end_reason_code,
            Trajectory.result_achieved,
        ).where(Trajectory.state == TrajectoryState.AFGESLOTEN)
    ).all()
    assert closed
    wrong = Counter(
        (d.value, c.value, code, achieved)
        for d, c, code, achieved in closed
        if not is_allowed(d, c, code, achieved)
    )
    assert not wrong, wrong
    out = io.StringIO()
    beheerder = session.scalars(select(User).where(User.role == Role.BEHEERDER)).first()
    assert beheerder is not None
    export_csv(session, out, by=beheerder)
    # As rows of a new history (keys of its own), every row goes through every row check —
    # rows that name the app's own trajectories would be compared, not checked. A follow-up
    # that starts tomorrow is the app's own future, not history: left out.
    lines = out.getvalue().splitlines()
    dated = (9, 10, 11, 13)  # aanmelddatum, besluitdatum, startdatum, einddatum
    fresh = [lines[0]] + [
        line.replace("trajectwijzer-", "historie-", 1)
        for line in lines[1:]
        if not any(line.split(";")[i] > TODAY.isoformat() for i in dated)
    ]
    check = check_import(session, "\n".join(fresh), TODAY)
    problems = Counter((p.column, p.message) for p in check.problems)
    assert check.ok, problems.most_common(10)
    assert len(check.rows) == len(fresh) - 1 > 100  # every row checked, none merely compared


def test_planned_and_decision_ends_are_the_workflows_defaults(session: Session) -> None:
    """From 2019 (with a tariff) every planned end is the one a new trajectory gets: the tariff's
    standard duration, capped at the Jeugd decision end; the decision end is that limit, or the
    planned end in the Wmo (R6)."""
    build_demo(session, password=PASSWORD, seed=2016, today=TODAY, scale=SCALE)
    rows = session.execute(
        select(Trajectory, Tariff.standard_duration_weeks, Resident.birth_date)
        .join(Tariff, Tariff.id == Trajectory.tariff_id)
        .join(Resident, Resident.id == Trajectory.resident_id)
    ).all()
    assert len(rows) > 100
    capped = 0
    for trajectory, weeks, birth_date in rows:
        limit = decision_end_limit(trajectory.domain, birth_date)
        expected = planned_end_default(
            trajectory.domain, birth_date, trajectory.planned_start, weeks
        )
        assert trajectory.planned_end == expected, trajectory.id
        assert trajectory.decision_end == decision_end_of(trajectory.domain, birth_date, expected)
        capped += expected == limit != add_weeks(trajectory.planned_start, weeks)
    assert capped  # some Jeugd trajectories end on the day before the 18th birthday


def test_evaluations_follow_the_workflows_cycle(session: Session) -> None:
    """The final evaluation is due on ``final_due_on``; the first regular one an interval
    (``interval_months``) after the start of care, each next one an interval after the day the
    previous one was held, all before the final one is due."""
    build_demo(session, password=PASSWORD, seed=2016, today=TODAY, scale=SCALE)
    trajectories = session.scalars(
        select(Trajectory)
        .where(Trajectory.care_start.is_not(None))
        .options(selectinload(Trajectory.evaluations), selectinload(Trajectory.tariff))
    ).all()
    checked = 0
    for trajectory in trajectories:
        assert trajectory.care_start is not None
        final_due = final_due_on(trajectory)
        months = interval_months(trajectory)
        base = trajectory.care_start
        regular = sorted(
            (e for e in trajectory.evaluations if e.kind == EvaluationKind.REGULIER),
            key=lambda e: e.due_on,
        )
        for evaluation in regular:
            assert evaluation.due_on == add_months(base, months) < final_due, trajectory.id
            base = evaluation.held_on or base
            checked += 1
        for evaluation in trajectory.evaluations:
            if evaluation.kind == EvaluationKind.EIND:
                assert evaluation.due_on == final_due, trajectory.id
    assert checked > 100
