"""Scaling up or down on the message channel: the old toewijzing ends (RedenWijziging 05) the
day before the follow-up starts, and the follow-up gets a 301 of its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from models import Channel, Intensity, Message, Trajectory, TrajectoryState
from tests.factories import World, make_trajectory
from workflows import scaling
from workflows.berichten import codes
from workflows.berichten.schemas import Schemas
from workflows.berichten.store import messages_of_trajectory
from workflows.berichten.xml import read, text_of

PRODUCT = "Client/ToegewezenProducten/ToegewezenProduct"
DECIDED = date(2027, 1, 15)


def _toewijzingen(session: Session, trajectory: Trajectory) -> list[Message]:
    return [m for m in messages_of_trajectory(session, trajectory.id) if m.kind == "301"]


def _scale(session: Session, world: World, trajectory: Trajectory) -> Trajectory:
    request = scaling.request_scaling(
        session,
        trajectory,
        world.aanbieder_a,
        trajectory.profile_id,
        Intensity.ZWAAR,
        "Meer nodig",
        DECIDED,
    )
    follow_up = scaling.decide_scaling(
        session, request, world.gids, accept=True, reason=None, today=DECIDED
    )
    assert follow_up is not None
    return follow_up


@pytest.mark.parametrize("domain", ["wmo", "jeugd"])
def test_granted_scaling_ends_the_old_toewijzing_and_assigns_the_follow_up(
    session: Session, messaging: World, schemas: Schemas, domain: str
) -> None:
    overrides: dict[str, object] = {}
    if domain == "jeugd":
        overrides = {"resident_id": messaging.child.id, "profile_id": messaging.amb.id}
    trajectory = make_trajectory(session, messaging, TrajectoryState.ACTIEF, **overrides)
    follow_up = _scale(session, messaging, trajectory)

    _first, ending = _toewijzingen(session, trajectory)
    parsed = read(ending.body)
    assert schemas.errors(parsed.domain, "301", parsed.root) == []
    assert text_of(parsed.root, f"{PRODUCT}/RedenWijziging") == codes.SHORTENED
    assert text_of(parsed.root, f"{PRODUCT}/Einddatum") == DECIDED.isoformat()
    assert text_of(parsed.root, f"{PRODUCT}/ToewijzingNummer") == str(trajectory.id)

    [new] = _toewijzingen(session, follow_up)
    parsed = read(new.body)
    assert schemas.errors(parsed.domain, "301", parsed.root) == []
    own, old = parsed.root.iterfind("{*}" + PRODUCT.replace("/", "/{*}"))
    assert text_of(own, "ToewijzingNummer") == str(follow_up.id)
    assert text_of(own, "RedenWijziging") is None
    assert text_of(own, "Ingangsdatum") == (DECIDED + timedelta(days=1)).isoformat()
    assert text_of(own, "Toewijzingsdatum") == DECIDED.isoformat()
    # The old toewijzing ends on the Dagtekening: still current, so it is carried along.
    assert text_of(old, "ToewijzingNummer") == str(trajectory.id)
    assert text_of(old, "RedenWijziging") == codes.SHORTENED


def test_scaling_a_portal_trajectory_sends_nothing(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, TrajectoryState.ACTIEF)
    follow_up = _scale(session, world, trajectory)
    assert _toewijzingen(session, trajectory) == [] and _toewijzingen(session, follow_up) == []


def test_a_follow_up_on_the_message_channel_gets_a_301_though_the_old_one_went_by_portal(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, TrajectoryState.ACTIEF)
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    follow_up = _scale(session, world, trajectory)
    assert _toewijzingen(session, trajectory) == []
    assert len(_toewijzingen(session, follow_up)) == 1
