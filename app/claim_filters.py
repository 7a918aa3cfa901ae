"""The filters of the claims list and the claims CSV (state and year), read from the query
string: they hold no personal data, so they may be in a URL and a bookmark. The provider's
pages and the beheerder's export read them here, so both refuse the same values with the same
Dutch message — and both send the CSV through ``send_claims_csv``."""

from __future__ import annotations

import io
from collections.abc import Mapping

from flask import send_file
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import ClaimState
from workflows import audit
from workflows.claims import ClaimFilter, claims_csv

from . import clock
from .extensions import db

STATE_PARAM = "status"
YEAR_PARAM = "jaar"
FIRST_YEAR, LAST_YEAR = 2000, 2100


class BadClaimFilter(ValueError):
    """A filter value no form offers (typed into the URL); ``message`` says what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_claim_filter(args: Mapping[str, str], provider_id: int | None) -> ClaimFilter:
    """The filter the query string asks for, for ``provider_id`` (set by the caller, never taken
    from the request)."""
    state_text = (args.get(STATE_PARAM) or "").strip()
    year_text = (args.get(YEAR_PARAM) or "").strip()
    state: ClaimState | None = None
    if state_text:
        try:
            state = ClaimState(state_text)
        except ValueError:
            raise BadClaimFilter(_("Kies een status uit de lijst.")) from None
    year: int | None = None
    if year_text:
        if not (year_text.isdecimal() and len(year_text) == 4) or not (
            FIRST_YEAR <= int(year_text) <= LAST_YEAR
        ):
            raise BadClaimFilter(
                _(
                    "Een jaar is vier cijfers, van %(first)s tot en met %(last)s.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            )
        year = int(year_text)
    return ClaimFilter(provider_id=provider_id, state=state, year=year)


def described(chosen: ClaimFilter) -> dict[str, str]:
    """The filter as query-string values (for links, the pager and the audit entry)."""
    values: dict[str, str] = {}
    if chosen.state is not None:
        values[STATE_PARAM] = chosen.state.value
    if chosen.year is not None:
        values[YEAR_PARAM] = str(chosen.year)
    return values


def send_claims_csv(chosen: ClaimFilter, agb_code: str | None) -> Response:
    """The claims ``chosen`` selects, all of them, as CSV for Dutch Excel, with one audit entry
    naming the export, its filter and its size (committed before the file leaves).
    ``agb_code`` names the provider the filter is limited to, for the entry and the file name."""
    data, count = claims_csv(db.session, chosen, clock.zone_name())
    filters = {"aanbieder": agb_code, **described(chosen)}
    audit.record_export(db.session, "declaratie", "declaraties.csv", rows=count, filters=filters)
    db.session.commit()
    name = "-".join(["declaraties", *(str(v) for v in filters.values() if v)]) + ".csv"
    # Not cached: app/security.py sends Cache-Control: no-store with every response.
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name=name)
