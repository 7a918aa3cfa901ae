"""Accounts: creation, password checks and changes, blocking. Passwords are hashed with
Argon2id. Changing the password ends every other session of the account, blocking it ends them
all (``workflows.sessions.end_sessions``). Checking a password that someone *types* goes through
``workflows.signin``, which counts wrong guesses toward the lockout."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import OPEN_STATES, Aanmelding, AanmeldingOutcome, Provider, Role, Trajectory, User

from . import config_log
from .errors import N_, DomainError
from .guards import require_beheerder
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


# A provider's client system acts through an account of its own (``workflows.berichten.actor``)
# that can never sign in: its address lies in a domain that cannot exist (RFC 2606), its
# password hash is no Argon2 hash (no password matches it), and ``authenticate`` refuses it
# before checking anything. No person can be given such an address.
SYSTEM_EMAIL_DOMAIN = "@systeem.invalid"
SYSTEM_PASSWORD_HASH = "!berichtenverkeer-kan-niet-inloggen"


def is_system_account(user: User) -> bool:
    return user.email.lower().endswith(SYSTEM_EMAIL_DOMAIN)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail address and password, or None (never says which failed).
    A system account is never found (``is_system_account``)."""
    user = find_by_email(session, email)
    if user is None or is_system_account(user):
        _hasher.hash(password)  # spend the same time as a real check
        return None
    if not user.active or not verify_password(user, password):
        return None
    return user


USER = "gebruiker"  # the change log's kind of object (``workflows.config_log``)


def _provider_for(session: Session, role: Role, provider_agb: str | None) -> Provider | None:
    """The provider an account of ``role`` belongs to: required for an aanbieder account
    (*zorgaanbieder*), refused for every other role (the database checks the same)."""
    if role == Role.AANBIEDER:
        if not provider_agb:
            raise DomainError(
                N_("Een aanbieder-account hoort bij een aanbieder (AGB-code)."),
                field="provider_agb",
            )
        provider = session.scalar(select(Provider).where(Provider.agb_code == provider_agb))
        if provider is None:
            raise DomainError(
                N_("Onbekende AGB-code: %(agb)s."), field="provider_agb", agb=provider_agb[:20]
            )
        return provider
    if provider_agb:
        raise DomainError(
            N_("Alleen een aanbieder-account hoort bij een aanbieder."), field="provider_agb"
        )
    return None


def _clean_name(name: str) -> str:
    label = clean_text(name) or ""
    if not label:
        raise DomainError(N_("Vul de naam in."), field="name")
    if len(label) > 120:
        raise DomainError(N_("De naam mag ten hoogste 120 tekens hebben."), field="name")
    return label


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    provider_agb: str | None = None,
    actor: User | None = None,
) -> User:
    """A new account. From the command line with a password; from the beheerder's page without
    one (``password=None``): the account then has an unusable random password until the user
    sets their own through an invitation (``workflows.invitations``). Logged in the change log
    (``actor`` None: the operator at the command line)."""
    require_beheerder(actor)
    email = email.strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email) or email.endswith(SYSTEM_EMAIL_DOMAIN):
        raise DomainError(N_("Ongeldig e-mailadres."), field="email")
    if find_by_email(session, email) is not None:
        raise DomainError.from_problems([duplicate("uq_users_email")])
    label = _clean_name(name)
    if password is not None:
        _check_password(email, password, "password")
    provider = _provider_for(session, role, provider_agb)
    # Without a password: an Argon2 hash of a secret nobody knows, so a login with any
    # password fails after the same work as for any other account.
    password_hash = hash_password(password if password is not None else secrets.token_urlsafe(32))
    with refusing_duplicates(session):  # the same address twice at the same moment
        user = User(
            email=email,
            name=label,
            role=role,
            password_hash=password_hash,
            provider=provider,
        )
        session.add(user)
    config_log.record(
        session,
        actor,
        USER,
        user.id,
        label_of(user),
        config_log.CREATED,
        {
            "email": (None, email),
            "name": (None, label),
            "role": (None, role),
            "provider": (None, provider.name if provider else None),
        },
    )
    return user


def label_of(user: User) -> str:
    """How the change log names an account."""
    return f"{user.name} ({user.email})"


def _active_beheerders(session: Session) -> int:
    """The active beheerder accounts, their rows locked: two beheerders who block each other at
    the same moment are taken one after the other, and the second sees the first's block."""
    return len(
        session.scalars(
            select(User.id)
            .where(User.role == Role.BEHEERDER, User.active.is_(True))
            .with_for_update()
        ).all()
    )


def _keep_a_beheerder(session: Session, user: User) -> None:
    """Someone must be left who can manage the accounts: the last active beheerder account is
    never blocked or given another role."""
    if user.role == Role.BEHEERDER and user.active and _active_beheerders(session) <= 1:
        raise DomainError(
            N_("Dit is het laatste actieve beheerdersaccount. Maak eerst een andere beheerder aan.")
        )


def _no_open_gids_work(session: Session, user: User) -> None:
    """A gids who is still responsible for open requests or trajectories keeps the role: no one
    else could act on them."""
    if user.role != Role.GIDS:
        return
    open_work = (
        session.scalar(
            select(func.count())
            .select_from(Trajectory)
            .where(Trajectory.gids_id == user.id, Trajectory.state.in_(OPEN_STATES))
        )
        or 0
    )
    open_work += (
        session.scalar(
            select(func.count())
            .select_from(Aanmelding)
            .where(
                Aanmelding.gids_id == user.id,
                Aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING,
            )
        )
        or 0
    )
    if open_work:
        raise DomainError(
            N_(
                "Deze gids is nog verantwoordelijk voor %(n)s open aanmeldingen of trajecten. "
                "Een andere rol kan pas als die zijn afgerond."
            ),
            field="role",
            n=open_work,
        )


def change_user(
    session: Session,
    actor: User,
    user: User,
    *,
    name: str,
    role: Role,
    provider_agb: str | None,
) -> None:
    """A beheerder changes an account's name, role and provider. A new role or provider ends the
    account's sessions (what it may see changed). Beheerders cannot change their own role, and
    the last active beheerder keeps that role."""
    require_beheerder(actor)
    label = _clean_name(name)
    provider = _provider_for(session, role, provider_agb)
    if role != user.role:
        if user.id == actor.id:
            raise DomainError(
                N_("U kunt uw eigen rol niet wijzigen; laat een andere beheerder dat doen."),
                field="role",
            )
        _keep_a_beheerder(session, user)
        _no_open_gids_work(session, user)
    old_provider = user.provider.name if user.provider else None
    access_changed = role != user.role or (provider.id if provider else None) != user.provider_id
    user.provider = provider  # before the role: the database ties the two together
    config_log.assign(session, actor, user, USER, label_of(user), {"name": label, "role": role})
    session.flush()
    new_provider = provider.name if provider else None
    if old_provider != new_provider:
        config_log.record(
            session,
            actor,
            USER,
            user.id,
            label_of(user),
            config_log.CHANGED,
            {"provider": (old_provider, new_provider)},
        )
    if access_changed:
        end_sessions(session, user)


def _check_password(email: str, password: str, field: str) -> None:
    """The password rule, for every password anyone sets (command line, own change,
    invitation)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            N_("Het wachtwoord moet ten minste %(n)s tekens hebben."),
            field=field,
            n=MIN_PASSWORD_LENGTH,
        )
    if password.strip().lower() == email.lower():
        raise DomainError(N_("Kies een wachtwoord dat niet uw e-mailadres is."), field=field)


def _check_new_password(user: User, password: str) -> None:
    _check_password(user.email, password, "new_password")


def set_password(
    session: Session, user: User, new: str, now: datetime, keep_session: str | None
) -> None:
    """A new password for the user; every session of the account but ``keep_session`` ends.
    The user's own change confirms the current password first: ``signin.change_password``."""
    _check_new_password(user, new)
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    end_sessions(session, user, keep=keep_session)


def set_blocked(session: Session, user: User, blocked: bool, actor: User | None) -> None:
    """A beheerder (or, ``actor`` None, the operator at the command line) blocks an account
    (its sessions end at once) or lifts the block; never one's own, nor the last active
    beheerder account."""
    require_beheerder(actor)
    if blocked and actor is not None and user.id == actor.id:
        raise DomainError(N_("U kunt uw eigen account niet blokkeren."))
    if user.active == (not blocked):
        return
    if blocked:
        _keep_a_beheerder(session, user)
    user.active = not blocked
    if blocked:
        end_sessions(session, user)
    session.flush()
    config_log.record(
        session,
        actor,
        USER,
        user.id,
        label_of(user),
        "geblokkeerd" if blocked else "gedeblokkeerd",
        {"active": (blocked, not blocked)},
    )
