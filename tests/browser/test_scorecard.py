"""A manager opens the providers' scorecard side by side; a provider opens its own beside the
municipality's and cannot open another provider's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from app.extensions import db
from workflows import clock
from workflows.stats.feed import rebuild_aggregates

from ..factories import World
from ..workflows.stats_helpers import fact
from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def closed(app: Flask, live_world: World) -> None:
    """Six trajectories of zorg A closed in March last year with the result on time."""
    end = date(clock.today().year - 1, 3, 1)
    with Session(db.engine) as session:
        session.add_all(
            fact(f"s{n}", end - timedelta(days=90), end, provider_agb=live_world.zorg_a.agb_code,
                 planned_end=end, result_achieved=True, closure_category="a")
            for n in range(6)
        )  # fmt: skip
        session.flush()
        rebuild_aggregates(session.connection())
        session.commit()


def test_a_manager_and_a_provider_open_the_scorecard(
    page: Page, live_server: str, live_world: World, closed: None
) -> None:
    log_in(page, live_server, live_world.manager.email, second_factor=False)
    page.get_by_role("link", name="Aanbieders naast elkaar (scorekaart)").click()
    expect(page.get_by_role("heading", name="Aanbieders naast elkaar")).to_be_visible()
    page.get_by_label("Domein", exact=True).select_option(label="Jeugd")
    page.get_by_role("button", name="Tonen").click()
    table = page.get_by_role("table", name="Scorekaart per aanbieder")
    expect(table.get_by_role("rowheader", name=live_world.zorg_a.name)).to_be_visible()
    expect(table.get_by_role("rowheader", name=live_world.zorg_b.name)).to_be_visible()
    expect(table.get_by_role("rowheader", name="Gemeente (alle aanbieders)")).to_be_visible()
    row = table.get_by_role("row", name=live_world.zorg_a.name)
    closed_shown = row.get_by_role("cell").nth(1).inner_text()
    assert closed_shown in ("5", "6", "7")  # six, perturbed by at most one (never below 5)
    expect(page.get_by_text("de cijfers licht verstoord").last).to_be_visible()

    page.context.clear_cookies()
    log_in(page, live_server, live_world.aanbieder_a.email)
    page.get_by_role("link", name="Uw scorekaart").click()
    expect(page.get_by_role("heading", name="Uw scorekaart")).to_be_visible()
    page.get_by_label("Domein", exact=True).select_option(label="Jeugd")
    page.get_by_role("button", name="Tonen").click()
    own = page.get_by_role("table", name="Scorekaart per aanbieder")
    expect(own.get_by_role("rowheader", name=live_world.zorg_a.name)).to_be_visible()
    expect(own.get_by_role("rowheader", name="Gemeente (alle aanbieders)")).to_be_visible()
    expect(own.get_by_role("rowheader", name=live_world.zorg_b.name)).to_have_count(0)
    response = page.goto(f"{live_server}/aanbieder/scorekaart/{live_world.zorg_b.id}")
    assert response is not None and response.status == 404
