"""The message exchange for the beheerder: the list of messages (filters, paging), one message
with its retours and error codes, and on the provider's page the gateway tokens.

What the beheerder sees of a message (docs/security.md): the envelope — kind, direction, dates,
state, identification, the trajectory's number, the error codes with their meanings and the
retours — since handling the exchange is their job. The content (the XML: BSN, name, birth
date of the client) only on request with a reason, one audit entry per view naming the reason;
the beheerder sees no case content otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from models import Message, MessageDirection, MessageState, Provider
from workflows import message_tokens
from workflows.berichten import codes
from workflows.message_overview import MessageFilter, messages_page
from workflows.paging import page_number
from workflows.text import clean_text

from ..auth.access import me
from ..extensions import db
from ..formtools import MAX_ID, run_step, whole_number
from ..message_exchange import audit_body, error_list
from . import bp
from .forms import ActionForm, MessageTokenForm, ShowBodyForm
from .providers import provider_page

KINDS = codes.KINDS


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw and len(raw) == 10 else None
    except ValueError:
        return None


def _chosen() -> tuple[MessageFilter, dict[str, str]]:
    """The filter from the query string; anything that names nothing is ignored."""
    args = request.args
    provider_id = whole_number(args.get("aanbieder"))
    direction = args.get("richting")
    state = args.get("status")
    kind = args.get("soort")
    chosen = MessageFilter(
        provider_id=provider_id if provider_id and provider_id <= MAX_ID else None,
        kind=kind if kind in KINDS else None,
        direction=MessageDirection(direction) if direction in set(MessageDirection) else None,
        state=MessageState(state) if state in set(MessageState) else None,
        dated_from=_day(args.get("van")),
        dated_to=_day(args.get("tot")),
    )
    shown = {
        "aanbieder": str(chosen.provider_id or ""),
        "soort": chosen.kind or "",
        "richting": chosen.direction.value if chosen.direction else "",
        "status": chosen.state.value if chosen.state else "",
        "van": chosen.dated_from.isoformat() if chosen.dated_from else "",
        "tot": chosen.dated_to.isoformat() if chosen.dated_to else "",
    }
    return chosen, shown


@bp.get("/berichten")
def messages() -> str:
    chosen, shown = _chosen()
    rows = messages_page(db.session, chosen, page=page_number(request.args.get("page")))
    providers = db.session.execute(
        select(Provider.id, Provider.name, Provider.agb_code).order_by(Provider.name)
    ).all()
    return render_template(
        "beheer/berichten.html",
        rows=rows,
        shown=shown,
        providers=providers,
        kinds=KINDS,
        directions=list(MessageDirection),
        states=list(MessageState),
        errors_of=error_list,
        meaning=codes.meaning,
    )


@bp.route("/berichten/<int:message_id>", methods=["GET", "POST"])
def message(message_id: int) -> str | tuple[str, int]:
    found = db.session.get(Message, message_id) if message_id <= MAX_ID else None
    if found is None:
        abort(404)
    form = ShowBodyForm()
    body: str | None = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            reason = (clean_text(form.reason.data) or "")[:200]
            audit_body(db.session, found, f"beheer inhoud getoond; reden: {reason}")
            db.session.commit()
            body = found.body.decode("utf-8", "replace")
        else:
            status = 422
    page = render_template(
        "beheer/bericht.html",
        message=found,
        form=form,
        body=body,
        errors=error_list(found),
        retours=list(found.answered_by),
        errors_of=error_list,
        meaning=codes.meaning,
    )
    return page, status


# --- gateway tokens on the provider's page ----------------------------------------------------


def _provider(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id) if provider_id <= MAX_ID else None
    if provider is None:
        abort(404)
    return provider


@bp.post("/aanbieders/<int:provider_id>/berichtentokens")
def issue_message_token(provider_id: int) -> str | Response:
    provider = _provider(provider_id)
    form = MessageTokenForm(prefix="token")
    new_token: str | None = None
    errors: list[str] = []
    if form.validate_on_submit():
        step = run_step(
            form,
            lambda: message_tokens.issue(db.session, me(), provider, name=form.name.data or ""),
        )
        errors = step.general
        if step.ok:
            _row, new_token = step.value
            form = MessageTokenForm(formdata=None, prefix="token")
    # Shown here, once: never redirected to a page that could show it again.
    return provider_page(
        _provider(provider_id), errors=errors, token_form=form, new_token=new_token
    )


@bp.post("/aanbieders/<int:provider_id>/berichtentokens/<int:message_token_id>/intrekken")
def revoke_message_token(provider_id: int, message_token_id: int) -> Response:
    provider = _provider(provider_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    run_step(
        None,
        lambda: message_tokens.revoke(
            db.session, me(), provider, message_token_id, datetime.now(UTC)
        ),
        success=_("Het token is ingetrokken."),
        flash_problems=True,
    )
    return redirect(url_for("beheer.provider", provider_id=provider_id))
