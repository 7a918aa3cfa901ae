from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from models import Channel
from tests.berichten.xsd import schemas, xsd_dir  # noqa: F401 - fixtures
from tests.factories import World


@pytest.fixture
def messaging(session: Session, world: World) -> World:
    """The small municipality with Zorg A on the berichtenverkeer channel for every contract."""
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    session.flush()
    return world
