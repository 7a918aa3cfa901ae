"""Requests for access (*inzageverzoeken*, AVG art. 15): the beheerder registers a request —
who asked, when, the case number — finding the resident by BSN (sent in a POST, never in a URL),
and answers it from the request's own page: the audit log about the resident, and everything
held about them as JSON and PDF.

docs/domain.md: a beheerder sees no case content. This is the one exception, because answering a
request for access is a legal duty; so the file hangs off a registered, open request
(``/beheer/inzage/verzoek/<id>/…``) and never off a resident id, and every view and download
names the beheerder and the request in the audit log (the rules are in ``workflows.inzage``).
"""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import AccessRequest, AccessRequestState, RequesterRelation
from workflows import audit
from workflows.errors import DomainError
from workflows.inzage import (
    RELATION_LABELS,
    STATE_LABELS,
    AccessRequestInput,
    FileClosed,
    access_requests,
    close_access_request,
    get_access_request,
    is_overdue,
    log_page,
    register_access_request,
    resident_file,
)
from workflows.paging import page_number

from .. import clock
from ..auth.access import me
from ..errors import render_error
from ..extensions import db
from ..filters import tr, translate_problem
from ..formtools import apply_problems, opts
from ..inzage_pdf import InzagePdf
from ..pdf import send_pdf
from . import bp
from .forms import AccessRequestForm, ActionForm

LIST_PER_PAGE = 25
LOG_PER_PAGE = 100
GONE = 410


@bp.app_template_filter("access_request_state")
def access_request_state(state: AccessRequestState | str) -> str:
    return tr(STATE_LABELS[AccessRequestState(state)])


@bp.app_template_filter("requester_relation")
def requester_relation(relation: RequesterRelation | str) -> str:
    return tr(RELATION_LABELS[RequesterRelation(relation)])


def _relation_choices(form: AccessRequestForm) -> None:
    form.requester_relation.choices = opts(
        (relation.value, tr(RELATION_LABELS[relation])) for relation in RequesterRelation
    )


@bp.route("/inzage", methods=["GET", "POST"])
def inzage() -> str | Response:
    """The requests (open ones first, by deadline) and the form to register a new one."""
    form = AccessRequestForm()
    _relation_choices(form)
    if request.method == "GET":
        form.received_on.data = clock.today()
    general: list[str] = []
    if form.validate_on_submit():
        data = AccessRequestInput(
            bsn=form.bsn.data or "",
            reference=form.reference.data or "",
            requester_name=form.requester_name.data or "",
            requester_relation=form.requester_relation.data or "",
            received_on=form.received_on.data,
        )
        try:
            access_request = register_access_request(db.session, data, me(), clock.today())
        except DomainError as err:
            db.session.rollback()
            general = apply_problems(form, err)
        else:
            db.session.commit()
            flash(_("Het inzageverzoek is geregistreerd."), "success")
            return redirect(url_for("beheer.access_request", access_request_id=access_request.id))
    show_all = request.args.get("toon") == "alle"
    page = access_requests(
        db.session,
        open_only=not show_all,
        page=page_number(request.args.get("page")),
        per_page=LIST_PER_PAGE,
    )
    return render_template(
        "beheer/inzage.html",
        form=form,
        general=general,
        page=page,
        show_all=show_all,
        today=clock.today(),
        is_overdue=is_overdue,
    )


def _request(access_request_id: int) -> AccessRequest:
    return get_access_request(db.session, access_request_id)


@bp.get("/inzage/verzoek/<int:access_request_id>")
def access_request(access_request_id: int) -> str:
    """The request's facts; while it is open, also the resident, the downloads and the log."""
    item = _request(access_request_id)
    context: dict[str, object] = {"item": item, "today": clock.today(), "form": ActionForm()}
    if item.is_open:
        context["person"] = item.resident
        context["log"] = log_page(
            db.session, item, page=page_number(request.args.get("page")), per_page=LOG_PER_PAGE
        )
    return render_template("beheer/inzage_request.html", is_overdue=is_overdue, **context)


@bp.post("/inzage/verzoek/<int:access_request_id>/afhandelen")
def close_request(access_request_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    item = get_access_request(db.session, access_request_id, for_update=True)
    try:
        close_access_request(db.session, item, me())
    except DomainError as err:
        db.session.rollback()
        flash(" ".join(translate_problem(p) for p in err.problems), "error")
    else:
        db.session.commit()
        flash(_("Het inzageverzoek is afgehandeld; het dossier is gesloten."), "success")
    return redirect(url_for("beheer.access_request", access_request_id=access_request_id))


def _file(item: AccessRequest, kind: str) -> dict[str, object]:
    """The resident's file for a download, and the one audit entry naming the request."""
    data = resident_file(db.session, item, clock.today())
    audit.record_export(
        db.session,
        "inzageverzoek",
        f"inzage.{kind}",
        object_id=item.id,
        resident_id=item.resident_id,
    )
    db.session.commit()
    return data


@bp.get("/inzage/verzoek/<int:access_request_id>/inzage.json")
def inzage_json(access_request_id: int) -> Response | tuple[str, int]:
    item = _request(access_request_id)
    try:
        data = _file(item, "json")
    except FileClosed as closed:
        return render_error(GONE, translate_problem(closed.problems[0]))
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=inzage-verzoek-{item.id}.json",
        },
    )


@bp.get("/inzage/verzoek/<int:access_request_id>/inzage.pdf")
def inzage_pdf(access_request_id: int) -> Response | tuple[str, int]:
    item = _request(access_request_id)
    try:
        data = _file(item, "pdf")
    except FileClosed as closed:
        return render_error(GONE, translate_problem(closed.problems[0]))
    return send_pdf(InzagePdf(data, clock.today()), f"inzage-verzoek-{item.id}.pdf")
