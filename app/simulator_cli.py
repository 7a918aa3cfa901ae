"""``flask --app wsgi berichten simuleer-aanbieder AGB``: a provider's client system, simulated
(``workflows.berichten.simulator``), for the demo and for trying the message exchange out.

Refused in production: there, messages come from the providers' own systems only."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from models import Provider
from workflows import audit
from workflows.berichten.actor import system_actor
from workflows.berichten.simulator import DEFAULT_SEED, simulate

from . import clock
from .extensions import db
from .message_exchange import audit_body

COMMAND = "berichten simuleer-aanbieder"


@click.command(
    "simuleer-aanbieder",
    help="Simulate the client system of the provider with AGB code AGB: answer its toewijzingen "
    "(302), start care (305), hold the evaluations, stop care (307) and declare (323) as its "
    "dates come. Safe to run twice. Not in production.",
)
@click.argument("agb")
@click.option(
    "--tot",
    "until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Simulate up to this day, YYYY-MM-DD (default: today).",
)
@click.option(
    "--alles", "to_the_end", is_flag=True, help="Run every chain to its end now (for the demo)."
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@with_appcontext
def simuleer_aanbieder(agb: str, until: datetime | None, to_the_end: bool, seed: int) -> None:
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "De simulator draait niet in productie: daar komen berichten alleen van de systemen "
            "van de aanbieders zelf. Er is niets gedaan."
        )
    session = db.session
    provider = session.scalars(select(Provider).where(Provider.agb_code == agb.strip())).first()
    if provider is None:
        raise click.ClickException(f"Er is geen aanbieder met AGB-code {agb.strip()[:20]!r}.")
    system = system_actor(session, provider)
    audit.set_context(
        session,
        audit.AuditContext(user_id=system.id, role=system.role.value, endpoint=f"cli {COMMAND}"),
    )
    day = until.date() if until is not None else clock.today()
    report = simulate(session, provider, today=day, seed=seed, to_the_end=to_the_end)
    for message in report.collected:  # handed over to the provider's system, like an export
        audit_body(session, message, COMMAND, audit.EXPORTED)
    session.commit()
    sent = ", ".join(f"{count}× {kind}" for kind, count in sorted(report.sent.items()))
    click.echo(
        f"{provider.agb_code} {provider.name}, {day.isoformat()}: "
        f"{len(report.collected)} bericht(en) opgehaald; verstuurd: {sent or 'niets'}; "
        f"{report.evaluations} evaluatie(s) gehouden."
    )
    for line in report.refused:
        click.echo(f"  geweigerd: {line}")
