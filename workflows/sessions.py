"""Signed-in sessions, kept on the server (``user_sessions``).

Why: the session cookie is signed, so nobody can forge one, but a *copy* of it (a shared
computer, a proxy log, malware in the browser) used to stay good until its timeouts ran out,
logout or not. Now every completed login makes a row with a random key; the cookie carries the
key and the database only its SHA-256 hash (a database dump alone gives no session). A request
is signed in only while that row exists:

* **logout** deletes the row of *this* session only: the user's other devices stay signed in
  (logging out of the office PC does not sign out the phone); a copied cookie of the ended
  session is refused from then on;
* a **password change** deletes every other row of the account (this one stays); a **block** and
  a **reset of the second factor** delete them all. Both also raise ``User.session_generation``,
  which voids a login that is half-way (password given, code not yet) — that state has no row;
* the idle and absolute timeouts stay in the signed cookie (``app.auth.sessions``); when one of
  them ends a session its row is deleted too, and each login removes the rows that are past the
  absolute lifetime, so the table holds only sessions that can still be alive.

The cost per request is the one primary-key lookup that finds the signed-in user anyway (the
user is loaded through the session row, in one statement).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from models import User, UserSession

KEY_BYTES = 32  # 256 random bits


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start_session(session: Session, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new session for ``user`` (both login steps are done); returns the key for the cookie.
    Rows older than ``lifetime`` (the absolute timeout) are removed on the way."""
    session.execute(delete(UserSession).where(UserSession.started_at < now - lifetime))
    key = secrets.token_urlsafe(KEY_BYTES)
    session.add(UserSession(key_hash=_digest(key), user_id=user.id, started_at=now))
    session.flush()
    return key


# Built once: this runs on every request, and building the statement cost more than running it.
_SIGNED_IN = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.key_hash == bindparam("key_hash"), User.active.is_(True))
)


def signed_in_user(session: Session, key: str) -> User | None:
    """The active user whose session has this key, or None (ended, blocked or never existed)."""
    return session.scalar(_SIGNED_IN, {"key_hash": _digest(key)})


def end_session(session: Session, key: str) -> None:
    """Logout (or a timeout): exactly this session ends."""
    session.execute(delete(UserSession).where(UserSession.key_hash == _digest(key)))
    session.flush()


def end_sessions(session: Session, user: User, keep: str | None = None) -> None:
    """Every session of the account ends, except ``keep`` (the key of the session in which the
    user changed the password). A half-way login ends too (the generation is raised)."""
    user.session_generation += 1
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        statement = statement.where(UserSession.key_hash != _digest(keep))
    session.execute(statement)
    session.flush()
