"""Accounts: creation, password checks and changes, blocking. Passwords are hashed with
Argon2id. Changing the password ends every other session of the account, blocking it ends them
all (``workflows.sessions.end_sessions``). Checking a password that someone *types* goes through
``workflows.signin``, which counts wrong guesses toward the lockout."""

from __future__ import annotations

import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Provider, Role, User

from .errors import N_, DomainError
from .sessions import end_sessions
from .text import clean_text
from .uniqueness import duplicate, refusing_duplicates

_hasher = PasswordHasher()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_hash(stored_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(user: User, password: str) -> bool:
    return verify_hash(user.password_hash, password)


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail address and password, or None (never says which failed)."""
    user = find_by_email(session, email)
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    if not user.active or not verify_password(user, password):
        return None
    return user


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    provider_agb: str | None = None,
) -> User:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise DomainError(N_("Ongeldig e-mailadres."), field="email")
    if find_by_email(session, email) is not None:
        raise DomainError.from_problems([duplicate("uq_users_email")])
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            N_("Het wachtwoord moet ten minste %(n)s tekens hebben."),
            field="password",
            n=MIN_PASSWORD_LENGTH,
        )
    provider = None
    if role == Role.AANBIEDER:
        if not provider_agb:
            raise DomainError(N_("Een aanbieder-account hoort bij een aanbieder (AGB-code)."))
        provider = session.scalar(select(Provider).where(Provider.agb_code == provider_agb))
        if provider is None:
            raise DomainError(N_("Onbekende AGB-code: %(agb)s."), agb=provider_agb)
    elif provider_agb:
        raise DomainError(N_("Alleen een aanbieder-account hoort bij een aanbieder."))
    password_hash = hash_password(password)
    with refusing_duplicates(session):  # the same address twice at the same moment
        user = User(
            email=email,
            name=clean_text(name) or "",
            role=role,
            password_hash=password_hash,
            provider=provider,
        )
        session.add(user)
    return user


def _check_new_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            N_("Het wachtwoord moet ten minste %(n)s tekens hebben."),
            field="new_password",
            n=MIN_PASSWORD_LENGTH,
        )
    if password.strip().lower() == user.email.lower():
        raise DomainError(
            N_("Kies een wachtwoord dat niet uw e-mailadres is."), field="new_password"
        )


def set_password(
    session: Session, user: User, new: str, now: datetime, keep_session: str | None
) -> None:
    """A new password for the user; every session of the account but ``keep_session`` ends.
    The user's own change confirms the current password first: ``signin.change_password``."""
    _check_new_password(user, new)
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    end_sessions(session, user, keep=keep_session)


def set_blocked(session: Session, user: User, blocked: bool, actor: User) -> None:
    """A beheerder blocks an account (its sessions end at once) or lifts the block."""
    if actor.role != Role.BEHEERDER:
        raise DomainError(N_("U heeft geen recht om dit te doen."))
    if blocked and user.id == actor.id:
        raise DomainError(N_("U kunt uw eigen account niet blokkeren."))
    if user.active == (not blocked):
        return
    user.active = not blocked
    if blocked:
        end_sessions(session, user)
    session.flush()
