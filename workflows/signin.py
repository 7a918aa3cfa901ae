"""Every check of a secret someone types — the login's password and code, and the password a
signed-in user types again on the account pages — with rate limiting and lockout. One rule, one
place: the login, the second step, the password change and the renewal of the recovery codes all
go through ``_guarded_check``.

* **Lockout per account**: five failed checks (password or second factor, at the login or on an
  account page) for one e-mail address within 15 minutes lock that address for the rest of those
  15 minutes, counted since its last completed login. The address is counted as typed (hashed),
  known or not, so the answer never tells an attacker whether an account exists. A signed-in user
  who types wrong passwords locks the own address exactly like a guesser at the login form: a
  stolen session must not become a way to guess the password.
* **Rate limit per address**: thirty failed or refused steps from one IP address within 15
  minutes refuse further attempts from it for the rest of that window (password spraying over
  many accounts).
* While locked or limited, the secret is not even checked; the refusal is recorded (stage
  ``geweigerd``) and counts toward the IP limit but not toward the account's lockout.
* **Atomic**: the count and the check of one address happen under a lock of that address (a
  transaction-scoped advisory lock on PostgreSQL, SQLite's single writer), held until the
  caller commits the attempt. Parallel guesses therefore queue, and the sixth sees the five
  failures before it: 25 guesses at once run at most five password checks. Other addresses do
  not wait. (The IP limit is counted without a lock: it may let a few more through in a burst.)

Every check is recorded in ``login_attempts`` (``privacy purge`` removes old rows). A failed or
refused check by someone who already proved something — a signed-in user on an account page,
or the second step after a right password — is also written to the audit log, naming the
account. A wrong password at the login form is not: anyone can type anything there, and an
append-only log must not grow at an attacker's pace.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models import LoginAttempt, User

from . import audit
from .clock import as_utc
from .errors import N_, DomainError
from .two_factor import (
    looks_like_recovery_code,
    requires_second_factor,
    use_recovery_code,
    verify_code,
)
from .users import authenticate, set_password, verify_password

ACCOUNT_MAX_FAILURES = 5
IP_MAX_FAILURES = 30
WINDOW = timedelta(minutes=15)

STAGE_PASSWORD = "wachtwoord"  # the password step of a login that needs a second factor
STAGE_SIGNED_IN = "ingelogd"  # the password step of a login that needs nothing more
STAGE_SECOND_FACTOR = "tweede_factor"
STAGE_CONFIRMATION = "bevestiging"  # a signed-in user typed the password on an account page
STAGE_REFUSED = "geweigerd"
STAGE_RELEASED = "vrijgegeven"
# Successes that start the count afresh: a completed login or a beheerder's release. A right
# password alone does not (wrong codes after it must still lock the address), nor does a right
# password on an account page (the session already exists; it proves nothing new).
COMPLETING_STAGES = (STAGE_SIGNED_IN, STAGE_SECOND_FACTOR, STAGE_RELEASED)

# Why a signed-in user typed the password again (the ``details`` of the audit entry).
PURPOSE_PASSWORD_CHANGE = "wachtwoord wijzigen"
PURPOSE_RECOVERY_CODES = "herstelcodes vernieuwen"

# The first key of PostgreSQL's two-key advisory locks taken here ("sign"); the second is
# derived from the address. The scheduler's one-key lock lives in a separate key space.
_LOCK_SPACE = 0x7369676E


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
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.account_key == key,
            LoginAttempt.success.is_(True),
            LoginAttempt.stage.in_(COMPLETING_STAGES),
        )
    )
    since = now - WINDOW
    if last_success is not None and as_utc(last_success) > since:
        since = as_utc(last_success)
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
    return as_utc(min(failures)) + WINDOW


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


def _lock_address(session: Session, key: str) -> None:
    """Checks of one address run one at a time, until the caller commits (see the module's
    docstring). SQLite: take the database's write lock now, before counting (an UPDATE that
    matches no row does that), instead of at the first insert."""
    if session.get_bind().dialect.name == "postgresql":
        # A signed 32-bit number from the hashed address; two addresses that share it only
        # wait for each other.
        second = int(key[:8], 16) - 2**31
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :key)"),
            {"space": _LOCK_SPACE, "key": second},
        )
    else:
        session.execute(text("UPDATE login_attempts SET id = id WHERE 0"))


def _guarded_check(
    session: Session,
    key: str,
    ip: str | None,
    now: datetime,
    check: Callable[[], bool],
    stage: Callable[[bool], str],
) -> Outcome:
    """The one rule: lock the address, refuse while it is locked or the IP address is limited
    (without checking), else run ``check`` and record the attempt under ``stage(ok)``."""
    _lock_address(session, key)
    if ip_throttled(session, ip, now):
        record_attempt(session, key, ip, STAGE_REFUSED, False, now)
        return Outcome.THROTTLED
    if locked_until(session, key, now) is not None:
        record_attempt(session, key, ip, STAGE_REFUSED, False, now)
        return Outcome.LOCKED
    ok = check()
    record_attempt(session, key, ip, stage(ok), ok, now)
    return Outcome.OK if ok else Outcome.WRONG


def _audit_failure(
    session: Session, user: User, outcome: Outcome, wrong: str, details: str
) -> None:
    """``wrong``: the action when the secret was wrong; a refusal (locked, throttled: nothing
    was checked) is ``controle_geweigerd``."""
    action = wrong if outcome is Outcome.WRONG else "controle_geweigerd"
    audit.record(session, action, "account", user.id, details=details)


def password_step(
    session: Session, email: str, password: str, ip: str | None, now: datetime
) -> StepResult:
    """First step: the e-mail address and password. OK hands back the (active) user."""
    found: list[User] = []

    def check() -> bool:
        user = authenticate(session, email, password)
        if user is not None:
            found.append(user)
        return user is not None

    def stage(ok: bool) -> str:
        if ok and not requires_second_factor(found[0]):
            return STAGE_SIGNED_IN
        return STAGE_PASSWORD

    outcome = _guarded_check(session, account_key(email), ip, now, check, stage)
    return StepResult(outcome, found[0] if outcome is Outcome.OK else None)


def second_factor_step(
    session: Session, user: User, code: str, ip: str | None, now: datetime
) -> StepResult:
    """Second step: a code from the app, or a recovery code. Counts toward the same lockout."""
    recovery = looks_like_recovery_code(code)

    def check() -> bool:
        if recovery:
            return use_recovery_code(session, user, code, now)
        return verify_code(user, code, now)

    outcome = _guarded_check(
        session, account_key(user.email), ip, now, check, lambda ok: STAGE_SECOND_FACTOR
    )
    if outcome is not Outcome.OK:
        details = "herstelcode" if recovery else "tweede factor"
        _audit_failure(session, user, outcome, "code_onjuist", details)
        return StepResult(outcome)
    return StepResult(outcome, user, used_recovery_code=recovery)


def confirm_password(
    session: Session, user: User, password: str, ip: str | None, now: datetime, purpose: str
) -> StepResult:
    """A signed-in user types the password again (``purpose``: to change it, to renew the
    recovery codes). Counts toward the lockout like a login; a failure is audited."""
    outcome = _guarded_check(
        session,
        account_key(user.email),
        ip,
        now,
        lambda: verify_password(user, password),
        lambda ok: STAGE_CONFIRMATION,
    )
    if outcome is not Outcome.OK:
        _audit_failure(session, user, outcome, "wachtwoord_onjuist", purpose)
        return StepResult(outcome)
    return StepResult(outcome, user)


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    ip: str | None,
    now: datetime,
    keep_session: str | None,
) -> StepResult:
    """The user changes the own password: the current one is confirmed first (counted, see
    ``confirm_password``); then every other session of the account ends. A wrong current
    password is an outcome, not an error, so the caller commits the attempt; a new password
    that breaks a rule raises ``DomainError``."""
    result = confirm_password(session, user, current, ip, now, PURPOSE_PASSWORD_CHANGE)
    if result.outcome is not Outcome.OK:
        return result
    if new == current:
        raise DomainError(
            N_("Het nieuwe wachtwoord moet anders zijn dan het huidige."), field="new_password"
        )
    set_password(session, user, new, now, keep_session)
    return result


def lift_lockout(session: Session, user: User, now: datetime) -> None:
    """A beheerder lets a locked account try again at once (recorded as a success)."""
    record_attempt(session, account_key(user.email), None, STAGE_RELEASED, True, now)
