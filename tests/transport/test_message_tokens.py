"""Gateway tokens: shown once and stored hashed, one provider each, revocable, logged on the
Wijzigingen page; a revoked token, another realm's token or an inactive provider opens nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ConfigChange, MessageToken
from workflows import message_tokens
from workflows.errors import DomainError, NotFound
from workflows.stats.admin import issue_token

from ..factories import World

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_a_token_is_stored_as_its_hash_and_opens_its_own_provider(
    session: Session, world: World
) -> None:
    row, token = message_tokens.issue(session, world.beheerder, world.zorg_a, name="Cliëntsysteem")
    assert token.startswith("twb_") and token not in (row.token_hash, row.prefix)
    assert row.token_hash == message_tokens.token_hash(token)
    assert message_tokens.authenticate(session, token, NOW) is world.zorg_a
    assert row.last_used_at == NOW


def test_issuing_and_revoking_are_logged_without_the_secret(session: Session, world: World) -> None:
    row, token = message_tokens.issue(session, world.beheerder, world.zorg_a, name="Koppeling")
    message_tokens.revoke(session, world.beheerder, world.zorg_a, row.id, NOW)
    message_tokens.revoke(session, world.beheerder, world.zorg_a, row.id, NOW)  # twice: once logged
    changes = session.scalars(
        select(ConfigChange).where(ConfigChange.object_id == world.zorg_a.id)
    ).all()
    assert [(c.action, c.field) for c in changes] == [
        ("token_uitgegeven", "berichtentoken"),
        ("token_ingetrokken", "berichtentoken"),
    ]
    assert all(token not in (c.old or "") + (c.new or "") for c in changes)
    assert message_tokens.authenticate(session, token, NOW) is None


def test_only_a_beheerder_issues_and_a_name_is_required(session: Session, world: World) -> None:
    with pytest.raises(DomainError):
        message_tokens.issue(session, world.aanbieder_a, world.zorg_a, name="Eigen token")
    with pytest.raises(DomainError):
        message_tokens.issue(session, world.beheerder, world.zorg_a, name="   ")


def test_a_second_valid_token_with_the_same_name_is_refused(session: Session, world: World) -> None:
    message_tokens.issue(session, world.beheerder, world.zorg_a, name="Koppeling")
    with pytest.raises(DomainError) as refused:
        message_tokens.issue(session, world.beheerder, world.zorg_a, name="Koppeling")
    assert "al een geldig token" in str(refused.value.problems[0].message)
    message_tokens.issue(session, world.beheerder, world.zorg_b, name="Koppeling")  # another's


def test_another_providers_token_cannot_be_revoked_through_this_provider(
    session: Session, world: World
) -> None:
    row, token = message_tokens.issue(session, world.beheerder, world.zorg_b, name="Koppeling")
    with pytest.raises(NotFound):
        message_tokens.revoke(session, world.beheerder, world.zorg_a, row.id, NOW)
    assert message_tokens.authenticate(session, token, NOW) is world.zorg_b


def test_foreign_and_odd_tokens_open_nothing(session: Session, world: World) -> None:
    _row, stats_token = issue_token(session, world.beheerder, user_id=world.manager.id, name="BI")
    assert message_tokens.authenticate(session, stats_token, NOW) is None
    assert message_tokens.authenticate(session, "twb_" + "x" * 200, NOW) is None
    assert message_tokens.authenticate(session, "twb_geen-token", NOW) is None


def test_an_inactive_provider_is_shut_out(session: Session, world: World) -> None:
    _row, token = message_tokens.issue(session, world.beheerder, world.zorg_a, name="Koppeling")
    world.zorg_a.active = False
    session.flush()
    assert message_tokens.authenticate(session, token, NOW) is None


def test_last_used_is_written_at_most_every_few_minutes(session: Session, world: World) -> None:
    row, token = message_tokens.issue(session, world.beheerder, world.zorg_a, name="Koppeling")
    message_tokens.authenticate(session, token, NOW)
    message_tokens.authenticate(session, token, NOW + timedelta(minutes=1))
    assert row.last_used_at == NOW
    message_tokens.authenticate(session, token, NOW + timedelta(minutes=6))
    assert row.last_used_at == NOW + timedelta(minutes=6)
    assert session.scalar(select(MessageToken.id).where(MessageToken.id == row.id))
