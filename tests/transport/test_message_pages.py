"""The pages of the message exchange: the beheerder's list and message page (the envelope and
the error codes; the content only with a reason, audited), the gateway tokens on the provider's
page, and the section "Berichten" on the trajectory pages of the gids and the provider."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    AuditEntry,
    Channel,
    ConfigChange,
    Contract,
    MessageState,
    MessageToken,
    Provider,
    TrajectoryState,
)
from workflows import message_tokens

from ..app.helpers import csrf_token, login_as, post_form
from ..committed import last_audit_id
from ..factories import TODAY, World, make_trajectory
from .helpers import outgoing


def row(identification: str) -> str:
    """How the list shows a 301 (its link text): never mistaken for a piece of a CSRF token."""
    return f"301 · {identification}</a>"


REFUSED = json.dumps([{"code": "0001", "part": "Header", "text": ""}])


@pytest.mark.parametrize("who", ["gids", "aanbieder_a", "manager"])
def test_only_the_beheerder_opens_the_message_pages(
    client: FlaskClient, session: Session, world: World, who: str
) -> None:
    message = outgoing(session, world.zorg_a, "A1")
    login_as(client, getattr(world, who))
    assert client.get("/beheer/berichten").status_code == 403
    assert client.get(f"/beheer/berichten/{message.id}").status_code == 403
    assert client.post(f"/beheer/berichten/{message.id}", data={"reason": "x"}).status_code in (
        400,
        403,
    )


def test_the_list_filters_and_shows_error_codes_with_their_meaning(
    client: FlaskClient, session: Session, world: World
) -> None:
    outgoing(session, world.zorg_a, "A1", state=MessageState.AFGEKEURD, errors=REFUSED)
    outgoing(session, world.zorg_b, "B1")
    login_as(client, world.beheerder)

    everything = client.get("/beheer/berichten").get_data(as_text=True)
    assert row("A1") in everything and row("B1") in everything
    only_a = client.get(f"/beheer/berichten?aanbieder={world.zorg_a.id}").get_data(as_text=True)
    assert row("A1") in only_a and row("B1") not in only_a
    assert "0001" in only_a
    refused = client.get("/beheer/berichten?status=afgekeurd&soort=301").get_data(as_text=True)
    assert row("A1") in refused and row("B1") not in refused
    nothing = client.get("/beheer/berichten?van=2030-01-01").get_data(as_text=True)
    assert row("A1") not in nothing and "Geen berichten gevonden" in nothing
    odd = client.get("/beheer/berichten?aanbieder=abc&status=x&van=gisteren&page=-3")
    assert odd.status_code == 200


def test_the_list_pages_through_many_messages(
    client: FlaskClient, session: Session, world: World
) -> None:
    for n in range(55):
        outgoing(session, world.zorg_a, f"N{n:03d}")
    login_as(client, world.beheerder)
    first = client.get("/beheer/berichten").get_data(as_text=True)
    assert "Volgende" in first and row("N054") in first and row("N000") not in first
    second = client.get("/beheer/berichten?page=2").get_data(as_text=True)
    assert row("N000") in second and row("N054") not in second


def test_the_message_page_shows_the_envelope_and_the_content_only_with_a_reason(
    client: FlaskClient, session: Session, world: World
) -> None:
    before = last_audit_id(session)  # the log keeps what committing tests wrote
    message = outgoing(session, world.zorg_a, "A1", state=MessageState.AFGEKEURD, errors=REFUSED)
    login_as(client, world.beheerder)
    url = f"/beheer/berichten/{message.id}"

    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "0001" in text and "Inhoud tonen" in text
    assert "&lt;Toewijzing&gt;" not in text
    name, token = csrf_token(page)
    assert client.post(url, data={name: token, "reason": " "}).status_code == 422

    shown = client.post(url, data={name: token, "reason": "Storing melding 42"})
    assert shown.status_code == 200
    assert "&lt;Toewijzing&gt;" in shown.get_data(as_text=True)
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.id > before,
            AuditEntry.object_type == "bericht",
            AuditEntry.object_id == message.id,
        )
    ).all()
    # every look at the message is a read; showing its content names the reason
    assert {e.action for e in entries} == {"inzien"}
    shown_entries = [e for e in entries if "Storing melding 42" in (e.details or "")]
    assert len(shown_entries) == 1
    assert shown_entries[0].user_id == world.beheerder.id
    assert "inhoud getoond" in (shown_entries[0].details or "")


def test_a_message_that_does_not_exist_is_404(client: FlaskClient, world: World) -> None:
    login_as(client, world.beheerder)
    assert client.get("/beheer/berichten/999999").status_code == 404
    assert client.get("/beheer/berichten/99999999999999999999").status_code == 404


# --- tokens on the provider's page ------------------------------------------------------------


def test_the_beheerder_issues_a_token_that_is_shown_once_and_revokes_it(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    page_url = f"/beheer/aanbieders/{world.zorg_a.id}"
    issued = post_form(
        client, page_url, f"{page_url}/berichtentokens", {"token-name": "Cliëntsysteem"}, "token"
    )
    assert issued.status_code == 200
    text = issued.get_data(as_text=True)
    secret = text.split('id="nieuw-berichtentoken">')[1].split("<")[0]
    assert secret.startswith("twb_")
    row = session.scalar(select(MessageToken).where(MessageToken.provider_id == world.zorg_a.id))
    assert row is not None and row.token_hash == message_tokens.token_hash(secret)
    assert secret not in client.get(page_url).get_data(as_text=True)  # never shown again
    assert (
        session.scalar(select(ConfigChange.action).where(ConfigChange.object_id == world.zorg_a.id))
        == "token_uitgegeven"
    )

    page = client.get(page_url)
    name, token = csrf_token(page)
    revoked = client.post(f"{page_url}/berichtentokens/{row.id}/intrekken", data={name: token})
    assert revoked.status_code == 302
    session.refresh(row)
    assert row.revoked_at is not None


def test_a_token_of_another_provider_is_not_revoked_through_this_page(
    client: FlaskClient, session: Session, world: World
) -> None:
    row, _secret = message_tokens.issue(session, world.beheerder, world.zorg_b, name="B")
    login_as(client, world.beheerder)
    page = client.get(f"/beheer/aanbieders/{world.zorg_a.id}")
    name, token = csrf_token(page)
    response = client.post(
        f"/beheer/aanbieders/{world.zorg_a.id}/berichtentokens/{row.id}/intrekken",
        data={name: token},
    )
    assert response.status_code == 404
    session.refresh(row)
    assert row.revoked_at is None


def test_a_token_without_a_name_comes_back_with_a_message(
    client: FlaskClient, world: World
) -> None:
    login_as(client, world.beheerder)
    page_url = f"/beheer/aanbieders/{world.zorg_a.id}"
    refused = post_form(
        client, page_url, f"{page_url}/berichtentokens", {"token-name": ""}, "token"
    )
    assert refused.status_code in (200, 422)
    assert "Geef het token een naam" in refused.get_data(as_text=True)


@pytest.mark.parametrize("who", ["gids", "aanbieder_a", "manager"])
def test_nobody_else_issues_tokens(
    client: FlaskClient, session: Session, world: World, who: str
) -> None:
    login_as(client, getattr(world, who))
    response = client.post(
        f"/beheer/aanbieders/{world.zorg_a.id}/berichtentokens", data={"token-name": "x"}
    )
    assert response.status_code in (400, 403)
    assert session.scalar(select(MessageToken.id)) is None


# --- the trajectory pages ------------------------------------------------------------------------


@freeze_time(TODAY)
def test_the_trajectory_pages_list_the_trajectorys_messages(
    client: FlaskClient, session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    outgoing(
        session, world.zorg_a, "A1", trajectory_id=trajectory.id, state=MessageState.AFGEKEURD,
        errors=REFUSED,
    )  # fmt: skip
    outgoing(session, world.zorg_b, "B-EERDER", trajectory_id=trajectory.id)

    login_as(client, world.gids)
    gids_page = client.get(f"/gids/trajecten/{trajectory.id}").get_data(as_text=True)
    assert "berichten-kop" in gids_page and "301 toewijzing" in gids_page
    assert "0001" in gids_page and "afgekeurd" in gids_page

    login_as(client, world.aanbieder_a)
    provider_page = client.get(f"/aanbieder/trajecten/{trajectory.id}").get_data(as_text=True)
    assert "berichten-kop" in provider_page and "0001" in provider_page
    # the message to another provider is not this provider's business
    assert provider_page.count("301 toewijzing") == 1


@freeze_time(TODAY)
def test_a_portal_trajectory_page_has_no_messages_section(
    client: FlaskClient, session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    login_as(client, world.gids)
    assert "berichten-kop" not in client.get(f"/gids/trajecten/{trajectory.id}").get_data(
        as_text=True
    )


# --- the contract's channel -------------------------------------------------------------------


def test_the_beheerder_switches_a_contracts_channel_and_it_is_logged(
    client: FlaskClient, session: Session, world: World
) -> None:
    contract = world.zorg_a.contracts[0]
    assert contract.channel == Channel.PORTAAL
    login_as(client, world.beheerder)
    page_url = f"/beheer/aanbieders/{world.zorg_a.id}"
    prefix = f"k{contract.id}"
    response = post_form(
        client, page_url, f"/beheer/contracten/{contract.id}/kanaal",
        {f"{prefix}-channel": "berichtenverkeer"}, prefix,
    )  # fmt: skip
    assert response.status_code == 302
    session.refresh(contract)
    assert contract.channel == Channel.BERICHTENVERKEER
    change = session.scalar(
        select(ConfigChange).where(
            ConfigChange.object_type == "contract", ConfigChange.field == "channel"
        )
    )
    assert change is not None and (change.old, change.new) == ("portaal", "berichtenverkeer")
    page = client.get(page_url).get_data(as_text=True)
    assert "Kanaal nu:" in page and "<strong>berichtenverkeer</strong>" in page


def test_a_channel_that_is_not_one_is_refused_with_a_message(
    client: FlaskClient, session: Session, world: World
) -> None:
    contract = world.zorg_a.contracts[0]
    login_as(client, world.beheerder)
    prefix = f"k{contract.id}"
    response = post_form(
        client, f"/beheer/aanbieders/{world.zorg_a.id}",
        f"/beheer/contracten/{contract.id}/kanaal", {f"{prefix}-channel": "fax"}, prefix,
    )  # fmt: skip
    assert response.status_code == 422
    assert "Kies berichtenverkeer of portaal" in response.get_data(as_text=True)
    session.refresh(contract)
    assert contract.channel == Channel.PORTAAL


def test_a_new_contract_takes_the_chosen_channel(
    client: FlaskClient, session: Session, world: World
) -> None:
    fresh = Provider(name="Zorg Nieuw", agb_code="55554444")
    session.add(fresh)
    session.flush()
    login_as(client, world.beheerder)
    response = post_form(
        client, f"/beheer/aanbieders/{fresh.id}", f"/beheer/aanbieders/{fresh.id}/contracten",
        {"nieuw-profile_id": str(world.amb.id), "nieuw-role": "hoofdaannemer",
         "nieuw-valid_from": "2026-01-01", "nieuw-channel": "berichtenverkeer"},
        "nieuw",
    )  # fmt: skip
    assert response.status_code == 302
    contract = session.scalar(select(Contract).where(Contract.provider_id == fresh.id))
    assert contract is not None and contract.channel == Channel.BERICHTENVERKEER


@pytest.mark.parametrize("who", ["gids", "aanbieder_a", "manager"])
def test_nobody_else_switches_a_channel(
    client: FlaskClient, session: Session, world: World, who: str
) -> None:
    contract = world.zorg_a.contracts[0]
    login_as(client, getattr(world, who))
    response = client.post(
        f"/beheer/contracten/{contract.id}/kanaal", data={f"k{contract.id}-channel": "portaal"}
    )
    assert response.status_code in (400, 403)
