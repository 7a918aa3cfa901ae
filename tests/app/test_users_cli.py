"""``flask users block/unblock``: the operator's way in goes through the same workflow as the
beheerder's button — logged on the Wijzigingen page (by "operator", no user), audited, and the
last active beheerder cannot be blocked from the command line either."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, ConfigChange

from ..factories import World


def _changes(session: Session, user_id: int) -> list[tuple[str, int | None]]:
    return [
        (c.action, c.user_id)
        for c in session.scalars(
            select(ConfigChange)
            .where(ConfigChange.object_type == "gebruiker", ConfigChange.object_id == user_id)
            .order_by(ConfigChange.id)
        )
    ]


def test_block_and_unblock_are_logged_as_the_operators(
    app: Flask, session: Session, world: World
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "block", world.gids2.email])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert world.gids2.active is False
    result = runner.invoke(args=["users", "unblock", world.gids2.email])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert world.gids2.active is True
    assert _changes(session, world.gids2.id) == [("geblokkeerd", None), ("gedeblokkeerd", None)]
    audited = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "account", AuditEntry.object_id == world.gids2.id
        )
    ).all()
    assert {"geblokkeerd", "gedeblokkeerd"} <= set(audited)


def test_the_last_beheerder_is_not_blocked_from_the_command_line(
    app: Flask, session: Session, world: World
) -> None:
    result = app.test_cli_runner().invoke(args=["users", "block", world.beheerder.email])
    assert result.exit_code != 0
    assert "beheerder" in result.output
    session.expire_all()
    assert world.beheerder.active is True
    assert _changes(session, world.beheerder.id) == []


def test_an_unknown_account_is_named(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["users", "block", "niemand@example.org"])
    assert result.exit_code != 0 and "niemand@example.org" in result.output
