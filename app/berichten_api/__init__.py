"""The message gateway (``/api/berichten/v1``): the HTTP side of the iWmo/iJw exchange, for a
provider's client system or the relay it uses. A bearer token the beheerder issued on the
provider's page (``workflows.message_tokens``) opens that provider's mailbox and nothing else:

* ``POST /berichten`` — one message, the XML as the body (``Content-Type: application/xml``).
  Answers 200 with the retour's XML when receive() made one (that retour counts as delivered),
  202 with a JSON status when it made none, 400 when the body is unreadable or refused as a
  whole (e.g. against the schema), 413 when it is larger than a message may be (judged while
  reading, never by reading it all), 415 for another content type. Sending the same message
  again changes nothing and answers with the same retour.
* ``GET /uitbox`` — what waits for the provider (JSON list, oldest first).
* ``GET /uitbox/<id>`` — one message's XML (audited: personal data).
* ``POST`` or ``DELETE /uitbox/<id>`` — collected: the message leaves the outbox (verzonden).

Another provider's message id is answered exactly like one that does not exist (404). Errors are
JSON ``{"error", "message", "problems"}`` with Dutch messages, as in the statistics API."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Request, Response, g, jsonify, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from models import Message, MessageDirection, MessageState, Provider, User
from workflows.berichten.actor import system_actor
from workflows.berichten.incoming import receive
from workflows.berichten.store import mark_collected, retour_of
from workflows.berichten.store import outbox as provider_outbox
from workflows.berichten.xml import MAX_MESSAGE_BYTES, Unreadable
from workflows.message_tokens import authenticate

from .. import clock
from ..auth.access import register_token_loader
from ..errors import MESSAGES
from ..extensions import csrf, db
from ..formtools import MAX_ID
from ..message_exchange import audit_body, error_list, out_name, refused_whole, unreadable_text

bp = Blueprint("berichten_api", __name__)
csrf.exempt(bp)
log = logging.getLogger(__name__)

REALM = "berichten"
XML_TYPES = frozenset({"application/xml", "text/xml"})
CHUNK = 64 * 1024


def error(
    status: int, code: str, message: str, problems: list[dict[str, Any]] | None = None
) -> Response:
    response = jsonify({"error": code, "message": message, "problems": problems or []})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="trajectwijzer-berichten"'
    return response


def token_user(incoming: Request) -> User | None:
    """The provider's system account (``system_actor``) for the request's gateway token, or
    None (the access table answers 401 then). Events and audit entries name that account."""
    scheme, _sep, token = incoming.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    provider = authenticate(db.session, token.strip(), datetime.now(UTC))
    user = system_actor(db.session, provider) if provider is not None else None
    db.session.commit()  # last_used_at, a system account made on first use
    return user


@bp.record_once
def _use_tokens(state: BlueprintSetupState) -> None:
    register_token_loader(state.app, token_user, realm=REALM)


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException) -> Response:
    status = err.code or 500
    if status == 413:
        return too_large()
    return error(status, err.name.lower().replace(" ", "_"), _(MESSAGES.get(status, MESSAGES[400])))


@bp.errorhandler(Exception)
def unexpected(err: Exception) -> Response:
    log.exception("Unhandled error in the message gateway")
    db.session.rollback()
    return error(500, "internal_error", _(MESSAGES[500]))


def too_large() -> Response:
    return error(
        413, "too_large",
        _("Het bericht is te groot: ten hoogste %(mb)s MB.", mb=MAX_MESSAGE_BYTES // (1024 * 1024)),
    )  # fmt: skip


def provider() -> Provider:
    user: User = g.api_user
    assert user.provider is not None  # the system account of a provider
    return user.provider


def read_body() -> bytes | None:
    """The request body, or None when it is larger than a message may be. A declared length
    over the limit is refused before reading; otherwise (also chunked) it is read in pieces and
    refused as soon as it passes the limit: a 50 MB body never sits in memory."""
    if request.content_length is not None and request.content_length > MAX_MESSAGE_BYTES:
        return None
    pieces: list[bytes] = []
    size = 0
    while True:
        piece = request.stream.read(CHUNK)
        if not piece:
            break
        size += len(piece)
        if size > MAX_MESSAGE_BYTES:
            return None
        pieces.append(piece)
    return b"".join(pieces)


def xml_response(message: Message, status: int = 200) -> Response:
    response = Response(message.body, status=status, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{out_name(message)}"'
    response.headers["X-Bericht-Id"] = str(message.id)
    response.headers["Cache-Control"] = "no-store"
    return response


def summary(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "identification": message.identification,
        "dated_on": message.dated_on.isoformat(),
        "state": message.state.value,
        "errors": error_list(message),
    }


@bp.post("/berichten")
def post_message() -> Response:
    if request.mimetype not in XML_TYPES:
        return error(
            415, "unsupported_media_type",
            _("Stuur het bericht als XML (Content-Type: application/xml)."),
        )  # fmt: skip
    body = read_body()
    if body is None:
        return too_large()
    sender = provider()
    try:
        message = receive(db.session, sender, body, clock.today())
    except Unreadable as unreadable:
        db.session.rollback()
        return error(400, "unreadable", unreadable_text(unreadable))
    audit_body(db.session, message, "gateway ontvangen")
    if refused_whole(message):
        db.session.commit()
        return error(
            400, "refused", _("Het bericht is geweigerd; zie de fouten."),
            [{"code": e["code"], "part": e["part"], "message": e["text"]}
             for e in error_list(message)],
        )  # fmt: skip
    retour = retour_of(message)
    if retour is None:
        db.session.commit()
        response = jsonify(summary(message))
        response.status_code = 202
        return response
    if retour.state == MessageState.KLAAR:
        mark_collected(db.session, [retour])  # delivered in this answer
    audit_body(db.session, retour, "gateway retour")
    db.session.commit()
    return xml_response(retour)


def own_message(message_id: int) -> Message | None:
    """The provider's own outgoing message; anyone else's, or none, is the same None."""
    if message_id > MAX_ID:
        return None
    return db.session.scalar(
        select(Message).where(
            Message.id == message_id,
            Message.provider_id == provider().id,
            Message.direction == MessageDirection.UIT,
        )
    )


def not_found() -> Response:
    return error(404, "not_found", _("Dit bericht bestaat niet."))


@bp.get("/uitbox")
def outbox() -> Response:
    waiting = provider_outbox(db.session, provider().id)
    return jsonify(
        {"messages": [{**summary(m), "url": url_for(".message", message_id=m.id)} for m in waiting]}
    )


@bp.get("/uitbox/<int:message_id>")
def message(message_id: int) -> Response:
    found = own_message(message_id)
    if found is None:
        return not_found()
    audit_body(db.session, found, "gateway ophalen")
    db.session.commit()
    return xml_response(found)


@bp.route("/uitbox/<int:message_id>", methods=["POST", "DELETE"], endpoint="acknowledge")
def acknowledge(message_id: int) -> Response:
    found = own_message(message_id)
    if found is None:
        return not_found()
    if found.state == MessageState.KLAAR:
        mark_collected(db.session, [found])
        db.session.commit()
    return jsonify(summary(found))
