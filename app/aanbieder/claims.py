"""The provider's claims: one page at a time, filtered by state and year, and the same selection
as a CSV download.

The organisation is always the signed-in user's own (``me().provider_id``): nothing in the query
string can name another provider, so neither the filters nor the CSV ever show another
organisation's claims. The page names residents, so each claim shown is a read in the audit log;
the CSV holds no personal data (the beheerder's columns) and is one export entry, however many
claims it holds.
"""

from __future__ import annotations

from flask import render_template, request
from werkzeug.wrappers import Response

from models import ClaimState
from workflows.claims import CLAIM_STATE_LABELS, first_claim_year, provider_claims
from workflows.paging import page_number

from .. import clock
from ..auth.access import me
from ..claim_filters import BadClaimFilter, described, read_claim_filter, send_claims_csv
from ..errors import render_error
from ..extensions import db
from ..filters import tr
from . import bp

PER_PAGE = 25


def _own_provider_id() -> int:
    provider_id = me().provider_id
    assert provider_id is not None  # the access table lets only provider users in
    return provider_id


@bp.get("/declaraties")
def claims() -> str | tuple[str, int]:
    provider_id = _own_provider_id()
    try:
        chosen = read_claim_filter(request.args, provider_id)
    except BadClaimFilter as bad:
        return render_error(400, bad.message)
    zone_name = clock.zone_name()
    page = provider_claims(
        db.session,
        chosen,
        zone_name=zone_name,
        page=page_number(request.args.get("page")),
        per_page=PER_PAGE,
    )
    first_year = first_claim_year(db.session, provider_id, zone_name)
    this_year = clock.today().year
    years = list(range(this_year, min(first_year or this_year, this_year) - 1, -1))
    if chosen.year is not None and chosen.year not in years:
        years.append(chosen.year)
    return render_template(
        "aanbieder/claims.html",
        page=page,
        chosen=chosen,
        filters=described(chosen),
        states=[(state.value, tr(CLAIM_STATE_LABELS[state])) for state in ClaimState],
        years=years,
    )


@bp.get("/declaraties.csv")
def claims_download() -> Response | tuple[str, int]:
    """The claims the list's filters select, all of them, as CSV for Dutch Excel."""
    provider_id = _own_provider_id()
    try:
        chosen = read_claim_filter(request.args, provider_id)
    except BadClaimFilter as bad:
        return render_error(400, bad.message)
    agb_code = me().provider.agb_code if me().provider is not None else str(provider_id)
    return send_claims_csv(chosen, agb_code)
