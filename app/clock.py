"""Today for the web app, the CLI and the scheduler: the municipality's calendar day in the
configured ``TIMEZONE`` (``workflows.clock`` says why there is one clock)."""

from __future__ import annotations

from datetime import date

from flask import current_app

from workflows import clock


def zone_name() -> str:
    return str(current_app.config["TIMEZONE"])


def today() -> date:
    """Today on the municipality's calendar (never the server's ``date.today()``)."""
    return clock.today(zone_name())
