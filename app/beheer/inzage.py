"""Requests for access (*inzageverzoek*): the beheerder finds the resident by BSN (sent in a
POST, never in a URL), sees the audit log about them and exports everything held about them as
JSON or PDF.

DOMAIN.md: a beheerder sees no case content. This is the one exception, because answering a
request for access is a legal duty (AVG art. 15); every lookup and export is itself logged.
"""

from __future__ import annotations

import json

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from workflows import audit
from workflows.bsn import normalise_bsn
from workflows.inzage import find_by_bsn, resident_file
from workflows.residents import get_resident

from .. import clock
from ..extensions import db
from ..formtools import reject
from ..inzage_pdf import InzagePdf
from ..pdf import send_pdf
from . import bp
from .forms import InzageForm

PER_PAGE = 100


@bp.route("/inzage", methods=["GET", "POST"])
def inzage() -> str | Response:
    form = InzageForm()
    if form.validate_on_submit():
        resident = find_by_bsn(db.session, normalise_bsn(form.bsn.data or ""))
        if resident is None:
            form.bsn.errors = reject([_("Er is geen inwoner met dit BSN bekend.")])
        else:
            audit.record(db.session, "inzageverzoek", "inwoner", resident.id, resident.id)
            db.session.commit()
            return redirect(url_for("beheer.inzage_resident", resident_id=resident.id))
    return render_template("beheer/inzage.html", form=form)


@bp.get("/inzage/<int:resident_id>")
def inzage_resident(resident_id: int) -> str:
    person = get_resident(db.session, resident_id)
    page_raw = request.args.get("page", "1")
    page = int(page_raw) if page_raw.isdecimal() and len(page_raw) < 7 else 1
    entries = audit.entries_for_resident(
        db.session, resident_id, limit=PER_PAGE + 1, offset=(max(page, 1) - 1) * PER_PAGE
    )
    return render_template(
        "beheer/inzage_resident.html",
        person=person,
        entries=entries[:PER_PAGE],
        page=max(page, 1),
        more=len(entries) > PER_PAGE,
    )


@bp.get("/inzage/<int:resident_id>/inzage.json")
def inzage_json(resident_id: int) -> Response:
    data = resident_file(db.session, resident_id, clock.today())
    audit.record(db.session, "inzage_export", "inwoner", resident_id, resident_id, details="json")
    db.session.commit()
    response = Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=inzage-{resident_id}.json"},
    )
    return response


@bp.get("/inzage/<int:resident_id>/inzage.pdf")
def inzage_pdf(resident_id: int) -> Response:
    data = resident_file(db.session, resident_id, clock.today())
    audit.record(db.session, "inzage_export", "inwoner", resident_id, resident_id, details="pdf")
    db.session.commit()
    return send_pdf(InzagePdf(data, clock.today()), f"inzage-{resident_id}.pdf")
