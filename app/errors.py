"""Error pages: every failure answers with a Dutch page and the right status, never a bare 500."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from workflows.errors import N_, NotFound, VersionConflict

from .extensions import db

log = logging.getLogger(__name__)

MESSAGES = {  # message ids, translated when rendered
    400: N_("Het verzoek is niet geldig."),
    403: N_("U heeft geen toegang tot deze pagina."),
    404: N_("Deze pagina of dit gegeven bestaat niet (of u mag het niet zien)."),
    405: N_("Deze handeling is hier niet mogelijk."),
    409: N_(
        "Dit gegeven is intussen door iemand anders gewijzigd. Er is niets overschreven; "
        "open het opnieuw en probeer het nog eens."
    ),
    413: N_("Het bestand is te groot."),
    500: N_("Er ging iets mis aan onze kant. Er is niets opgeslagen; probeer het later opnieuw."),
}


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    text = message or _(MESSAGES.get(status, MESSAGES[400]))
    return render_template("errors.html", status=status, message=text), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            _(
                "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het "
                "nog eens."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        status = err.code or 500
        if request.path.startswith("/api/"):  # routing errors never reach the API blueprint
            from .api import http_error as api_error

            return api_error(err)
        return render_error(status)

    @app.errorhandler(NotFound)
    def domain_not_found(err: NotFound) -> tuple[str, int]:
        return render_error(404)

    @app.errorhandler(VersionConflict)
    @app.errorhandler(StaleDataError)
    def conflict(err: Exception) -> tuple[str, int]:
        db.session.rollback()
        return render_error(409)

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> tuple[str, int]:
        log_unexpected(err)
        db.session.rollback()
        return render_error(500)


def log_unexpected(err: Exception) -> None:
    """Log a failure without personal data. A database error's message can quote values (e.g.
    PostgreSQL's ``DETAIL: Key (bsn)=(…) already exists``), so for those only the kind of error,
    its SQLSTATE, the page and the code path are logged; the statement's parameters are never
    in the log (``hide_parameters``)."""
    if isinstance(err, DBAPIError):
        code = getattr(err.orig, "sqlstate", None) or getattr(err.orig, "pgcode", None)
        log.error(
            "Database error %s/%s (SQLSTATE %s) on %s %s\n%s",
            type(err).__name__,
            type(err.orig).__name__,
            code,
            request.method,
            request.endpoint,
            "".join(traceback.format_tb(err.__traceback__)),
        )
        return
    log.exception("Unhandled error")
