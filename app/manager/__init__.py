"""Manager pages: anonymised aggregates only — never a name, BSN, birth date or address."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from workflows.overview import SUPPRESSION_THRESHOLD, in_care_by_category, in_care_by_domain

from ..extensions import db

bp = Blueprint("manager", __name__)


@bp.get("/")
def index() -> str:
    today = date.today()
    rows = in_care_by_category(db.session, today)
    totals = in_care_by_domain(db.session, today)
    return render_template(
        "manager/index.html", rows=rows, totals=totals, today=today, k=SUPPRESSION_THRESHOLD
    )
