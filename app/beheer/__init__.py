"""Beheerder pages: the catalogue (profiles, intensities, tariff versions) and providers with
their contracts, read-only (changes go through migrations and the CLI); what the statistics need
(``statistics``: outlier months, population figures, API tokens, the history import and the
review of what it added). No case content."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from flask import Blueprint, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from models import Claim, Contract, Provider, SupportProfile
from workflows.claims import all_claims

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


@bp.get("/aanbieders")
def providers() -> str:
    rows = db.session.scalars(
        select(Provider)
        .options(selectinload(Provider.contracts).selectinload(Contract.profile))
        .order_by(Provider.name)
    ).all()
    return render_template("beheer/providers.html", providers=rows)


# --- claims export (R11): for Dutch Excel, without any personal data ---------------------------

CLAIMS_CSV_COLUMNS = (
    "declaratie_id",
    "traject_id",
    "aanbieder_agb",
    "aanbieder",
    "productcategorie",
    "profiel",
    "intensiteit",
    "trajectprijs",
    "bedrag",
    "status",
    "ingediend_op",
    "besloten_op",
    "reden",
)


@bp.get("/declaraties.csv")
def claims_csv() -> Response | tuple[str, int]:
    """All claims as ``;``-separated UTF-8 with a BOM (Excel in a Dutch locale opens it as is),
    optionally for one provider (``?aanbieder=<AGB code>``). Only claim and catalogue facts: no
    names, BSNs or birth dates, since the beheerder sees no case content."""
    agb_code = (request.args.get("aanbieder") or "").strip()
    provider: Provider | None = None
    if agb_code:
        if len(agb_code) == 8:
            provider = db.session.scalar(select(Provider).where(Provider.agb_code == agb_code))
        if provider is None:
            return render_error(
                400, _("Er is geen aanbieder met AGB-code %(code)s.", code=agb_code[:20])
            )
    claims = all_claims(db.session, provider_id=provider.id if provider else None)
    name = f"declaraties-{provider.agb_code}.csv" if provider else "declaraties.csv"
    # Not cached: app/security.py sends Cache-Control: no-store with every response.
    return send_file(
        io.BytesIO(_claims_csv(claims)),
        mimetype="text/csv",
        as_attachment=True,
        download_name=name,
    )


def _claims_csv(claims: Sequence[Claim]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CLAIMS_CSV_COLUMNS)
    for claim in claims:
        trajectory = claim.trajectory
        writer.writerow(
            [
                claim.id,
                claim.trajectory_id,
                claim.provider.agb_code,
                _cell(claim.provider.name),
                trajectory.profile.category_code,
                trajectory.profile.code,
                trajectory.intensity.value,
                _amount(claim.price),
                _amount(claim.amount),
                claim.state.value,
                _day(claim.submitted_at),
                _day(claim.decided_at),
                _cell(claim.decision_reason or ""),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def _amount(value: Decimal) -> str:
    """1234,56: a decimal comma and no thousands separator, as Dutch Excel reads a number."""
    return f"{value:.2f}".replace(".", ",")


def _day(moment: datetime | None) -> str:
    """The calendar day in the municipality's time zone, as YYYY-MM-DD."""
    return "" if moment is None else to_user_timezone(moment).date().isoformat()


def _cell(text: str) -> str:
    """Free text that Excel would read as a formula gets a leading apostrophe (CSV injection)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


from . import accounts, inzage  # noqa: E402,F401
from . import statistics as _statistics  # noqa: E402,F401 - registers the statistics routes
