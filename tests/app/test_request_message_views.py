"""An aanmelding that came as a provider's 315: the gids reads what was asked, and the new
trajectory form starts with it (the provider, and the profile and intensity the catalogue
matches)."""

from __future__ import annotations

import re

from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    Channel,
    Domain,
    Message,
    TrajectoryState,
    Verzoek,
    VerzoekState,
)
from tests.berichten.request_xml import Change, Product, message_315, message_317
from tests.factories import TODAY, World, make_trajectory
from tests.workflows.berichten.requests_helpers import with_product_codes
from workflows.berichten.incoming import receive
from workflows.scaling import open_request

from .helpers import csrf_token, login_as


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


@freeze_time(TODAY)
def test_the_gids_refuses_with_the_code_the_provider_reads(client, session, world) -> None:
    aanmelding = _received(session, world)
    login_as(client, world.gids)
    url = f"/gids/aanmeldingen/{aanmelding.id}"
    page = client.get(url)
    assert "Reden van afwijzing voor de aanbieder" in page.get_data(as_text=True)
    name, token = csrf_token(page)
    bad = client.post(
        url, data={name: token, "outcome": "afgewezen", "reason": "Nee", "refusal_code": "42"}
    )
    assert bad.status_code == 422
    assert session.scalar(select(Verzoek.state)) == VerzoekState.OPEN
    done = client.post(
        url,
        data={name: token, "outcome": "afgewezen", "reason": "Geen contract", "refusal_code": "3"},
    )
    assert done.status_code == 302
    verzoek = session.scalar(select(Verzoek))
    assert verzoek is not None
    session.refresh(verzoek)
    assert (verzoek.state, verzoek.refusal_code) == (VerzoekState.AFGEWEZEN, "3")
    assert "3 Geen contract" in client.get(url).get_data(as_text=True)


@freeze_time(TODAY)
def test_in_onderzoek_goes_once_and_only_by_the_aanmeldings_gids(client, session, world) -> None:
    aanmelding = _received(session, world)
    url = f"/gids/aanmeldingen/{aanmelding.id}"
    other = client.application.test_client()
    login_as(other, world.gids2)
    name, token = csrf_token(other.get(url))
    assert other.post(f"{url}/in-onderzoek", data={name: token}).status_code == 403
    login_as(client, world.gids)
    name, token = csrf_token(client.get(url))
    for _ in range(2):  # a double click: the second is told, nothing goes twice
        answer = client.post(f"{url}/in-onderzoek", data={name: token})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    sent = session.scalars(select(Message).where(Message.kind == "319")).all()
    assert len(sent) == 1
    page = client.get(url).get_data(as_text=True)
    assert "In onderzoek gemeld" in page


@freeze_time(TODAY)
def test_a_317_is_decided_on_the_scaling_page_with_the_code_the_provider_reads(
    client, session, world
) -> None:
    with_product_codes(session, world)
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    running = make_trajectory(session, world, TrajectoryState.ACTIEF)
    body = message_317(
        Domain.WMO,
        world.zorg_a.agb_code,
        reference="VOW-9",
        changed=(Change(running.id, euros=5400),),
    )
    receive(session, world.zorg_a, body, TODAY)
    request = open_request(session, running)
    assert request is not None
    login_as(client, world.gids)
    url = f"/gids/opschalingen/{request.id}"
    page = client.get(url)
    assert "VOW-9" in page.get_data(as_text=True)
    name, token = csrf_token(page)
    answer = client.post(
        url, data={name: token, "decision": "nee", "reason": "Nee", "refusal_code": "6"}
    )
    assert answer.status_code == 302
    verzoek = session.scalar(select(Verzoek))
    assert verzoek is not None
    session.refresh(verzoek)
    assert (verzoek.state, verzoek.refusal_code) == (VerzoekState.AFGEWEZEN, "6")
    assert "6 Stapeling" in client.get(url).get_data(as_text=True)
