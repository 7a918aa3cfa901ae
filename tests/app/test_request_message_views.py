"""An aanmelding that came as a provider's 315: the gids reads what was asked, and the new
trajectory form starts with it (the provider, and the profile and intensity the catalogue
matches)."""

from __future__ import annotations

import re

from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Aanmelding, Channel, Domain
from tests.berichten.request_xml import Product, message_315
from tests.factories import TODAY, World
from tests.workflows.berichten.requests_helpers import with_product_codes
from workflows.berichten.incoming import receive

from .helpers import login_as


def _received(session: Session, world: World) -> Aanmelding:
    with_product_codes(session, world)
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    body = message_315(Domain.JEUGD, world.zorg_a.agb_code, products=[Product("REF-1")])
    receive(session, world.zorg_a, body, TODAY)
    session.flush()
    aanmelding = session.scalar(select(Aanmelding))
    assert aanmelding is not None
    return aanmelding


def _selected(page: str, name: str) -> str | None:
    block = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert block is not None, name
    chosen = re.search(
        r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)"[^>]*selected',
        block.group(0),
    )
    return (chosen.group(1) or chosen.group(2)) if chosen else None


@freeze_time(TODAY)
def test_the_gids_reads_the_request_and_the_form_preselects_it(client, session, world) -> None:
    aanmelding = _received(session, world)
    login_as(client, world.gids)
    detail = client.get(f"/gids/aanmeldingen/{aanmelding.id}")
    assert detail.status_code == 200
    assert "REF-1" in detail.get_data(as_text=True)
    url = f"/gids/inwoners/{world.child.id}/trajecten/nieuw?aanmelding={aanmelding.id}"
    page = client.get(url).get_data(as_text=True)
    assert _selected(page, "provider_id") == str(world.zorg_a.id)
    assert _selected(page, "profile_id") == str(world.amb.id)
    assert _selected(page, "intensity") == "middel"
    assert 'value="2026-11-16"' in page
