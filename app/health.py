"""``GET /health``: for the load balancer and monitoring. 200 when the database answers, else
503; no session, no personal data, nothing cached."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from .extensions import db

log = logging.getLogger(__name__)


def health() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        log.exception("Health check: the database does not answer")
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"}), 200


def register(app: Flask) -> None:
    app.add_url_rule("/health", endpoint="health", view_func=health, methods=["GET"])
