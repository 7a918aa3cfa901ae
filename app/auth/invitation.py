"""The invitation link (``/uitnodiging/<secret>``): the user chooses their own password, then
sets up the second factor where the role needs one (the same enrolment as at a first login).

The page is public — whoever has the link may use it, once (``workflows.invitations``). Opening
it changes nothing (a mail program that fetches links in advance uses nothing up); only the
form's POST does. A link that is unknown, used, revoked, expired or of a blocked account gets
the same answer, so the page tells nobody which."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models import User
from workflows import audit
from workflows.invitations import INVALID_LINK, accept, valid_invitation
from workflows.two_factor import requires_second_factor

from ..errors import render_error
from ..extensions import db
from ..formtools import run_step
from ..request_info import client_ip
from . import bp, sessions
from .forms import InvitationForm


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def invitation(token: str) -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return render_error(
            409, _("U bent al ingelogd. Log eerst uit en open de link dan opnieuw.")
        )
    now = datetime.now(UTC)
    found = valid_invitation(db.session, token, now)
    if found is None:
        return render_error(404, _(INVALID_LINK))
    user = found.user
    form = InvitationForm()
    general: list[str] = []
    if form.validate_on_submit():
        password = form.new_password.data or ""

        def use() -> User:
            accepted = accept(db.session, token, password, now)
            audit.record(
                db.session,
                "wachtwoord_ingesteld",
                "account",
                accepted.id,
                details="uitnodiging",
                context=audit.AuditContext(
                    accepted.id, accepted.role.value, client_ip(), request.endpoint
                ),
            )
            return accepted

        step = run_step(form, use)
        if step.ok:
            if requires_second_factor(step.value):
                sessions.start_pending(step.value, None)
                flash(_("Uw wachtwoord is ingesteld. Stel nu de tweede factor in."), "success")
                return redirect(url_for("auth.enrol"))
            flash(_("Uw wachtwoord is ingesteld. U kunt nu inloggen."), "success")
            return redirect(url_for("auth.login"))
        general = step.general
        return _page(form, user, general), 422
    return _page(form, user, general)


def _page(form: InvitationForm, user: User, general: list[str]) -> str:
    return render_template(
        "auth/invitation.html",
        form=form,
        user=user,
        general=general,
        second_factor=requires_second_factor(user),
    )
