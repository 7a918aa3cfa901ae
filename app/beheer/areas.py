"""Wijken and kernen in the browser: the list (with whether each is in use), adding, renaming
and deleting one that is not in use. The rules are in ``workflows.areas``."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import Wijk
from workflows.areas import add_wijk, remove_wijk, rename_wijk, wijken

from ..auth.access import me
from ..extensions import db
from ..formtools import run_step
from . import bp
from .forms import ActionForm, WijkForm


def _page(form: WijkForm, general: list[str], status: int = 200) -> tuple[str, int]:
    return render_template(
        "beheer/wijken.html",
        form=form,
        general=general,
        rows=wijken(db.session),
        action=ActionForm(),
    ), status


@bp.route("/wijken", methods=["GET", "POST"])
def areas() -> str | Response | tuple[str, int]:
    form = WijkForm()
    if form.validate_on_submit():
        name = form.name.data or ""
        step = run_step(
            form,
            lambda: add_wijk(db.session, name, me()),
            success=_("De wijk of kern is toegevoegd."),
        )
        if step.ok:
            return redirect(url_for("beheer.areas"))
        return _page(form, step.general, 422)
    return _page(form, [], 422 if form.errors else 200)


@bp.route("/wijken/<int:wijk_id>", methods=["GET", "POST"])
def rename_area(wijk_id: int) -> str | Response | tuple[str, int]:
    wijk = db.session.get(Wijk, wijk_id)
    if wijk is None:
        abort(404)
    form = WijkForm(data={"name": wijk.name})
    general: list[str] = []
    status = 200
    if form.validate_on_submit():
        name = form.name.data or ""
        step = run_step(
            form,
            lambda: rename_wijk(db.session, me(), wijk_id, name),
            success=_("De naam is gewijzigd."),
        )
        if step.ok:
            return redirect(url_for("beheer.areas"))
        general, status = step.general, 422
    elif form.errors:
        status = 422
    return render_template("beheer/wijk.html", form=form, wijk=wijk, general=general), status


@bp.post("/wijken/<int:wijk_id>/verwijderen")
def remove_area(wijk_id: int) -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    run_step(
        form,
        lambda: remove_wijk(db.session, me(), wijk_id),
        success=_("De wijk of kern is verwijderd."),
        flash_problems=True,
    )
    return redirect(url_for("beheer.areas"))
