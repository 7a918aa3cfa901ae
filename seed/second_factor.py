"""The demo accounts' second factor: one well-known TOTP secret for every demo login that needs
one (gids, aanbieder, beheerder), so a first look needs only an authenticator app — or
``flask --app wsgi users demo-code``. Never used outside ``@demo.trajectwijzer.nl``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import User
from workflows.two_factor import SECOND_FACTOR_ROLES

# The demo accounts' e-mail domain; kept here, not in seed.demo, so the login commands that
# recognise demo accounts work in an installation without the demo extra (Faker).
DEMO_EMAIL_DOMAIN = "demo.trajectwijzer.nl"
DEMO_TOTP_SECRET = "TRAJECTWIJZERDEMOTRAJECTWIJZER23"


def is_demo_account(user: User) -> bool:
    return user.email.endswith(f"@{DEMO_EMAIL_DOMAIN}")


def enrol_demo_accounts(session: Session) -> int:
    """Give the demo logins that need a second factor the demo secret; returns how many."""
    users = session.scalars(
        select(User).where(
            User.email.like(f"%@{DEMO_EMAIL_DOMAIN}"),
            User.role.in_(SECOND_FACTOR_ROLES),
            User.totp_confirmed_at.is_(None),
        )
    ).all()
    for user in users:
        user.totp_secret = DEMO_TOTP_SECRET
        user.totp_confirmed_at = datetime.now(UTC)
    session.flush()
    return len(users)
