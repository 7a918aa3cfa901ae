from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from workflows.users import authenticate

from ..extensions import db
from . import bp
from .access import home_endpoint
from .forms import LoginForm


def _safe_next(target: str | None) -> str | None:
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


@bp.route("/inloggen", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors = [_("Onbekende combinatie van e-mailadres en wachtwoord.")]
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    return render_template("auth/login.html", form=form)


@bp.post("/uitloggen")
def logout() -> Response:
    logout_user()
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))
