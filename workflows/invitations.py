"""First-login invitations: the beheerder never sets or sends a password. A new account gets an
unusable random password and an invitation: a one-time link, valid for ``VALID_HOURS`` hours,
by which the user chooses their own password (under the same rule as every password,
``workflows.users.set_password``) and then sets up the second factor where the role needs one.

* The link carries 256 random bits; only their SHA-256 hash is stored (``Invitation``), so the
  database alone opens no account.
* A link works once: using it marks it used in the same statement that checks it was unused, so
  two submissions at the same moment cannot both set a password (replay refused).
* A new invitation for the account (*opnieuw versturen*) revokes every older open one; setting
  the password revokes them too. A blocked account's link does not work.
* Works for an existing account as well: a user whose password is lost gets a new invitation,
  and keeps their second factor.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Invitation, User

from . import config_log
from .clock import as_utc
from .errors import N_, DomainError
from .guards import require_beheerder
from .stats.admin import token_hash
from .users import USER, is_system_account, label_of, set_password

VALID_HOURS = 72
INVITED = "uitgenodigd"
ACCEPTED = "wachtwoord_ingesteld"
MAX_TOKEN_LENGTH = 100
INVALID_LINK = N_(
    "Deze link werkt niet (meer): hij is al gebruikt, verlopen, vervangen door een nieuwere "
    "uitnodiging, of niet volledig overgenomen. Vraag de beheerder om een nieuwe uitnodiging."
)


@dataclass(frozen=True)
class Issued:
    """A new invitation and its secret: the only moment the plain secret exists."""

    invitation: Invitation
    token: str


def _revoke_open(session: Session, user: User, now: datetime) -> None:
    session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def invite(session: Session, actor: User | None, user: User, now: datetime) -> Issued:
    """A new one-time link for ``user``; older open links of the account stop working.
    ``actor`` None is the operator at the command line."""
    require_beheerder(actor)
    if is_system_account(user):
        raise DomainError(N_("Met het account van een koppeling kan niemand inloggen."))
    if not user.active:
        raise DomainError(
            N_("Dit account is geblokkeerd. Deblokkeer het eerst en stuur dan de uitnodiging.")
        )
    _revoke_open(session, user, now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_id=user.id,
        token_hash=token_hash(token),
        created_at=now,
        created_by_id=actor.id if actor is not None else None,
        expires_at=now + timedelta(hours=VALID_HOURS),
    )
    session.add(invitation)
    session.flush()
    config_log.record(
        session,
        actor,
        USER,
        user.id,
        label_of(user),
        INVITED,
        {"expires_at": (None, invitation.expires_at)},
    )
    return Issued(invitation, token)


def _find(session: Session, token: str) -> Invitation | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def _usable(invitation: Invitation | None, now: datetime) -> bool:
    return (
        invitation is not None
        and invitation.used_at is None
        and invitation.revoked_at is None
        and as_utc(invitation.expires_at) > now
        and invitation.user.active
    )


def valid_invitation(session: Session, token: str, now: datetime) -> Invitation | None:
    """The invitation behind a link while it can still be used, else None (whatever the reason:
    the page tells nobody which)."""
    invitation = _find(session, token)
    return invitation if _usable(invitation, now) else None


def accept(session: Session, token: str, password: str, now: datetime) -> User:
    """Set the account's password through its link, once. A weak password is refused by the
    password rule (field ``new_password``) and leaves the link usable."""
    invitation = _find(session, token)
    if invitation is None or not _usable(invitation, now):
        raise DomainError(INVALID_LINK)
    user = invitation.user
    set_password(session, user, password, now, keep_session=None)
    claimed = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:  # another submission used it first
        raise DomainError(INVALID_LINK)
    _revoke_open(session, user, now)
    session.expire(invitation)
    config_log.record(session, user, USER, user.id, label_of(user), ACCEPTED)
    return user


def open_invitations(
    session: Session, users: Iterable[User], now: datetime
) -> dict[int, Invitation]:
    """The usable invitation of each of these accounts that has one (for the accounts list)."""
    ids = [user.id for user in users]
    if not ids:
        return {}
    rows = session.scalars(
        select(Invitation).where(
            Invitation.user_id.in_(ids),
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    return {row.user_id: row for row in rows}
