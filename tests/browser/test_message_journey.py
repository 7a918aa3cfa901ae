"""A provider whose client system exchanges messages, in Chromium: the gids makes and sends a
trajectory to Zorg B, whose contract is *berichtenverkeer*; the simulated provider system
(``flask berichten simuleer-aanbieder``, run in-process) accepts it, starts care, holds the
final evaluation and stops care; the gids confirms the end of care in the browser; the system
declares; the trajectory page shows it closed and claimed, with its messages."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.extensions import db
from models import Channel, Claim, Contract, Trajectory, TrajectoryState
from workflows import clock

from ..factories import World
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def live_world(committed_world: World) -> World:
    """The committed world, with Zorg B's contract exchanged by message."""
    assert db.engine is not None
    with db.engine.begin() as conn:
        conn.execute(
            update(Contract)
            .where(Contract.provider_id == committed_world.zorg_b.id)
            .values(channel=Channel.BERICHTENVERKEER)
        )
    return committed_world


def provider_system(app: Flask, agb: str, *options: str) -> str:
    result = app.test_cli_runner().invoke(args=["berichten", "simuleer-aanbieder", agb, *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_gids_closes_a_trajectory_whose_provider_works_by_message(
    app: Flask, page: Page, live_server: str, live_world: World
) -> None:
    base = live_server
    today = clock.today().isoformat()
    agb = live_world.zorg_b.agb_code

    log_in(page, base, live_world.gids.email)
    page.get_by_role("link", name="Inwoners").click()
    page.get_by_label("Naam of BSN").fill("vries")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="Anna de Vries").click()
    page.get_by_role("link", name="Nieuw traject").click()
    page.get_by_label("Ondersteuningsprofiel").select_option(
        label="Begeleiding individueel (WMO-BG)"
    )
    page.get_by_label("Intensiteit").select_option(label="Middel")
    page.get_by_label("Geplande startdatum").fill(today)
    page.get_by_role("button", name="Tarief en aanbieders tonen").click()
    page.get_by_label("Aanbieder (hoofdaannemer)").select_option(label=f"Zorg B (AGB {agb})")
    page.locator("#results-0-description").fill("Anna doet zelf haar administratie")
    page.get_by_role("button", name="Opslaan als concept").click()
    page.get_by_role("button", name="Versturen naar aanbieder").click()
    expect(page.get_by_text("Het traject is naar Zorg B verstuurd.")).to_be_visible()
    trajectory_url = page.url
    expect(page.get_by_role("heading", name="Berichten")).to_be_visible()
    expect(page.get_by_role("table", name="Berichten over dit traject")).to_contain_text("301")

    # Zorg B's system: it accepts, starts care today and, run to the end, stops it today.
    output = provider_system(app, agb, "--alles")
    assert "302" in output and "305" in output and "307" in output, output

    page.goto(trajectory_url)
    expect(page.locator(".lead")).to_contain_text("Zorg gestart")
    page.get_by_role("link", name="Taken").click()
    page.get_by_role("table").get_by_role("link", name="Einde zorg bevestigen").click()
    expect(page.get_by_role("heading", name="Melding einde zorg")).to_be_visible()
    page.get_by_label("Bevestigen: het traject wordt afgesloten").check()
    page.get_by_role("button", name="Besluit opslaan").click()
    expect(
        page.get_by_text("Het einde van de zorg is bevestigd; het traject is afgesloten.")
    ).to_be_visible()

    # The system declares the full price once the trajectory is closed.
    output = provider_system(app, agb)
    assert "323" in output, output

    page.goto(trajectory_url)
    expect(page.locator(".lead")).to_contain_text("Afgesloten")
    expect(page.get_by_role("heading", name="Declaratie")).to_be_visible()
    messages = page.get_by_role("table", name="Berichten over dit traject")
    for kind in ("301", "302", "305", "306", "307", "308", "323", "325"):
        expect(messages).to_contain_text(kind)
    with Session(db.engine) as session:
        trajectory = session.scalars(
            select(Trajectory).where(Trajectory.provider_id == live_world.zorg_b.id)
        ).one()
        assert trajectory.state == TrajectoryState.AFGESLOTEN
        claim = session.scalars(select(Claim).where(Claim.trajectory_id == trajectory.id)).one()
        assert claim.amount == trajectory.price
