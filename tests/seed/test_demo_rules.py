"""The demo municipality keeps the rules every live path and the history import apply: its
closures follow the rule table (``workflows.closure_rules``) and its export passes the history
import's row checks (``workflows.eligibility``) — Jeugd ages, start after decision, the main
contract at the trajectory's own dates."""

from __future__ import annotations

import io
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Trajectory, TrajectoryState
from seed.demo import build_demo
from workflows.closure_rules import is_allowed
from workflows.stats.history import check_import, export_csv

from .test_demo import PASSWORD, SCALE, TODAY


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
    export_csv(session, out)
    check = check_import(session, out.getvalue(), TODAY)
    problems = Counter((p.column, p.message) for p in check.problems)
    assert check.ok, problems.most_common(10)
