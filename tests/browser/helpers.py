"""What the browser journeys share: logging in through the pages, and a running trajectory
prepared through the workflows and committed (the live server runs in another thread)."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from playwright.sync_api import Page, expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.extensions import db
from models import EvaluationState, User
from workflows import clock
from workflows import trajectories as wf

from ..factories import PASSWORD, TOTP_SECRET, World, trajectory_input


def log_in(page: Page, base: str, email: str, *, second_factor: bool = True) -> None:
    """Password, then the code from the authenticator app (computed with pyotp); a manager, who
    sees aggregates only, has no second factor."""
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if not second_factor:
        return
    expect(page.get_by_role("heading", name="Tweede stap: de code uit uw app")).to_be_visible()
    forget_used_code(email)
    page.get_by_label("Code").fill(pyotp.TOTP(TOTP_SECRET).now())
    page.get_by_role("button", name="Controleren").click()


def forget_used_code(email: str) -> None:
    """The journeys log one user in twice within a 30-second step; the replay guard (tested in
    tests/app/test_two_factor.py) would refuse the same code the second time."""
    assert db.engine is not None
    with db.engine.begin() as conn:
        conn.execute(update(User).where(User.email == email).values(totp_last_step=None))


def running_trajectory(world: World, results: list[wf.ResultInput]) -> tuple[int, int]:
    """Anna's begeleiding with Zorg A, care started a week ago; returns the trajectory's id and
    its first planned evaluation's id."""
    today = clock.today()
    start = today - timedelta(days=7)
    assert db.engine is not None
    with Session(db.engine, expire_on_commit=False) as session:
        gids = session.get(User, world.gids.id)
        provider = session.get(User, world.aanbieder_a.id)
        assert gids is not None and provider is not None
        data = trajectory_input(world, planned_start=start, results=results)
        t = wf.create_trajectory(session, data, gids, today=start)
        wf.propose(session, t, gids, start)
        wf.accept(session, t, provider)
        wf.start_care(session, t, provider, start, today)
        session.commit()
        evaluation = next(e for e in t.evaluations if e.state == EvaluationState.GEPLAND)
        return t.id, evaluation.id
