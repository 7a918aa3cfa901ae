"""The inbox in the header: the number of unread tasks for a logged-in gids or provider user.

The count is a template global that the menu calls once per page, so it costs one COUNT query,
and only for the two roles that have an inbox; other pages and roles never query. The inbox
pages themselves live in the gids and aanbieder blueprints (``evaluation_views``).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from models import Role
from workflows.inbox import unread_count

from .extensions import db

log = logging.getLogger(__name__)
INBOX_ENDPOINTS = {Role.GIDS: "gids.tasks", Role.AANBIEDER: "aanbieder.tasks"}


def inbox_link() -> dict[str, Any] | None:
    """The inbox's address and unread count for the logged-in user, or None without an inbox."""
    if not current_user.is_authenticated or current_user.role not in INBOX_ENDPOINTS:
        return None
    user = current_user._get_current_object()
    try:
        unread: int | None = unread_count(db.session, user)
    except SQLAlchemyError:  # an error page must still render when the database fails
        log.exception("Counting unread tasks failed")
        db.session.rollback()
        unread = None
    return {"url": url_for(INBOX_ENDPOINTS[user.role]), "unread": unread}


def register(app: Flask) -> None:
    @app.context_processor
    def inbox_helpers() -> dict[str, Any]:
        return {"inbox_link": inbox_link}
