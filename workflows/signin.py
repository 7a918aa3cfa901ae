"""Signing in: the password step and the second-factor step, with rate limiting and lockout.

* **Lockout per account**: five failed steps (password or second factor) for one e-mail address
  within 15 minutes lock that address for the rest of those 15 minutes, counted since its last
  successful login. The address is counted as typed (hashed), known or not, so the answer never
  tells an attacker whether an account exists.
* **Rate limit per address**: thirty failed or refused steps from one IP address within 15
  minutes refuse further attempts from it for the rest of that window (password spraying over
  many accounts).
* While locked or limited, the password is not even checked; the refusal is recorded (stage
  ``geweigerd``) and counts toward the IP limit but not toward the account's lockout.

Every step is recorded in ``login_attempts``; ``privacy purge`` removes old rows.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import LoginAttempt, User

from .two_factor import (
    looks_like_recovery_code,
    requires_second_factor,
    use_recovery_code,
    verify_code,
)
from .users import authenticate

ACCOUNT_MAX_FAILURES = 5
IP_MAX_FAILURES = 30
WINDOW = timedelta(minutes=15)

STAGE_PASSWORD = "wachtwoord"  # the password step of a login that needs a second factor
STAGE_SIGNED_IN = "ingelogd"  # the password step of a login that needs nothing more
STAGE_SECOND_FACTOR = "tweede_factor"
STAGE_REFUSED = "geweigerd"
STAGE_RELEASED = "vrijgegeven"


class Outcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"  # this address: too many failures
    THROTTLED = "throttled"  # this IP address: too many failures


@dataclass(frozen=True)
class StepResult:
    outcome: Outcome
    user: User | None = None
    used_recovery_code: bool = False


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def record_attempt(
    session: Session, key: str, ip: str | None, stage: str, success: bool, now: datetime
) -> None:
    session.add(LoginAttempt(account_key=key, ip=ip, stage=stage, success=success, at=now))
    session.flush()


def locked_until(session: Session, key: str, now: datetime) -> datetime | None:
    """When the lockout of this address ends, or None when it is not locked."""
    # Only a completed login (or a beheerder's release) starts the count afresh: a right
    # password followed by wrong codes must still lock the address.
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.account_key == key,
            LoginAttempt.success.is_(True),
            LoginAttempt.stage != STAGE_PASSWORD,
        )
    )
    since = now - WINDOW
    if last_success is not None and _aware(last_success) > since:
        since = _aware(last_success)
    failures = session.scalars(
        select(LoginAttempt.at)
        .where(
            LoginAttempt.account_key == key,
            LoginAttempt.success.is_(False),
            LoginAttempt.stage != STAGE_REFUSED,
            LoginAttempt.at > since,
        )
        .order_by(LoginAttempt.at.desc())
        .limit(ACCOUNT_MAX_FAILURES)
    ).all()
    if len(failures) < ACCOUNT_MAX_FAILURES:
        return None
    return _aware(min(failures)) + WINDOW


def ip_throttled(session: Session, ip: str | None, now: datetime) -> bool:
    if not ip:
        return False
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > now - WINDOW
        )
    )
    return (failures or 0) >= IP_MAX_FAILURES


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _refusal(session: Session, key: str, ip: str | None, now: datetime) -> Outcome | None:
    if ip_throttled(session, ip, now):
        return Outcome.THROTTLED
    if locked_until(session, key, now) is not None:
        return Outcome.LOCKED
    return None


def password_step(
    session: Session, email: str, password: str, ip: str | None, now: datetime
) -> StepResult:
    """First step: the e-mail address and password. OK hands back the (active) user."""
    key = account_key(email)
    refusal = _refusal(session, key, ip, now)
    if refusal is not None:
        record_attempt(session, key, ip, STAGE_REFUSED, False, now)
        return StepResult(refusal)
    user = authenticate(session, email, password)
    if user is None:
        record_attempt(session, key, ip, STAGE_PASSWORD, False, now)
        return StepResult(Outcome.WRONG)
    stage = STAGE_PASSWORD if requires_second_factor(user) else STAGE_SIGNED_IN
    record_attempt(session, key, ip, stage, True, now)
    return StepResult(Outcome.OK, user)


def second_factor_step(
    session: Session, user: User, code: str, ip: str | None, now: datetime
) -> StepResult:
    """Second step: a code from the app, or a recovery code. Counts toward the same lockout."""
    key = account_key(user.email)
    refusal = _refusal(session, key, ip, now)
    if refusal is not None:
        record_attempt(session, key, ip, STAGE_REFUSED, False, now)
        return StepResult(refusal)
    used_recovery = False
    if looks_like_recovery_code(code):
        ok = used_recovery = use_recovery_code(session, user, code, now)
    else:
        ok = verify_code(user, code, now)
    record_attempt(session, key, ip, STAGE_SECOND_FACTOR, ok, now)
    if not ok:
        return StepResult(Outcome.WRONG)
    return StepResult(Outcome.OK, user, used_recovery_code=used_recovery)


def lift_lockout(session: Session, user: User, now: datetime) -> None:
    """A beheerder lets a locked account try again at once (recorded as a success)."""
    record_attempt(session, account_key(user.email), None, STAGE_RELEASED, True, now)
