"""Two runs of the provider simulator at the same moment (an overlapping cron job, the demo's
command typed twice): each message is sent and applied once, the trajectory ends up as after one
run, and a run afterwards sends nothing new."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from models import (
    Channel,
    Contract,
    EndOfCareReport,
    Message,
    Provider,
    SubmissionState,
    Trajectory,
    TrajectoryState,
    User,
)
from tests.factories import World, trajectory_input
from workflows import clock
from workflows import trajectories as wf
from workflows.berichten.simulator import simulate


def test_two_simulator_runs_at_once_send_each_message_once(
    app: Flask, committed_world: World
) -> None:
    today = clock.today()
    assert db.engine is not None
    with db.sessions() as s:
        for contract in s.scalars(
            select(Contract).where(Contract.provider_id == committed_world.zorg_a.id)
        ):
            contract.channel = Channel.BERICHTENVERKEER
        gids = s.get(User, committed_world.gids.id)
        assert gids is not None
        trajectory = wf.create_trajectory(
            s, trajectory_input(committed_world, planned_start=today), gids, today=today
        )
        wf.propose(s, trajectory, gids, today)
        s.commit()
        trajectory_id = trajectory.id
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=10)
            with (
                app.app_context(),
                db.sessions(
                    bind=db.engine.execution_options(writer=True)  # type: ignore[union-attr]
                ) as s,
            ):
                provider = s.get(Provider, committed_world.zorg_a.id)
                assert provider is not None
                simulate(s, provider, today=today, to_the_end=True)
                s.commit()
        except BaseException as error:  # noqa: BLE001 - judged below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # The second may lose (a conflicting change is refused, never merged): then nothing of it
    # stays. Whatever happened, every message is there once.
    assert len(failures) <= 1, failures
    with db.sessions() as s:
        kinds = dict(
            s.execute(
                select(Message.kind, func.count())
                .where(Message.trajectory_id == trajectory_id)
                .group_by(Message.kind)
            ).all()
        )
        assert kinds == {"301": 1, "302": 1, "305": 1, "306": 1, "307": 1, "308": 1}
        stored = s.get(Trajectory, trajectory_id)
        assert stored is not None and stored.state == TrajectoryState.ACTIEF
        reports = s.scalars(
            select(EndOfCareReport.state).where(EndOfCareReport.trajectory_id == trajectory_id)
        ).all()
        assert reports == [SubmissionState.INGEDIEND]
        provider = s.get(Provider, committed_world.zorg_a.id)
        assert provider is not None
        again = simulate(s, provider, today=today, to_the_end=True)
        assert again.nothing_done
