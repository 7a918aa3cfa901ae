"""The second factor (BIO: accounts with access to personal data): TOTP from an authenticator
app, with one-time recovery codes for a lost phone.

Required for the roles that see personal data — gids, aanbieder, beheerder (the beheerder answers
requests for access). A manager sees aggregates only and signs in with a password.

* Enrolment: a secret is made and kept unconfirmed until the user proves with a first code that
  the app has it; only then does the factor count, and ten recovery codes are shown once.
* A code is accepted in the step before, at and after now (30 s each, for clocks that drift) and
  only once: ``totp_last_step`` refuses a code, or an earlier one, that was used already.
* Recovery codes are 10 random characters (50 bits) kept as Argon2id hashes, like passwords; each
  works once.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy.orm import Session

from models import RecoveryCode, Role, User

from . import config_log
from .errors import N_, DomainError
from .guards import require_beheerder
from .sessions import end_sessions
from .users import USER, hash_password, label_of, verify_hash

SECOND_FACTOR_ROLES = frozenset({Role.GIDS, Role.AANBIEDER, Role.BEHEERDER})
ISSUER = "Trajectwijzer"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CODE_LENGTH = 10


def requires_second_factor(user: User) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def start_enrolment(user: User) -> str:
    """The secret to show as a QR code. An unconfirmed secret is kept, so reloading the page
    shows the same code the app may already have scanned."""
    if user.totp_confirmed_at is not None:
        raise DomainError(N_("De tweede factor is al ingesteld."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    assert user.totp_secret is not None
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def verify_code(user: User, code: str, now: datetime) -> bool:
    """True for a valid code of a step not used before; the step is then marked used."""
    typed = _digits(code)
    if user.totp_secret is None or len(typed) != 6 or not typed.isascii() or not typed.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = _step(now)
    for step in (current - 1, current, current + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), typed):
            user.totp_last_step = step
            return True
    return False


def confirm_enrolment(session: Session, user: User, code: str, now: datetime) -> list[str]:
    """Check the first code; the factor counts from now on. Returns fresh recovery codes."""
    if user.totp_secret is None or user.totp_confirmed_at is not None:
        raise DomainError(N_("Begin opnieuw met het instellen van de tweede factor."))
    if not verify_code(user, code, now):
        raise DomainError(
            N_("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer het opnieuw."),
            field="code",
        )
    user.totp_confirmed_at = now
    return new_recovery_codes(session, user, now)


def _normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    """Replace all recovery codes with ten new ones; the plain codes are returned only here."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    user.recovery_codes = [
        RecoveryCode(code_hash=hash_password(code), created_at=now) for code in codes
    ]
    session.flush()
    half = RECOVERY_CODE_LENGTH // 2
    return [f"{code[:half]}-{code[half:]}" for code in codes]


def use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """True when ``code`` is one of the user's unused recovery codes; it is then used up."""
    typed = _normalise_recovery_code(code)
    if len(typed) != RECOVERY_CODE_LENGTH:
        return False
    for stored in user.recovery_codes:
        if stored.used_at is None and verify_hash(stored.code_hash, typed):
            stored.used_at = now
            session.flush()
            return True
    return False


def unused_recovery_codes(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)


def looks_like_recovery_code(code: str) -> bool:
    return len(_normalise_recovery_code(code)) == RECOVERY_CODE_LENGTH


def reset_second_factor(session: Session, user: User, actor: User | None = None) -> None:
    """Forget the factor (lost phone and codes): the user enrols again at the next login, and
    every session of the account ends. Logged in the change log, without any secret (``actor``
    None: the operator at the command line)."""
    require_beheerder(actor)
    config_log.record(session, actor, USER, user.id, label_of(user), "tweede_factor_gewist")
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.recovery_codes = []
    end_sessions(session, user)
