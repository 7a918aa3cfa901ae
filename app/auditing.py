"""The web app's side of the audit log (``workflows.audit``): each request's session gets an
``AuditContext`` naming the user, their address and the page; after the response is made, what
the request read is written with the response's status."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from werkzeug.wrappers import Response

from workflows import audit

from .extensions import db
from .request_info import client_ip


def _begin() -> None:
    if request.endpoint in (None, "static", "health"):
        return
    user = g.get("api_user")
    if user is None and current_user.is_authenticated:
        user = current_user
    audit.set_context(
        db.session,
        audit.AuditContext(
            user_id=user.id if user is not None else None,
            role=user.role.value if user is not None else None,
            ip=client_ip(),
            endpoint=request.endpoint,
        ),
    )


def _write_reads(response: Response) -> Response:
    session = g.get("db_session")
    if session is not None and audit.write_reads(session, response.status_code):
        session.commit()
    return response


def register(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_write_reads)
