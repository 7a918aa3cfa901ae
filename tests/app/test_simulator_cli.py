"""``flask berichten simuleer-aanbieder AGB``: the provider simulator at the command line. It
answers as the provider's system, writes in the audit log what it handed over, sends nothing
new when run again, and refuses in production and for an unknown AGB code."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import Result
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Channel, Message, Trajectory, TrajectoryState
from workflows import trajectories as wf
from workflows.berichten import store

from ..committed import audit_entries_after, last_audit_id
from ..factories import TODAY, World, trajectory_input


@pytest.fixture
def sent(session: Session, world: World) -> Trajectory:
    """Zorg A exchanges messages; the gids sent it a trajectory planned to start TODAY."""
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    with freeze_time(TODAY):
        trajectory = wf.create_trajectory(
            session, trajectory_input(world, planned_start=TODAY), world.gids, today=TODAY
        )
        wf.propose(session, trajectory, world.gids, TODAY)
    session.flush()
    return trajectory


def simulator(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["berichten", "simuleer-aanbieder", *args])


def messages(session: Session) -> int:
    return session.scalar(select(func.count(Message.id))) or 0


def test_the_command_runs_the_chain_as_the_providers_system_and_audits_the_handover(
    app: Flask, session: Session, world: World, sent: Trajectory
) -> None:
    before = last_audit_id(session)  # the log keeps what committing tests wrote before
    result = simulator(app, world.zorg_a.agb_code, "--tot", TODAY.isoformat(), "--alles")

    assert result.exit_code == 0, result.output
    assert "verstuurd: 1× 302, 1× 305, 1× 307" in result.output
    assert "evaluatie(s) gehouden" in result.output
    session.expire_all()
    assert sent.state == TrajectoryState.ACTIEF and sent.care_start == TODAY
    kinds = [m.kind for m in store.messages_of_trajectory(session, sent.id)]
    assert kinds == ["301", "302", "305", "306", "307", "308"]
    handed_over = [
        e
        for e in audit_entries_after(session, before)
        if e.object_type == "bericht" and e.action == "geexporteerd"
    ]
    assert sorted(e.details or "" for e in handed_over) == [
        "berichten simuleer-aanbieder; uit 301",
        "berichten simuleer-aanbieder; uit 306",
        "berichten simuleer-aanbieder; uit 308",
    ]
    assert {e.resident_id for e in handed_over} == {world.adult.id}


def test_running_the_command_again_sends_nothing_new(
    app: Flask, session: Session, world: World, sent: Trajectory
) -> None:
    first = simulator(app, world.zorg_a.agb_code, "--tot", TODAY.isoformat(), "--alles")
    assert first.exit_code == 0, first.output
    count = messages(session)

    again = simulator(app, world.zorg_a.agb_code, "--tot", TODAY.isoformat(), "--alles")

    assert again.exit_code == 0, again.output
    assert "0 bericht(en) opgehaald; verstuurd: niets; 0 evaluatie(s)" in again.output
    assert messages(session) == count


def test_before_the_planned_start_the_system_only_accepts(
    app: Flask, session: Session, world: World, sent: Trajectory
) -> None:
    result = simulator(app, world.zorg_a.agb_code, "--tot", date(2026, 11, 1).isoformat())

    assert result.exit_code == 0, result.output
    assert "verstuurd: 1× 302;" in result.output
    session.expire_all()
    assert sent.state == TrajectoryState.GEACCEPTEERD


def test_the_simulator_does_not_run_in_production(
    app: Flask, session: Session, world: World, sent: Trajectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    count = messages(session)

    result = simulator(app, world.zorg_a.agb_code, "--alles")

    assert result.exit_code != 0
    assert "De simulator draait niet in productie" in result.output
    assert messages(session) == count
    session.expire_all()
    assert sent.state == TrajectoryState.VOORGESTELD


def test_an_unknown_agb_code_is_refused_with_a_clear_message(
    app: Flask, session: Session, world: World, sent: Trajectory
) -> None:
    result = simulator(app, "99999999")

    assert result.exit_code != 0
    assert "Er is geen aanbieder met AGB-code '99999999'." in result.output
