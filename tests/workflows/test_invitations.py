"""First-login invitations: one-time, expiring, hashed links by which a user sets their own
password; the beheerder's account changes and their change log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ConfigChange, Invitation, Role, TrajectoryState, User
from workflows import config_log
from workflows.errors import DomainError
from workflows.invitations import VALID_HOURS, accept, invite, open_invitations, valid_invitation
from workflows.two_factor import reset_second_factor
from workflows.users import (
    authenticate,
    change_user,
    create_user,
    set_blocked,
    verify_password,
)

from ..factories import World, make_trajectory, make_user

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
GOOD = "een-goed-wachtwoord"


def _new(session: Session, world: World, role: Role = Role.GIDS, agb: str | None = None) -> User:
    return create_user(
        session,
        email="nieuw@dronten.nl",
        name="Nieuwe Collega",
        role=role,
        provider_agb=agb,
        actor=world.beheerder,
    )


def _log(session: Session, user_id: int) -> list[ConfigChange]:
    return list(
        session.scalars(
            select(ConfigChange)
            .where(ConfigChange.object_type == "gebruiker", ConfigChange.object_id == user_id)
            .order_by(ConfigChange.id)
        )
    )


# --- creating an account ----------------------------------------------------------------------


def test_an_account_made_in_the_browser_has_no_usable_password_and_is_logged(
    session: Session, world: World
) -> None:
    user = _new(session, world)
    assert user.password_hash.startswith("$argon2id$")
    for guess in ("", "None", "nieuw@dronten.nl", GOOD):
        assert not verify_password(user, guess)
    rows = _log(session, user.id)
    assert {(r.action, r.field, r.old, r.new) for r in rows} == {
        ("aangemaakt", "email", None, "nieuw@dronten.nl"),
        ("aangemaakt", "name", None, "Nieuwe Collega"),
        ("aangemaakt", "role", None, "gids"),
    }
    assert {r.user_id for r in rows} == {world.beheerder.id}


def test_a_zorgaanbieder_needs_a_provider_and_no_other_role_may_have_one(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        _new(session, world, Role.AANBIEDER)
    assert refused.value.problems[0].field == "provider_agb"
    with pytest.raises(DomainError, match="Alleen een aanbieder-account"):
        _new(session, world, Role.MANAGER, world.zorg_a.agb_code)
    made = _new(session, world, Role.AANBIEDER, world.zorg_a.agb_code)
    assert made.provider is world.zorg_a
    assert ("provider", world.zorg_a.name) in {(r.field, r.new) for r in _log(session, made.id)}


def test_only_a_beheerder_makes_accounts(session: Session, world: World) -> None:
    for actor in (world.gids, world.manager, world.aanbieder_a):
        with pytest.raises(DomainError, match="geen recht"):
            create_user(session, email="x@dronten.nl", name="X", role=Role.GIDS, actor=actor)


def test_the_command_line_keeps_creating_accounts_with_a_password(
    session: Session, world: World
) -> None:
    user = create_user(
        session, email="cli@dronten.nl", name="Cli", role=Role.MANAGER, password=GOOD
    )
    assert authenticate(session, "cli@dronten.nl", GOOD) is user
    assert {r.user_id for r in _log(session, user.id)} == {None}  # the operator


def test_a_name_is_required(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        create_user(session, email="x@dronten.nl", name="  ", role=Role.GIDS, actor=world.beheerder)
    assert refused.value.problems[0].field == "name"


# --- changing an account ----------------------------------------------------------------------


def test_a_new_role_and_provider_are_logged_and_end_the_sessions(
    session: Session, world: World
) -> None:
    user = world.gids2
    generation = user.session_generation
    change_user(
        session,
        world.beheerder,
        user,
        name=user.name,
        role=Role.AANBIEDER,
        provider_agb=world.zorg_b.agb_code,
    )
    assert user.role == Role.AANBIEDER and user.provider is world.zorg_b
    assert user.session_generation > generation
    changed = {(r.field, r.old, r.new) for r in _log(session, user.id)}
    assert ("role", "gids", "aanbieder") in changed
    assert ("provider", None, world.zorg_b.name) in changed


def test_a_name_change_alone_keeps_the_sessions(session: Session, world: World) -> None:
    user = world.gids2
    generation = user.session_generation
    change_user(
        session, world.beheerder, user, name="Andere Naam", role=user.role, provider_agb=None
    )
    assert user.session_generation == generation
    assert [(r.field, r.new) for r in _log(session, user.id)] == [("name", "Andere Naam")]


def test_changing_to_zorgaanbieder_without_a_provider_is_refused(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError):
        change_user(
            session, world.beheerder, world.gids2, name="G", role=Role.AANBIEDER, provider_agb=None
        )


def test_a_gids_with_open_work_keeps_the_role(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, TrajectoryState.ACTIEF)
    assert trajectory.gids_id == world.gids.id
    with pytest.raises(DomainError, match="nog verantwoordelijk voor") as refused:
        change_user(
            session, world.beheerder, world.gids, name="G", role=Role.MANAGER, provider_agb=None
        )
    assert refused.value.problems[0].field == "role"
    assert world.gids.role == Role.GIDS
    change_user(  # the name may still change
        session, world.beheerder, world.gids, name="G. Nieuw", role=Role.GIDS, provider_agb=None
    )


def test_a_beheerder_cannot_change_their_own_role(session: Session, world: World) -> None:
    with pytest.raises(DomainError, match="eigen rol") as refused:
        change_user(
            session,
            world.beheerder,
            world.beheerder,
            name=world.beheerder.name,
            role=Role.MANAGER,
            provider_agb=None,
        )
    assert refused.value.problems[0].field == "role"


def test_the_last_active_beheerder_is_never_blocked_or_demoted(
    session: Session, world: World
) -> None:
    """Beheerders cannot block or demote themselves; and when two block each other at the same
    moment, the second finds the first's block done (the rows are locked) and is refused."""
    other = make_user(session, "beheer2@test.nl", Role.BEHEERDER)
    set_blocked(session, other, True, world.beheerder)  # two active: allowed
    set_blocked(session, other, False, world.beheerder)
    set_blocked(session, world.beheerder, True, other)  # the first block of the pair ...
    for refused_step in (
        lambda: set_blocked(session, other, True, world.beheerder),  # ... and the second
        lambda: change_user(
            session, world.beheerder, other, name="B", role=Role.MANAGER, provider_agb=None
        ),
    ):
        with pytest.raises(DomainError, match="laatste actieve beheerdersaccount"):
            refused_step()
    assert other.active and other.role == Role.BEHEERDER
    with pytest.raises(DomainError, match="eigen account"):
        set_blocked(session, other, True, other)


def test_blocking_and_the_reset_second_factor_are_logged_without_secrets(
    session: Session, world: World
) -> None:
    set_blocked(session, world.gids2, True, world.beheerder)
    set_blocked(session, world.gids2, False, world.beheerder)
    reset_second_factor(session, world.gids2, world.beheerder)
    rows = _log(session, world.gids2.id)
    assert [r.action for r in rows] == ["geblokkeerd", "gedeblokkeerd", "tweede_factor_gewist"]
    assert all(r.field not in config_log.SECRET_FIELDS for r in rows)
    with pytest.raises(DomainError):
        reset_second_factor(session, world.gids2, world.manager)


# --- invitations ------------------------------------------------------------------------------


def test_an_invitation_sets_the_password_once(session: Session, world: World) -> None:
    user = _new(session, world)
    issued = invite(session, world.beheerder, user, NOW)
    assert issued.invitation.expires_at == NOW + timedelta(hours=VALID_HOURS)
    assert valid_invitation(session, issued.token, NOW) is issued.invitation
    assert accept(session, issued.token, GOOD, NOW + timedelta(hours=1)) is user
    assert verify_password(user, GOOD)
    with pytest.raises(DomainError, match="werkt niet"):  # replay
        accept(session, issued.token, "een-ander-wachtwoord", NOW + timedelta(hours=2))
    assert verify_password(user, GOOD)
    assert valid_invitation(session, issued.token, NOW) is None
    actions = [r.action for r in _log(session, user.id)]
    assert "uitgenodigd" in actions and actions[-1] == "wachtwoord_ingesteld"


def test_only_the_hash_of_the_link_is_stored_and_nothing_secret_is_logged(
    session: Session, world: World
) -> None:
    user = _new(session, world)
    issued = invite(session, world.beheerder, user, NOW)
    stored = session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    assert stored is not None and issued.token not in stored.token_hash
    assert len(issued.token) >= 43  # 256 bits
    for row in session.scalars(select(ConfigChange)):
        assert issued.token not in f"{row.old} {row.new} {row.object_label}"


def test_an_expired_link_is_refused(session: Session, world: World) -> None:
    user = _new(session, world)
    issued = invite(session, world.beheerder, user, NOW)
    late = NOW + timedelta(hours=VALID_HOURS, seconds=1)
    assert valid_invitation(session, issued.token, late) is None
    with pytest.raises(DomainError, match="werkt niet"):
        accept(session, issued.token, GOOD, late)


@pytest.mark.parametrize("change", ["cut", "flip", "empty", "long"])
def test_a_tampered_link_is_refused(session: Session, world: World, change: str) -> None:
    user = _new(session, world)
    token = invite(session, world.beheerder, user, NOW).token
    tampered = {
        "cut": token[:-1],
        "flip": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "empty": "",
        "long": token * 5,
    }[change]
    assert valid_invitation(session, tampered, NOW) is None
    with pytest.raises(DomainError):
        accept(session, tampered, GOOD, NOW)


def test_sending_again_makes_the_older_link_useless(session: Session, world: World) -> None:
    user = _new(session, world)
    first = invite(session, world.beheerder, user, NOW)
    second = invite(session, world.beheerder, user, NOW + timedelta(minutes=5))
    assert valid_invitation(session, first.token, NOW + timedelta(minutes=6)) is None
    with pytest.raises(DomainError):
        accept(session, first.token, GOOD, NOW + timedelta(minutes=6))
    assert open_invitations(session, [user], NOW + timedelta(minutes=6)) == {
        user.id: second.invitation
    }
    accept(session, second.token, GOOD, NOW + timedelta(minutes=7))
    assert open_invitations(session, [user], NOW + timedelta(minutes=8)) == {}


def test_a_link_sets_only_its_own_accounts_password(session: Session, world: World) -> None:
    user = _new(session, world)
    mine = invite(session, world.beheerder, user, NOW)
    theirs = invite(session, world.beheerder, world.gids2, NOW)
    accept(session, mine.token, GOOD, NOW)
    assert verify_password(user, GOOD) and not verify_password(world.gids2, GOOD)
    assert valid_invitation(session, theirs.token, NOW) is not None  # untouched


def test_a_weak_password_is_refused_and_the_link_keeps_working(
    session: Session, world: World
) -> None:
    user = _new(session, world)
    issued = invite(session, world.beheerder, user, NOW)
    for weak in ("kort", "nieuw@dronten.nl"):
        with pytest.raises(DomainError) as refused:
            accept(session, issued.token, weak, NOW)
        assert refused.value.problems[0].field == "new_password"
    assert valid_invitation(session, issued.token, NOW) is not None


def test_a_blocked_account_gets_no_invitation_and_its_link_stops(
    session: Session, world: World
) -> None:
    user = _new(session, world)
    issued = invite(session, world.beheerder, user, NOW)
    set_blocked(session, user, True, world.beheerder)
    assert valid_invitation(session, issued.token, NOW) is None
    with pytest.raises(DomainError, match="geblokkeerd"):
        invite(session, world.beheerder, user, NOW)


def test_only_a_beheerder_or_the_operator_invites(session: Session, world: World) -> None:
    with pytest.raises(DomainError, match="geen recht"):
        invite(session, world.manager, world.gids2, NOW)
    assert invite(session, None, world.gids2, NOW).invitation.created_by_id is None
