"""The web app counts days on the municipality's calendar: on a server whose clock runs in UTC,
just after midnight in Amsterdam, a provider who starts care today is not told that today lies
in the future, and a gids's forms default to the Dutch date."""

from __future__ import annotations

from datetime import date

from freezegun import freeze_time

from models import TrajectoryState
from workflows import trajectories as wf

from ..factories import TODAY, trajectory_input
from .helpers import login_as, post_form

AMSTERDAM_AFTER_MIDNIGHT = "2026-11-05T23:30:00Z"  # 00:30 on 6 November in Amsterdam
DUTCH_TODAY = date(2026, 11, 6)


def test_a_provider_starts_care_today_just_after_midnight_in_amsterdam(client, world, session):
    t = wf.create_trajectory(session, trajectory_input(world), world.gids, today=TODAY)
    wf.propose(session, t, world.gids, TODAY)
    wf.accept(session, t, world.aanbieder_a)
    session.flush()
    with freeze_time(AMSTERDAM_AFTER_MIDNIGHT):
        login_as(client, world.aanbieder_a)
        page = f"/aanbieder/trajecten/{t.id}"
        form = client.get(page).get_data(as_text=True)
        assert f'value="{DUTCH_TODAY.isoformat()}"' in form  # the start date proposed is today
        response = post_form(
            client, page, f"{page}/start", {"start-care_start": DUTCH_TODAY.isoformat()},
            prefix="start",
        )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session.refresh(t)
    assert t.state == TrajectoryState.ACTIEF
    assert t.care_start == DUTCH_TODAY


def test_the_app_refuses_an_unknown_time_zone_at_start_up(monkeypatch):
    import pytest

    from app.config import ConfigError, load_config

    monkeypatch.setenv("TRAJECTWIJZER_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="time zone"):
        load_config({"ENV_NAME": "testing"})
