"""The statistics API (``/api/v1``) for managers' own tools: the figures of docs/statistics.md
as JSON, behind a bearer token a beheerder issued (stored hashed, revocable). Tokens, not
cookies: the blueprint is exempt from CSRF protection, and a browser session does not open it:
the access table (``app/auth/access.py``) admits each route by token only, with ``token_user``
below.

Every answer is JSON, errors too (``{"error", "message", "problems"}``, messages in Dutch), and
matches ``/api/v1/openapi.json``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Request, Response, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from models import Domain, User
from workflows.council import council_year
from workflows.errors import DomainError
from workflows.stats.admin import authenticate_token

from .. import clock
from ..auth.access import register_token_loader
from ..council import council_report
from ..errors import MESSAGES
from ..extensions import csrf, db
from ..statistics import problem_messages, published, published_scorecard, query_from
from .openapi import openapi_document

bp = Blueprint("api", __name__)
csrf.exempt(bp)
log = logging.getLogger(__name__)


def error(
    status: int, code: str, message: str, problems: list[dict[str, Any]] | None = None
) -> Response:
    response = jsonify({"error": code, "message": message, "problems": problems or []})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="trajectwijzer"'
    return response


def token_user(incoming: Request) -> User | None:
    """The user of the request's bearer token, or None (the access table answers 401 then)."""
    scheme, _sep, token = incoming.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = authenticate_token(db.session, token.strip(), datetime.now(UTC))
    db.session.commit()  # last_used_at
    return user


@bp.record_once
def _use_tokens(state: BlueprintSetupState) -> None:
    """The access table (app/auth/access.py) lets these routes in by token: this finds its user."""
    register_token_loader(state.app, token_user)


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException) -> Response:
    status = err.code or 500
    code = err.name.lower().replace(" ", "_")
    return error(status, code, _(MESSAGES.get(status, MESSAGES[400])))


@bp.errorhandler(Exception)
def unexpected(err: Exception) -> Response:
    log.exception("Unhandled API error")
    db.session.rollback()
    return error(500, "internal_error", _(MESSAGES[500]))


def bad_request(problem: DomainError) -> Response:
    """400 with every problem and its parameter, in Dutch."""
    details = [{"parameter": p, "message": m} for p, m in problem_messages(problem)]
    return error(400, "bad_request", "; ".join(m for _p, m in problem_messages(problem)), details)


def figure(name: str) -> Response:
    try:
        query = query_from(request.args)
    except DomainError as problem:
        return bad_request(problem)
    return jsonify(published(name, query).to_json())


@bp.get("/stats/flows")
def flows() -> Response:
    return figure("flows")


@bp.get("/stats/intensity")
def intensity() -> Response:
    return figure("intensity")


@bp.get("/stats/durations")
def durations() -> Response:
    return figure("durations")


@bp.get("/stats/waiting-times")
def waiting_times() -> Response:
    return figure("waiting-times")


@bp.get("/stats/results")
def results() -> Response:
    return figure("results")


@bp.get("/stats/finance")
def finance() -> Response:
    return figure("finance")


@bp.get("/stats/providers")
def providers() -> Response:
    """Every provider's scorecard and the municipality's, for a period and a domain."""
    try:
        scorecard = published_scorecard(request.args)
    except DomainError as problem:
        return bad_request(problem)
    return jsonify(scorecard.to_json())


@bp.get("/stats/council")
def council() -> Response:
    """The council report: per domain the published figures of a year beside the year before,
    the differences, the managers' commentary and the definitions."""
    try:
        period = council_year(request.args.get("year"), clock.today())
        # The domain is checked as every figure checks it (one rule, one message).
        chosen = query_from({"domain": request.args.get("domain", "")}).domain
        report = council_report(period, [chosen] if chosen else list(Domain))
    except DomainError as problem:
        return bad_request(problem)
    return jsonify(report.to_json())


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
