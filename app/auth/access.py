"""Role checks for views. Object-level checks (whose record is it) live in each blueprint."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user, login_required

from models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

HOME = {
    Role.GIDS: "gids.caseload",
    Role.AANBIEDER: "aanbieder.index",
    Role.MANAGER: "manager.index",
    Role.BEHEERDER: "beheer.index",
}


def home_endpoint(user: User) -> str:
    return HOME[user.role]


def role_required(*roles: Role) -> Callable[[F], F]:
    """Logged in and one of ``roles``; otherwise 403 (or the login page when anonymous)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def me() -> User:
    """The logged-in user as a model instance (for workflow calls)."""
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user
