"""Parallel posts on the resident pages, from real threads with their own connections (the
database's locks decide, as in production): ten tabs recording one death close the resident's
care once; ten gidsen saving one page version store one change and get 409 for the rest; never
a 500."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.extensions import db
from models import Resident, TrajectoryEvent, TrajectoryState, User

from ..factories import World, make_trajectory
from .care import NOW
from .helpers import csrf_token, login_as

PARALLEL = 6


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def at_once(app: Flask, user: User, url: str, data: dict[str, str]) -> list[TestResponse]:
    """Every client loads the form (its own CSRF token), then all post at the same moment."""
    clients = []
    for _ in range(PARALLEL):
        client = app.test_client()
        login_as(client, user)
        page = client.get(url)
        assert page.status_code == 200
        clients.append((client, *csrf_token(page)))
    start = threading.Barrier(PARALLEL)
    responses: list[TestResponse | BaseException | None] = [None] * PARALLEL

    def post(i: int) -> None:
        client, name, token = clients[i]
        start.wait()
        try:
            responses[i] = client.post(url, data={name: token, **data})
        except BaseException as err:  # noqa: BLE001 - reported below
            responses[i] = err

    threads = [threading.Thread(target=post, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, TestResponse) for r in responses), responses
    return responses  # type: ignore[return-value]


def test_ten_tabs_recording_one_death_close_care_once(app: Flask, committed_world: World):
    world = committed_world
    with Session(db.engine, expire_on_commit=False) as s:
        trajectory = make_trajectory(s, world, TrajectoryState.ACTIEF)
        s.commit()
    responses = at_once(
        app,
        world.gids,
        f"/gids/inwoners/{world.adult.id}/vertrek",
        {"kind": "overleden", "on": NOW.isoformat(), "version": "1", "confirm": "x"},
    )
    assert all(r.status_code in (302, 409) for r in responses), [r.status_code for r in responses]
    with Session(db.engine) as s:
        closings = s.scalar(
            select(func.count())
            .select_from(TrajectoryEvent)
            .where(
                TrajectoryEvent.trajectory_id == trajectory.id,
                TrajectoryEvent.action == "afsluiten",
            )
        )
        assert closings == 1
        assert s.get(Resident, world.adult.id).died_on == NOW


def test_gidsen_saving_one_version_at_once_store_one_change(app: Flask, committed_world: World):
    world = committed_world
    url = f"/gids/inwoners/{world.adult.id}/wijzigen"
    responses = at_once(
        app,
        world.gids,
        url,
        {"given_name": "Anna", "family_name": "Nieuw", "postcode": "8251AB", "version": "1"},
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [409] * (PARALLEL - 1), codes
    with Session(db.engine) as s:
        person = s.get(Resident, world.adult.id)
        assert (person.family_name, person.version) == ("Nieuw", 2)
