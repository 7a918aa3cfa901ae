"""The BSN on screen: masked (last three digits) unless the user asks to see it for this one
resident (``?bsn=tonen``, no personal data in the URL); showing it is written in the audit log.
Documents that need the number (the agreement PDF for the provider, the answer to a request for
access) show it in full."""

from __future__ import annotations

from flask import request

from workflows import audit

from .extensions import db

SHOW_PARAMETER = ("bsn", "tonen")


def shown_bsn(resident_id: int) -> bool:
    """True when this request asks to show the full BSN; the showing is audited."""
    name, value = SHOW_PARAMETER
    if request.args.get(name) != value:
        return False
    audit.record(db.session, "bsn_getoond", "inwoner", resident_id, resident_id)
    db.session.commit()
    return True
