"""Session lifetime: 15 minutes idle and 8 hours in all (configurable), the half-way state
between the password and the second factor, and the server-side record of each session.

The session cookie is signed, not encrypted, so it holds only ids, keys and timestamps.
Flask-Login's user id (``_user_id``) is the key of the session's row in ``user_sessions``
(``workflows.sessions``): the user is found through that row, so logging out — which deletes
it — ends the session for every copy of the cookie, and a password change or a block (which
delete the account's other rows) end the other sessions at their next request (``load_user``).
The idle and absolute timeouts are the cookie's own timestamps; a session that overran one is
deleted on the server too.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, session
from flask_login import login_user, logout_user

from models import User
from workflows import sessions as records

from ..extensions import db

PENDING_SECONDS = 5 * 60
# The idle clock is written back at most once a minute, so a busy page does not rewrite the
# cookie on every request; the session therefore ends between 14 and 15 idle minutes.
TOUCH_RESOLUTION_SECONDS = 60


def now() -> int:
    return int(time.time())


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_MAX_HOURS"])


def load_user(key: str) -> User | None:
    """Flask-Login's user loader: the active user of the session with this key, if it lives."""
    return records.signed_in_user(db.session, key)


def current_key() -> str | None:
    """The key of this request's signed-in session (None when nobody is signed in)."""
    key = session.get("_user_id")
    return key if isinstance(key, str) else None


def session_values(key: str, at: int | None = None) -> dict[str, Any]:
    """What a fully signed-in session's cookie holds (also used by ``open_session``)."""
    moment = now() if at is None else at
    return {"_user_id": key, "_fresh": True, "auth_at": moment, "seen_at": moment}


def open_session(user: User) -> dict[str, Any]:
    """A session record for ``user`` as a completed login makes it (committed), and the values
    its cookie holds: the test helpers and bench/ sign in with this instead of the forms."""
    key = records.start_session(db.session, user, datetime.now(UTC), _lifetime())
    db.session.commit()
    return session_values(key)


def begin(user: User) -> None:
    """Both factors are done: a new session (no values from before the login survive). The
    caller commits (the session's row is written in its transaction)."""
    language = session.get("lang")
    session.clear()
    key = records.start_session(db.session, user, datetime.now(UTC), _lifetime())
    login_user(user)
    # Flask-Login stored ``user.get_id()``; the cookie names the session's record instead.
    session.update(session_values(key))
    session.permanent = True
    if language:
        session["lang"] = language


def start_pending(user: User, next_url: str | None) -> None:
    language = session.get("lang")
    session.clear()
    session["pending"] = {
        "user_id": user.id,
        "generation": user.session_generation,
        "at": now(),
        "next": next_url,
    }
    if language:
        session["lang"] = language


def pending_user() -> User | None:
    """The user between the two steps, if that state is fresh and still valid."""
    pending = session.get("pending")
    if not isinstance(pending, dict):
        return None
    if now() - int(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop("pending", None)
        return None
    user = db.session.get(User, int(pending.get("user_id", 0)))
    if user is None or not user.active or user.session_generation != pending.get("generation"):
        session.pop("pending", None)
        return None
    return user


def pending_next() -> str | None:
    pending = session.get("pending")
    return pending.get("next") if isinstance(pending, dict) else None


def expired() -> bool:
    """True when the signed-in session has been idle or alive too long."""
    if "_user_id" not in session:
        return False
    config = current_app.config
    moment = now()
    auth_at = int(session.get("auth_at", 0))
    seen_at = int(session.get("seen_at", 0))
    return (
        moment - seen_at > config["SESSION_IDLE_MINUTES"] * 60
        or moment - auth_at > config["SESSION_MAX_HOURS"] * 3600
    )


def touch() -> None:
    moment = now()
    if moment - int(session.get("seen_at", 0)) >= TOUCH_RESOLUTION_SECONDS:
        session["seen_at"] = moment


def end() -> None:
    """Logout, a timeout, a refused step: the cookie is cleared and, when it named a session,
    that session's record is deleted (committed), so no copy of the cookie works any more."""
    key = current_key()
    if key is not None:
        records.end_session(db.session, key)
        db.session.commit()
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
