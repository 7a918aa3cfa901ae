"""Accounts for the beheerder: who has access, with or without a second factor, and blocking
an account (its sessions end at once), lifting a block or a temporary lockout, and resetting a
lost second factor (the user enrols again at the next login)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from models import User
from workflows import audit
from workflows.invitations import VALID_HOURS, open_invitations
from workflows.paging import page_number, paginate_objects
from workflows.signin import account_key, lift_lockout, locked_until
from workflows.two_factor import requires_second_factor, reset_second_factor
from workflows.users import set_blocked

from ..auth.access import me
from ..extensions import db
from ..formtools import run_step
from ..mail import NOT_POSSIBLE, invitation_delivery
from . import bp
from .forms import ROLE_LABELS, ActionForm

PER_PAGE = 50


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/accounts")
def accounts() -> str:
    now = datetime.now(UTC)
    page = paginate_objects(
        db.session,
        select(User).options(selectinload(User.provider)).order_by(User.role, User.name, User.id),
        page=page_number(request.args.get("page")),
        per_page=PER_PAGE,
    )
    invited = open_invitations(db.session, page.items, now)
    rows = page.map(
        lambda user: (
            user,
            requires_second_factor(user),
            locked_until(db.session, account_key(user.email), now),
            invited.get(user.id),
        )
    )
    return render_template(
        "beheer/accounts.html",
        rows=rows,
        form=ActionForm(),
        me=me(),
        can_invite=invitation_delivery(current_app.config) != NOT_POSSIBLE,
        valid_hours=VALID_HOURS,
        role_labels=ROLE_LABELS,
    )


def _act(user_id: int, action: str) -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    user = _user(user_id)
    now = datetime.now(UTC)
    if action == "geblokkeerd":
        message = _("Het account van %(name)s is geblokkeerd.", name=user.name)
    elif action == "gedeblokkeerd":
        message = _("%(name)s kan weer inloggen.", name=user.name)
    else:
        message = _(
            "De tweede factor van %(name)s is gewist; bij de volgende keer inloggen stelt "
            "%(name)s hem opnieuw in.",
            name=user.name,
        )

    def act() -> None:
        if action == "geblokkeerd":
            set_blocked(db.session, user, True, me())
        elif action == "gedeblokkeerd":
            set_blocked(db.session, user, False, me())
            lift_lockout(db.session, user, now)
        else:
            reset_second_factor(db.session, user, me())
        audit.record(db.session, action, "account", user.id)

    run_step(form, act, success=message, flash_problems=True)
    return redirect(url_for("beheer.accounts"))


@bp.post("/accounts/<int:user_id>/blokkeren")
def block_account(user_id: int) -> Response:
    return _act(user_id, "geblokkeerd")


@bp.post("/accounts/<int:user_id>/deblokkeren")
def unblock_account(user_id: int) -> Response:
    return _act(user_id, "gedeblokkeerd")


@bp.post("/accounts/<int:user_id>/tweede-factor-wissen", endpoint="reset_second_factor")
def reset_second_factor_of(user_id: int) -> Response:
    return _act(user_id, "tweede_factor_gewist")
