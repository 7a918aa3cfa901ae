"""The message exchange's place in the app: its settings from the environment, carried by every
session, and the providers' system accounts that no one can sign in with."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.config import ConfigError, load_config
from app.extensions import berichten_settings
from models import TrajectoryState
from tests.factories import PASSWORD, World, make_trajectory
from workflows import audit
from workflows.berichten.actor import system_actor
from workflows.berichten.schemas import Schemas
from workflows.berichten.settings import settings_of
from workflows.berichten.store import queue_outgoing
from workflows.berichten.xml import message_root
from workflows.errors import DomainError
from workflows.invitations import invite
from workflows.users import create_user, hash_password

from .helpers import csrf_token


def test_the_municipality_code_defaults_to_dronten_and_must_be_four_digits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRAJECTWIJZER_ENV", "testing")
    monkeypatch.delenv("MUNICIPALITY_CODE", raising=False)
    assert load_config()["MUNICIPALITY_CODE"] == "0303"
    monkeypatch.setenv("MUNICIPALITY_CODE", "0995")
    assert load_config()["MUNICIPALITY_CODE"] == "0995"
    for wrong in ("303", "03030", "abcd"):
        monkeypatch.setenv("MUNICIPALITY_CODE", wrong)
        with pytest.raises(ConfigError, match="MUNICIPALITY_CODE"):
            load_config()


def test_the_schema_folder_is_optional_but_must_exist_when_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRAJECTWIJZER_ENV", "testing")
    monkeypatch.delenv("ISTANDAARDEN_XSD_DIR", raising=False)
    assert load_config()["ISTANDAARDEN_XSD_DIR"] is None
    monkeypatch.setenv("ISTANDAARDEN_XSD_DIR", str(tmp_path))
    assert load_config()["ISTANDAARDEN_XSD_DIR"] == str(tmp_path)
    monkeypatch.setenv("ISTANDAARDEN_XSD_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="ISTANDAARDEN_XSD_DIR"):
        load_config()


def test_every_session_of_the_app_carries_the_one_settings_object(
    app: Flask, session: Session
) -> None:
    settings = berichten_settings(app)
    assert settings_of(session) is settings
    assert settings.municipality_code == app.config["MUNICIPALITY_CODE"]


def test_a_system_account_cannot_sign_in_even_with_a_known_password(
    client: FlaskClient, session: Session, world: World
) -> None:
    actor = system_actor(session, world.zorg_a)
    actor.password_hash = hash_password(PASSWORD)  # as if someone managed to set one
    session.flush()
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    response = client.post(
        "/inloggen", data={name: token, "email": actor.email, "password": PASSWORD}
    )
    assert response.status_code == 422


def test_no_person_gets_a_system_address_nor_an_invitation_for_a_system_account(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError, match="Ongeldig e-mailadres"):
        create_user(
            session,
            email="berichtenverkeer+99999999@systeem.invalid",
            name="Nep",
            role=world.aanbieder_a.role,
            provider_agb=world.zorg_a.agb_code,
            actor=world.beheerder,
        )
    actor = system_actor(session, world.zorg_a)
    with pytest.raises(DomainError, match="koppeling"):
        invite(session, world.beheerder, actor, world.beheerder.created_at)


def test_storing_and_reading_a_message_is_audited(
    app: Flask, session: Session, world: World
) -> None:
    """A message holds the client's data in its XML: the audit log names it like any other
    personal record (``workflows.audit``)."""
    session.info[audit.CONTEXT_KEY] = audit.AuditContext(user_id=None, role="systeem")
    trajectory = make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    message = queue_outgoing(
        session,
        provider=world.zorg_a,
        kind="301",
        domain=trajectory.domain,
        dated_on=trajectory.planned_start,
        build=lambda ident: message_root(trajectory.domain, "301"),
        schemas=Schemas(None),
        trajectory=trajectory,
    )
    context = session.info[audit.CONTEXT_KEY]
    assert ("bericht", message.id, audit.CREATED) in context.changes
    assert context.changes[("bericht", message.id, audit.CREATED)].trajectory_id == trajectory.id
