"""Session lifetime: 15 minutes idle and 8 hours in all (configurable), and the half-way state
between the password and the second factor.

The session cookie is signed, not encrypted, so it holds only ids and timestamps. Flask-Login's
user id is ``"<id>:<session generation>"`` (``User.get_id``): a password change or a block raises
the generation and so ends every older session at its next request (``load_user``).
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, session
from flask_login import login_user, logout_user

from models import User

from ..extensions import db

PENDING_SECONDS = 5 * 60
# The idle clock is written back at most once a minute, so a busy page does not rewrite the
# cookie on every request; the session therefore ends between 14 and 15 idle minutes.
TOUCH_RESOLUTION_SECONDS = 60


def now() -> int:
    return int(time.time())


def session_values(user: User, at: int | None = None) -> dict[str, Any]:
    """What a fully signed-in session holds (also used by the test helpers and bench/)."""
    moment = now() if at is None else at
    return {"_user_id": user.get_id(), "_fresh": True, "auth_at": moment, "seen_at": moment}


def begin(user: User) -> None:
    """Both factors are done: a new session (no values from before the login survive)."""
    language = session.get("lang")
    session.clear()
    login_user(user)
    session.permanent = True
    moment = now()
    session["auth_at"] = moment
    session["seen_at"] = moment
    if language:
        session["lang"] = language


def refresh_identity(user: User) -> None:
    """Keep this session after the generation was raised (the user changed the password here)."""
    session["_user_id"] = user.get_id()


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
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
