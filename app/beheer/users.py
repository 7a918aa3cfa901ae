"""Making and changing accounts in the browser: a new account (name, e-mail address, role and,
for a zorgaanbieder, the provider) gets an invitation to choose its own password
(``workflows.invitations``); the beheerder never sets or sees a password. An account's name, role
and provider can be changed, and an invitation sent again (the older link stops working).

How an invitation reaches the user is ``app.mail.invitation_delivery``: by mail; on a
development machine without a mail server, on screen for the beheerder to pass on; in
production without a mail server not from the browser at all."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from models import Provider, Role, User
from workflows import audit
from workflows.errors import N_, DomainError
from workflows.invitations import invite
from workflows.users import change_user, create_user

from ..auth.access import me
from ..extensions import db
from ..filters import fmt_date
from ..formtools import opts, run_step
from ..mail import NOT_POSSIBLE, ON_SCREEN, invitation_delivery, send_invitation
from . import bp
from .forms import AccountEditForm, AccountForm, ActionForm

MAIL_FAILED = N_(
    "De uitnodiging kon niet worden verstuurd: de mailserver is niet bereikbaar. Probeer het "
    "later opnieuw."
)


def _provider_choices(form: AccountEditForm) -> None:
    providers = db.session.scalars(select(Provider).order_by(Provider.name, Provider.id))
    form.provider_agb.choices = opts(
        [("", _("— geen (niet voor een zorgaanbieder) —"))]
        + [(p.agb_code, f"{p.name} ({p.agb_code})") for p in providers]
    )


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id, with_for_update=True)
    if user is None:
        abort(404)
    return user


def _send(user: User) -> str | None:
    """Inside a step: a new invitation for ``user``, delivered. Returns the link when it is to
    be shown to the beheerder (no mail server on a development machine)."""
    now = datetime.now(UTC)
    issued = invite(db.session, me(), user, now)
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    link = base + url_for("auth.invitation", token=issued.token)
    until = fmt_date(issued.invitation.expires_at)
    try:
        send_invitation(current_app.config, user.email, user.name, link, until)
    except OSError as error:  # smtplib.SMTPException is an OSError
        current_app.logger.warning("Invitation mail failed: %s", error)
        raise DomainError(MAIL_FAILED) from None
    audit.record(db.session, "uitgenodigd", "account", user.id)
    return link if invitation_delivery(current_app.config) == ON_SCREEN else None


def _delivered(user: User, link: str | None) -> None:
    if link:
        flash(
            _(
                "Er is geen mailserver ingesteld, dus de uitnodiging is niet gemaild. Geef deze "
                "link zelf aan %(name)s (hij werkt één keer): %(link)s",
                name=user.name,
                link=link,
            ),
            "info",
        )
    else:
        flash(_("De uitnodiging is gemaild naar %(email)s.", email=user.email), "success")


@bp.route("/accounts/nieuw", methods=["GET", "POST"])
def new_account() -> str | Response | tuple[str, int]:
    form = AccountForm()
    _provider_choices(form)
    general: list[str] = []
    delivery = invitation_delivery(current_app.config)
    if form.validate_on_submit():

        def create() -> tuple[User, str | None]:
            user = create_user(
                db.session,
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
                provider_agb=form.provider_agb.data or None,
                actor=me(),
            )
            audit.record(db.session, "account_aangemaakt", "account", user.id)
            return user, (_send(user) if delivery != NOT_POSSIBLE else None)

        step = run_step(form, create)
        if step.ok:
            user, link = step.value
            flash(_("Het account van %(name)s is aangemaakt.", name=user.name), "success")
            if delivery == NOT_POSSIBLE:
                flash(_no_mail_message(), "error")
            else:
                _delivered(user, link)
            return redirect(url_for("beheer.accounts"))
        general = step.general
        return render_template(
            "beheer/account_form.html", form=form, general=general, user=None, delivery=delivery
        ), 422
    return render_template(
        "beheer/account_form.html", form=form, general=general, user=None, delivery=delivery
    )


def _no_mail_message() -> str:
    return _(
        "Er is geen mailserver ingesteld (MAIL_SERVER), dus er is geen uitnodiging verstuurd. "
        "Laat de serverbeheerder de mailserver instellen of een uitnodiging maken met "
        "'flask --app wsgi users invite'."
    )


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
def edit_account(user_id: int) -> str | Response | tuple[str, int]:
    user = _user(user_id)
    form = AccountEditForm(
        data={
            "name": user.name,
            "role": user.role.value,
            "provider_agb": user.provider.agb_code if user.provider else "",
        }
    )
    _provider_choices(form)
    general: list[str] = []
    if form.validate_on_submit():

        def change() -> None:
            change_user(
                db.session,
                me(),
                user,
                name=form.name.data or "",
                role=Role(form.role.data),
                provider_agb=form.provider_agb.data or None,
            )
            audit.record(db.session, "account_gewijzigd", "account", user.id)

        step = run_step(form, change, success=_("Het account is opgeslagen."))
        if step.ok:
            return redirect(url_for("beheer.accounts"))
        general = step.general
        return render_template(
            "beheer/account_form.html", form=form, general=general, user=user, delivery=None
        ), 422
    return render_template(
        "beheer/account_form.html", form=form, general=general, user=user, delivery=None
    )


@bp.post("/accounts/<int:user_id>/uitnodigen")
def invite_account(user_id: int) -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    user = _user(user_id)
    if invitation_delivery(current_app.config) == NOT_POSSIBLE:
        flash(_no_mail_message(), "error")
        return redirect(url_for("beheer.accounts"))
    step = run_step(form, lambda: _send(user), flash_problems=True)
    if step.ok:
        _delivered(user, step.value)
    return redirect(url_for("beheer.accounts"))
