"""The inbox, shared by the gids and the provider blueprints.

* The header shows the number of unread tasks (a template global the menu calls once per page;
  counted up to 99, then "99+", so a large backlog never costs a full count on every page).
* ``render_inbox`` shows one page of open tasks, soonest due first or newest first, of one kind
  and one domain if asked (GET parameters ``soort``, ``domein``, ``volgorde``: bookmarkable; an
  unknown value is ignored), with the number of open tasks per kind; what is shown is read.
* ``dismiss`` marks a signal or notice handled (*afgehandeld*); tasks that a workflow step
  completes (an evaluation to submit, a proposal to answer) cannot be clicked away.

Each blueprint keeps its own thin routes (``gids.tasks``, ``aanbieder.tasks`` and their
``…dismiss_task``) because the role checks and templates are theirs.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from models import Role, TaskKind
from workflows.inbox import (
    DISMISSIBLE,
    ORDER_LABELS,
    UNREAD_SHOWN_UP_TO,
    InboxFilter,
    InboxOrder,
    counts_by_kind,
    dismiss_task,
    mark_read,
    open_tasks,
    unread_count,
)
from workflows.paging import page_number

from . import clock
from .auth.access import me
from .extensions import db
from .formtools import Form, run_step, whole_number

log = logging.getLogger(__name__)
INBOX_ENDPOINTS = {Role.GIDS: "gids.tasks", Role.AANBIEDER: "aanbieder.tasks"}


class DismissTaskForm(Form):
    """The *Afgehandeld* button: no fields, only the CSRF token."""


def inbox_link() -> dict[str, Any] | None:
    """The inbox's address and unread count for the logged-in user, or None without an inbox."""
    if not current_user.is_authenticated or current_user.role not in INBOX_ENDPOINTS:
        return None
    user = current_user._get_current_object()
    unread: str | None
    try:
        count = unread_count(db.session, user)
        unread = f"{UNREAD_SHOWN_UP_TO}+" if count > UNREAD_SHOWN_UP_TO else str(count or "")
    except SQLAlchemyError:  # an error page must still render when the database fails
        log.exception("Counting unread tasks failed")
        db.session.rollback()
        unread = None
    return {"url": url_for(INBOX_ENDPOINTS[user.role]), "unread": unread}


def asked_filter() -> InboxFilter:
    """The inbox filter in the query string (``soort``, ``domein``, ``volgorde``)."""
    args = request.args
    return InboxFilter.parse(args.get("soort"), args.get("domein"), args.get("volgorde"))


def filter_args(wanted: InboxFilter) -> dict[str, str]:
    """The query-string values that ask for ``wanted`` (the defaults left out)."""
    args = {}
    if wanted.kind is not None:
        args["soort"] = wanted.kind.value
    if wanted.domain is not None:
        args["domein"] = wanted.domain.value
    if wanted.order != InboxOrder.DUE:
        args["volgorde"] = wanted.order.value
    return args


def render_inbox(template: str) -> str:
    """One page of the user's open tasks as filtered; the tasks on it are read from now on."""
    user = me()
    wanted = asked_filter()
    page = open_tasks(db.session, user, page=page_number(request.args.get("page")), wanted=wanted)
    counts = counts_by_kind(db.session, user, wanted.domain)
    unread = {task.id for task in page.items if task.read_at is None}
    mark_read(db.session, page.items)
    html = render_template(
        template,
        page=page,
        unread=unread,
        dismissible=DISMISSIBLE,
        dismiss_form=DismissTaskForm(),
        today=clock.today(),
        wanted=wanted,
        filters=filter_args(wanted),
        counts=counts,
        orders=ORDER_LABELS,
        all_kinds=list(TaskKind),
    )
    db.session.commit()
    return html


def dismiss(task_id: int) -> Response:
    """Mark one of the user's signals or notices handled and go back to the same inbox page."""
    user = me()
    back = url_for(
        INBOX_ENDPOINTS[user.role],
        page=whole_number(request.args.get("page")),
        **filter_args(asked_filter()),
    )
    form = DismissTaskForm()
    if not form.validate_on_submit():
        flash(_("De pagina was verlopen; probeer het opnieuw."), "error")
        return redirect(back)
    run_step(  # an unknown task is a 404, by the error handlers
        form,
        lambda: dismiss_task(db.session, user, task_id),
        success=_("De taak is afgehandeld."),
        flash_problems=True,
    )
    return redirect(back)


def register(app: Flask) -> None:
    @app.context_processor
    def inbox_helpers() -> dict[str, Any]:
        return {"inbox_link": inbox_link}
