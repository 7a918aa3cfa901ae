"""Signing in (password, then the second factor or its enrolment), signing out, and the own
account: changing the password (ends the other sessions) and new recovery codes.

Who may reach each of these is in ``access.ACCESS``; the steps themselves (rate limit, lockout,
codes) are in ``workflows.signin`` and ``workflows.two_factor``.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import segno
from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import Field

from models import User
from workflows import audit
from workflows.signin import (
    PURPOSE_RECOVERY_CODES,
    Outcome,
    StepResult,
    confirm_password,
    password_step,
    second_factor_step,
)
from workflows.signin import change_password as change_password_of
from workflows.two_factor import (
    confirm_enrolment,
    new_recovery_codes,
    provisioning_uri,
    requires_second_factor,
    start_enrolment,
    unused_recovery_codes,
)

from ..extensions import db
from ..formtools import reject, run_step
from ..request_info import client_ip
from . import bp, sessions
from .access import home_endpoint, me
from .forms import CodeForm, LoginForm, PasswordChangeForm, RenewCodesForm


def _now() -> datetime:
    return datetime.now(UTC)


def safe_next(target: str | None) -> str | None:
    """A local path to go to, or None. Browsers read a backslash as a slash and drop tabs and
    newlines, so ``/\\evil.example`` or ``/<tab>/evil.example`` would leave the site."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(ch) < 32 or ord(ch) == 127 for ch in target)
    ):
        return target
    return None


def _refusal_message(result: StepResult) -> str:
    if result.outcome is Outcome.THROTTLED:
        return _(
            "Te veel mislukte inlogpogingen vanaf uw netwerkadres. Probeer het over een kwartier "
            "opnieuw."
        )
    return _(
        "Te veel mislukte pogingen voor dit e-mailadres. Probeer het over een kwartier opnieuw, "
        "of vraag de beheerder om hulp."
    )


def _complete_login(user: User, details: str | None = None) -> None:
    sessions.begin(user)
    audit.record(
        db.session,
        "ingelogd",
        "account",
        user.id,
        details=details,
        context=audit.AuditContext(user.id, user.role.value, client_ip(), request.endpoint),
    )
    db.session.commit()


def _signed_in(user: User, next_url: str | None, details: str | None = None) -> Response:
    _complete_login(user, details)
    return redirect(next_url or url_for(home_endpoint(user)))


@bp.route("/inloggen", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        result = password_step(
            db.session, form.email.data or "", form.password.data or "", client_ip(), _now()
        )
        db.session.commit()  # the attempt counts, whatever its outcome
        next_url = safe_next(request.args.get("next"))
        if result.outcome is Outcome.OK:
            assert result.user is not None
            user = result.user
            if not requires_second_factor(user):
                return _signed_in(user, next_url)
            sessions.start_pending(user, next_url)
            if user.has_second_factor:
                return redirect(url_for("auth.second_factor"))
            return redirect(url_for("auth.enrol"))
        if result.outcome is Outcome.WRONG:
            form.password.errors = reject(
                [_("Onbekende combinatie van e-mailadres en wachtwoord.")]
            )
        else:
            form.password.errors = [_refusal_message(result)]
            return render_template("auth/login.html", form=form), 429
    return render_template("auth/login.html", form=form)


@bp.route("/inloggen/code", methods=["GET", "POST"])
def second_factor() -> str | Response | tuple[str, int]:
    user = sessions.pending_user()
    assert user is not None  # access.enforce sends anyone else to the login page
    if not user.has_second_factor:
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        result = second_factor_step(db.session, user, form.code.data or "", client_ip(), _now())
        db.session.commit()
        if result.outcome is Outcome.OK:
            next_url = safe_next(sessions.pending_next())
            if result.used_recovery_code:
                _complete_login(user, details="met herstelcode")
                flash(  # after the login: the new session starts empty
                    _(
                        "U heeft een herstelcode gebruikt; u heeft er nog %(n)s. Maak nieuwe "
                        "codes aan via Mijn account.",
                        n=unused_recovery_codes(user),
                    ),
                    "info",
                )
                return redirect(next_url or url_for(home_endpoint(user)))
            return _signed_in(user, next_url)
        if result.outcome is Outcome.WRONG:
            form.code.errors = reject([_("Deze code klopt niet.")])
        else:
            sessions.end()
            flash(_refusal_message(result), "error")
            return redirect(url_for("auth.login"))
    return render_template("auth/second_factor.html", form=form)


@bp.route("/inloggen/instellen", methods=["GET", "POST"])
def enrol() -> str | Response:
    user = sessions.pending_user()
    assert user is not None
    if user.has_second_factor:
        return redirect(url_for("auth.second_factor"))
    secret = start_enrolment(user)
    db.session.commit()
    form = CodeForm()
    general: list[str] = []
    if form.validate_on_submit():
        code = form.code.data or ""
        step = run_step(form, lambda: confirm_enrolment(db.session, user, code, _now()))
        if step.ok:
            next_url = safe_next(sessions.pending_next())
            _complete_login(user, details="tweede factor ingesteld")
            return render_template(
                "auth/recovery_codes.html", codes=step.value, next_url=next_url or url_for("index")
            )
        general = step.general
    return render_template(
        "auth/enrol.html",
        form=form,
        general=general,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


@bp.get("/inloggen/instellen/qr.svg")
def enrol_qr() -> Response:
    user = sessions.pending_user()
    assert user is not None
    if user.has_second_factor or user.totp_secret is None:
        return redirect(url_for("auth.second_factor"))
    svg = io.BytesIO()
    segno.make(provisioning_uri(user), error="m").save(svg, kind="svg", scale=5, border=2)
    svg.seek(0)
    response = send_file(svg, mimetype="image/svg+xml", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/uitloggen")
def logout() -> Response:
    if current_user.is_authenticated:
        user = me()
        audit.record(
            db.session,
            "uitgelogd",
            "account",
            user.id,
            context=audit.AuditContext(user.id, user.role.value, client_ip(), request.endpoint),
        )
    sessions.end()  # deletes this session's record and commits it with the entry
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


# --- the own account ---------------------------------------------------------------------------


def _render_account(**forms: object) -> str:
    user = me()
    return render_template(
        "auth/account.html",
        password_form=forms.get("password_form") or PasswordChangeForm(prefix="password"),
        codes_form=forms.get("codes_form") or RenewCodesForm(prefix="codes"),
        second_factor=requires_second_factor(user),
        codes_left=unused_recovery_codes(user) if user.has_second_factor else 0,
    )


@bp.get("/account")
def account() -> str:
    return _render_account()


def _refused_password(field: Field, result: StepResult, wrong: str) -> int:
    """A wrong or refused password on an account page: the message at the field, and the status
    (the caller commits the attempt: it counts toward the lockout)."""
    if result.outcome is Outcome.WRONG:
        field.errors = reject([wrong])
        return 422
    field.errors = [_refusal_message(result)]
    return 429


@bp.post("/account/wachtwoord")
def change_password() -> str | Response | tuple[str, int]:
    user = me()
    form = PasswordChangeForm(prefix="password")
    if form.validate_on_submit():

        def change() -> StepResult:
            result = change_password_of(
                db.session,
                user,
                form.current_password.data or "",
                form.new_password.data or "",
                client_ip(),
                _now(),
                keep_session=sessions.current_key(),
            )
            if result.outcome is Outcome.OK:
                audit.record(db.session, "wachtwoord_gewijzigd", "account", user.id)
            return result  # a failed attempt is committed too: it counts, and is in the audit log

        step = run_step(form, change)
        if step.ok:
            if step.value.outcome is not Outcome.OK:
                status = _refused_password(
                    form.current_password, step.value, _("Het huidige wachtwoord klopt niet.")
                )
                return _render_account(password_form=form), status
            flash(
                _("Uw wachtwoord is gewijzigd. U bent op alle andere apparaten uitgelogd."),
                "success",
            )
            return redirect(url_for("auth.account"))
    return _render_account(password_form=form)


@bp.post("/account/herstelcodes")
def renew_recovery_codes() -> str | Response | tuple[str, int]:
    user = me()
    form = RenewCodesForm(prefix="codes")
    if form.validate_on_submit():
        result = confirm_password(
            db.session,
            user,
            form.password.data or "",
            client_ip(),
            _now(),
            PURPOSE_RECOVERY_CODES,
        )
        if result.outcome is not Outcome.OK:
            db.session.commit()  # the failed attempt counts and is in the audit log
            status = _refused_password(form.password, result, _("Het wachtwoord klopt niet."))
            return _render_account(codes_form=form), status
        codes = new_recovery_codes(db.session, user, _now())
        audit.record(db.session, "herstelcodes_vernieuwd", "account", user.id)
        db.session.commit()
        return render_template(
            "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account")
        )
    return _render_account(codes_form=form)
