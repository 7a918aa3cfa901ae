"""The same message twice at the same moment (a retry while the first is still being handled):
one stored message, one retour, and both callers get the same answer."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from models import Message, MessageDirection, Provider
from tests.berichten.samples import start_of_care
from tests.factories import TODAY, World
from workflows.berichten import incoming
from workflows.berichten.store import PartError, retour_of


def _slow_handler(barrier: threading.Barrier) -> Callable[..., list[PartError]]:
    def handler(*args: object) -> list[PartError]:
        # Both inside receive before either commits; the second usually waits on the first's
        # row (PostgreSQL) or write lock (SQLite), and the first goes on after the timeout.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return []

    return handler


def test_two_deliveries_of_one_message_at_once_store_it_once(
    app: Flask, committed_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(incoming.HANDLERS, "305", _slow_handler(threading.Barrier(2)))
    body = start_of_care(identification="RACE1")
    answers: list[tuple[int, int | None]] = []
    failures: list[BaseException] = []

    def deliver() -> None:
        try:
            with app.app_context(), db.sessions(bind=db.engine.execution_options(writer=True)) as s:  # type: ignore[union-attr]
                provider = s.get(Provider, committed_world.zorg_a.id)
                assert provider is not None
                message = incoming.receive(s, provider, body, TODAY)
                retour = retour_of(message)
                s.commit()
                answers.append((message.id, retour.id if retour else None))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(answers) == 2 and answers[0] == answers[1]
    with db.sessions() as s:
        stored = s.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == MessageDirection.IN, Message.identification == "RACE1")
        )
        assert stored == 1
