"""The provider's client system as the actor of what its messages do.

The workflows take a ``User`` who acts. A message is the provider's act through its system, so
each provider gets one system account, made on first use: role aanbieder, named "Berichtenverkeer
<provider>", marked by the address ``berichtenverkeer+<AGB>@systeem.invalid`` (a domain that
can never receive mail). It can never sign in: its password hash is no hash at all, it has no
second factor, and the sign-in refuses every system account before checking anything
(``workflows.users.is_system_account``). Events it records read as its name.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Provider, Role, User

from ..users import SYSTEM_EMAIL_DOMAIN, SYSTEM_PASSWORD_HASH, find_by_email

NAME_MAX = 120


def system_email(provider: Provider) -> str:
    return f"berichtenverkeer+{provider.agb_code}{SYSTEM_EMAIL_DOMAIN}"


def system_actor(session: Session, provider: Provider) -> User:
    """The provider's system account, made on first use (in a savepoint: when two messages of
    a new provider arrive at once, the second finds the first's account)."""
    email = system_email(provider)
    user = find_by_email(session, email)
    if user is not None:
        return user
    user = User(
        email=email,
        name=f"Berichtenverkeer {provider.name}"[:NAME_MAX],
        password_hash=SYSTEM_PASSWORD_HASH,
        role=Role.AANBIEDER,
        provider_id=provider.id,  # not the relationship: the savepoint below flushes first
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        found = find_by_email(session, email)
        if found is None:
            raise
        return found
    return user
