"""Beheerder pages: the catalogue (profiles, intensities, tariff versions: ``catalogue``) and
providers with their contracts (``providers``), kept in the browser; what the statistics need
(``statistics``: outlier months, population figures, API tokens, the history import and the
review of what it added). No case content."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from models import Provider, SupportProfile

from ..claim_filters import BadClaimFilter, read_claim_filter, send_claims_csv
from ..errors import render_error
from ..extensions import db

bp = Blueprint("beheer", __name__)


@bp.get("/")
def index() -> str:
    profiles = db.session.scalars(
        select(SupportProfile)
        .options(selectinload(SupportProfile.tariffs), selectinload(SupportProfile.intensities))
        .order_by(SupportProfile.domain, SupportProfile.code)
    ).all()
    return render_template("beheer/index.html", profiles=profiles)


# --- claims export (R11): for Dutch Excel, without any personal data ---------------------------


@bp.get("/declaraties.csv")
def claims_csv() -> Response | tuple[str, int]:
    """All claims as CSV for Dutch Excel (``workflows.csv_format``), optionally for one provider
    (``?aanbieder=<AGB code>``), one state and one year (``status``, ``jaar``, as on the
    provider's list). Only claim and catalogue facts: no names, BSNs or birth dates, since the
    beheerder sees no case content. One audit entry names the export, its filter and its size."""
    agb_code = (request.args.get("aanbieder") or "").strip()
    provider: Provider | None = None
    if agb_code:
        if len(agb_code) == 8:
            provider = db.session.scalar(select(Provider).where(Provider.agb_code == agb_code))
        if provider is None:
            return render_error(
                400, _("Er is geen aanbieder met AGB-code %(code)s.", code=agb_code[:20])
            )
    try:
        chosen = read_claim_filter(request.args, provider.id if provider else None)
    except BadClaimFilter as bad:
        return render_error(400, bad.message)
    return send_claims_csv(chosen, provider.agb_code if provider else None)


from . import accounts, areas, berichten, catalogue, changes, inzage, providers, users  # noqa: E402,F401
from . import statistics as _statistics  # noqa: E402,F401 - registers the statistics routes
