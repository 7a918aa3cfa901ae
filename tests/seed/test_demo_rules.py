"""The demo municipality keeps the rules every live path and the history import apply: its
closures follow the rule table (``workflows.closure_rules``) and its export passes the history
import's row checks (``workflows.eligibility``) — Jeugd ages, start after decision, the main
contract at the trajectory's own dates."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Role, Trajectory, TrajectoryState, User
from seed.demo import build_demo
from workflows.closure_rules import is_allowed
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
