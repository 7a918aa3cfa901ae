"""The HTTP message gateway: a provider's token opens its own mailbox only; the body is read
within the size limit, an unreadable or hostile body is refused with 400 (never a 500), and
posting the same message twice answers the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import (
    AuditEntry,
    Channel,
    Message,
    MessageDirection,
    MessageState,
    Provider,
    TrajectoryState,
)
from workflows import message_tokens
from workflows.berichten.store import last_toewijzing
from workflows.berichten.xml import MAX_MESSAGE_BYTES
from workflows.stats.admin import issue_token

from ..berichten.samples import answer
from ..factories import TODAY, World, make_trajectory
from .helpers import incoming_xml, outgoing

BASE = "/api/berichten/v1"
XML = {"Content-Type": "application/xml"}


def token_for(session: Session, world: World, provider: Provider) -> str:
    _row, token = message_tokens.issue(session, world.beheerder, provider, name="Koppeling")
    session.flush()
    return token


@pytest.fixture
def token_a(session: Session, world: World) -> str:
    return token_for(session, world, world.zorg_a)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post(client: FlaskClient, token: str, body: bytes, **headers: str) -> object:
    return client.post(f"{BASE}/berichten", data=body, headers={**XML, **auth(token), **headers})


def in_messages(session: Session, provider: Provider) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.provider_id == provider.id, Message.direction == MessageDirection.IN)
        )
        or 0
    )


# --- who gets in -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/berichten"), ("get", "/uitbox"), ("get", "/uitbox/1"), ("delete", "/uitbox/1")],
)
def test_without_a_token_every_route_answers_401(
    client: FlaskClient, world: World, method: str, path: str
) -> None:
    response = getattr(client, method)(f"{BASE}{path}", headers=XML)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"] == "unauthorized"


def test_a_bad_a_revoked_or_a_statistics_token_answers_401(
    client: FlaskClient, session: Session, world: World, token_a: str
) -> None:
    assert client.get(f"{BASE}/uitbox", headers=auth("twb_verzonnen")).status_code == 401
    _row, stats = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")
    assert client.get(f"{BASE}/uitbox", headers=auth(stats)).status_code == 401
    # ... and a gateway token does not open the statistics API either
    assert client.get("/api/v1/stats/flows", headers=auth(token_a)).status_code == 401
    row = session.scalar(select(message_tokens.MessageToken))
    assert row is not None
    message_tokens.revoke(session, world.beheerder, world.zorg_a, row.id, message_tokens_now())
    assert client.get(f"{BASE}/uitbox", headers=auth(token_a)).status_code == 401


def message_tokens_now():  # noqa: ANN201 - a helper for the revocation above
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_signed_in_browser_does_not_open_the_gateway(client: FlaskClient, world: World) -> None:
    from ..app.helpers import login_as

    login_as(client, world.aanbieder_a)
    assert client.get(f"{BASE}/uitbox").status_code == 401


# --- the outbox ---------------------------------------------------------------------------------


def test_the_outbox_lists_the_providers_own_waiting_messages_only(
    client: FlaskClient, session: Session, world: World, token_a: str
) -> None:
    mine = outgoing(session, world.zorg_a, "A1")
    outgoing(session, world.zorg_a, "A0", state=MessageState.VERZONDEN)
    outgoing(session, world.zorg_b, "B1")
    listed = client.get(f"{BASE}/uitbox", headers=auth(token_a)).get_json()["messages"]
    assert [(m["id"], m["identification"], m["state"]) for m in listed] == [
        (mine.id, "A1", "klaar")
    ]
    assert listed[0]["url"] == f"{BASE}/uitbox/{mine.id}"


def test_reading_a_message_gives_its_xml_and_is_audited(
    client: FlaskClient, session: Session, world: World, token_a: str
) -> None:
    mine = outgoing(session, world.zorg_a, "A1")
    response = client.get(f"{BASE}/uitbox/{mine.id}", headers=auth(token_a))
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.data == mine.body
    assert session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.object_type == "bericht", AuditEntry.object_id == mine.id)
    )


def test_another_providers_message_is_404_like_one_that_does_not_exist(
    client: FlaskClient, session: Session, world: World, token_a: str
) -> None:
    theirs = outgoing(session, world.zorg_b, "B1")
    for method in ("get", "post", "delete"):
        response = getattr(client, method)(f"{BASE}/uitbox/{theirs.id}", headers=auth(token_a))
        missing = getattr(client, method)(f"{BASE}/uitbox/999999", headers=auth(token_a))
        assert response.status_code == missing.status_code == 404
        assert response.get_json() == missing.get_json()
    session.refresh(theirs)
    assert theirs.state == MessageState.KLAAR


def test_acknowledging_marks_it_sent_once(
    client: FlaskClient, session: Session, world: World, token_a: str
) -> None:
    mine = outgoing(session, world.zorg_a, "A1")
    first = client.delete(f"{BASE}/uitbox/{mine.id}", headers=auth(token_a))
    again = client.post(f"{BASE}/uitbox/{mine.id}", headers=auth(token_a))
    assert first.status_code == again.status_code == 200
    assert again.get_json()["state"] == "verzonden"
    assert client.get(f"{BASE}/uitbox", headers=auth(token_a)).get_json()["messages"] == []


# --- posting --------------------------------------------------------------------------------------


def test_posting_a_message_answers_with_its_retour_and_twice_changes_nothing(
    client: FlaskClient, session: Session, world: World, token_a: str, accepting_305: list[str]
) -> None:
    body = incoming_xml(world.zorg_a, "IN-1")
    first = post(client, token_a, body)
    second = post(client, token_a, body)
    assert first.status_code == second.status_code == 200
    assert first.mimetype == "application/xml"
    assert first.data == second.data
    assert b"306" in first.data and first.headers["Content-Disposition"].startswith("attachment")
    assert in_messages(session, world.zorg_a) == 1
    assert accepting_305 == ["IN-1"]
    # the retour went out in the answer: it does not wait in the outbox as well
    assert client.get(f"{BASE}/uitbox", headers=auth(token_a)).get_json()["messages"] == []


def test_the_same_identification_from_another_provider_is_its_own_message(
    client: FlaskClient, session: Session, world: World, token_a: str, accepting_305: list[str]
) -> None:
    token_b = token_for(session, world, world.zorg_b)
    assert post(client, token_a, incoming_xml(world.zorg_a, "IN-1")).status_code == 200
    assert post(client, token_b, incoming_xml(world.zorg_b, "IN-1")).status_code == 200
    assert in_messages(session, world.zorg_a) == in_messages(session, world.zorg_b) == 1


def test_an_unreadable_body_is_400_with_a_dutch_message(
    client: FlaskClient, session: Session, world: World, token_a: str
) -> None:
    for body in (b"", b"geen xml", b"<a><b></a>", b"\xff\xfe<\x00", b"<Bericht/>"):
        response = post(client, token_a, body)
        assert response.status_code == 400, body
        assert response.get_json()["error"] == "unreadable"
        assert response.get_json()["message"]
    assert in_messages(session, world.zorg_a) == 0


def test_an_xxe_body_is_refused_and_no_file_is_read(
    client: FlaskClient, session: Session, world: World, token_a: str, tmp_path: Path
) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-123")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<Bericht><Identificatie>&x;</Identificatie></Bericht>"
    ).encode()
    response = post(client, token_a, body)
    assert response.status_code == 400
    assert b"GEHEIM-123" not in response.data
    assert in_messages(session, world.zorg_a) == 0


def test_a_message_naming_another_sender_is_answered_with_0001_and_not_applied(
    client: FlaskClient, session: Session, world: World, token_a: str, accepting_305: list[str]
) -> None:
    """A token is the provider's identity: Zorg B's AGB code in the header does not make it
    Zorg B's message, nor is it applied as Zorg A's."""
    response = post(client, token_a, incoming_xml(world.zorg_b, "IN-1"))
    assert response.status_code == 200
    assert b"0001" in response.data
    assert accepting_305 == []
    assert in_messages(session, world.zorg_b) == 0


def test_a_retour_without_a_retour_of_its_own_is_answered_202(
    client: FlaskClient, session: Session, world: World, token_a: str
) -> None:
    """Zorg A's system accepts our 301 with a 302: applied, and nothing to answer."""
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    session.flush()
    with freeze_time(TODAY):
        trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    toewijzing = last_toewijzing(session, trajectory.id)
    assert toewijzing is not None
    response = post(client, token_a, answer(toewijzing, dated_on=TODAY))
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_json()["state"] == "verwerkt" and response.get_json()["kind"] == "302"
    session.refresh(trajectory)
    assert trajectory.state == TrajectoryState.GEACCEPTEERD


def test_another_content_type_is_415(client: FlaskClient, world: World, token_a: str) -> None:
    response = client.post(
        f"{BASE}/berichten",
        data=b"<a/>",
        headers={**auth(token_a), "Content-Type": "application/json"},
    )
    assert response.status_code == 415


@pytest.mark.parametrize("megabytes", [6, 50])  # under and over the app's upload limit
def test_a_body_over_the_limit_is_413_before_it_is_read(
    client: FlaskClient,
    session: Session,
    world: World,
    token_a: str,
    tmp_path: Path,
    megabytes: int,
) -> None:
    big = tmp_path / "groot.xml"
    with big.open("wb") as out:
        out.truncate(megabytes * 1024 * 1024)  # sparse: takes no disk
    with big.open("rb") as stream:
        response = client.post(
            f"{BASE}/berichten", input_stream=stream, headers={**XML, **auth(token_a)}
        )
        assert stream.tell() == 0  # not a byte of it was read
    assert response.status_code == 413
    assert "te groot" in response.get_json()["message"]


class Endless:
    """A body without a declared length (chunked), 50 MB long, that counts what was read."""

    def __init__(self, size: int = 50 * 1024 * 1024) -> None:
        self.left = size
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        self.left -= size
        self.read_bytes += size
        return b"x" * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def test_a_chunked_body_over_the_limit_is_413_after_reading_just_past_it(
    client: FlaskClient, session: Session, world: World, token_a: str
) -> None:
    body = Endless()
    response = client.post(
        f"{BASE}/berichten",
        headers={**XML, **auth(token_a)},
        environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )
    assert response.status_code == 413
    assert MAX_MESSAGE_BYTES < body.read_bytes <= MAX_MESSAGE_BYTES + 1024 * 1024
    assert in_messages(session, world.zorg_a) == 0


def test_a_message_refused_as_a_whole_is_400_with_its_errors(
    client: FlaskClient,
    session: Session,
    world: World,
    token_a: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What receive() stores as geweigerd without a retour (it failed its schema) is reported by
    the transport: 400 with the errors, never a 200."""
    import app.berichten_api as gateway
    from workflows.berichten.store import PartError, set_errors

    def refusing(session: Session, provider: Provider, body: bytes, today: object) -> Message:
        message = Message(
            direction=MessageDirection.IN, kind="305", domain=world.hh.domain,
            provider_id=provider.id, identification="XSD-1", dated_on=TODAY,
            state=MessageState.GEWEIGERD, body=body,
        )  # fmt: skip
        set_errors(message, [PartError("0001", "", "Element 'Bsn': niet geldig volgens het XSD")])
        session.add(message)
        session.flush()
        return message

    monkeypatch.setattr(gateway, "receive", refusing)
    response = post(client, token_a, incoming_xml(world.zorg_a, "XSD-1"))
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "refused"
    assert body["problems"][0]["code"] == "0001" and "XSD" in body["problems"][0]["message"]
