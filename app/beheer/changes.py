"""*Wijzigingen*: every change to the configuration (``workflows.config_log``), newest first, a
page at a time, optionally of one kind of object: who, when, what, which field, old → new."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from workflows import config_log
from workflows.paging import page_number

from ..extensions import db
from . import bp

PER_PAGE = 50


@bp.get("/wijzigingen")
def changes() -> str:
    kinds = config_log.kinds(db.session)
    chosen = request.args.get("soort") or ""
    if chosen not in kinds:
        chosen = ""
    page = config_log.listing(
        db.session, chosen or None, page=page_number(request.args.get("page")), per_page=PER_PAGE
    )
    names = config_log.actor_names(db.session, page.items)
    return render_template(
        "beheer/changes.html",
        rows=page,
        names=names,
        kinds=[(kind, _(config_log.OBJECT_LABELS.get(kind, kind))) for kind in kinds],
        chosen=chosen,
        object_label=lambda kind: _(config_log.OBJECT_LABELS.get(kind, kind)),
        action_label=lambda action: _(config_log.ACTION_LABELS.get(action, action)),
        field_label=lambda field: _(config_log.field_label(field) or ""),
    )
